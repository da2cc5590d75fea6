"""Replenishment: reorder point, safety stock and order quantity per item × warehouse, and a
replay that measures what they would have changed.

Parameters per stocked pair, from the `DEMAND_WINDOW_DAYS` days up to the as-of date (half a
year: a quarter leaves slow movers with no demand and so no reorder point at all):
- demand d ± σd: EA ordered per calendar day (cancelled lines left out, days without orders as 0);
- lead time L ± σL: days from PO to first receipt of the pair's supplier over its lines received
  in the last `LEAD_WINDOW_DAYS` days (the supplier of the pair's latest PO line);
- review period R: the median number of days between the supplier's POs to that warehouse;
- service level by ABC class (`SERVICE_LEVEL`), z its normal quantile (scipy).

  safety stock   SS  = z · √((L + R)·σd² + d²·σL²)
  reorder point  ROP = d·(L + R) + SS
  order-up-to    S   = ROP + d · `CYCLE_DAYS`[abc]
  position           = available − backorders + on order
  order quantity     = S − position, rounded up to whole cases, when position ≤ ROP

A pair below its reorder point is an exception for the buyer.

The replay (`simulate_stockouts`) takes the last `HOLDOUT_DAYS` days: parameters from the data
before them, the stock and open POs at their start, the real demand of each day, and two ways of
buying. *Without*: the POs that were really placed, arriving when they really did. *With*: an order
whenever the position falls to the recommended reorder point on a day the supplier is reviewed
(the weekdays its POs were really placed), arriving after the lead time the
supplier really delivered at that time (its actual PO nearest that day). Both count stockout days
(pair-days ending with unmet demand) and average stock value, so fewer stockouts bought with a
mountain of stock would show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from intelligence.warehouse import EXCEPTION_COLUMNS, as_of_date, as_of_timestamp, read

DEMAND_WINDOW_DAYS = 180
LEAD_WINDOW_DAYS = 180
HOLDOUT_DAYS = 120
SERVICE_LEVEL = {"A": 0.98, "B": 0.95, "C": 0.90}
CYCLE_DAYS = {"A": 14.0, "B": 28.0, "C": 56.0}
DEFAULT_REVIEW_DAYS = 3.5


@dataclass(frozen=True)
class ReplayResult:
    start: date
    end: date
    pairs: int
    stockout_days_without: int
    stockout_days_with: int
    stockout_days_observed: int
    avg_stock_value_usd_without: float
    avg_stock_value_usd_with: float
    orders_with: int
    orders_without: int


def recommend_replenishment(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Reorder point, safety stock and order quantity for every stocked pair as of the last day."""
    as_of = as_of_date(con)
    params = replenishment_parameters(con, as_of)
    return _recommendations(params, as_of)


