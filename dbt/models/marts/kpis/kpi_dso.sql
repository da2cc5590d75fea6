-- AR at period end and DSO, credit sales only (order channel ≠ COUNTER). AR at D = Σ net of
-- invoices and credit memos dated ≤ D − Σ payments dated ≤ D on those documents, each at its
-- invoice date's rate (no revaluation). DSO = AR ÷ net credit sales of the month × days in the
-- period; no DSO cell when credit sales ≤ 0. GROUP eliminates intercompany.
with credit_lines as (
    select * from {{ ref('fct_invoice_lines') }}
    where is_credit_sale
),

payments as (
    select * from {{ ref('fct_payments') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

invoice_totals as (
    select
        invoice_id,
        min(entity_code) as entity_code,
        min(case when is_intercompany then 1 else 0 end) as is_intercompany,
        min(invoice_date) as event_date,
        min(usd_per_unit) as usd_per_unit,
        sum(net_amount_usd) as ar_delta_usd
    from credit_lines
    group by invoice_id
),

events as (
    select
        entity_code,
        is_intercompany,
        event_date,
        ar_delta_usd
    from invoice_totals

    union all

    select
        invoice_totals.entity_code,
        invoice_totals.is_intercompany,
        payments.payment_date as event_date,
        -payments.amount * invoice_totals.usd_per_unit as ar_delta_usd
    from payments
    inner join invoice_totals on payments.invoice_id = invoice_totals.invoice_id
),

scoped_events as (
    select
        entity_code,
        event_date,
        ar_delta_usd
    from events
    union all
    select
        'GROUP' as entity_code,
        event_date,
        ar_delta_usd
    from events
    where is_intercompany = 0
),

ar as (
    select
        scoped_events.entity_code,
        periods.month,
        sum(scoped_events.ar_delta_usd) as ar_usd
    from scoped_events
    inner join periods on scoped_events.event_date <= periods.period_end
    group by scoped_events.entity_code, periods.month
),

scoped_sales as (
    select
        entity_code,
        invoice_month as month,
        net_amount_usd
    from credit_lines
    union all
    select
        'GROUP' as entity_code,
        invoice_month as month,
        net_amount_usd
    from credit_lines
    where not is_intercompany
),

sales as (
    select
        entity_code,
        month,
        sum(net_amount_usd) as credit_sales_usd
    from scoped_sales
    group by entity_code, month
),

joined as (
    select
        coalesce(ar.entity_code, sales.entity_code) as entity_code,
        coalesce(ar.month, sales.month) as month,
        coalesce(ar.ar_usd, 0) as ar_usd,
        coalesce(sales.credit_sales_usd, 0) as credit_sales_usd
    from ar
    full outer join sales
        on
            ar.entity_code = sales.entity_code
            and ar.month = sales.month
),

with_days as (
    select
        joined.entity_code,
        joined.month,
        joined.ar_usd,
        joined.credit_sales_usd,
        periods.days_in_period
    from joined
    inner join periods on joined.month = periods.month
),

cells as (
    select
        entity_code,
        month,
        'ar_usd' as kpi,
        ar_usd as value
    from with_days
    union all
    select
        entity_code,
        month,
        'dso_days' as kpi,
        ar_usd / credit_sales_usd * days_in_period as value
    from with_days
    where credit_sales_usd > 0
)

select
    entity_code,
    month,
    kpi,
    cast(value as {{ type_double() }}) as value
from cells
