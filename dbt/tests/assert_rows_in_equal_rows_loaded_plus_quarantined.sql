-- The loaders' contract, checked from the warehouse side: for every load, rows read = rows
-- loaded + rows quarantined (skipped duplicates and failed loads excepted).
select
    load_id,
    rows_read,
    rows_loaded,
    rows_quarantined
from {{ ref('stg_audit__load_manifest') }}
where
    status in ('loaded', 'quarantined')
    and rows_read <> rows_loaded + rows_quarantined
