-- One row per PO line across all ERPs in its current state, with its PO's attributes and the
-- golden item. expected_date is the first promise (never moves); promised_date the latest.
with erp_lines as (
    select * from {{ ref('stg_group_erp__po_lines') }}
    where not coalesce(is_deleted, false)
),

mx_lines as (
    {{ latest_version(ref('stg_legacy_mx__po_lines'), ['po_id', 'line_no'], 'updated_at desc, file_date desc, _source_row desc') }}
),

us_lines as (
    {{ latest_version(ref('stg_legacy_us__po_lines'), ['po_id', 'line_no'], 'updated_at desc, file_date desc, _source_row desc') }}
),

pos as (
    select * from {{ ref('int_purchase_orders_unioned') }}
),

items as (
    select * from {{ ref('int_item_xref') }}
),

unioned as (
    select
        po_id,
        line_no,
        item_id as item_code,
        uom,
        qty_ordered,
        qty_ordered_ea,
        unit_cost,
        expected_date,
        promised_date,
        line_status,
        updated_at
    from erp_lines

    union all

    select
        po_id,
        line_no,
        item_code,
        uom,
        qty_ordered,
        qty_ordered_ea,
        unit_cost,
        expected_date,
        promised_date,
        line_status,
        updated_at
    from mx_lines

    union all

    select
        po_id,
        line_no,
        item_code,
        uom,
        qty_ordered,
        qty_ordered_ea,
        unit_cost,
        expected_date,
        promised_date,
        line_status,
        updated_at
    from us_lines
),

final as (
    select
        unioned.po_id,
        unioned.line_no,
        pos.entity_code,
        pos.source_system,
        pos.supplier_code,
        pos.supplier_id,
        pos.planned_lead_time_days,
        pos.warehouse_code,
        pos.po_date,
        pos.sent_date,
        pos.ack_date,
        pos.currency,
        unioned.item_code,
        items.item_id,
        coalesce(items.is_mapped, false) as is_item_mapped,
        unioned.uom,
        unioned.qty_ordered,
        cast(unioned.qty_ordered_ea as {{ type_double() }}) as qty_ordered_ea,
        unioned.unit_cost,
        unioned.expected_date,
        unioned.promised_date,
        unioned.line_status,
        unioned.line_status = 'cancelled' as is_cancelled,
        unioned.updated_at
    from unioned
    inner join pos on unioned.po_id = pos.po_id
    left join items
        on
            pos.entity_code = items.entity_code
            and unioned.item_code = items.local_item_code
)

select * from final
