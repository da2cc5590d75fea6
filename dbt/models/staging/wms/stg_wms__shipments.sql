with source as (

    select * from {{ source('wms', 'shipments') }}

),

renamed as (

    select
        event_id,
        event_type,
        warehouse_code,
        cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
        shipment_id,
        order_id,
        carrier,
        tracking_number,
        cast(ship_date as date) as ship_date,
        cast(delivery_date as date) as delivery_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
