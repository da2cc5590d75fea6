-- One row per purchase order (header) with its acknowledgement time.
with pos as (
    select * from {{ ref('int_purchase_orders_unioned') }}
),

final as (
    select
        po_id,
        entity_code,
        source_system,
        supplier_code,
        supplier_id,
        is_supplier_mapped,
        warehouse_code,
        po_date,
        sent_date,
        ack_date,
        {{ days_between('sent_date', 'ack_date') }} as ack_time_days,
        currency,
        status
    from pos
)

select * from final
