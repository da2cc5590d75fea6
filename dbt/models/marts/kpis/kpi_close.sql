-- Close speed: days from a period's last calendar day to its last posting, per entity; GROUP
-- is closed when its last entity is (the largest).
with closes as (
    select * from {{ ref('int_period_closes_unioned') }}
),

per_entity as (
    select
        entity_code,
        {{ month_key('period_month') }} as month,
        cast({{ days_between(month_end('period_month'), 'last_posting_date') }} as {{ type_double() }})
            as close_days
    from closes
),

cells as (
    select
        entity_code,
        month,
        close_days
    from per_entity
    union all
    select
        'GROUP' as entity_code,
        month,
        max(close_days) as close_days
    from per_entity
    group by month
)

select
    entity_code,
    month,
    'close_days' as kpi,
    close_days as value
from cells
