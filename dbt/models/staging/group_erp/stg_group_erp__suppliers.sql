with source as (

    select * from {{ source('group_erp', 'suppliers') }}

),

renamed as (

    select
        supplier_id,
        supplier_name,
        country,
        currency,
        cast(planned_lead_time_days as {{ dbt.type_bigint() }}) as planned_lead_time_days,
        edi_partner_id,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        _deleted as is_deleted,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
