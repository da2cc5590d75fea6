with source as (

    select * from {{ source('group_erp', 'rebate_agreements') }}

),

renamed as (

    select
        agreement_id,
        company_code as entity_code,
        customer_id,
        cast(rebate_rate as {{ type_double() }}) as rebate_rate,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
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
