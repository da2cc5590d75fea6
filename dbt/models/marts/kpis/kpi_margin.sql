-- Revenue, COGS, gross and pocket margin (USD at the invoice date's rate) per entity × invoice
-- month and GROUP (lines of intercompany orders eliminated). A credit memo nets its own
-- month's sales. Percentages only when revenue > 0. Also carries the stock-item gross margin
-- that GMROI uses.
with invoice_lines as (
    select * from {{ ref('fct_invoice_lines') }}
),

scoped as (
    select
        entity_code,
        invoice_month as month,
        net_amount_usd,
        cogs_amount_usd,
        rebate_amount_usd,
        freight_amount_usd,
        is_stock_item
    from invoice_lines

    union all

    select
        'GROUP' as entity_code,
        invoice_month as month,
        net_amount_usd,
        cogs_amount_usd,
        rebate_amount_usd,
        freight_amount_usd,
        is_stock_item
    from invoice_lines
    where not is_intercompany
),

sums as (
    select
        entity_code,
        month,
        sum(net_amount_usd) as revenue_usd,
        sum(cogs_amount_usd) as cogs_usd,
        sum(net_amount_usd) - sum(cogs_amount_usd) as gross_margin_usd,
        sum(net_amount_usd) - sum(cogs_amount_usd) - sum(rebate_amount_usd)
        - sum(freight_amount_usd) as pocket_margin_usd,
        sum(case when is_stock_item then net_amount_usd - cogs_amount_usd else 0 end)
            as stock_gross_margin_usd
    from scoped
    group by entity_code, month
)

select * from sums
