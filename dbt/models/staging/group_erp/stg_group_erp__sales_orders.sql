with source as (

    select * from {{ source('group_erp', 'sales_orders') }}

),

renamed as (

    select
        order_id,
        company_code as entity_code,
        customer_id,
        warehouse_code,
        channel,
        cast(order_date as date) as order_date,
        cast(requested_date as date) as requested_date,
        cast(confirmed_date as date) as confirmed_date,
        customer_po,
        currency,
        cast(credit_hold as boolean) as credit_hold,
        cast(manual_touch as boolean) as manual_touch,
        cast(is_intercompany as boolean) as is_intercompany,
        status,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
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
