-- Daily FX rates to USD (usd_per_unit) for every currency, USD included (rate 1).
-- The group ERP holds a rate for every calendar day of the horizon, so transactions join on
-- their own date exactly.
with rates as (
    select * from {{ ref('stg_group_erp__fx_rates') }}
    where not coalesce(is_deleted, false)
),

final as (
    select
        rate_date,
        currency,
        usd_per_unit
    from rates
)

select * from final
