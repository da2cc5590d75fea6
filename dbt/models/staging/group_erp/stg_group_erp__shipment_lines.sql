with source as (

    select * from {{ source('group_erp', 'shipment_lines') }}

),

renamed as (

    select
        shipment_id,
        cast(line_no as {{ dbt.type_bigint() }}) as line_no,
        order_id,
        cast(order_line_no as {{ dbt.type_bigint() }}) as order_line_no,
        item_id,
        cast(qty_shipped_ea as {{ dbt.type_bigint() }}) as qty_shipped_ea,
        cast(shipment_seq as {{ dbt.type_bigint() }}) as shipment_seq,
        cast(unit_cost_ea as {{ type_double() }}) as unit_cost_ea,
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
