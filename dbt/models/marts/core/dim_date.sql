-- Calendar days of the horizon (every day that has FX rates).
with days as (
    select distinct rate_date as calendar_date
    from {{ ref('int_fx_rates') }}
),

final as (
    select
        calendar_date,
        {{ month_key('calendar_date') }} as month,
        {{ month_start('calendar_date') }} as month_start,
        {{ month_end('calendar_date') }} as month_end,
        cast({{ dbt.date_trunc('week', 'calendar_date') }} as date) as week_start,
        cast(extract(year from calendar_date) as {{ dbt.type_bigint() }}) as calendar_year,
        cast(extract(month from calendar_date) as {{ dbt.type_bigint() }}) as calendar_month
    from days
)

select * from final
