-- Item cost validity intervals per entity × local item code (per EA, entity currency);
-- valid_to is exclusive, null = open. A legacy cost row is exported when it starts and again
-- when it is closed: the later file's version is the current one.
with erp_costs as (
    select * from {{ ref('stg_group_erp__item_costs') }}
    where not coalesce(is_deleted, false)
),

mx_costs as (
    {{ latest_version(ref('stg_legacy_mx__item_costs'), ['item_code', 'valid_from'], 'file_date desc, _source_row desc') }}
),

us_costs as (
    {{ latest_version(ref('stg_legacy_us__item_costs'), ['item_code', 'valid_from'], 'file_date desc, _source_row desc') }}
),

unioned as (
    select
        entity_code,
        item_id as local_item_code,
        valid_from,
        valid_to,
        unit_cost
    from erp_costs

    union all

    select
        entity_code,
        item_code as local_item_code,
        valid_from,
        valid_to,
        unit_cost
    from mx_costs

    union all

    select
        entity_code,
        item_code as local_item_code,
        valid_from,
        valid_to,
        unit_cost
    from us_costs
),

final as (
    {{ end_at_next_version('unioned', ['entity_code', 'local_item_code'], ['unit_cost']) }}
)

select * from final
