with source as (

    select * from {{ source('legacy_us', 'sales_orders') }}

),

renamed as (

    select
        'US02' as entity_code,
        order_id,
        customer_code,
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
        case status when 'O' then 'open' when 'C' then 'closed' when 'X' then 'cancelled' else lower(status) end as status,
        ship_to_address,
        order_notes,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
