{%- set columns = [
        ['file', dbt.type_string()],
        ['isa_control', dbt.type_string()],
        ['gs_control', dbt.type_string()],
        ['st_control', dbt.type_string()],
        ['st_position', dbt.type_bigint()],
        ['set_id', dbt.type_string()],
        ['isa_sender_qualifier', dbt.type_string()],
        ['isa_sender_id', dbt.type_string()],
        ['isa_receiver_qualifier', dbt.type_string()],
        ['isa_receiver_id', dbt.type_string()],
        ['gs_sender_id', dbt.type_string()],
        ['gs_receiver_id', dbt.type_string()],
        ['gs_version', dbt.type_string()],
        ['envelope_ok', 'boolean'],
        ['error_count', dbt.type_bigint()],
        ['order_number', dbt.type_string()],
        ['po_number', dbt.type_string()],
        ['order_status', dbt.type_string()],
        ['master_reference', dbt.type_string()],
        ['requested_ship_date', 'date'],
        ['ship_to_id', dbt.type_string()],
        ['ship_to_name', dbt.type_string()],
        ['carrier_scac', dbt.type_string()],
        ['line_count', dbt.type_bigint()]
] -%}

with source as (

    select * from {{ source_or_empty('edi', 'warehouse_orders', columns) }}

),

renamed as (

    select
        file,
        isa_control,
        gs_control,
        st_control,
        st_position,
        set_id,
        isa_sender_qualifier,
        isa_sender_id,
        isa_receiver_qualifier,
        isa_receiver_id,
        gs_sender_id,
        gs_receiver_id,
        gs_version,
        envelope_ok,
        error_count,
        order_number,
        po_number,
        order_status,
        master_reference,
        requested_ship_date,
        ship_to_id,
        ship_to_name,
        carrier_scac,
        line_count,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
