-- Goods receipts against PO lines across all ERPs (EA).
with erp_receipts as (
    select * from {{ ref('stg_group_erp__receipts') }}
    where not coalesce(is_deleted, false)
),

mx_receipts as (
    {{ latest_version(ref('stg_legacy_mx__receipts'), ['receipt_id'], 'file_date desc, _source_row desc') }}
),

us_receipts as (
    {{ latest_version(ref('stg_legacy_us__receipts'), ['receipt_id'], 'file_date desc, _source_row desc') }}
),

final as (
    select
        receipt_id,
        'group_erp' as source_system,
        po_id,
        po_line_no,
        item_id as item_code,
        warehouse_code,
        receipt_date,
        cast(qty_received_ea as {{ type_double() }}) as qty_received_ea
    from erp_receipts

    union all

    select
        receipt_id,
        'legacy_mx' as source_system,
        po_id,
        po_line_no,
        item_code,
        warehouse_code,
        receipt_date,
        cast(qty_received_ea as {{ type_double() }}) as qty_received_ea
    from mx_receipts

    union all

    select
        receipt_id,
        'legacy_us' as source_system,
        po_id,
        po_line_no,
        item_code,
        warehouse_code,
        receipt_date,
        cast(qty_received_ea as {{ type_double() }}) as qty_received_ea
    from us_receipts
)

select * from final
