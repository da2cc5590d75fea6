with source as (

    select * from {{ source('group_erp', 'item_costs') }}

),

renamed as (

    select
        company_code as entity_code,
        item_id,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(unit_cost as {{ type_double() }}) as unit_cost,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        _deleted as is_deleted,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
