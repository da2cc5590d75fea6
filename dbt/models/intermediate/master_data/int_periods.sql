-- Reporting periods: each calendar month of the horizon (first to last FX rate date), ending
-- at the month end or at the horizon end in a partial last month.
with days as (
    select distinct rate_date as calendar_date
    from {{ ref('int_fx_rates') }}
),

horizon as (
    select
        min(calendar_date) as horizon_start,
        max(calendar_date) as horizon_end
    from days
),

months as (
    select
        {{ month_start('calendar_date') }} as period_start,
        min(calendar_date) as first_day,
        max(calendar_date) as last_day
    from days
    group by {{ month_start('calendar_date') }}
),

final as (
    select
        {{ month_key('months.period_start') }} as month,
        months.period_start,
        months.last_day as period_end,
        {{ days_between('months.period_start', 'months.last_day') }} + 1 as days_in_period,
        horizon.horizon_start,
        horizon.horizon_end
    from months
    cross join horizon
)

select * from final
