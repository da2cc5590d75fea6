-- One row per shipment line (EA), with the shipment's dates, carrier and freight.
-- depends_on: {{ ref('int_orders_changed') }}
with shipments as (
    select * from {{ ref('int_shipment_lines_unioned') }}
    where {{ only_changed_orders() }}
),

items as (
    select * from {{ ref('int_item_xref') }}
),

final as (
    select
        shipments.shipment_id,
        shipments.shipment_line_no,
        shipments.entity_code,
        shipments.source_system,
        shipments.order_id,
        shipments.order_line_no,
        shipments.warehouse_code,
        shipments.item_code,
        items.item_id,
        coalesce(items.is_mapped, false) as is_item_mapped,
        shipments.ship_date,
        {{ month_key('shipments.ship_date') }} as ship_month,
        shipments.delivery_date,
        shipments.qty_shipped_ea,
        shipments.shipment_seq,
        shipments.is_first_shipment,
        shipments.unit_cost_ea,
        shipments.carrier,
        shipments.tracking_number,
        shipments.freight_cost
    from shipments
    left join items
        on
            shipments.entity_code = items.entity_code
            and shipments.item_code = items.local_item_code
)

select * from final