def replenishment_parameters(con: duckdb.DuckDBPyConnection, as_of: date) -> pl.DataFrame:
    """Stock, position and policy parameters per stocked pair, from data up to `as_of`."""
    frame = read(
        con,
        """
        with stock as (
            select
                warehouse_code,
                entity_code,
                coalesce(item_id, item_code) as item_id,
                abc_class,
                on_hand_ea,
                available_ea,
                open_demand_ea,
                unit_cost_ea * usd_per_unit as unit_cost_usd
            from marts.fct_inventory_daily
            where snapshot_date = ?
        ),
        demand as (
            select
                warehouse_code,
                coalesce(item_id, item_code) as item_id,
                order_date,
                sum(qty_ordered_ea) as qty_ea
            from marts.fct_order_lines
            where not is_cancelled
                and order_date > cast(? as date) - ?
                and order_date <= ?
            group by all
        ),
        demand_stats as (
            select
                warehouse_code,
                item_id,
                sum(qty_ea) as window_qty_ea,
                sum(qty_ea * qty_ea) as window_qty_sq
            from demand
            group by all
        ),
        po as (
            select
                warehouse_code,
                coalesce(item_id, item_code) as item_id,
                coalesce(supplier_id, supplier_code) as supplier_id,
                po_id,
                po_date,
                first_receipt_date,
                qty_ordered_ea,
                received_qty_ea,
                line_status
            from marts.fct_po_lines
            where not is_cancelled and po_date <= ?
        ),
        pair_supplier as (
            select warehouse_code, item_id, arg_max(supplier_id, po_date) as supplier_id
            from po
            group by all
        ),
        lead as (
            select
                supplier_id,
                avg(first_receipt_date - po_date) as lead_days,
                coalesce(stddev_samp(first_receipt_date - po_date), 0) as lead_days_std,
                count(*) as lead_lines
            from po
            where first_receipt_date <= ? and first_receipt_date > cast(? as date) - ?
            group by all
        ),
        review as (
            select supplier_id, warehouse_code, median(gap) as review_days
            from (
                select
                    supplier_id,
                    warehouse_code,
                    po_date - lag(po_date) over (
                        partition by supplier_id, warehouse_code order by po_date
                    ) as gap
                from (select distinct supplier_id, warehouse_code, po_date from po)
            )
            where gap is not null
            group by all
        ),
        on_order as (
            -- on order at the date: not received yet then, and not closed without receipt
            select
                warehouse_code,
                item_id,
                sum(qty_ordered_ea) as on_order_ea
            from po
            where first_receipt_date > ? or (first_receipt_date is null and line_status = 'open')
            group by all
        )
        select
            stock.*,
            item.case_size,
            pair_supplier.supplier_id,
            coalesce(demand_stats.window_qty_ea, 0) as window_qty_ea,
            coalesce(demand_stats.window_qty_sq, 0) as window_qty_sq,
            lead.lead_days,
            lead.lead_days_std,
            review.review_days,
            coalesce(on_order.on_order_ea, 0) as on_order_ea
        from stock
        left join marts.dim_item as item on stock.item_id = item.item_id
        left join demand_stats
            on stock.warehouse_code = demand_stats.warehouse_code
            and stock.item_id = demand_stats.item_id
        left join pair_supplier
            on stock.warehouse_code = pair_supplier.warehouse_code
            and stock.item_id = pair_supplier.item_id
        left join lead on pair_supplier.supplier_id = lead.supplier_id
        left join review
            on pair_supplier.supplier_id = review.supplier_id
            and stock.warehouse_code = review.warehouse_code
        left join on_order
            on stock.warehouse_code = on_order.warehouse_code
            and stock.item_id = on_order.item_id
        """,
        [
            as_of,
            as_of,
            DEMAND_WINDOW_DAYS,
            as_of,
            as_of,
            as_of,
            as_of,
            LEAD_WINDOW_DAYS,
            as_of,
        ],
    )
    first_order = con.execute("select min(order_date) from marts.fct_order_lines").fetchall()[0][0]
    # a history shorter than the window divides by the days it has, not by the whole window
    n = float(min(DEMAND_WINDOW_DAYS, (as_of - first_order).days + 1 if first_order else 1))
    n = max(n, 2.0)
    mean = pl.col("window_qty_ea") / n
    variance = (pl.col("window_qty_sq") / n - mean**2) * n / (n - 1)
    median_lead = frame["lead_days"].median()
    abc = pl.col("abc_class").fill_null("C")
    frame = frame.with_columns(
        demand_per_day=mean,
        demand_std=variance.clip(lower_bound=0.0).sqrt(),
        lead_days=pl.col("lead_days").fill_null(median_lead if median_lead is not None else 14.0),
        lead_days_std=pl.col("lead_days_std").fill_null(0.0),
        review_days=pl.col("review_days")
        .cast(pl.Float64)
        .fill_null(DEFAULT_REVIEW_DAYS)
        .clip(1.0, 14.0),
        service_level=abc.replace_strict(SERVICE_LEVEL, default=SERVICE_LEVEL["C"]),
        cycle_days=abc.replace_strict(CYCLE_DAYS, default=CYCLE_DAYS["C"]),
        case_size=pl.col("case_size").fill_null(1).clip(lower_bound=1),
        unit_cost_usd=pl.col("unit_cost_usd").fill_null(0.0),
    )
    z = stats.norm.ppf(frame["service_level"].to_numpy())
    cover = pl.col("lead_days") + pl.col("review_days")
    frame = frame.with_columns(z=pl.Series(z)).with_columns(
        safety_stock_ea=pl.col("z")
        * (
            cover * pl.col("demand_std") ** 2
            + pl.col("demand_per_day") ** 2 * pl.col("lead_days_std") ** 2
        ).sqrt()
    )
    frame = frame.with_columns(
        reorder_point_ea=pl.col("demand_per_day") * cover + pl.col("safety_stock_ea"),
    ).with_columns(
        order_up_to_ea=pl.col("reorder_point_ea") + pl.col("demand_per_day") * pl.col("cycle_days"),
        position_ea=pl.col("available_ea") - pl.col("open_demand_ea") + pl.col("on_order_ea"),
    )
    return frame


