-- One row per purchase order line with its receipt outcome: EA received by the expected date
-- (first promise), in total, and the date the line became complete (cumulative receipts first
-- reached the ordered EA).
with po_lines as (
    select * from {{ ref('int_po_lines_unioned') }}
),

receipts as (
    select * from {{ ref('int_receipts_unioned') }}
),

receipts_cumulative as (
    select
        receipts.po_id,
        receipts.po_line_no,
        receipts.receipt_date,
        receipts.qty_received_ea,
        po_lines.expected_date,
        po_lines.qty_ordered_ea,
        sum(receipts.qty_received_ea) over (
            partition by receipts.po_id, receipts.po_line_no
            order by receipts.receipt_date
        ) as cumulative_received_ea
    from receipts
    inner join po_lines
        on
            receipts.po_id = po_lines.po_id
            and receipts.po_line_no = po_lines.line_no
),

per_line as (
    select
        po_id,
        po_line_no,
        sum(qty_received_ea) as received_qty_ea,
        sum(case when receipt_date <= expected_date then qty_received_ea else 0 end)
            as received_by_expected_ea,
        min(case when cumulative_received_ea >= qty_ordered_ea - 0.000000001 then receipt_date end)
            as completed_on,
        min(receipt_date) as first_receipt_date,
        max(receipt_date) as last_receipt_date
    from receipts_cumulative
    group by po_id, po_line_no
),

final as (
    select
        po_lines.po_id,
        po_lines.line_no,
        po_lines.entity_code,
        po_lines.source_system,
        po_lines.supplier_code,
        po_lines.supplier_id,
        po_lines.warehouse_code,
        po_lines.po_date,
        po_lines.sent_date,
        po_lines.ack_date,
        po_lines.currency,
        po_lines.item_code,
        po_lines.item_id,
        po_lines.is_item_mapped,
        po_lines.uom,
        po_lines.qty_ordered,
        po_lines.qty_ordered_ea,
        po_lines.unit_cost,
        po_lines.expected_date,
        {{ month_key('po_lines.expected_date') }} as expected_month,
        po_lines.promised_date,
        po_lines.line_status,
        po_lines.is_cancelled,
        po_lines.planned_lead_time_days,
        coalesce(per_line.received_qty_ea, 0) as received_qty_ea,
        coalesce(per_line.received_by_expected_ea, 0) as received_by_expected_ea,
        per_line.first_receipt_date,
        per_line.last_receipt_date,
        per_line.completed_on,
        coalesce(per_line.received_by_expected_ea, 0) >= po_lines.qty_ordered_ea - 0.000000001
            as is_on_time_in_full,
        {{ days_between('po_lines.po_date', 'per_line.completed_on') }} as actual_lead_time_days,
        {{ days_between('po_lines.po_date', 'per_line.completed_on') }}
        - po_lines.planned_lead_time_days as lead_time_variance_days
    from po_lines
    left join per_line
        on
            po_lines.po_id = per_line.po_id
            and po_lines.line_no = per_line.po_line_no
)

select * from final
