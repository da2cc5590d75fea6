"""Procure-to-pay KPIs: supplier OTIF, lead-time variance, PO acknowledgement time.

Purchases are not eliminated in GROUP: it pools every entity's PO lines.
"""

from __future__ import annotations

import polars as pl

from simulator.truth.common import (
    QTY_EPS,
    Context,
    long_cells,
    month_of,
    ratio_cells,
    with_group,
)


def kpis(world, ctx: Context) -> list[pl.DataFrame]:
    lines = _due_po_lines(world, ctx)
    return [
        ratio_cells(lines, "supplier_otif", "on_time_in_full", "one", in_group=None),
        _lead_time_variance(lines),
        _po_ack_time(world, ctx),
    ]


def _due_po_lines(world, ctx: Context) -> pl.DataFrame:
    """Non-cancelled PO lines expected within the horizon, with what arrived by the expected date
    and the date the line became complete (the receipt that brought Σ received to the ordered EA).
    """
    lines = (
        world.po_lines.select(
            "po_id",
            "line_no",
            ordered=pl.col("qty_ordered_ea").cast(pl.Float64),
            expected_date=pl.col("expected_date").cast(pl.Date),
            cancelled=pl.col("line_status") == "cancelled",
        )
        .filter(~pl.col("cancelled") & (pl.col("expected_date") <= ctx.horizon_end))
        .join(
            world.purchase_orders.select(
                "po_id", "entity_code", "supplier_id", po_date=pl.col("po_date").cast(pl.Date)
            ),
            on="po_id",
            how="inner",
        )
        .join(
            world.suppliers.select("supplier_id", "planned_lead_time_days"),
            on="supplier_id",
            how="left",
        )
    )
    receipts = (
        world.receipts.select(
            "po_id",
            line_no=pl.col("po_line_no").cast(world.po_lines.schema["line_no"]),
            receipt_date=pl.col("receipt_date").cast(pl.Date),
            qty=pl.col("qty_received_ea").cast(pl.Float64),
        )
        .join(lines.select("po_id", "line_no", "ordered", "expected_date"), on=["po_id", "line_no"])
        .sort("receipt_date")
        .with_columns(cumulative=pl.col("qty").cum_sum().over("po_id", "line_no"))
    )
    per_line = receipts.group_by("po_id", "line_no").agg(
        by_expected=pl.col("qty").filter(pl.col("receipt_date") <= pl.col("expected_date")).sum(),
        complete_date=pl.col("receipt_date")
        .filter(pl.col("cumulative") >= pl.col("ordered") - QTY_EPS)
        .min(),
    )
    return (
        lines.join(per_line, on=["po_id", "line_no"], how="left")
        .with_columns(pl.col("by_expected").fill_null(0.0))
        .with_columns(
            month=month_of("expected_date"),
            on_time_in_full=pl.col("by_expected") >= pl.col("ordered") - QTY_EPS,
            one=pl.lit(1),
        )
    )


def _lead_time_variance(lines: pl.DataFrame) -> pl.DataFrame:
    """(completing receipt − PO date) − planned lead time, over completed lines: mean, sample std."""
    complete = lines.filter(pl.col("complete_date").is_not_null()).with_columns(
        variance=(
            (pl.col("complete_date") - pl.col("po_date")).dt.total_days()
            - pl.col("planned_lead_time_days")
        ).cast(pl.Float64)
    )
    wide = (
        with_group(complete, in_group=None)
        .group_by("entity_code", "month")
        .agg(
            lead_time_variance_days=pl.col("variance").sort().mean(),
            # sample standard deviation (ddof 1): no cell for a single line
            lead_time_variance_days_std=pl.col("variance").sort().std(ddof=1),
        )
    )
    return long_cells(wide, ["lead_time_variance_days", "lead_time_variance_days_std"])


def _po_ack_time(world, ctx: Context) -> pl.DataFrame:
    """Mean (ack − sent) in days over acknowledged POs, by the month the PO was sent."""
    sent, ack = pl.col("sent_date"), pl.col("ack_date")
    if world.purchase_orders.schema["ack_date"] == pl.Date:
        days = (ack - sent).dt.total_days()
    else:  # timestamps: fractional days
        days = (ack - sent).dt.total_seconds() / 86400
    pos = world.purchase_orders.filter(sent.is_not_null() & ack.is_not_null()).select(
        "entity_code", month=month_of("sent_date"), days=days.cast(pl.Float64)
    )
    wide = (
        with_group(pos, in_group=None)
        .group_by("entity_code", "month")
        .agg(po_ack_time_days=pl.col("days").sort().mean())
    )
    return ctx.in_horizon(long_cells(wide, ["po_ack_time_days"]))
