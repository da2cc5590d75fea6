-- Forecast quality at the fixed lag (var forecast_lag_weeks), per item × warehouse × week:
-- accuracy = 1 − Σ|F − A| ÷ ΣA, bias = Σ(F − A) ÷ ΣA (no cell when ΣA = 0), variance = Σ(A − F)
-- in EA, variance_flagged = cells with |A − F| > 0.5 × F. A = EA ordered on non-cancelled lines
-- of the item from that warehouse in that Monday–Sunday week (0 when none). Only weeks wholly
-- inside the horizon; the latest run wins; month = the week's start; GROUP pools every warehouse.
with forecasts as (
    select * from {{ ref('stg_planning__forecasts') }}
    where lag_weeks = {{ var('forecast_lag_weeks') }}
),

order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

horizon as (
    select
        min(horizon_start) as horizon_start,
        max(horizon_end) as horizon_end
    from {{ ref('int_periods') }}
),

latest_forecasts as (
    select
        forecasts.entity_code,
        forecasts.warehouse_code,
        forecasts.item_code,
        forecasts.week_start,
        forecasts.forecast_qty_ea,
        row_number() over (
            partition by forecasts.warehouse_code, forecasts.item_code, forecasts.week_start
            order by forecasts.forecast_date desc
        ) as recency
    from forecasts
    cross join horizon
    where
        forecasts.week_start >= horizon.horizon_start
        and {{ add_days('forecasts.week_start', 6) }} <= horizon.horizon_end
),

actuals as (
    select
        warehouse_code,
        item_code,
        cast({{ dbt.date_trunc('week', 'order_date') }} as date) as week_start,
        sum(qty_ordered_ea) as actual_ea
    from order_lines
    where not is_cancelled
    group by warehouse_code, item_code, cast({{ dbt.date_trunc('week', 'order_date') }} as date)
),

cells as (
    select
        latest_forecasts.entity_code,
        {{ month_key('latest_forecasts.week_start') }} as month,
        latest_forecasts.forecast_qty_ea as forecast_ea,
        coalesce(actuals.actual_ea, 0) as actual_ea
    from latest_forecasts
    left join actuals
        on
            latest_forecasts.warehouse_code = actuals.warehouse_code
            and latest_forecasts.item_code = actuals.item_code
            and latest_forecasts.week_start = actuals.week_start
    where latest_forecasts.recency = 1
),

scoped as (
    select
        entity_code,
        month,
        forecast_ea,
        actual_ea
    from cells
    union all
    select
        'GROUP' as entity_code,
        month,
        forecast_ea,
        actual_ea
    from cells
),

sums as (
    select
        entity_code,
        month,
        sum(abs(forecast_ea - actual_ea)) as abs_error_ea,
        sum(forecast_ea - actual_ea) as error_ea,
        sum(actual_ea) as actual_ea,
        sum(case when abs(actual_ea - forecast_ea) > 0.5 * forecast_ea then 1 else 0 end) as flagged_cells
    from scoped
    group by entity_code, month
)

select
    entity_code,
    month,
    'forecast_accuracy' as kpi,
    1 - abs_error_ea / actual_ea as value
from sums
where actual_ea <> 0
union all
select
    entity_code,
    month,
    'forecast_bias' as kpi,
    error_ea / actual_ea as value
from sums
where actual_ea <> 0
union all
select
    entity_code,
    month,
    'forecast_variance' as kpi,
    -error_ea as value
from sums
union all
select
    entity_code,
    month,
    'forecast_variance_flagged' as kpi,
    cast(flagged_cells as {{ type_double() }}) as value
from sums
