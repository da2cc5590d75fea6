"""Inventory KPIs: turns, days on hand, GMROI, days of supply, record accuracy, stockout rate.

Inventory is physical: GROUP sums every warehouse and every order's demand. Only the COGS and
margin in turns and GMROI are GROUP's external ones (intercompany invoices eliminated).
"""

from __future__ import annotations

import polars as pl

from simulator.truth.common import (
    QTY_EPS,
    Context,
    empty_cells,
    long_cells,
    month_of,
    ratio_cells,
    with_group,
)
from simulator.truth.order_to_cash import margin_sums

ABC_TOLERANCE = {"A": 0.01, "B": 0.03, "C": 0.05}
DEMAND_WINDOW_DAYS = 90


def kpis(
    world, ctx: Context, invoice_lines: pl.DataFrame, order_lines: pl.DataFrame
) -> list[pl.DataFrame]:
    snapshots = _snapshots(world, ctx)
    return [
        _turns_and_gmroi(ctx, snapshots, margin_sums(invoice_lines)),
        _days_of_supply(ctx, snapshots, order_lines),
        _inventory_record_accuracy(world, ctx),
        _stockout_rate(snapshots),
    ]


def _snapshots(world, ctx: Context) -> pl.DataFrame:
    """inventory_daily summed per entity × snapshot date: value (USD at that date), EA, rows.

    Values are summed in entity currency and converted once per entity and date: the same
    rate applies to every row of that entity and date.
    """
    per_warehouse = world.inventory_daily.group_by(
        "warehouse_code", snapshot_date=pl.col("snapshot_date").cast(pl.Date)
    ).agg(
        # no cost (non-stock item) values at 0
        value=(
            pl.col("on_hand_ea").cast(pl.Float64)
            * pl.col("unit_cost_ea").cast(pl.Float64).fill_nan(None).fill_null(0.0)
        )
        .sort()
        .sum(),
        on_hand=pl.col("on_hand_ea").cast(pl.Float64).sum(),
        rows=pl.len(),
        stocked_out=((pl.col("available_ea") <= 0) & (pl.col("open_demand_ea") > 0)).sum(),
    )
    per_entity = (
        per_warehouse.join(ctx.warehouse_entity, on="warehouse_code", how="inner")
        .group_by("entity_code", "snapshot_date")
        .agg(pl.col("value", "on_hand", "rows", "stocked_out").sort().sum())
        .join(ctx.entity_currency, on="entity_code", how="inner")
    )
    return ctx.with_usd_rate(per_entity, "snapshot_date", "entity_currency").with_columns(
        month=month_of("snapshot_date"),
        value_usd=pl.col("value") * pl.col("usd_rate"),
    )


def _turns_and_gmroi(ctx: Context, snapshots: pl.DataFrame, margins: pl.DataFrame) -> pl.DataFrame:
    """Turns = COGS × 12 ÷ ((first + last snapshot value of the month) ÷ 2); GMROI likewise.

    Turns are 0 when the average is ≤ 0; days on hand (365 ÷ turns) and GMROI have no cell then.
    """
    if snapshots.height == 0:
        return empty_cells()
    daily = (
        with_group(snapshots, in_group=None)
        .group_by("entity_code", "month", "snapshot_date")
        .agg(value=pl.col("value_usd").sort().sum())
    )
    average = (
        daily.sort("snapshot_date")
        .group_by("entity_code", "month")
        .agg(average_inventory_usd=(pl.col("value").first() + pl.col("value").last()) / 2)
    )
    wide = (
        average.join(margins, on=["entity_code", "month"], how="left")
        .with_columns(pl.col("cogs_usd", "stock_gross_margin_usd").fill_null(0.0))
        .with_columns(
            inventory_turns=pl.when(pl.col("average_inventory_usd") > 0)
            .then(pl.col("cogs_usd") * 12 / pl.col("average_inventory_usd"))
            .otherwise(0.0),
            gmroi=pl.when(pl.col("average_inventory_usd") > 0).then(
                pl.col("stock_gross_margin_usd") * 12 / pl.col("average_inventory_usd")
            ),
        )
        .with_columns(
            days_on_hand=pl.when(pl.col("inventory_turns") > 0).then(
                365 / pl.col("inventory_turns")
            )
        )
    )
    return ctx.in_horizon(
        long_cells(wide, ["inventory_turns", "days_on_hand", "gmroi", "average_inventory_usd"])
    )