def _recommendations(params: pl.DataFrame, as_of: date) -> pl.DataFrame:
    below = (pl.col("position_ea") <= pl.col("reorder_point_ea")) & (pl.col("demand_per_day") > 0)
    need = pl.col("order_up_to_ea") - pl.col("position_ea")
    cases = (need / pl.col("case_size")).ceil()
    frame = params.with_columns(
        below_reorder_point=below,
        recommended_order_ea=pl.when(below)
        .then(cases * pl.col("case_size"))
        .otherwise(0.0)
        .cast(pl.Float64),
        days_of_cover=pl.when(pl.col("demand_per_day") > 0).then(
            pl.col("position_ea") / pl.col("demand_per_day")
        ),
    )
    frame = frame.with_columns(
        exception_type=pl.lit("below_reorder_point"),
        exception_key=pl.col("item_id") + ":" + pl.col("warehouse_code"),
        severity=pl.when((pl.col("available_ea") <= 0) & (pl.col("open_demand_ea") > 0))
        .then(pl.lit("critical"))
        .when(pl.col("days_of_cover") < pl.col("lead_days"))
        .then(pl.lit("high"))
        .when(
            pl.col("position_ea")
            < pl.col("safety_stock_ea") + pl.col("demand_per_day") * pl.col("lead_days")
        )
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low")),
        owner_role=pl.lit("buyer"),
        detected_at=pl.lit(as_of_timestamp(as_of), dtype=pl.Datetime("us")),
        money_at_stake_usd=(pl.col("reorder_point_ea") - pl.col("position_ea")).clip(lower_bound=0)
        * pl.col("unit_cost_usd"),
        explanation=pl.format(
            "{} at {}: position {} EA (available {}, backordered {}, on order {}) is under the"
            " reorder point {} EA (demand {} ± {} EA/day, lead time {} ± {} days from {}, review"
            " every {} days, {}% service): order {} EA ({} cases of {}).",
            pl.col("item_id"),
            pl.col("warehouse_code"),
            pl.col("position_ea").round(0).cast(pl.Int64),
            pl.col("available_ea"),
            pl.col("open_demand_ea"),
            pl.col("on_order_ea").round(0).cast(pl.Int64),
            pl.col("reorder_point_ea").round(0).cast(pl.Int64),
            pl.col("demand_per_day").round(1),
            pl.col("demand_std").round(1),
            pl.col("lead_days").round(1),
            pl.col("lead_days_std").round(1),
            pl.col("supplier_id").fill_null("an unknown supplier"),
            pl.col("review_days").round(1),
            (pl.col("service_level") * 100).round(0).cast(pl.Int64),
            pl.col("recommended_order_ea").cast(pl.Int64),
            (pl.col("recommended_order_ea") / pl.col("case_size")).cast(pl.Int64),
            pl.col("case_size"),
        ),
    )
    frame = frame.with_columns(
        # a pair already out of stock with customers waiting is for today
        sla_due=pl.col("detected_at")
        + pl.when(pl.col("severity") == "critical")
        .then(pl.duration(days=1))
        .otherwise(pl.duration(days=2)),
        status=pl.when(pl.col("below_reorder_point"))
        .then(pl.lit("open"))
        .otherwise(pl.lit("no_action")),
    )
    leading = list(EXCEPTION_COLUMNS)
    rest = [
        "item_id",
        "warehouse_code",
        "abc_class",
        "supplier_id",
        "below_reorder_point",
        "on_hand_ea",
        "available_ea",
        "open_demand_ea",
        "on_order_ea",
        "position_ea",
        "demand_per_day",
        "demand_std",
        "lead_days",
        "lead_days_std",
        "review_days",
        "service_level",
        "safety_stock_ea",
        "reorder_point_ea",
        "order_up_to_ea",
        "recommended_order_ea",
        "days_of_cover",
        "case_size",
        "unit_cost_usd",
    ]
    return frame.select(leading + rest).sort("item_id", "warehouse_code")


