with source as (

    select * from {{ source('legacy_us', 'payments') }}

),

renamed as (

    select
        'US02' as entity_code,
        payment_id,
        invoice_id,
        customer_code,
        cast(payment_date as date) as payment_date,
        cast(amount as {{ type_double() }}) as amount,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
