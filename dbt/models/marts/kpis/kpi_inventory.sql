-- Inventory KPIs per entity (the warehouse's) × snapshot month and GROUP (every warehouse:
-- inventory is physical, not eliminated). Turns and GMROI use the month's COGS and stock-item
-- gross margin (invoice month; GROUP's are external, intercompany eliminated), annualised × 12,
-- over the average of the month's first and last snapshot values.
with inventory as (
    select * from {{ ref('fct_inventory_daily') }}
),

margins as (
    select * from {{ ref('kpi_margin') }}
),

counts as (
    select * from {{ ref('fct_cycle_counts') }}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
    where not is_cancelled
),

warehouses as (
    select * from {{ ref('dim_warehouse') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

daily as (
    select
        entity_code,
        snapshot_date,
        snapshot_month as month,
        sum(inventory_value_usd) as value_usd,
        sum(on_hand_ea) as on_hand_ea,
        count(*) as positions,
        sum(case when is_stocked_out then 1 else 0 end) as stocked_out
    from inventory
    group by entity_code, snapshot_date, snapshot_month
),

scoped_daily as (
    select
        entity_code,
        snapshot_date,
        month,
        value_usd,
        on_hand_ea,
        positions,
        stocked_out
    from daily
    union all
    select
        'GROUP' as entity_code,
        snapshot_date,
        month,
        sum(value_usd) as value_usd,
        sum(on_hand_ea) as on_hand_ea,
        sum(positions) as positions,
        sum(stocked_out) as stocked_out
    from daily
    group by snapshot_date, month
),

month_bounds as (
    select
        entity_code,
        month,
        min(snapshot_date) as first_date,
        max(snapshot_date) as last_date,
        sum(positions) as positions,
        sum(stocked_out) as stocked_out
    from scoped_daily
    group by entity_code, month
),

averages as (
    select
        month_bounds.entity_code,
        month_bounds.month,
        month_bounds.last_date,
        month_bounds.positions,
        month_bounds.stocked_out,
        (first_day.value_usd + last_day.value_usd) / 2 as average_inventory_usd,
        last_day.on_hand_ea as last_on_hand_ea
    from month_bounds
    inner join scoped_daily as first_day
        on
            month_bounds.entity_code = first_day.entity_code
            and month_bounds.first_date = first_day.snapshot_date
    inner join scoped_daily as last_day
        on
            month_bounds.entity_code = last_day.entity_code
            and month_bounds.last_date = last_day.snapshot_date
),

turns as (
    select
        averages.entity_code,
        averages.month,
        averages.average_inventory_usd,
        case
            when averages.average_inventory_usd > 0
                then coalesce(margins.cogs_usd, 0) * 12 / averages.average_inventory_usd
            else 0
        end as inventory_turns,
        case
            when averages.average_inventory_usd > 0
                then coalesce(margins.stock_gross_margin_usd, 0) * 12 / averages.average_inventory_usd
        end as gmroi
    from averages
    left join margins
        on
            averages.entity_code = margins.entity_code
            and averages.month = margins.month
),

daily_demand as (
    select
        warehouses.entity_code,
        order_lines.order_date,
        sum(order_lines.qty_ordered_ea) as qty_ea
    from order_lines
    inner join warehouses on order_lines.warehouse_code = warehouses.warehouse_code
    group by warehouses.entity_code, order_lines.order_date
),

scoped_demand as (
    select
        entity_code,
        order_date,
        qty_ea
    from daily_demand
    union all
    select
        'GROUP' as entity_code,
        order_date,
        qty_ea
    from daily_demand
),

supply_windows as (
    select
        averages.entity_code,
        averages.month,
        averages.last_date,
        averages.last_on_hand_ea,
        case
            when {{ add_days('averages.last_date', '1 - ' ~ var('demand_window_days')) }} > periods.horizon_start
                then {{ add_days('averages.last_date', '1 - ' ~ var('demand_window_days')) }}
            else periods.horizon_start
        end as window_start
    from averages
    inner join periods on averages.month = periods.month
),

days_of_supply as (
    select
        supply_windows.entity_code,
        supply_windows.month,
        supply_windows.last_on_hand_ea,
        {{ days_between('supply_windows.window_start', 'supply_windows.last_date') }} + 1 as window_days,
        sum(scoped_demand.qty_ea) as window_demand_ea
    from supply_windows
    inner join scoped_demand
        on
            supply_windows.entity_code = scoped_demand.entity_code
            and supply_windows.window_start <= scoped_demand.order_date
            and supply_windows.last_date >= scoped_demand.order_date
    group by
        supply_windows.entity_code,
        supply_windows.month,
        supply_windows.last_on_hand_ea,
        supply_windows.window_start,
        supply_windows.last_date
),

scoped_counts as (
    select
        entity_code,
        count_month as month,
        is_accurate
    from counts
    union all
    select
        'GROUP' as entity_code,
        count_month as month,
        is_accurate
    from counts
),

accuracy as (
    select
        entity_code,
        month,
        sum(case when is_accurate then 1 else 0 end) as accurate_counts,
        count(*) as counts
    from scoped_counts
    group by entity_code, month
),

cells as (
    select
        entity_code,
        month,
        'average_inventory_usd' as kpi,
        average_inventory_usd as value
    from turns
    union all
    select
        entity_code,
        month,
        'inventory_turns' as kpi,
        inventory_turns as value
    from turns
    union all
    select
        entity_code,
        month,
        'days_on_hand' as kpi,
        365 / inventory_turns as value
    from turns
    where inventory_turns > 0
    union all
    select
        entity_code,
        month,
        'gmroi' as kpi,
        gmroi as value
    from turns
    where gmroi is not null
    union all
    select
        entity_code,
        month,
        'stockout_rate' as kpi,
        cast(stocked_out as {{ type_double() }}) / positions as value
    from averages
    where positions <> 0
    union all
    select
        entity_code,
        month,
        'days_of_supply' as kpi,
        last_on_hand_ea / (window_demand_ea / window_days) as value
    from days_of_supply
    where window_demand_ea > 0
    union all
    select
        entity_code,
        month,
        'inventory_record_accuracy' as kpi,
        cast(accurate_counts as {{ type_double() }}) / counts as value
    from accuracy
    where counts <> 0
)

select
    entity_code,
    month,
    kpi,
    cast(value as {{ type_double() }}) as value
from cells
