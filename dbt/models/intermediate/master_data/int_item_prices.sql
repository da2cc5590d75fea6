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

-- A version ends at the latest when the next one begins. The row that closes a version can be
-- lost (quarantined, or a file not yet arrived); without this, two versions would both be open
-- and a line priced under both would be judged twice.
with_next as (
    select
        entity_code,
        local_item_code,
        valid_from,
        valid_to,
        list_price,
        floor_price,
        lead(valid_from) over (
            partition by entity_code, local_item_code order by valid_from
        ) as next_valid_from
    from unioned
),

final as (
    select
        entity_code,
        local_item_code,
        valid_from,
        case
            when next_valid_from is not null and (valid_to is null or valid_to > next_valid_from)
                then next_valid_from
            else valid_to
        end as valid_to,
        list_price,
        floor_price
    from with_next
)

select * from final
