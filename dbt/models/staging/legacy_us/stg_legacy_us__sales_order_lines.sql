with source as (

    select * from {{ source('legacy_us', 'sales_order_lines') }}

),

renamed as (

    select
        'US02' as entity_code,
        order_id,
        cast(line_no as {{ dbt.type_bigint() }}) as line_no,
        item_code,
        uom,
        cast(qty_ordered as {{ type_double() }}) as qty_ordered,
        cast(qty_ordered_ea as {{ dbt.type_bigint() }}) as qty_ordered_ea,
        cast(original_qty_ordered as {{ type_double() }}) as original_qty_ordered,
        cast(unit_price as {{ type_double() }}) as unit_price,
        cast(discount_pct as {{ type_double() }}) as discount_pct,
        case line_status when 'O' then 'open' when 'S' then 'shipped' when 'X' then 'cancelled' else lower(line_status) end as line_status,
        cast(substitute_for_line_no as {{ dbt.type_bigint() }}) as substitute_for_line_no,
        cast(cancelled_at as {{ dbt.type_timestamp() }}) as cancelled_at,
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
