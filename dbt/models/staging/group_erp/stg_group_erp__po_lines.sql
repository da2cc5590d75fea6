with source as (

    select * from {{ source('group_erp', 'purchase_order_lines') }}

),

renamed as (

    select
        po_id,
        cast(line_no as {{ dbt.type_bigint() }}) as line_no,
        item_id,
        uom,
        cast(qty_ordered as {{ type_double() }}) as qty_ordered,
        cast(qty_ordered_ea as {{ dbt.type_bigint() }}) as qty_ordered_ea,
        cast(unit_cost as {{ type_double() }}) as unit_cost,
        cast(expected_date as date) as expected_date,
        cast(promised_date as date) as promised_date,
        line_status,
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
