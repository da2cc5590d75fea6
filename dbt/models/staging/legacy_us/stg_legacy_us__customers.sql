with source as (

    select * from {{ source('legacy_us', 'customers') }}

),

renamed as (

    select
        'US02' as entity_code,
        customer_code,
        customer_name,
        channel,
        region,
        cast(credit_limit as {{ type_double() }}) as credit_limit,
        cast(payment_terms_days as {{ dbt.type_bigint() }}) as payment_terms_days,
        cast(is_intercompany as boolean) as is_intercompany,
        counterparty_entity_code,
        edi_partner_id,
        address,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
