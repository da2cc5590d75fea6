with source as (

    select * from {{ source('group_erp', 'invoice_lines') }}

),

renamed as (

    select
        invoice_id,
        cast(line_no as {{ dbt.type_bigint() }}) as line_no,
        order_id,
        cast(order_line_no as {{ dbt.type_bigint() }}) as order_line_no,
        item_id,
        cast(qty_ea as {{ dbt.type_bigint() }}) as qty_ea,
        cast(unit_price_ea as {{ type_double() }}) as unit_price_ea,
        cast(gross_amount as {{ type_double() }}) as gross_amount,
        cast(discount_amount as {{ type_double() }}) as discount_amount,
        cast(net_amount as {{ type_double() }}) as net_amount,
        cast(cogs_amount as {{ type_double() }}) as cogs_amount,
        cast(rebate_amount as {{ type_double() }}) as rebate_amount,
        cast(freight_amount as {{ type_double() }}) as freight_amount,
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