def _days_of_supply(
    ctx: Context, snapshots: pl.DataFrame, order_lines: pl.DataFrame
) -> pl.DataFrame:
    """EA on hand at the month's last snapshot ÷ average daily EA ordered over the trailing window.

    Demand is qty_ordered_ea of non-cancelled lines by order date at the order's warehouse. The
    window is the 90 days ending on the snapshot date, cut at the horizon start (then the
    average is over the days of the window inside the horizon).
    """
    if snapshots.height == 0:
        return empty_cells()
    last = snapshots.group_by("entity_code", "month").agg(last_date=pl.col("snapshot_date").max())
    on_hand = (
        snapshots.join(last, on=["entity_code", "month"])
        .filter(pl.col("snapshot_date") == pl.col("last_date"))
        .select("entity_code", "month", "last_date", "on_hand")
    )
    demand = (
        order_lines.filter(~pl.col("cancelled"))
        .drop("entity_code")
        .join(ctx.warehouse_entity, on="warehouse_code", how="inner")
        .group_by("entity_code", "order_date")
        .agg(qty=pl.col("qty_ordered_ea").sum())
    )
    ends = (
        with_group(on_hand, in_group=None)
        .group_by("entity_code", "month")
        .agg(pl.col("last_date").max(), on_hand=pl.col("on_hand").sum())
    )
    window_start = pl.max_horizontal(
        pl.col("last_date") - pl.duration(days=DEMAND_WINDOW_DAYS - 1),
        pl.lit(ctx.horizon_start, dtype=pl.Date),
    )
    windowed = ends.with_columns(
        window_start=window_start,
        window_days=(pl.col("last_date") - window_start).dt.total_days() + 1,
    )
    demand_in_window = (
        windowed.select("entity_code", "month", "window_start", "last_date")
        .join(with_group(demand, in_group=None), on="entity_code")
        .filter(pl.col("order_date").is_between(pl.col("window_start"), pl.col("last_date")))
        .group_by("entity_code", "month")
        .agg(demand=pl.col("qty").sum())
    )
    wide = windowed.join(demand_in_window, on=["entity_code", "month"], how="left").with_columns(
        days_of_supply=pl.when(pl.col("demand") > 0).then(
            pl.col("on_hand") / (pl.col("demand") / pl.col("window_days"))
        )
    )
    return ctx.in_horizon(long_cells(wide, ["days_of_supply"]))


def _inventory_record_accuracy(world, ctx: Context) -> pl.DataFrame:
    """Counts with |counted − system| ≤ tolerance(ABC) × system ÷ counts, by count month.

    Each count is judged on its own (variances never net). With system qty 0, only a count of
    0 is accurate. A class outside A/B/C gets the C tolerance.
    """
    tolerance = pl.col("abc_class").replace_strict(
        ABC_TOLERANCE, default=ABC_TOLERANCE["C"], return_dtype=pl.Float64
    )
    counts = world.cycle_counts.select(
        "warehouse_code",
        month=month_of("count_date"),
        accurate=(
            pl.col("counted_qty").cast(pl.Float64) - pl.col("system_qty").cast(pl.Float64)
        ).abs()
        <= tolerance * pl.col("system_qty").cast(pl.Float64).abs() + QTY_EPS,
        one=pl.lit(1),
    ).join(ctx.warehouse_entity, on="warehouse_code", how="inner")
    return ctx.in_horizon(
        ratio_cells(counts, "inventory_record_accuracy", "accurate", "one", in_group=None)
    )


def _stockout_rate(snapshots: pl.DataFrame) -> pl.DataFrame:
    """Item × warehouse days with available ≤ 0 and open demand > 0 ÷ item × warehouse days."""
    return ratio_cells(snapshots, "stockout_rate", "stocked_out", "rows", in_group=None)
