"""Planning and control KPIs: forecast accuracy, bias and variance; close speed.

Forecasts are judged against physical demand: GROUP pools every warehouse, intercompany orders
included (they are real demand on the shipping warehouse).
"""

from __future__ import annotations

import polars as pl

from simulator.truth.common import (
    GROUP,
    Context,
    empty_cells,
    long_cells,
    with_group,
)

# |actual − forecast| beyond this share of the forecast flags an item × warehouse × week
FORECAST_VARIANCE_THRESHOLD = 0.5


def kpis(
    world, ctx: Context, order_lines: pl.DataFrame, forecast_lag_weeks: int
) -> list[pl.DataFrame]:
    return [
        _forecast(world, ctx, order_lines, forecast_lag_weeks),
        _close_days(world, ctx),
    ]


def _forecast(world, ctx: Context, order_lines: pl.DataFrame, lag_weeks: int) -> pl.DataFrame:
    """Forecast at the fixed lag vs EA ordered, per item × warehouse × week, by week-start month.

    accuracy = 1 − Σ|F − A| ÷ ΣA (may be negative), bias = Σ(F − A) ÷ ΣA, no cell when ΣA = 0.
    variance = Σ(A − F) in EA; variance_flagged counts cells with |A − F| > 0.5 × F.
    Only whole weeks inside the horizon; the latest forecast made for a cell at that lag wins.
    """
    forecasts = (
        world.forecasts.filter(pl.col("lag_weeks") == lag_weeks)
        .select(
            "item_id",
            "warehouse_code",
            week_start=pl.col("week_start").cast(pl.Date),
            made_on=pl.col("made_on").cast(pl.Date),
            forecast=pl.col("forecast_qty_ea").cast(pl.Float64),
        )
        .filter(
            (pl.col("week_start") >= ctx.horizon_start)
            & (pl.col("week_start") + pl.duration(days=6) <= ctx.horizon_end)
        )
        .sort("made_on")
        .unique(["item_id", "warehouse_code", "week_start"], keep="last")
    )
    if forecasts.height == 0:
        return empty_cells()
    actuals = (
        order_lines.filter(~pl.col("cancelled"))
        .with_columns(week_start=pl.col("order_date").dt.truncate("1w"))
        .group_by("item_id", "warehouse_code", "week_start")
        .agg(actual=pl.col("qty_ordered_ea").sum())
    )
    cells = (
        forecasts.join(actuals, on=["item_id", "warehouse_code", "week_start"], how="left")
        .with_columns(pl.col("actual").fill_null(0.0))
        .join(ctx.warehouse_entity, on="warehouse_code", how="inner")
        .with_columns(
            month=pl.col("week_start").dt.strftime("%Y-%m"),
            error=pl.col("forecast") - pl.col("actual"),
        )
    )
    wide = (
        with_group(cells, in_group=None)
        .group_by("entity_code", "month")
        .agg(
            abs_error=pl.col("error").abs().sort().sum(),
            error=pl.col("error").sort().sum(),
            actual=pl.col("actual").sort().sum(),
            forecast_variance_flagged=(
                pl.col("error").abs() > FORECAST_VARIANCE_THRESHOLD * pl.col("forecast")
            ).sum(),
        )
        .with_columns(
            forecast_accuracy=pl.when(pl.col("actual") != 0).then(
                1 - pl.col("abs_error") / pl.col("actual")
            ),
            forecast_bias=pl.when(pl.col("actual") != 0).then(pl.col("error") / pl.col("actual")),
            forecast_variance=-pl.col("error"),
        )
    )
    return long_cells(
        wide,
        ["forecast_accuracy", "forecast_bias", "forecast_variance", "forecast_variance_flagged"],
    )


def _close_days(world, ctx: Context) -> pl.DataFrame:
    """Last posting date − period's last calendar day; GROUP closes when its last entity does."""
    postings = world.period_postings
    if postings.height == 0:
        return empty_cells()
    month = pl.col("period_month")
    if postings.schema["period_month"] == pl.Utf8:
        month = month.str.slice(0, 7)
    else:
        month = month.cast(pl.Date).dt.strftime("%Y-%m")
    rows = postings.select(
        "entity_code",
        month=month,
        last_posting_date=pl.col("last_posting_date").cast(pl.Date),
    ).with_columns(
        close_days=(
            pl.col("last_posting_date")
            - (pl.col("month") + "-01").str.to_date("%Y-%m-%d").dt.month_end()
        ).dt.total_days()
    )
    group = (
        rows.group_by("month")
        .agg(pl.col("close_days").max())
        .with_columns(entity_code=pl.lit(GROUP))
    )
    wide = pl.concat(
        [
            rows.select("entity_code", "month", "close_days"),
            group.select("entity_code", "month", "close_days"),
        ]
    )
    return ctx.in_horizon(long_cells(wide, ["close_days"]))
