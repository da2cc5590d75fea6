-- Warehouses with their owning entity.
with warehouses as (
    select * from {{ ref('int_warehouses') }}
),

final as (
    select
        warehouse_code,
        entity_code,
        warehouse_name,
        city,
        country,
        entity_currency
    from warehouses
)

select * from final
