{%- set columns = [
        ['file', dbt.type_string()],
        ['isa_control', dbt.type_string()],
        ['gs_control', dbt.type_string()],
        ['st_control', dbt.type_string()],
        ['st_position', dbt.type_bigint()],
        ['order_number', dbt.type_string()],
        ['line_seq', dbt.type_bigint()],
        ['line_no', dbt.type_string()],
        ['qty', type_double()],
        ['uom', dbt.type_string()],
        ['unit_price', type_double()],
        ['description', dbt.type_string()],
        ['vendor_item_id', dbt.type_string()],
        ['buyer_item_id', dbt.type_string()],
        ['gtin', dbt.type_string()]
] -%}

with source as (

    select * from {{ source_or_empty('edi', 'warehouse_order_lines', columns) }}

),

renamed as (

    select
        file,
        isa_control,
        gs_control,
        st_control,
        st_position,
        order_number,
        line_seq,
        line_no,
        qty,
        uom,
        unit_price,
        description,
        vendor_item_id,
        buyer_item_id,
        gtin,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
