-- Invoice and credit-memo lines across all ERPs, amounts in document currency and in USD at
-- the invoice date's rate, with the order they belong to (the line's order, else the
-- invoice's, else for a credit memo the original invoice's) and that order's intercompany flag
-- and channel (without an order: the customer master's).
-- depends_on: {{ ref('int_orders_changed') }}
with erp_headers as (
    select * from {{ ref('stg_group_erp__invoices') }}
    where not coalesce(is_deleted, false)
),

erp_lines as (
    select * from {{ ref('stg_group_erp__invoice_lines') }}
    where not coalesce(is_deleted, false) and {{ only_changed_orders() }}
),

mx_headers as (
    {{ latest_version(ref('stg_legacy_mx__invoices'), ['invoice_id'], 'file_date desc, _source_row desc') }}
),

mx_lines as (
    {{ latest_version('(select * from ' ~ ref('stg_legacy_mx__invoice_lines') ~ ' where ' ~ only_changed_orders() ~ ')', ['invoice_id', 'line_no'], 'file_date desc, _source_row desc') }}
),

us_headers as (
    {{ latest_version(ref('stg_legacy_us__invoices'), ['invoice_id'], 'file_date desc, _source_row desc') }}
),

us_lines as (
    {{ latest_version('(select * from ' ~ ref('stg_legacy_us__invoice_lines') ~ ' where ' ~ only_changed_orders() ~ ')', ['invoice_id', 'line_no'], 'file_date desc, _source_row desc') }}
),

orders as (
    select * from {{ ref('int_sales_orders_unioned') }}
),

customers as (
    select * from {{ ref('int_customer_xref') }}
),

items as (
    select * from {{ ref('int_item_xref') }}
),

fx as (
    select * from {{ ref('int_fx_rates') }}
),

headers as (
    select
        invoice_id,
        entity_code,
        'group_erp' as source_system,
        customer_id as customer_code,
        invoice_type,
        invoice_date,
        due_date,
        currency,
        order_id,
        shipment_id,
        original_invoice_id
    from erp_headers

    union all

    select
        invoice_id,
        entity_code,
        'legacy_mx' as source_system,
        customer_code,
        invoice_type,
        invoice_date,
        due_date,
        currency,
        order_id,
        shipment_id,
        original_invoice_id
    from mx_headers

    union all

    select
        invoice_id,
        entity_code,
        'legacy_us' as source_system,
        customer_code,
        invoice_type,
        invoice_date,
        due_date,
        currency,
        order_id,
        shipment_id,
        original_invoice_id
    from us_headers
),

lines as (
    select
        invoice_id,
        line_no,
        order_id,
        order_line_no,
        item_id as item_code,
        qty_ea,
        unit_price_ea,
        gross_amount,
        discount_amount,
        net_amount,
        cogs_amount,
        rebate_amount,
        freight_amount
    from erp_lines

    union all

    select
        invoice_id,
        line_no,
        order_id,
        order_line_no,
        item_code,
        qty_ea,
        unit_price_ea,
        gross_amount,
        discount_amount,
        net_amount,
        cogs_amount,
        rebate_amount,
        freight_amount
    from mx_lines

    union all

    select
        invoice_id,
        line_no,
        order_id,
        order_line_no,
        item_code,
        qty_ea,
        unit_price_ea,
        gross_amount,
        discount_amount,
        net_amount,
        cogs_amount,
        rebate_amount,
        freight_amount
    from us_lines
),

resolved as (
    select
        lines.invoice_id,
        lines.line_no,
        headers.entity_code,
        headers.source_system,
        headers.customer_code,
        headers.invoice_type,
        headers.invoice_date,
        headers.due_date,
        headers.currency,
        headers.shipment_id,
        headers.original_invoice_id,
        coalesce(lines.order_id, headers.order_id, originals.order_id) as order_id,
        lines.order_line_no,
        lines.item_code,
        lines.qty_ea,
        lines.unit_price_ea,
        coalesce(lines.gross_amount, 0) as gross_amount,
        coalesce(lines.discount_amount, 0) as discount_amount,
        coalesce(lines.net_amount, 0) as net_amount,
        coalesce(lines.cogs_amount, 0) as cogs_amount,
        coalesce(lines.rebate_amount, 0) as rebate_amount,
        coalesce(lines.freight_amount, 0) as freight_amount
    from lines
    inner join headers on lines.invoice_id = headers.invoice_id
    left join headers as originals on headers.original_invoice_id = originals.invoice_id
    where {{ only_changed_orders('coalesce(lines.order_id, headers.order_id, originals.order_id)') }}
),

final as (
    select
        resolved.invoice_id,
        resolved.line_no,
        resolved.entity_code,
        resolved.source_system,
        resolved.customer_code,
        customers.customer_id,
        resolved.invoice_type,
        resolved.invoice_date,
        resolved.due_date,
        resolved.currency,
        resolved.shipment_id,
        resolved.original_invoice_id,
        resolved.order_id,
        resolved.order_line_no,
        resolved.item_code,
        items.item_id,
        coalesce(items.is_mapped, false) as is_item_mapped,
        coalesce(items.is_stock_item, false) as is_stock_item,
        coalesce(orders.is_intercompany, customers.is_intercompany, false) as is_intercompany,
        coalesce(orders.channel, customers.channel) as channel,
        coalesce(orders.channel, customers.channel, '') <> 'COUNTER' as is_credit_sale,
        resolved.qty_ea,
        resolved.unit_price_ea,
        resolved.gross_amount,
        resolved.discount_amount,
        resolved.net_amount,
        resolved.cogs_amount,
        resolved.rebate_amount,
        resolved.freight_amount,
        fx.usd_per_unit,
        resolved.gross_amount * fx.usd_per_unit as gross_amount_usd,
        resolved.discount_amount * fx.usd_per_unit as discount_amount_usd,
        resolved.net_amount * fx.usd_per_unit as net_amount_usd,
        resolved.cogs_amount * fx.usd_per_unit as cogs_amount_usd,
        resolved.rebate_amount * fx.usd_per_unit as rebate_amount_usd,
        resolved.freight_amount * fx.usd_per_unit as freight_amount_usd
    from resolved
    left join orders on resolved.order_id = orders.order_id
    left join customers
        on
            resolved.entity_code = customers.entity_code
            and resolved.customer_code = customers.local_customer_code
    left join items
        on
            resolved.entity_code = items.entity_code
            and resolved.item_code = items.local_item_code
    left join fx
        on
            resolved.currency = fx.currency
            and resolved.invoice_date = fx.rate_date
)

select * from final
