-- Backlog value at each period end D: Σ over lines ordered on or before D and still open at D
-- of max(ordered EA − EA shipped by D, 0) × net price per EA (USD at the order date's rate).
-- Reconstructed from dated events (not orders − billings). A cell for every entity, GROUP
-- (intercompany eliminated) and period, 0 when nothing is open.
with lines as (
    select * from {{ ref('fct_order_lines') }}
    where qty_ordered_ea > 0
),

shipments as (
    select * from {{ ref('fct_shipments') }}
),

periods as (
    select * from {{ ref('int_periods') }}
),

entities as (
    select entity_code from {{ ref('dim_entity') }}
    union all
    select 'GROUP' as entity_code
),

open_at_period_end as (
    select
        lines.order_id,
        lines.line_no,
        lines.entity_code,
        lines.is_intercompany,
        lines.qty_ordered_ea,
        lines.net_price_per_ea_usd,
        periods.month,
        periods.period_end
    from lines
    inner join periods
        on
            lines.order_date <= periods.period_end
            and (lines.closed_on is null or lines.closed_on > periods.period_end)
),

shipped_by_period_end as (
    select
        open_at_period_end.order_id,
        open_at_period_end.line_no,
        open_at_period_end.month,
        sum(shipments.qty_shipped_ea) as shipped_ea
    from open_at_period_end
    inner join shipments
        on
            open_at_period_end.order_id = shipments.order_id
            and open_at_period_end.line_no = shipments.order_line_no
            and open_at_period_end.period_end >= shipments.ship_date
    group by open_at_period_end.order_id, open_at_period_end.line_no, open_at_period_end.month
),

valued as (
    select
        open_at_period_end.entity_code,
        open_at_period_end.is_intercompany,
        open_at_period_end.month,
        case
            when open_at_period_end.qty_ordered_ea - coalesce(shipped_by_period_end.shipped_ea, 0) > 0
                then open_at_period_end.qty_ordered_ea - coalesce(shipped_by_period_end.shipped_ea, 0)
            else 0
        end * open_at_period_end.net_price_per_ea_usd as open_value_usd
    from open_at_period_end
    left join shipped_by_period_end
        on
            open_at_period_end.order_id = shipped_by_period_end.order_id
            and open_at_period_end.line_no = shipped_by_period_end.line_no
            and open_at_period_end.month = shipped_by_period_end.month
),

scoped as (
    select
        entity_code,
        month,
        open_value_usd
    from valued
    union all
    select
        'GROUP' as entity_code,
        month,
        open_value_usd
    from valued
    where not is_intercompany
),

sums as (
    select
        entity_code,
        month,
        sum(open_value_usd) as backlog_value_usd
    from scoped
    group by entity_code, month
),

final as (
    select
        entities.entity_code,
        periods.month,
        'backlog_value_usd' as kpi,
        cast(coalesce(sums.backlog_value_usd, 0) as {{ type_double() }}) as value
    from entities
    cross join periods
    left join sums
        on
            entities.entity_code = sums.entity_code
            and periods.month = sums.month
)

select * from final
