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
        ['shipment_id', dbt.type_string()],
        ['ship_date', 'date'],
        ['reporting_code', dbt.type_string()],
        ['carrier_scac', dbt.type_string()],
        ['line_count', dbt.type_bigint()]
] -%}

with source as (

    select * from {{ source_or_empty('edi', 'warehouse_ship_advice', columns) }}

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
        shipment_id,
        ship_date,
        reporting_code,
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
