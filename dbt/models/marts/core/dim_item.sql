-- Golden items (the group ERP's item master).
with items as (
    select * from {{ ref('stg_group_erp__items') }}
    where not coalesce(is_deleted, false)
),

final as (
    select
        item_id,
        description,
        category,
        abc_class,
        stock_uom,
        case_size,
        pack_size,
        standard_cost_usd,
        list_price_usd,
        floor_price_usd,
        coalesce(is_stock_item, false) as is_stock_item
    from items
)

select * from final
