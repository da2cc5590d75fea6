{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_strategy(),
        unique_key='snapshot_month',
        partition_by=['snapshot_month'] if target.type in ('spark', 'databricks') else none,
        on_schema_change='fail'
    )
}}
-- depends_on: {{ ref('int_inventory_months_changed') }}
-- One row per warehouse × item × day (end-of-day WMS snapshot), valued at cost. Incremental by
-- whole snapshot months: a run rebuilds the latest month already loaded, every later one, and
-- the earlier months its inputs changed (macros/inventory_increments.sql).
with positions as (
    select * from {{ ref('int_inventory_daily_valued') }}
    where {{ inventory_months_to_rebuild('snapshot_date') }}
),

final as (
    select
        snapshot_date,
        {{ month_key('snapshot_date') }} as snapshot_month,
        warehouse_code,
        entity_code,
        entity_currency,
        item_code,
        item_id,
        is_item_mapped,
        abc_class,
        on_hand_ea,
        available_ea,
        open_demand_ea,
        unit_cost_ea,
        inventory_value,
        usd_per_unit,
        inventory_value_usd,
        is_stocked_out
    from positions
)

select * from final
