-- Last posting date of each closed month per entity, across all ERPs.
with erp_closes as (
    select * from {{ ref('stg_group_erp__period_closes') }}
    where not coalesce(is_deleted, false)
),

mx_closes as (
    {{ latest_version(ref('stg_legacy_mx__period_closes'), ['period_month'], 'file_date desc, _source_row desc') }}
),

us_closes as (
    {{ latest_version(ref('stg_legacy_us__period_closes'), ['period_month'], 'file_date desc, _source_row desc') }}
),

final as (
    select
        entity_code,
        period_month,
        last_posting_date
    from erp_closes

    union all

    select
        entity_code,
        period_month,
        last_posting_date
    from mx_closes

    union all

    select
        entity_code,
        period_month,
        last_posting_date
    from us_closes
)

select * from final
