-- Legal entities of the group.
with entities as (
    select * from {{ ref('int_entities') }}
),

final as (
    select
        entity_code,
        entity_name,
        country,
        currency,
        source_system
    from entities
)

select * from final
