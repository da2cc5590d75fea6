-- One row per customer payment (or applied credit on a credit memo), document currency and
-- USD at the rate its invoice was booked at (AR is not revalued).
with payments as (
    select * from {{ ref('int_payments_unioned') }}
),

invoices as (
    select
        invoice_id,
        min(entity_code) as entity_code,
        min(usd_per_unit) as invoice_usd_per_unit
    from {{ ref('int_invoice_lines_converted') }}
    group by invoice_id
),

final as (
    select
        payments.payment_id,
        payments.source_system,
        invoices.entity_code,
        payments.invoice_id,
        payments.customer_code,
        payments.payment_date,
        payments.amount,
        payments.amount * invoices.invoice_usd_per_unit as amount_usd_at_invoice_rate
    from payments
    left join invoices on payments.invoice_id = invoices.invoice_id
)

select * from final
