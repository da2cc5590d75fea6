-- One row per source × feed × file day (the date in the file's name, null for loads without
-- one): the loads, files rejected, duplicates skipped and rows read, loaded and quarantined.
-- The quality dashboard sums these per feed, and takes each feed's newest data day from them,
-- instead of scanning the whole load manifest (one row per file) per render.
with loads as (
    select
        *,
        regexp_extract(
            regexp_extract(source_file, '[^/]*$', 0), '([0-9]{8})', 1
        ) as file_day_text
    from {{ ref('stg_audit__load_manifest') }}
),

days as (
    select
        *,
        {{ dbt.safe_cast(
            "concat(substring(file_day_text, 1, 4), '-', substring(file_day_text, 5, 2), '-',"
            ~ " substring(file_day_text, 7, 2))",
            "date"
        ) }} as file_day
    from loads
),

final as (
    select
        source_system,
        feed,
        file_day,
        count(*) as manifest_rows,
        count(case when status in ('loaded', 'quarantined') then 1 end) as loads,
        count(case when status = 'quarantined' then 1 end) as files_rejected,
        count(case when status = 'skipped_duplicate' then 1 end) as duplicates_skipped,
        cast(sum(rows_read) as bigint) as rows_read,
        cast(sum(rows_loaded) as bigint) as rows_loaded,
        cast(sum(rows_quarantined) as bigint) as rows_quarantined,
        max(finished_at) as last_finished_at,
        max(case when status in ('loaded', 'quarantined') then finished_at end)
            as last_loaded_at
    from days
    group by
        source_system,
        feed,
        file_day
)

select * from final
