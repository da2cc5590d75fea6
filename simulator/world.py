"""The event log of a simulated distributor: one polars DataFrame per frame of WORLD.md."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

import polars as pl

from simulator.config import HORIZON_START
from simulator.engine.assemble import assemble
from simulator.engine.simulation import simulate


@dataclass
class World:
    """Everything that really happened in the simulated business, before any fault."""

    entities: pl.DataFrame
    warehouses: pl.DataFrame
    fx_rates: pl.DataFrame
    items: pl.DataFrame
    item_xref: pl.DataFrame
    item_costs: pl.DataFrame
    price_lists: pl.DataFrame
    customers: pl.DataFrame
    suppliers: pl.DataFrame
    supplier_xref: pl.DataFrame
    rebate_agreements: pl.DataFrame
    sales_orders: pl.DataFrame
    sales_order_lines: pl.DataFrame
    shipments: pl.DataFrame
    shipment_freight: pl.DataFrame
    invoices: pl.DataFrame
    invoice_lines: pl.DataFrame
    payments: pl.DataFrame
    purchase_orders: pl.DataFrame
    po_lines: pl.DataFrame
    receipts: pl.DataFrame
    inventory_daily: pl.DataFrame
    cycle_counts: pl.DataFrame
    forecasts: pl.DataFrame
    period_postings: pl.DataFrame
    anomalies: pl.DataFrame
    # Not a frame of the event log: every forecast made inside the horizon, including those for
    # weeks beyond it (`forecasts` keeps the weeks inside). The planning export writes these;
    # None when the world was read back from parquet (then `forecasts` stands in).
    planned_forecasts: pl.DataFrame | None = field(default=None, metadata={"frame": False})

    @classmethod
    def frame_names(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.metadata.get("frame", True)]

    def write_parquet(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for name in self.frame_names():
            getattr(self, name).write_parquet(directory / f"{name}.parquet")

    @classmethod
    def read_parquet(cls, directory: Path) -> World:
        return cls(
            **{name: pl.read_parquet(directory / f"{name}.parquet") for name in cls.frame_names()}
        )


def build_world(scale: str, seed: int, days: int = 365, start: date = HORIZON_START) -> World:
    """Simulate the group for `days` days from `start`; deterministic for (scale, seed).

    Causal: the world of days + N days equals this one on its first `days` days, except for
    facts that legitimately change later (statuses, updated_at, moved promises, deliveries
    and invoices that fall after the horizon).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    # The daily loop keeps at most a month of events in memory; the rest waits on disk.
    with tempfile.TemporaryDirectory(prefix="backbone-events-") as spill:
        return World(**assemble(simulate(scale, seed, days, start, spill_dir=Path(spill))))
