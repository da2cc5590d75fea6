-- Every governed KPI cell: entity (or GROUP) × month ('YYYY-MM') × KPI name → value. The one
-- table `backbone kpi`, the dashboards and analysts read. Only months inside the horizon; a
-- ratio whose denominator is 0 has no cell (never inf or NaN). Definitions: kpi_definitions.
{%- set kpi_part_models = [
    'kpi_order_fulfilment',
    'kpi_standard_workflow',
    'kpi_backlog',
    'kpi_margin_cells',
    'kpi_dso',
    'kpi_inventory',
    'kpi_procurement',
    'kpi_close',
    'kpi_exception_resolution',
    'kpi_forecast',
] %}

with cells as (
    {% for part in kpi_part_models %}
        select
            entity_code,
            month,
            kpi,
            value
        from {{ ref(part) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

periods as (
    select month from {{ ref('int_periods') }}
),

final as (
    select
        cast(cells.entity_code as {{ dbt.type_string() }}) as entity_code,
        cast(cells.month as {{ dbt.type_string() }}) as month,
        cast(cells.kpi as {{ dbt.type_string() }}) as kpi,
        cast(cells.value as {{ type_double() }}) as value
    from cells
    inner join periods on cells.month = periods.month
    where cells.value is not null
)

select * from final
