with source as (

    select * from {{ source('group_erp', 'invoices') }}

),

renamed as (

    select
        invoice_id,
        company_code as entity_code,
        customer_id,
        invoice_type,
        cast(invoice_date as date) as invoice_date,
        cast(due_date as date) as due_date,
        currency,
        order_id,
        shipment_id,
        original_invoice_id,
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
