-- Each order line with what shipped: on its first shipment (shipment_seq = 1), in total, and
-- delivered by the promised date (+ the OTIF tolerance), plus its last ship date and the date
-- it stopped being open (for the backlog). Quantities in EA; equal within 1e-9.
-- depends_on: {{ ref('int_orders_changed') }}
with lines as (
    select * from {{ ref('int_sales_order_lines_unioned') }}
    where {{ only_changed_orders() }}
),

shipments as (
    select * from {{ ref('int_shipment_lines_unioned') }}
    where {{ only_changed_orders() }}
),

per_line as (
    select
        shipments.order_id,
        shipments.order_line_no,
        sum(case when shipments.is_first_shipment then shipments.qty_shipped_ea else 0 end)
            as first_shipment_qty_ea,
        sum(shipments.qty_shipped_ea) as shipped_qty_ea,
        sum(
            case
                when
                    shipments.delivery_date
                    <= {{ add_days('lines.promised_date', var('otif_tolerance_days')) }}
                    then shipments.qty_shipped_ea
                else 0
            end
        ) as on_time_qty_ea,
        min(shipments.ship_date) as first_ship_date,
        max(shipments.ship_date) as last_ship_date,
        count(*) as shipment_line_count
    from shipments
    inner join lines
        on
            shipments.order_id = lines.order_id
            and shipments.order_line_no = lines.line_no
    group by shipments.order_id, shipments.order_line_no
),

final as (
    select
        lines.*,
        coalesce(per_line.first_shipment_qty_ea, 0) as first_shipment_qty_ea,
        coalesce(per_line.shipped_qty_ea, 0) as shipped_qty_ea,
        coalesce(per_line.on_time_qty_ea, 0) as on_time_qty_ea,
        per_line.first_ship_date,
        per_line.last_ship_date,
        coalesce(per_line.shipment_line_count, 0) as shipment_line_count,
        coalesce(per_line.first_shipment_qty_ea, 0) >= lines.qty_ordered_ea - 0.000000001
            as is_filled_on_first_shipment,
        coalesce(per_line.shipped_qty_ea, 0) >= lines.qty_ordered_ea - 0.000000001
            as is_shipped_complete,
        coalesce(per_line.on_time_qty_ea, 0) >= lines.qty_ordered_ea - 0.000000001
            as is_in_full_on_time,
        case
            when coalesce(per_line.first_shipment_qty_ea, 0) < lines.qty_ordered_ea
                then coalesce(per_line.first_shipment_qty_ea, 0)
            else lines.qty_ordered_ea
        end as first_shipment_units_capped_ea,
        -- first day the line is no longer open (backlog): its cancellation, else (cancelled
        -- before shipping) its order date, else (shipped) its last ship date, else never
        case
            when lines.cancelled_on is not null then lines.cancelled_on
            when lines.is_cancelled then lines.order_date
            when lines.line_status = 'shipped' then coalesce(per_line.last_ship_date, lines.order_date)
        end as closed_on
    from lines
    left join per_line
        on
            lines.order_id = per_line.order_id
            and lines.line_no = per_line.order_line_no
)

select * from final
