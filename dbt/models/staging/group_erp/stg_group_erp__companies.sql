with source as (

    select * from {{ source('group_erp', 'companies') }}

),

renamed as (

    select
        company_code as entity_code,
        company_name,
        country,
        currency,
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
