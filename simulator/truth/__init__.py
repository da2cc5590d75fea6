"""Ground-truth KPIs computed from the simulator's event log: the contract the dbt models meet.

`compute_kpis(world)` returns one row per entity (and GROUP) × month × KPI. The exact variant
of every KPI (numerator, denominator, exclusions, currency, GROUP elimination, month) is
written down in simulator/TRUTH.md; each area's module implements it:
order_to_cash.py, inventory.py, procure_to_pay.py, planning.py.

Every float sum, mean and standard deviation runs over sorted values (`.sort().sum()`): polars
joins and group-bys deliver rows in an order that varies run to run, and a float sum in another
order moves the last bits, which truth/kpis.csv must not show. Sums of integers need no sort.
"""

from __future__ import annotations

import polars as pl

from simulator import config
from simulator.truth import inventory, order_to_cash, planning, procure_to_pay
from simulator.truth.common import CELL_SCHEMA, GROUP, Context
from simulator.world import World

__all__ = ["GROUP", "compute_kpis"]


def compute_kpis(
    world: World, otif_tolerance_days: int = 0, forecast_lag_weeks: int = config.FORECAST_LAG_WEEKS
) -> pl.DataFrame:
    """KPI cells (entity_code, month 'YYYY-MM', kpi, value) of every KPI the world supports.

    A cell whose denominator is 0 is absent (never inf or NaN). Sorted by entity, month, kpi.
    """
    ctx = Context.from_world(world)
    lines = order_to_cash.order_lines(world)
    invoice_lines = order_to_cash.invoice_lines_usd(world, ctx)
    parts = [
        *order_to_cash.kpis(world, ctx, lines, invoice_lines, otif_tolerance_days),
        *inventory.kpis(world, ctx, invoice_lines, lines),
        *procure_to_pay.kpis(world, ctx),
        *planning.kpis(world, ctx, lines, forecast_lag_weeks),
    ]
    cells = pl.concat([part.select(list(CELL_SCHEMA)).cast(CELL_SCHEMA) for part in parts])
    return ctx.in_horizon(cells).sort("entity_code", "month", "kpi")
