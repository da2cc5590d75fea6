{#- The orders the order-to-cash chain rebuilds on this run (macros/order_to_cash_increments.sql):
    every order with an order, order line, shipment, shipment line, invoice or invoice line
    record loaded (or deleted in the ERP) since the chain was last built, and the orders and
    invoices dated on a day whose FX rate was loaded since. All orders when the chain was never
    built, was built with other model code, seeds or OTIF tolerance, or when master data that
    maps codes (items, customers, companies, the steward's crosswalk) changed: a new mapping can
    change any old row. -#}
{%- set mapping_inputs = [
    ref('stg_group_erp__companies'),
    ref('stg_group_erp__items'),
    ref('stg_group_erp__customers'),
    ref('stg_legacy_mx__items'),
    ref('stg_legacy_mx__customers'),
    ref('stg_legacy_us__items'),
    ref('stg_legacy_us__customers'),
    ref('stg_crosswalk__items'),
    ref('stg_crosswalk__customers'),
] -%}
{%- set since = built_through('order_to_cash') -%}
{%- if since is not none and execute -%}
    {%- set probes = [] -%}
    {%- for relation in mapping_inputs -%}
        {%- do probes.append("select 1 from " ~ relation ~ " where _loaded_at > " ~ since) -%}
    {%- endfor -%}
    {%- set mapping_changed = run_query(
        "select exists (" ~ probes | join(' union all ') ~ ") or exists ("
        ~ "select 1 from " ~ source('audit', 'load_manifest')
        ~ " where started_at > " ~ since ~ " and rows_deleted > 0"
        ~ " and source_system = 'group_erp' and feed in ('companies', 'items', 'customers'))"
    ).columns[0].values()[0] -%}
    {%- if mapping_changed -%}
        {%- set since = none -%}
    {%- endif -%}
{%- endif -%}


with new_loads as (
    select load_id
    from {{ source('audit', 'load_manifest') }}
    {% if since is not none -%}
        where started_at > {{ since }}
    {%- endif %}
),

fx_days as (
    select distinct rate_date
    from {{ ref('stg_group_erp__fx_rates') }}
    where {{ loaded_since(since, has_deletes=true) }}
),

invoice_headers as (
    {% for source_system in ['group_erp', 'legacy_mx', 'legacy_us'] -%}
        select
            invoice_id,
            order_id,
            original_invoice_id,
            invoice_date
        from {{ ref('stg_' ~ source_system ~ '__invoices') }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

-- an invoice's order: its own, else (credit memo) its original invoice's
invoice_orders as (
    select
        invoices.invoice_id,
        invoices.invoice_date,
        coalesce(invoices.order_id, originals.order_id) as order_id
    from invoice_headers as invoices
    left join invoice_headers as originals on invoices.original_invoice_id = originals.invoice_id
),

shipment_headers as (
    {% for source_system in ['group_erp', 'legacy_mx', 'legacy_us'] -%}
        select
            shipment_id,
            order_id
        from {{ ref('stg_' ~ source_system ~ '__shipments') }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

changed as (
    {% for source_system in ['group_erp', 'legacy_mx', 'legacy_us'] -%}
        {%- set deletes = source_system == 'group_erp' -%}
        select order_id from {{ ref('stg_' ~ source_system ~ '__sales_orders') }}
        where {{ loaded_since(since, has_deletes=deletes) }}
        union all
        select order_id from {{ ref('stg_' ~ source_system ~ '__sales_order_lines') }}
        where {{ loaded_since(since, has_deletes=deletes) }}
        union all
        select order_id from {{ ref('stg_' ~ source_system ~ '__shipments') }}
        where {{ loaded_since(since, has_deletes=deletes) }}
        union all
        select coalesce(lines.order_id, headers.order_id) as order_id
        from {{ ref('stg_' ~ source_system ~ '__shipment_lines') }} as lines
        left join shipment_headers as headers on lines.shipment_id = headers.shipment_id
        where {{ loaded_since(since, 'lines', has_deletes=deletes) }}
        union all
        select invoice_orders.order_id
        from {{ ref('stg_' ~ source_system ~ '__invoices') }} as invoices
        inner join invoice_orders on invoices.invoice_id = invoice_orders.invoice_id
        where {{ loaded_since(since, 'invoices', has_deletes=deletes) }}
        union all
        select coalesce(lines.order_id, invoice_orders.order_id) as order_id
        from {{ ref('stg_' ~ source_system ~ '__invoice_lines') }} as lines
        left join invoice_orders on lines.invoice_id = invoice_orders.invoice_id
        where {{ loaded_since(since, 'lines', has_deletes=deletes) }}
        union all
    {% endfor -%}
    select orders.order_id
    from {{ ref('int_sales_orders_unioned') }} as orders
    where orders.order_date in (select fx_days.rate_date from fx_days)
    union all
    select invoice_orders.order_id
    from invoice_orders
    where invoice_orders.invoice_date in (select fx_days.rate_date from fx_days)
),

final as (
    select distinct
        order_id,
        {{ 'true' if since is none else 'false' }} as is_full_rebuild
    from changed
    where order_id is not null
)

select * from final
