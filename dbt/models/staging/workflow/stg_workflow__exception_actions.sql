{%- set columns = [
        ['action_id', dbt.type_string()],
        ['exception_id', dbt.type_string()],
        ['action', dbt.type_string()],
        ['assignee', dbt.type_string()],
        ['comment', dbt.type_string()],
        ['actor', dbt.type_string()],
        ['acted_at', dbt.type_timestamp()],
        ['updated_at', dbt.type_timestamp()]
] -%}

with source as (

    select * from {{ source_or_empty('workflow', 'exception_actions', columns) }}

),

renamed as (

    select
        action_id,
        exception_id,
        lower(action) as action,
        assignee,
        comment as action_comment,
        actor,
        cast(acted_at as {{ dbt.type_timestamp() }}) as acted_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
