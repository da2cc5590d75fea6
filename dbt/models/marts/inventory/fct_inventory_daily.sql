{{
    config(
        materialized='incremental',
        incremental_strategy=incremental_strategy(),
        unique_key='snapshot_month',
        partition_by=['snapshot_month'] if target.type in ('spark', 'databricks') else none,
        on_schema_change='fail'
    )
}}
-- One row per warehouse × item × day (end-of-day WMS snapshot), valued at cost. Incremental by
-- whole snapshot months: a run rebuilds the latest month already loaded and every later one.
with positions as (
    select * from {{ ref('int_inventory_daily_valued') }}
    {% if is_incremental() %}
        where {{ month_key('snapshot_date') }} >= (select max(t.snapshot_month) from {{ this }} as t)
    {% endif %}
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
