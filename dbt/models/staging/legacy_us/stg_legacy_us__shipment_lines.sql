with source as (

    select * from {{ source('legacy_us', 'shipment_lines') }}

),

renamed as (

    select
        'US02' as entity_code,
        shipment_id,
        cast(shipment_line_no as {{ dbt.type_bigint() }}) as shipment_line_no,
        order_id,
        cast(order_line_no as {{ dbt.type_bigint() }}) as order_line_no,
        item_code,
        cast(qty_shipped_ea as {{ dbt.type_bigint() }}) as qty_shipped_ea,
        cast(shipment_seq as {{ dbt.type_bigint() }}) as shipment_seq,
        cast(unit_cost_ea as {{ type_double() }}) as unit_cost_ea,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
