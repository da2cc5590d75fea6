-- One row per purchase order across all ERPs in its current state, with the golden supplier.
with erp_pos as (
    select * from {{ ref('stg_group_erp__purchase_orders') }}
    where not coalesce(is_deleted, false)
),

mx_pos as (
    {{ latest_version(ref('stg_legacy_mx__purchase_orders'), ['po_id'], 'updated_at desc, file_date desc, _source_row desc') }}
),

us_pos as (
    {{ latest_version(ref('stg_legacy_us__purchase_orders'), ['po_id'], 'updated_at desc, file_date desc, _source_row desc') }}
),

suppliers as (
    select * from {{ ref('int_supplier_xref') }}
),

unioned as (
    select
        po_id,
        entity_code,
        'group_erp' as source_system,
        supplier_id as supplier_code,
        warehouse_code,
        po_date,
        sent_date,
        ack_date,
        currency,
        status,
        created_at,
        updated_at
    from erp_pos

    union all

    select
        po_id,
        entity_code,
        'legacy_mx' as source_system,
        supplier_code,
        warehouse_code,
        po_date,
        sent_date,
        ack_date,
        currency,
        status,
        created_at,
        updated_at
    from mx_pos

    union all

    select
        po_id,
        entity_code,
        'legacy_us' as source_system,
        supplier_code,
        warehouse_code,
        po_date,
        sent_date,
        ack_date,
        currency,
        status,
        created_at,
        updated_at
    from us_pos
),

final as (
    select
        unioned.po_id,
        unioned.entity_code,
        unioned.source_system,
        unioned.supplier_code,
        suppliers.supplier_id,
        coalesce(suppliers.is_mapped, false) as is_supplier_mapped,
        suppliers.planned_lead_time_days,
        unioned.warehouse_code,
        unioned.po_date,
        unioned.sent_date,
        unioned.ack_date,
        unioned.currency,
        unioned.status,
        unioned.created_at,
        unioned.updated_at
    from unioned
    left join suppliers
        on
            unioned.entity_code = suppliers.entity_code
            and unioned.supplier_code = suppliers.local_supplier_code
)

select * from final
