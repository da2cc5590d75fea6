-- UoM: an order line's EA quantity equals its quantity in the line's UoM times the item's
-- conversion (EA 1, CS case_size, PK pack_size) from the entity's item master.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_sales_order_lines_unioned'}}}) }}  {#- the model it checks, for Dagster -#}

with lines as (
    select * from {{ ref('int_sales_order_lines_unioned') }}
),

items as (
    select * from {{ ref('int_item_xref') }}
),

converted as (
    select
        lines.order_id,
        lines.line_no,
        lines.uom,
        lines.qty_ordered,
        lines.qty_ordered_ea,
        lines.qty_ordered * case lines.uom
            when 'EA' then 1
            when 'CS' then items.case_size
            when 'PK' then items.pack_size
        end as expected_ea
    from lines
    inner join items
        on
            lines.entity_code = items.entity_code
            and lines.item_code = items.local_item_code
)

select *
from converted
where expected_ea is null or abs(expected_ea - qty_ordered_ea) > 0.000000001
