-- Customer payments across all ERPs (a credit memo's applied credit is a negative payment on
-- the credit memo), in document currency.
with erp_payments as (
    select * from {{ ref('stg_group_erp__payments') }}
    where not coalesce(is_deleted, false)
),

mx_payments as (
    {{ latest_version(ref('stg_legacy_mx__payments'), ['payment_id'], 'file_date desc, _source_row desc') }}
),

us_payments as (
    {{ latest_version(ref('stg_legacy_us__payments'), ['payment_id'], 'file_date desc, _source_row desc') }}
),

final as (
    select
        payment_id,
        'group_erp' as source_system,
        invoice_id,
        customer_id as customer_code,
        payment_date,
        amount
    from erp_payments

    union all

    select
        payment_id,
        'legacy_mx' as source_system,
        invoice_id,
        customer_code,
        payment_date,
        amount
    from mx_payments

    union all

    select
        payment_id,
        'legacy_us' as source_system,
        invoice_id,
        customer_code,
        payment_date,
        amount
    from us_payments
)

select * from final
