with source as (

    select * from {{ source('legacy_mx', 'shipments') }}

),

renamed as (

    select
        'MX02' as entity_code,
        shipment_id,
        order_id,
        warehouse_code,
        cast(ship_date as date) as ship_date,
        cast(delivery_date as date) as delivery_date,
        carrier,
        tracking_number,
        cast(freight_cost as {{ type_double() }}) as freight_cost,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
