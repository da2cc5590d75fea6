with source as (

    select * from {{ source('legacy_us', 'po_lines') }}

),

renamed as (

    select
        'US02' as entity_code,
        po_id,
        cast(line_no as {{ dbt.type_bigint() }}) as line_no,
        item_code,
        uom,
        cast(qty_ordered as {{ type_double() }}) as qty_ordered,
        cast(qty_ordered_ea as {{ dbt.type_bigint() }}) as qty_ordered_ea,
        cast(unit_cost as {{ type_double() }}) as unit_cost,
        cast(expected_date as date) as expected_date,
        cast(promised_date as date) as promised_date,
        line_status,
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
