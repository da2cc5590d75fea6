"""The demand-planning tool's weekly forecast export (`planning/`, see SOURCES.md).

Every Monday the group's planning tool publishes the forecast it made that day: one row per
stocked item x warehouse for the week `lag_weeks` ahead, in EA (the items' stock unit), with
the item code the warehouse's entity uses (golden `BB-…` for the group ERP entities, `ART-…` for
MX02, `GL.…` for US02). The file of run day d holds only what was decided on d, so a longer
world writes the same files for its first days (`--append-days` writes only the new Mondays).
"""

from __future__ import annotations

import polars as pl

from simulator.writers import WriteContext, ymd

SOURCE = "planning"
COLUMNS = (
    "forecast_version",
    "forecast_date",
    "entity_code",
    "warehouse_code",
    "item_code",
    "week_start",
    "lag_weeks",
    "uom",
    "forecast_qty",
)


def planning_forecasts(ctx: WriteContext) -> pl.DataFrame:
    """Every forecast run's rows in the export's columns (typed), runs inside the written days."""
    world = ctx.world
    forecasts = world.planned_forecasts if world.planned_forecasts is not None else world.forecasts
    local_codes = world.item_xref.select("entity_code", "item_id", item_code="local_item_code")
    return (
        forecasts.filter(pl.col("made_on").is_between(ctx.write_from, ctx.end))
        .join(world.warehouses.select("warehouse_code", "entity_code"), on="warehouse_code")
        .join(local_codes, on=["entity_code", "item_id"], how="left")
        .select(
            forecast_version=pl.col("made_on").dt.strftime("FC-%G-W%V"),
            forecast_date=pl.col("made_on"),
            entity_code=pl.col("entity_code"),
            warehouse_code=pl.col("warehouse_code"),
            item_code=pl.col("item_code"),
            week_start=pl.col("week_start"),
            lag_weeks=pl.col("lag_weeks"),
            uom=pl.lit("EA"),
            forecast_qty=pl.col("forecast_qty_ea"),
        )
        .sort("forecast_date", "entity_code", "warehouse_code", "item_code", "week_start")
    )


def write_planning(ctx: WriteContext) -> int:
    """Write one CSV per forecast run (Mondays) of the days being generated; returns files written."""
    rows = planning_forecasts(ctx)
    n_files = 0
    for (run_day,), part in rows.group_by("forecast_date", maintain_order=True):
        folder = ctx.out / SOURCE / ymd(run_day)
        folder.mkdir(parents=True, exist_ok=True)
        part.write_csv(
            folder / f"forecast_{ymd(run_day)}.csv",
            date_format="%Y-%m-%d",
            float_precision=1,
            line_terminator="\n",
        )
        n_files += 1
    return n_files
