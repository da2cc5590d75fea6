with source as (

    select * from {{ source('legacy_us', 'invoices') }}

),

renamed as (

    select
        'US02' as entity_code,
        invoice_id,
        invoice_type,
        customer_code,
        cast(invoice_date as date) as invoice_date,
        cast(due_date as date) as due_date,
        currency,
        order_id,
        shipment_id,
        original_invoice_id,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
