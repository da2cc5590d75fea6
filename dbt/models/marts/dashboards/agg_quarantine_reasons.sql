-- One row per source × feed × reason: how many rows the loaders quarantined, with examples
-- (the smallest detail, position and raw text, as the steward's report shows them). The quality
-- dashboard reads this instead of grouping every quarantined row per render.
with records as (
    select * from {{ ref('stg_quarantine__records') }}
),

final as (
    select
        source_system,
        feed,
        reason_code,
        count(*) as quarantined_rows,
        min(detail) as example_detail,
        min(
            source_file || ':' || coalesce(cast(source_row as {{ dbt.type_string() }}), '?')
        ) as example_position,
        min(left(raw_text, 160)) as example_raw,
        max(quarantined_at) as last_quarantined_at
    from records
    group by
        source_system,
        feed,
        reason_code
)

select * from final
