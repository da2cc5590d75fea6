-- One row per month × warehouse × item (local code and golden id): the month's stockout days
-- and the position at the warehouse's last snapshot of the month. The inventory dashboard reads
-- this instead of scanning a month of daily positions per render.
with positions as (
    select
        *,
        max(snapshot_date) over (
            partition by snapshot_month, warehouse_code
        ) as warehouse_month_end_date
    from {{ ref('fct_inventory_daily') }}
),

final as (
    select
        snapshot_month,
        warehouse_code,
        entity_code,
        entity_currency,
        item_code,
        item_id,
        min(abc_class) as abc_class,
        count(*) as item_days,
        count(case when is_stocked_out then 1 end) as stockout_days,
        min(snapshot_date) as first_snapshot_date,
        max(snapshot_date) as last_snapshot_date,
        max(warehouse_month_end_date) as warehouse_month_end_date,
        max(case when snapshot_date = warehouse_month_end_date then 1 else 0 end) = 1
            as is_at_month_end,
        sum(case when snapshot_date = warehouse_month_end_date then on_hand_ea end)
            as on_hand_ea_month_end,
        sum(case when snapshot_date = warehouse_month_end_date then inventory_value end)
            as inventory_value_month_end,
        sum(case when snapshot_date = warehouse_month_end_date then inventory_value_usd end)
            as inventory_value_usd_month_end,
        max(
            case when snapshot_date = warehouse_month_end_date and is_stocked_out then 1 else 0 end
        ) = 1 as is_stocked_out_month_end
    from positions
    group by
        snapshot_month,
        warehouse_code,
        entity_code,
        entity_currency,
        item_code,
        item_id
)

select * from final
