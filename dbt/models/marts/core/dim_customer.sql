-- Customers per entity (each entity keeps its own codes), with the golden code when mapped.
with customers as (
    select * from {{ ref('int_customer_xref') }}
),

final as (
    select
        entity_code,
        local_customer_code,
        source_system,
        customer_id,
        is_mapped,
        customer_name,
        channel,
        region,
        credit_limit,
        payment_terms_days,
        is_intercompany,
        counterparty_entity_code,
        edi_partner_id
    from customers
)

select * from final
