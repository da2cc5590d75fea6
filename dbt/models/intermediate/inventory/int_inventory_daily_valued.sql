-- End-of-day stock per warehouse × item × day from the WMS on-hand snapshots, valued at the
-- entity's item cost valid on the snapshot date (per EA, entity currency; no cost = 0) and in
-- USD at that date's rate.
with snapshots as (
    select * from {{ ref('stg_wms__on_hand_snapshots') }}
),

snapshot_items as (
    select * from {{ ref('stg_wms__on_hand_snapshot_items') }}
),

warehouses as (
    select * from {{ ref('int_warehouses') }}
),

items as (
    select * from {{ ref('int_item_xref') }}
),

costs as (
    select * from {{ ref('int_item_costs') }}
),

fx as (
    select * from {{ ref('int_fx_rates') }}
),

positions as (
    select
        snapshots.snapshot_date,
        snapshots.warehouse_code,
        warehouses.entity_code,
        warehouses.entity_currency,
        snapshot_items.item_code,
        cast(snapshot_items.on_hand_ea as {{ type_double() }}) as on_hand_ea,
        cast(snapshot_items.available_ea as {{ type_double() }}) as available_ea,
        cast(coalesce(snapshot_items.backordered_ea, 0) as {{ type_double() }}) as open_demand_ea
    from snapshot_items
    inner join snapshots on snapshot_items.event_id = snapshots.event_id
    left join warehouses on snapshots.warehouse_code = warehouses.warehouse_code
),

final as (
    select
        positions.snapshot_date,
        positions.warehouse_code,
        positions.entity_code,
        positions.entity_currency,
        positions.item_code,
        items.item_id,
        coalesce(items.is_mapped, false) as is_item_mapped,
        items.abc_class,
        positions.on_hand_ea,
        positions.available_ea,
        positions.open_demand_ea,
        costs.unit_cost as unit_cost_ea,
        positions.on_hand_ea * coalesce(costs.unit_cost, 0) as inventory_value,
        fx.usd_per_unit,
        positions.on_hand_ea * coalesce(costs.unit_cost, 0) * fx.usd_per_unit as inventory_value_usd,
        positions.available_ea <= 0 and positions.open_demand_ea > 0 as is_stocked_out
    from positions
    left join items
        on
            positions.entity_code = items.entity_code
            and positions.item_code = items.local_item_code
    left join costs
        on
            positions.entity_code = costs.entity_code
            and positions.item_code = costs.local_item_code
            and positions.snapshot_date >= costs.valid_from
            and (costs.valid_to is null or positions.snapshot_date < costs.valid_to)
    left join fx
        on
            positions.entity_currency = fx.currency
            and positions.snapshot_date = fx.rate_date
)

select * from final
