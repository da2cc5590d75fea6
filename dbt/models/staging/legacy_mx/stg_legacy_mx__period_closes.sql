with source as (

    select * from {{ source('legacy_mx', 'period_close') }}

),

renamed as (

    select
        'MX02' as entity_code,
        cast(period_month as date) as period_month,
        cast(last_posting_date as date) as last_posting_date,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
