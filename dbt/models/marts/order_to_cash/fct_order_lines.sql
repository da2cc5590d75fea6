-- One row per sales order line with its fulfilment outcome (first shipment, total shipped,
-- delivered on time) and its net price per EA in USD at the order date's rate.
-- depends_on: {{ ref('int_orders_changed') }}
with lines as (
    select * from {{ ref('int_order_lines_fulfilled') }}
    where {{ only_changed_orders() }}
),

fx as (
    select * from {{ ref('int_fx_rates') }}
),

final as (
    select
        lines.order_id,
        lines.line_no,
        lines.entity_code,
        lines.source_system,
        lines.customer_code,
        lines.customer_id,
        lines.warehouse_code,
        lines.channel,
        lines.order_date,
        {{ month_key('lines.order_date') }} as order_month,
        lines.promised_date,
        lines.currency,
        lines.is_intercompany,
        lines.item_code,
        lines.item_id,
        lines.is_item_mapped,
        lines.uom,
        lines.qty_ordered,
        lines.qty_ordered_ea,
        lines.original_qty_ordered,
        lines.unit_price,
        lines.discount_pct,
        lines.net_price_per_ea,
        lines.net_price_per_ea * fx.usd_per_unit as net_price_per_ea_usd,
        lines.line_status,
        lines.is_cancelled,
        lines.substitute_for_line_no,
        lines.cancelled_on,
        lines.first_shipment_qty_ea,
        lines.shipped_qty_ea,
        lines.on_time_qty_ea,
        lines.first_shipment_units_capped_ea,
        lines.first_ship_date,
        lines.last_ship_date,
        lines.is_filled_on_first_shipment,
        lines.is_shipped_complete,
        lines.is_in_full_on_time,
        lines.closed_on
    from lines
    left join fx
        on
            lines.currency = fx.currency
            and lines.order_date = fx.rate_date
)

select * from final