def simulate_stockouts(
    con: duckdb.DuckDBPyConnection, holdout_days: int = HOLDOUT_DAYS
) -> ReplayResult:
    """Replay the last `holdout_days` days without and with the recommended policy."""
    as_of = as_of_date(con)
    start = as_of - timedelta(days=holdout_days - 1)
    params = replenishment_parameters(con, start - timedelta(days=1))
    params = params.with_row_index("pair")
    days = holdout_days
    n = params.height
    key = params.select("pair", "warehouse_code", "item_id")

    demand = read(
        con,
        """
        select warehouse_code, coalesce(item_id, item_code) as item_id, order_date as day,
               sum(qty_ordered_ea) as qty_ea
        from marts.fct_order_lines
        where not is_cancelled and order_date between ? and ?
        group by all
        """,
        [start, as_of],
    )
    arrivals = read(
        con,
        """
        select warehouse_code, coalesce(item_id, item_code) as item_id,
               coalesce(supplier_id, supplier_code) as supplier_id,
               po_date, first_receipt_date as day, received_qty_ea as qty_ea
        from marts.fct_po_lines
        where not is_cancelled and first_receipt_date between ? and ?
        """,
        [start, as_of],
    )
    observed = read(
        con,
        """
        select count(*) filter (where is_stocked_out) as stockout_days
        from marts.fct_inventory_daily
        where snapshot_date between ? and ?
        """,
        [start, as_of],
    )
    demand_m = _matrix(demand, key, start, n, days)
    placed_before = arrivals.filter(pl.col("po_date") < start)
    pipeline_m = _matrix(placed_before, key, start, n, days)
    actual_m = _matrix(arrivals, key, start, n, days)
    lead_m = _lead_matrix(arrivals, params, start, days)

    net0 = (params["available_ea"] - params["open_demand_ea"]).to_numpy().astype(float)
    cost = params["unit_cost_usd"].to_numpy()

    # Without: what really arrived.
    net_without = net0[:, None] + np.cumsum(actual_m - demand_m, axis=1)

    # With: the pipeline placed before the start, then our own orders.
    rop = params["reorder_point_ea"].to_numpy()
    up_to = params["order_up_to_ea"].to_numpy()
    case = params["case_size"].to_numpy().astype(float)
    incoming = pipeline_m.copy()
    on_order = params["on_order_ea"].to_numpy().astype(float)
    net = net0.copy()
    net_with = np.empty((n, days))
    orders_with = 0
    review = _review_days(con, params, start, days)
    for t in range(days):
        net += incoming[:, t] - demand_m[:, t]
        on_order -= incoming[:, t]
        net_with[:, t] = net
        position = net + on_order
        order = review[:, t] & (position <= rop) & (rop > 0)
        if not order.any():
            continue
        qty = np.ceil((up_to - position) / case) * case
        arrive = t + lead_m[:, t]
        idx = np.flatnonzero(order & (arrive < days))
        incoming[idx, arrive[idx]] += qty[idx]
        on_order[order] += qty[order]
        # orders landing after the horizon still count as on order, never as stock
        orders_with += int(order.sum())

    return ReplayResult(
        start=start,
        end=as_of,
        pairs=n,
        stockout_days_without=int((net_without < 0).sum()),
        stockout_days_with=int((net_with < 0).sum()),
        stockout_days_observed=int(observed["stockout_days"][0] or 0),
        avg_stock_value_usd_without=float(
            (np.clip(net_without, 0, None) * cost[:, None]).sum(axis=0).mean()
        ),
        avg_stock_value_usd_with=float(
            (np.clip(net_with, 0, None) * cost[:, None]).sum(axis=0).mean()
        ),
        orders_with=orders_with,
        orders_without=int(arrivals.filter(pl.col("po_date") >= start).height),
    )


