-- Exception resolution time: hours from the queue first showing an exception to its resolution
-- (the workflow store's log), median and p90, per entity (and GROUP, pooled) × the month the
-- exception was detected × exception type, plus 'all' types. Only resolved exceptions count.
with resolved as (
    select
        entity_code,
        {{ month_key('detected_at') }} as month,
        exception_type,
        resolution_hours
    from {{ ref('fct_exceptions') }}
    where resolution_hours is not null
),

scoped as (
    select
        entity_code,
        month,
        exception_type,
        resolution_hours
    from resolved
    union all
    select
        entity_code,
        month,
        'all' as exception_type,
        resolution_hours
    from resolved
    union all
    select
        'GROUP' as entity_code,
        month,
        exception_type,
        resolution_hours
    from resolved
    union all
    select
        'GROUP' as entity_code,
        month,
        'all' as exception_type,
        resolution_hours
    from resolved
),

percentiles as (
    select
        entity_code,
        month,
        exception_type,
        {{ percentile_cont('resolution_hours', 0.5) }} as median_hours,
        {{ percentile_cont('resolution_hours', 0.9) }} as p90_hours
    from scoped
    group by entity_code, month, exception_type
)

select
    entity_code,
    month,
    exception_type,
    'exception_resolution_hours' as kpi,
    median_hours as value
from percentiles
union all
select
    entity_code,
    month,
    exception_type,
    'exception_resolution_hours_p90' as kpi,
    p90_hours as value
from percentiles
