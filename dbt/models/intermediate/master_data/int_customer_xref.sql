-- Customer crosswalk: (source system, entity, local customer code) → golden customer_id, with
-- the entity's own customer attributes (channel, credit, intercompany). Unmapped legacy
-- customers keep their local attributes and a null golden code.
with erp_customers as (
    select * from {{ ref('stg_group_erp__customers') }}
    where not coalesce(is_deleted, false)
),

mx_customers as (
    {{ latest_version(ref('stg_legacy_mx__customers'), ['customer_code'], 'file_date desc, _source_row desc') }}
),

us_customers as (
    {{ latest_version(ref('stg_legacy_us__customers'), ['customer_code'], 'file_date desc, _source_row desc') }}
),

crosswalk as (
    select * from {{ ref('stg_crosswalk__customers') }}
),

legacy_customers as (
    select
        entity_code,
        'legacy_mx' as source_system,
        customer_code,
        customer_name,
        channel,
        region,
        credit_limit,
        payment_terms_days,
        is_intercompany,
        counterparty_entity_code,
        edi_partner_id
    from mx_customers

    union all

    select
        entity_code,
        'legacy_us' as source_system,
        customer_code,
        customer_name,
        channel,
        region,
        credit_limit,
        payment_terms_days,
        is_intercompany,
        counterparty_entity_code,
        edi_partner_id
    from us_customers
),

final as (
    select
        entity_code,
        'group_erp' as source_system,
        customer_id as local_customer_code,
        customer_id,
        customer_name,
        channel,
        region,
        credit_limit,
        payment_terms_days,
        coalesce(is_intercompany, false) as is_intercompany,
        counterparty_entity_code,
        edi_partner_id,
        true as is_mapped
    from erp_customers

    union all

    select
        legacy_customers.entity_code,
        legacy_customers.source_system,
        legacy_customers.customer_code as local_customer_code,
        crosswalk.golden_code as customer_id,
        legacy_customers.customer_name,
        legacy_customers.channel,
        legacy_customers.region,
        legacy_customers.credit_limit,
        legacy_customers.payment_terms_days,
        coalesce(legacy_customers.is_intercompany, false) as is_intercompany,
        legacy_customers.counterparty_entity_code,
        legacy_customers.edi_partner_id,
        crosswalk.golden_code is not null as is_mapped
    from legacy_customers
    left join crosswalk
        on
            legacy_customers.source_system = crosswalk.source_system
            and legacy_customers.entity_code = crosswalk.entity_code
            and legacy_customers.customer_code = crosswalk.local_code
)

select * from final
