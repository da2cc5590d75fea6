-- exception_resolution_hours and _p90 over every exception type, as kpi_monthly cells.
select
    entity_code,
    month,
    kpi,
    value
from {{ ref('kpi_exception_resolution_by_type') }}
where exception_type = 'all'
