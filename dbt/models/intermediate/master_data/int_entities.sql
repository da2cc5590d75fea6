-- Every legal entity: the group ERP's companies plus the acquired legacy entities (seed).
with companies as (
    select * from {{ ref('stg_group_erp__companies') }}
    where not coalesce(is_deleted, false)
),

legacy as (
    select * from {{ ref('legacy_entities') }}
),

unioned as (
    select
        entity_code,
        company_name as entity_name,
        country,
        currency,
        'group_erp' as source_system
    from companies

    union all

    select
        entity_code,
        entity_name,
        country,
        currency,
        source_system
    from legacy
    where entity_code not in (select c.entity_code from companies as c)
)

select * from unioned
