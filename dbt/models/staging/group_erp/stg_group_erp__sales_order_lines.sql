with source as (

    select * from {{ source('group_erp', 'sales_order_lines') }}

),

renamed as (

    select
        order_id,
        cast(line_no as {{ dbt.type_bigint() }}) as line_no,
        item_id,
        uom,
        cast(qty_ordered as {{ type_double() }}) as qty_ordered,
        cast(qty_ordered_ea as {{ dbt.type_bigint() }}) as qty_ordered_ea,
        cast(original_qty_ordered as {{ type_double() }}) as original_qty_ordered,
        cast(unit_price as {{ type_double() }}) as unit_price,
        cast(discount_pct as {{ type_double() }}) as discount_pct,
        line_status,
        cast(substitute_for_line_no as {{ dbt.type_bigint() }}) as substitute_for_line_no,
        cast(cancelled_at as {{ dbt.type_timestamp() }}) as cancelled_at,
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
