-- Share through standard workflows (transaction type sales_order): orders that arrived by EDI
-- and needed no manual touch ÷ all sales orders (cancelled included), by order month; GROUP
-- eliminates intercompany orders.
with orders as (
    select * from {{ ref('fct_sales_orders') }}
),

scoped as (
    select
        entity_code,
        order_month as month,
        case when is_standard_workflow then 1 else 0 end as standard
    from orders

    union all

    select
        'GROUP' as entity_code,
        order_month as month,
        case when is_standard_workflow then 1 else 0 end as standard
    from orders
    where not is_intercompany
),

final as (
    select
        entity_code,
        month,
        'standard_workflow_share' as kpi,
        cast(sum(standard) as {{ type_double() }}) / count(*) as value
    from scoped
    group by entity_code, month
)

select * from final
