-- Every customer order received by EDI (inbound 850) exists as an order in its entity's ERP:
-- EDI is a channel, not a second order book. Warns (a steward follows up) rather than blocks.
{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_sales_orders_unioned'}}}) }}  {#- the model it checks, for Dagster -#}

with edi_orders as (
    select * from {{ ref('int_edi_customer_orders') }}
),

orders as (
    select * from {{ ref('int_sales_orders_unioned') }}
)

select
    edi_orders.entity_code,
    edi_orders.customer_po,
    edi_orders.edi_file
from edi_orders
left join orders
    on
        edi_orders.entity_code = orders.entity_code
        and edi_orders.customer_po = orders.customer_po
where orders.order_id is null
