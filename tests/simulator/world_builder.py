"""Tiny hand-made Worlds: every frame exists, empty but typed, and a test states only its rows.

The group's entities and warehouses are the real ones; FX is flat (CAD 0.75, MXN 0.05 USD per
unit) over the horizon unless a test sets a day's rate. Helpers fill the columns a test does
not care about with plain defaults (an order's currency is its entity's, a line's EA quantity
is its quantity, a shipment is delivered the day it ships).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any

import polars as pl

from simulator import config
from simulator.engine.schema import SCHEMAS
from simulator.world import World

CURRENCY = {e.code: e.currency for e in config.ENTITIES}
FLAT_FX = {"CAD": 0.75, "MXN": 0.05}


class WorldBuilder:
    def __init__(self, start: date = date(2025, 1, 1), end: date = date(2025, 3, 31)) -> None:
        self.start, self.end = start, end
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS}
        self.fx_overrides: dict[tuple[str, date], float] = {}
        self._ids = count(1)
        self._orders: dict[str, dict[str, Any]] = {}

    def add(self, frame: str, **row: Any) -> dict[str, Any]:
        unknown = set(row) - set(SCHEMAS[frame])
        if unknown:
            raise KeyError(f"{frame} has no columns {sorted(unknown)}")
        self.rows[frame].append(row)
        return row

    def fx(self, currency: str, day: date, usd_per_unit: float) -> None:
        self.fx_overrides[(currency, day)] = usd_per_unit

    def item(
        self, item_id: str, *, abc_class: str = "A", cost: float | None = 1.0, **kw: Any
    ) -> None:
        self.add(
            "items",
            item_id=item_id,
            abc_class=abc_class,
            stock_uom="EA",
            case_size=12,
            pack_size=4,
            standard_cost_usd=cost,
            is_stock_item=cost is not None,
            **kw,
        )

    def order(
        self,
        order_id: str,
        *,
        entity: str = "US01",
        order_date: date = date(2025, 1, 10),
        **kw: Any,
    ) -> None:
        row = {
            "order_id": order_id,
            "entity_code": entity,
            "customer_id": "C-000001",
            "warehouse_code": f"{entity}-{_first_warehouse(entity)}",
            "channel": "REP",
            "order_date": order_date,
            "requested_date": order_date + timedelta(days=7),
            "currency": CURRENCY[entity],
            "credit_hold": False,
            "manual_touch": False,
            "is_intercompany": False,
            "status": "open",
        }
        row.update(kw)
        self._orders[order_id] = self.add("sales_orders", **row)

    def line(
        self, order_id: str, line_no: int, *, qty: int, price: float = 10.0, **kw: Any
    ) -> None:
        row = {
            "order_id": order_id,
            "line_no": line_no,
            "item_id": "BB-1",
            "uom": "EA",
            "qty_ordered": qty,
            "qty_ordered_ea": qty,
            "original_qty_ordered": qty,
            "unit_price": price,
            "discount_pct": 0.0,
            "line_status": "open",
        }
        row.update(kw)
        self.add("sales_order_lines", **row)

    def ship(
        self, order_id: str, line_no: int, *, qty: int, ship_date: date, seq: int = 1, **kw: Any
    ) -> None:
        order = self._orders[order_id]
        row = {
            "shipment_id": f"SH-{next(self._ids)}",
            "shipment_line_no": 1,
            "order_id": order_id,
            "order_line_no": line_no,
            "entity_code": order["entity_code"],
            "warehouse_code": order["warehouse_code"],
            "item_id": "BB-1",
            "ship_date": ship_date,
            "delivery_date": ship_date,
            "qty_shipped_ea": qty,
            "shipment_seq": seq,
        }
        row.update(kw)
        self.add("shipments", **row)

    def invoice(
        self,
        invoice_id: str,
        *,
        entity: str = "US01",
        invoice_date: date = date(2025, 1, 15),
        order_id: str | None = None,
        invoice_type: str = "INV",
        lines: list[dict[str, Any]],
        **kw: Any,
    ) -> None:
        """An invoice with lines given as dicts of invoice_lines columns (net_amount, cogs_amount...)."""
        header = {
            "invoice_id": invoice_id,
            "entity_code": entity,
            "customer_id": "C-000001",
            "invoice_type": invoice_type,
            "invoice_date": invoice_date,
            "currency": CURRENCY[entity],
            "order_id": order_id,
        }
        header.update(kw)
        self.add("invoices", **header)
        for no, line in enumerate(lines, start=1):
            row = {
                "invoice_id": invoice_id,
                "line_no": no,
                "order_id": order_id,
                "item_id": "BB-1",
                "net_amount": 0.0,
                "cogs_amount": 0.0,
                "rebate_amount": 0.0,
                "freight_amount": 0.0,
            }
            row.update(line)
            self.add("invoice_lines", **row)

    def snapshot(
        self,
        day: date,
        *,
        on_hand: int,
        warehouse: str = "US01-ATL",
        item_id: str = "BB-1",
        **kw: Any,
    ) -> None:
        row = {
            "snapshot_date": day,
            "warehouse_code": warehouse,
            "item_id": item_id,
            "on_hand_ea": on_hand,
            "available_ea": on_hand,
            "open_demand_ea": 0,
            "unit_cost_ea": 1.0,
        }
        row.update(kw)
        self.add("inventory_daily", **row)

    def build(self) -> World:
        frames = {
            name: pl.DataFrame(
                [{c: _typed(r.get(c), t) for c, t in schema.items()} for r in self.rows[name]],
                schema=schema,
                orient="row",
            )
            if self.rows[name]
            else pl.DataFrame(schema=schema)
            for name, schema in SCHEMAS.items()
        }
        frames["entities"] = pl.DataFrame(
            [(e.code, e.name, e.country, e.currency, e.source_system) for e in config.ENTITIES],
            schema=SCHEMAS["entities"],
            orient="row",
        )
        frames["warehouses"] = pl.DataFrame(
            [(w.code, w.entity_code, w.name, w.city, w.country) for w in config.WAREHOUSES],
            schema=SCHEMAS["warehouses"],
            orient="row",
        )
        frames["fx_rates"] = self._fx_rates()
        return World(**frames)

    def _fx_rates(self) -> pl.DataFrame:
        days = [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]
        rows = [
            (day, currency, self.fx_overrides.get((currency, day), rate))
            for day in days
            for currency, rate in FLAT_FX.items()
        ]
        return pl.DataFrame(rows, schema=SCHEMAS["fx_rates"], orient="row")


def _typed(value: Any, dtype: pl.DataType) -> Any:
    """A date given for a timestamp column means midnight of that day."""
    if (
        isinstance(dtype, pl.Datetime)
        and isinstance(value, date)
        and not isinstance(value, datetime)
    ):
        return datetime.combine(value, time())
    return value


def _first_warehouse(entity: str) -> str:
    return next(w.code for w in config.WAREHOUSES if w.entity_code == entity).split("-")[1]
