-- kpi_margin as KPI cells (entity_code, month, kpi, value).
with sums as (
    select * from {{ ref('kpi_margin') }}
),

cells as (
    select
        entity_code,
        month,
        'revenue_usd' as kpi,
        revenue_usd as value
    from sums
    union all
    select
        entity_code,
        month,
        'cogs_usd' as kpi,
        cogs_usd as value
    from sums
    union all
    select
        entity_code,
        month,
        'gross_margin_usd' as kpi,
        gross_margin_usd as value
    from sums
    union all
    select
        entity_code,
        month,
        'pocket_margin_usd' as kpi,
        pocket_margin_usd as value
    from sums
    union all
    select
        entity_code,
        month,
        'gross_margin_pct' as kpi,
        gross_margin_usd / revenue_usd as value
    from sums
    where revenue_usd > 0
    union all
    select
        entity_code,
        month,
        'pocket_margin_pct' as kpi,
        pocket_margin_usd / revenue_usd as value
    from sums
    where revenue_usd > 0
)

select
    entity_code,
    month,
    kpi,
    cast(value as {{ type_double() }}) as value
from cells
