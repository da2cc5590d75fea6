-- Every warehouse with its owning entity and that entity's currency.
with erp_warehouses as (
    select * from {{ ref('stg_group_erp__warehouses') }}
    where not coalesce(is_deleted, false)
),

legacy as (
    select * from {{ ref('legacy_warehouses') }}
),

entities as (
    select * from {{ ref('int_entities') }}
),

unioned as (
    select
        warehouse_code,
        entity_code,
        warehouse_name,
        city,
        country
    from erp_warehouses

    union all

    select
        warehouse_code,
        entity_code,
        warehouse_name,
        city,
        country
    from legacy
    where warehouse_code not in (select w.warehouse_code from erp_warehouses as w)
),

final as (
    select
        unioned.warehouse_code,
        unioned.entity_code,
        unioned.warehouse_name,
        unioned.city,
        unioned.country,
        entities.currency as entity_currency
    from unioned
    left join entities on unioned.entity_code = entities.entity_code
)

select * from final
