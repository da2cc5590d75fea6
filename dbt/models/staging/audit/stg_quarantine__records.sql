with source as (

    select * from {{ source('quarantine', 'records') }}

),

renamed as (

    select
        load_id,
        source_system,
        feed,
        source_file,
        source_row,
        target_table,
        reason_code,
        detail,
        raw_text,
        cast(quarantined_at as {{ dbt.type_timestamp() }}) as quarantined_at
    from source

)

select * from renamed
