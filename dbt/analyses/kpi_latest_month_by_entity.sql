-- Analyst starter: every KPI of the latest month, one row per KPI, one column per entity.
with cells as (
    select * from {{ ref('kpi_monthly') }}
),

latest as (
    select max(month) as month from cells
),

final as (
    select
        cells.kpi,
        max(case when cells.entity_code = 'GROUP' then cells.value end) as group_value,
        max(case when cells.entity_code = 'US01' then cells.value end) as us01,
        max(case when cells.entity_code = 'CA01' then cells.value end) as ca01,
        max(case when cells.entity_code = 'MX01' then cells.value end) as mx01,
        max(case when cells.entity_code = 'MX02' then cells.value end) as mx02,
        max(case when cells.entity_code = 'US02' then cells.value end) as us02
    from cells
    inner join latest on cells.month = latest.month
    group by cells.kpi
)

select * from final
