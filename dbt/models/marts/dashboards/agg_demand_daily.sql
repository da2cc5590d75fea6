-- Ordered quantity per day × warehouse (cancelled lines left out): the trailing demand that days
-- of supply divides by, summed over a window by the inventory dashboard instead of scanning the
-- order lines per render.
with order_lines as (
    select * from {{ ref('fct_order_lines') }}
),

final as (
    select
        order_date,
        warehouse_code,
        entity_code,
        sum(qty_ordered_ea) as qty_ordered_ea,
        count(*) as order_lines
    from order_lines
    where not is_cancelled
    group by
        order_date,
        warehouse_code,
        entity_code
)

select * from final
