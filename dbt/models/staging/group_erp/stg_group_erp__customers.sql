with source as (

    select * from {{ source('group_erp', 'customers') }}

),

renamed as (

    select
        company_code as entity_code,
        customer_id,
        customer_name,
        channel,
        region,
        cast(credit_limit as {{ type_double() }}) as credit_limit,
        cast(payment_terms_days as {{ dbt.type_bigint() }}) as payment_terms_days,
        cast(is_intercompany as boolean) as is_intercompany,
        counterparty_company_code as counterparty_entity_code,
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
