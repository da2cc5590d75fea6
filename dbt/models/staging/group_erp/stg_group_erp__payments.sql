with source as (

    select * from {{ source('group_erp', 'payments') }}

),

renamed as (

    select
        payment_id,
        invoice_id,
        customer_id,
        cast(payment_date as date) as payment_date,
        cast(amount as {{ type_double() }}) as amount,
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
