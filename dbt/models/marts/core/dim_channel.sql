-- Sales channels.
with channels as (
    select
        'EDI' as channel_code,
        'Electronic data interchange' as channel_name
    union all
    select
        'ECOM' as channel_code,
        'E-commerce' as channel_name
    union all
    select
        'REP' as channel_code,
        'Sales representative' as channel_name
    union all
    select
        'COUNTER' as channel_code,
        'Counter (cash and carry)' as channel_name
),

final as (
    select
        channel_code,
        channel_name,
        channel_code <> 'COUNTER' as is_credit_channel
    from channels
)

select * from final
