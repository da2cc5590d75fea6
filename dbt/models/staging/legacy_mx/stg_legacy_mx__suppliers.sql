with source as (

    select * from {{ source('legacy_mx', 'suppliers') }}

),

renamed as (

    select
        'MX02' as entity_code,
        supplier_code,
        supplier_name,
        country,
        currency,
        cast(planned_lead_time_days as {{ dbt.type_bigint() }}) as planned_lead_time_days,
        edi_partner_id,
        {{ file_date('_source_file') }} as file_date,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
