-- One row per invoice or credit-memo line with its margin components (net revenue, COGS,
-- rebate, allocated freight) in document currency and in USD at the invoice date's rate.
-- depends_on: {{ ref('int_orders_changed') }}
with invoice_lines as (
    select * from {{ ref('int_invoice_lines_converted') }}
    where {{ only_changed_orders() }}
),

final as (
    select
        invoice_id,
        line_no,
        entity_code,
        source_system,
        customer_code,
        customer_id,
        invoice_type,
        invoice_date,
        {{ month_key('invoice_date') }} as invoice_month,
        due_date,
        currency,
        shipment_id,
        original_invoice_id,
        order_id,
        order_line_no,
        item_code,
        item_id,
        is_item_mapped,
        is_stock_item,
        is_intercompany,
        channel,
        is_credit_sale,
        qty_ea,
        unit_price_ea,
        gross_amount,
        discount_amount,
        net_amount,
        cogs_amount,
        rebate_amount,
        freight_amount,
        usd_per_unit,
        gross_amount_usd,
        discount_amount_usd,
        net_amount_usd,
        cogs_amount_usd,
        rebate_amount_usd,
        freight_amount_usd,
        net_amount_usd - cogs_amount_usd as gross_margin_usd,
        net_amount_usd - cogs_amount_usd - rebate_amount_usd - freight_amount_usd
            as pocket_margin_usd
    from invoice_lines
)

select * from final
