{%- set columns = [
        ['file', dbt.type_string()],
        ['isa_control', dbt.type_string()],
        ['gs_control', dbt.type_string()],
        ['st_control', dbt.type_string()],
        ['st_position', dbt.type_bigint()],
        ['set_id', dbt.type_string()],
        ['segment_position', dbt.type_bigint()],
        ['code', dbt.type_string()],
        ['level', dbt.type_string()],
        ['message', dbt.type_string()]
] -%}

with source as (

    select * from {{ source_or_empty('edi', 'envelope_errors', columns) }}

),

renamed as (

    select
        file,
        isa_control,
        gs_control,
        st_control,
        st_position,
        set_id,
        segment_position,
        code,
        level,
        message,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
