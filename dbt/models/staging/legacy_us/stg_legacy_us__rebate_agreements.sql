with source as (

    select * from {{ source('legacy_us', 'rebate_agreements') }}

),

renamed as (

    select
        'US02' as entity_code,
        agreement_id,
        customer_code,
        cast(rebate_rate as {{ type_double() }}) as rebate_rate,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
