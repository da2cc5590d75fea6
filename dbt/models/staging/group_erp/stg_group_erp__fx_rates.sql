with source as (

    select * from {{ source('group_erp', 'fx_rates') }}

),

renamed as (

    select
        cast(rate_date as date) as rate_date,
        currency,
        cast(usd_per_unit as {{ type_double() }}) as usd_per_unit,
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