def _matrix(frame: pl.DataFrame, key: pl.DataFrame, start: date, n: int, days: int) -> np.ndarray:
    """Σ qty_ea per pair × day as a dense (pairs, days) array."""
    out = np.zeros((n, days))
    if frame.height == 0:
        return out
    rows = (
        frame.join(key, on=["warehouse_code", "item_id"], how="inner")
        .with_columns(t=(pl.col("day") - start).dt.total_days())
        .filter((pl.col("t") >= 0) & (pl.col("t") < days))
    )
    np.add.at(
        out,
        (rows["pair"].to_numpy(), rows["t"].to_numpy()),
        rows["qty_ea"].cast(pl.Float64).fill_null(0.0).to_numpy(),
    )
    return out


def _review_days(
    con: duckdb.DuckDBPyConnection, params: pl.DataFrame, start: date, days: int
) -> np.ndarray:
    """Per pair × day: whether its supplier is reviewed for its warehouse that day, on the
    weekdays the buyers really placed its POs before the replay (Monday to Saturday when
    unknown), so the replay keeps the buying rhythm the review period R assumes."""
    placed = read(
        con,
        """
        select distinct
            coalesce(supplier_id, supplier_code) as supplier_id,
            warehouse_code,
            isodow(po_date) - 1 as weekday
        from marts.fct_po_lines
        where not is_cancelled and po_date < ?
        """,
        [start],
    )
    weekday = np.array([(start + timedelta(days=t)).weekday() for t in range(days)])
    mask = np.zeros((params.height, 7), dtype=bool)
    known = params.select("pair", "supplier_id", "warehouse_code").join(
        placed, on=["supplier_id", "warehouse_code"], how="inner"
    )
    mask[known["pair"].to_numpy(), known["weekday"].to_numpy()] = True
    unknown = ~mask.any(axis=1)
    mask[unknown, :6] = True
    return mask[:, weekday]


def _lead_matrix(
    arrivals: pl.DataFrame, params: pl.DataFrame, start: date, days: int
) -> np.ndarray:
    """Per pair × day: the lead time its supplier really delivered for the PO placed nearest
    that day (the supplier's planned-era mean when it placed none in the window)."""
    leads = (
        arrivals.with_columns(lead=(pl.col("day") - pl.col("po_date")).dt.total_days())
        .group_by("supplier_id", "po_date")
        .agg(lead=pl.col("lead").median())
        .sort("po_date")
    )
    suppliers = params.select("pair", "supplier_id", "lead_days")
    calendar = pl.DataFrame(
        {"day": [start + timedelta(days=t) for t in range(days)]}
    ).with_row_index("t")
    grid = suppliers.join(calendar, how="cross").sort("day")
    # both sides are sorted by day (within a supplier too); polars cannot check that with `by`
    nearest = grid.join_asof(
        leads.rename({"po_date": "day"}),
        on="day",
        by="supplier_id",
        strategy="nearest",
        check_sortedness=False,
    )
    nearest = nearest.with_columns(
        lead=pl.col("lead")
        .cast(pl.Float64)
        .fill_null(pl.col("lead_days"))
        .round(0)
        .clip(lower_bound=1)
    ).sort("pair", "t")
    return nearest["lead"].to_numpy().astype(np.int64).reshape(params.height, days)
