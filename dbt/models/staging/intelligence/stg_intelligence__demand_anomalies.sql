{%- set columns = [
        ['exception_type', dbt.type_string()],
        ['exception_key', dbt.type_string()],
        ['entity_code', dbt.type_string()],
        ['severity', dbt.type_string()],
        ['owner_role', dbt.type_string()],
        ['detected_at', dbt.type_timestamp()],
        ['sla_due', dbt.type_timestamp()],
        ['status', dbt.type_string()],
        ['money_at_stake_usd', type_double()],
        ['explanation', dbt.type_string()]
] -%}

-- The exception columns of intelligence.demand_anomalies (empty until the model has run here).
with source as (

    select * from {{ source_or_empty('intelligence', 'demand_anomalies', columns) }}

),

renamed as (

    select
        exception_type,
        exception_key,
        entity_code,
        severity,
        owner_role,
        detected_at,
        sla_due,
        status,
        money_at_stake_usd,
        explanation
    from source

)

select * from renamed
