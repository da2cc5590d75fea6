with source as (

    select * from {{ source('quarantine', 'edi_sets') }}

),

renamed as (

    select
        load_id,
        source_file,
        partner,
        direction,
        isa_sender_id,
        isa_receiver_id,
        isa_control,
        gs_control,
        st_control,
        transaction_set,
        st_position,
        reason_code,
        detail,
        rows_excluded,
        raw_text,
        cast(quarantined_at as {{ dbt.type_timestamp() }}) as quarantined_at
    from source

)

select * from renamed
