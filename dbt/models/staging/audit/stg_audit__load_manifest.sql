with source as (

    select * from {{ source('audit', 'load_manifest') }}

),

renamed as (

    select
        load_id,
        source_system,
        feed,
        target_tables,
        source_file,
        source_table,
        content_hash,
        rows_read,
        rows_loaded,
        rows_quarantined,
        rows_unchanged,
        rows_deleted,
        status,
        note,
        error,
        duplicate_of,
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(finished_at as {{ dbt.type_timestamp() }}) as finished_at
    from source

)

select * from renamed
