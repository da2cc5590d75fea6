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
        ['ack_control', dbt.type_string()],
        ['ack_date', 'date'],
        ['ack_time', dbt.type_string()],
        ['ack_code', dbt.type_string()],
        ['note_code', dbt.type_string()]
] -%}

with source as (

    select * from {{ source_or_empty('edi', 'interchange_acks', columns) }}

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
        ack_control,
        ack_date,
        ack_time,
        ack_code,
        note_code,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
