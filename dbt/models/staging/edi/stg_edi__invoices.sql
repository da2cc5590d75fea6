with source as (

    select * from {{ source('edi', 'invoices') }}

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
        invoice_number,
        invoice_date,
        po_number,
        po_date,
        currency,
        total_amount,
        charge_total,
        allowance_total,
        freight_amount,
        terms_net_days,
        line_count,
        _load_id,
        _source_system,
        _source_file,
        _source_row,
        _loaded_at
    from source

)

select * from renamed
