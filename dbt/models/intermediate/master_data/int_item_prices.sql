-- List and floor price validity intervals per entity × local item code (per EA, entity
-- currency); valid_to exclusive, null = open; latest exported version of each interval.
with erp_prices as (
    select * from {{ ref('stg_group_erp__price_lists') }}
    where not coalesce(is_deleted, false)
),

mx_prices as (
    {{ latest_version(ref('stg_legacy_mx__price_lists'), ['item_code', 'valid_from'], 'file_date desc, _source_row desc') }}
),

us_prices as (
    {{ latest_version(ref('stg_legacy_us__price_lists'), ['item_code', 'valid_from'], 'file_date desc, _source_row desc') }}
),

unioned as (
    select
        entity_code,
        item_id as local_item_code,
        valid_from,
        valid_to,
        list_price,
        floor_price
    from erp_prices

    union all

    select
        entity_code,
        item_code as local_item_code,
        valid_from,
        valid_to,
        list_price,
        floor_price
    from mx_prices

    union all

    select
        entity_code,
        item_code as local_item_code,
        valid_from,
        valid_to,
        list_price,
        floor_price
    from us_prices
),

final as (
    {{ end_at_next_version('unioned', ['entity_code', 'local_item_code'], ['list_price', 'floor_price']) }}
)

select * from final
