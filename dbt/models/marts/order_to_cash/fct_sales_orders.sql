-- One row per sales order (header), every source system; the grain of order-level KPIs.
with orders as (
    select * from {{ ref('int_sales_orders_unioned') }}
),

final as (
    select
        order_id,
        entity_code,
        source_system,
        customer_code,
        customer_id,
        is_customer_mapped,
        warehouse_code,
        channel,
        order_date,
        {{ month_key('order_date') }} as order_month,
        requested_date,
        confirmed_date,
        promised_date,
        customer_po,
        currency,
        is_credit_hold,
        is_manual_touch,
        is_intercompany,
        arrived_by_edi,
        channel = 'EDI' and not is_manual_touch as is_standard_workflow,
        status,
        customer_credit_limit,
        created_at,
        updated_at
    from orders
)

select * from final
