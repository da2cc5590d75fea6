with source as (

    select * from {{ source('group_erp', 'shipments') }}

),

renamed as (

    select
        shipment_id,
        company_code as entity_code,
        order_id,
        warehouse_code,
        cast(ship_date as date) as ship_date,
        cast(delivery_date as date) as delivery_date,
        carrier,
        tracking_number,
        cast(freight_cost as {{ type_double() }}) as freight_cost,
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
