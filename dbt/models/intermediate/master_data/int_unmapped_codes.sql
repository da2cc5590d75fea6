-- The steward's to-do list of master data: local codes with no golden code. Two reasons:
-- `not_in_crosswalk` (a legacy master record the crosswalk does not map) and `unknown_code`
-- (a transaction's code found in no master at all). Transactions that use these codes are kept
-- in the facts and flagged (is_item_mapped / is_customer_mapped / is_supplier_mapped = false).
with items as (
    select * from {{ ref('int_item_xref') }}
),

customers as (
    select * from {{ ref('int_customer_xref') }}
),

suppliers as (
    select * from {{ ref('int_supplier_xref') }}
),

order_lines as (
    select * from {{ ref('int_sales_order_lines_unioned') }}
),

orders as (
    select * from {{ ref('int_sales_orders_unioned') }}
),

po_lines as (
    select * from {{ ref('int_po_lines_unioned') }}
),

pos as (
    select * from {{ ref('int_purchase_orders_unioned') }}
),

item_usage as (
    select
        entity_code,
        source_system,
        item_code as local_code,
        min(order_date) as first_seen_on,
        count(*) as transaction_count
    from order_lines
    group by entity_code, source_system, item_code

    union all

    select
        entity_code,
        source_system,
        item_code as local_code,
        min(po_date) as first_seen_on,
        count(*) as transaction_count
    from po_lines
    group by entity_code, source_system, item_code
),

item_usage_totals as (
    select
        entity_code,
        source_system,
        local_code,
        min(first_seen_on) as first_seen_on,
        sum(transaction_count) as transaction_count
    from item_usage
    group by entity_code, source_system, local_code
),

customer_usage as (
    select
        entity_code,
        customer_code as local_code,
        min(order_date) as first_seen_on,
        count(*) as transaction_count
    from orders
    group by entity_code, customer_code
),

supplier_usage as (
    select
        entity_code,
        supplier_code as local_code,
        min(po_date) as first_seen_on,
        count(*) as transaction_count
    from pos
    group by entity_code, supplier_code
),

unmapped_items as (
    select
        'item' as code_type,
        items.source_system,
        items.entity_code,
        items.local_item_code as local_code,
        'not_in_crosswalk' as reason,
        item_usage_totals.first_seen_on,
        coalesce(item_usage_totals.transaction_count, 0) as transaction_count
    from items
    left join item_usage_totals
        on
            items.entity_code = item_usage_totals.entity_code
            and items.local_item_code = item_usage_totals.local_code
    where not items.is_mapped
),

unknown_items as (
    select
        'item' as code_type,
        item_usage_totals.source_system,
        item_usage_totals.entity_code,
        item_usage_totals.local_code,
        'unknown_code' as reason,
        item_usage_totals.first_seen_on,
        item_usage_totals.transaction_count
    from item_usage_totals
    left join items
        on
            item_usage_totals.entity_code = items.entity_code
            and item_usage_totals.local_code = items.local_item_code
    where items.local_item_code is null
),

unmapped_customers as (
    select
        'customer' as code_type,
        customers.source_system,
        customers.entity_code,
        customers.local_customer_code as local_code,
        'not_in_crosswalk' as reason,
        customer_usage.first_seen_on,
        coalesce(customer_usage.transaction_count, 0) as transaction_count
    from customers
    left join customer_usage
        on
            customers.entity_code = customer_usage.entity_code
            and customers.local_customer_code = customer_usage.local_code
    where not customers.is_mapped
),

unmapped_suppliers as (
    select
        'supplier' as code_type,
        suppliers.source_system,
        suppliers.entity_code,
        suppliers.local_supplier_code as local_code,
        'not_in_crosswalk' as reason,
        supplier_usage.first_seen_on,
        coalesce(supplier_usage.transaction_count, 0) as transaction_count
    from suppliers
    left join supplier_usage
        on
            suppliers.entity_code = supplier_usage.entity_code
            and suppliers.local_supplier_code = supplier_usage.local_code
    where not suppliers.is_mapped
),

final as (
    select * from unmapped_items
    union all
    select * from unknown_items
    union all
    select * from unmapped_customers
    union all
    select * from unmapped_suppliers
)

select * from final
