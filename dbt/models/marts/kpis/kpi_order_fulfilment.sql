-- Fill rates, OTIF and order cycle time per entity × month and GROUP (intercompany orders
-- eliminated). Non-cancelled lines only; an order's lines are its non-cancelled lines.
-- Month: the order date (fill rates, OTIF); the final ship date (cycle time).
with lines as (
    select * from {{ ref('fct_order_lines') }}
    where not is_cancelled
),

scoped_lines as (
    select
        entity_code,
        order_id,
        order_month,
        order_date,
        qty_ordered_ea,
        first_shipment_units_capped_ea,
        last_ship_date,
        case when is_filled_on_first_shipment then 1 else 0 end as filled,
        case when is_in_full_on_time then 1 else 0 end as in_full_on_time,
        case when is_shipped_complete then 1 else 0 end as complete
    from lines

    union all

    select
        'GROUP' as entity_code,
        order_id,
        order_month,
        order_date,
        qty_ordered_ea,
        first_shipment_units_capped_ea,
        last_ship_date,
        case when is_filled_on_first_shipment then 1 else 0 end as filled,
        case when is_in_full_on_time then 1 else 0 end as in_full_on_time,
        case when is_shipped_complete then 1 else 0 end as complete
    from lines
    where not is_intercompany
),

orders as (
    select
        entity_code,
        order_id,
        min(order_month) as order_month,
        min(order_date) as order_date,
        min(filled) as filled,
        min(in_full_on_time) as in_full_on_time,
        min(complete) as complete,
        max(last_ship_date) as final_ship_date
    from scoped_lines
    group by entity_code, order_id
),

line_rates as (
    select
        entity_code,
        order_month as month,
        sum(filled) as lines_filled,
        count(*) as lines_total,
        sum(first_shipment_units_capped_ea) as units_filled,
        sum(qty_ordered_ea) as units_ordered
    from scoped_lines
    group by entity_code, order_month
),

order_rates as (
    select
        entity_code,
        order_month as month,
        sum(filled) as orders_filled,
        sum(in_full_on_time) as orders_otif,
        count(*) as orders_total
    from orders
    group by entity_code, order_month
),

cycle_times as (
    select
        entity_code,
        {{ month_key('final_ship_date') }} as month,
        avg(cast({{ days_between('order_date', 'final_ship_date') }} as {{ type_double() }}))
            as mean_days,
        {{ percentile_cont('cast(' ~ days_between('order_date', 'final_ship_date') ~ ' as ' ~ type_double() ~ ')', 0.9) }}
            as p90_days
    from orders
    where complete = 1 and final_ship_date is not null
    group by entity_code, {{ month_key('final_ship_date') }}
),

cells as (
    select
        entity_code,
        month,
        'line_fill_rate' as kpi,
        cast(lines_filled as {{ type_double() }}) / lines_total as value
    from line_rates
    where lines_total <> 0
    union all
    select
        entity_code,
        month,
        'unit_fill_rate' as kpi,
        units_filled / units_ordered as value
    from line_rates
    where units_ordered <> 0
    union all
    select
        entity_code,
        month,
        'order_fill_rate' as kpi,
        cast(orders_filled as {{ type_double() }}) / orders_total as value
    from order_rates
    where orders_total <> 0
    union all
    select
        entity_code,
        month,
        'otif' as kpi,
        cast(orders_otif as {{ type_double() }}) / orders_total as value
    from order_rates
    where orders_total <> 0
    union all
    select
        entity_code,
        month,
        'order_cycle_time_days' as kpi,
        mean_days as value
    from cycle_times
    union all
    select
        entity_code,
        month,
        'order_cycle_time_days_p90' as kpi,
        p90_days as value
    from cycle_times
)

select
    entity_code,
    month,
    kpi,
    cast(value as {{ type_double() }}) as value
from cells
where value is not null
