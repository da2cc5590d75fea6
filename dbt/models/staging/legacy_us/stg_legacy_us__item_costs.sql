with source as (

    select * from {{ source('legacy_us', 'item_costs') }}

),

renamed as (

    select
        'US02' as entity_code,
        item_code,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(unit_cost as {{ type_double() }}) as unit_cost,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
