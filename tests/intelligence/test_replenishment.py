"""Reorder point, safety stock and order quantity on one hand-made pair, recomputed here from
the textbook formula with the standard library (statistics), not with the module's own code."""

from __future__ import annotations

import math
import statistics
from datetime import date, timedelta

import polars as pl
import pytest

from intelligence.replenishment import recommend_replenishment
from tests.intelligence.marts import warehouse

START = date(2025, 1, 1)
AS_OF = START + timedelta(days=179)  # 180 days of history: the whole demand window
CASE = 12


def _marts() -> tuple[dict[str, pl.DataFrame], dict[str, float]]:
    days = [START + timedelta(days=i) for i in range(180)]
    demand = [0.0 if i % 2 == 0 else 20.0 for i in range(180)]
    order_lines = pl.DataFrame(
        {
            "warehouse_code": "US01-ATL",
            "item_id": "BB-1",
            "item_code": "BB-1",
            "order_date": days,
            "qty_ordered_ea": demand,
            "is_cancelled": False,
        }
    )
    # a PO every Monday, arriving alternately 8 and 12 days later
    mondays = [date(2025, 1, 6) + timedelta(weeks=w) for w in range(25)]
    leads = [8 if w % 2 == 0 else 12 for w in range(25)]
    receipts = [d + timedelta(days=lead) for d, lead in zip(mondays, leads, strict=True)]
    received = [r <= AS_OF for r in receipts]
    po_lines = pl.DataFrame(
        {
            "warehouse_code": "US01-ATL",
            "item_id": "BB-1",
            "item_code": "BB-1",
            "supplier_id": "S-1",
            "supplier_code": "S-1",
            "po_id": [f"PO-{w}" for w in range(25)],
            "po_date": mondays,
            "first_receipt_date": [
                r if ok else None for r, ok in zip(receipts, received, strict=True)
            ],
            "qty_ordered_ea": 120.0,
            "received_qty_ea": [120.0 if ok else 0.0 for ok in received],
            "line_status": ["received" if ok else "open" for ok in received],
            "is_cancelled": False,
        }
    )
    stock = pl.DataFrame(
        {
            "snapshot_date": [AS_OF],
            "warehouse_code": ["US01-ATL"],
            "entity_code": ["US01"],
            "item_id": ["BB-1"],
            "item_code": ["BB-1"],
            "abc_class": ["B"],
            "on_hand_ea": [60.0],
            "available_ea": [50.0],
            "open_demand_ea": [5.0],
            "unit_cost_ea": [2.0],
            "usd_per_unit": [1.0],
        }
    )
    items = pl.DataFrame({"item_id": ["BB-1"], "case_size": [CASE]})
    lead_days = [
        lead
        for lead, r in zip(leads, receipts, strict=True)
        if r <= AS_OF and r > AS_OF - timedelta(days=180)
    ]
    expected = {
        "d": statistics.fmean(demand),
        "sd": statistics.stdev(demand),
        "L": statistics.fmean(lead_days),
        "sL": statistics.stdev(lead_days),
        "R": 7.0,
        "on_order": 120.0 * sum(not ok for ok in received),
    }
    tables = {
        "marts.fct_order_lines": order_lines,
        "marts.fct_po_lines": po_lines,
        "marts.fct_inventory_daily": stock,
        "marts.dim_item": items,
    }
    return tables, expected


def test_reorder_point_safety_stock_and_order_quantity_follow_the_formula() -> None:
    tables, e = _marts()
    row = recommend_replenishment(warehouse(tables)).row(0, named=True)

    z = statistics.NormalDist().inv_cdf(0.95)  # B items: 95 % service
    cover = e["L"] + e["R"]
    safety = z * math.sqrt(cover * e["sd"] ** 2 + e["d"] ** 2 * e["sL"] ** 2)
    reorder_point = e["d"] * cover + safety
    up_to = reorder_point + e["d"] * 28  # B items cover four weeks
    position = 50.0 - 5.0 + e["on_order"]
    assert row["demand_per_day"] == pytest.approx(e["d"])
    assert row["demand_std"] == pytest.approx(e["sd"])
    assert row["lead_days"] == pytest.approx(e["L"])
    assert row["lead_days_std"] == pytest.approx(e["sL"])
    assert row["review_days"] == pytest.approx(e["R"])
    assert row["safety_stock_ea"] == pytest.approx(safety)
    assert row["reorder_point_ea"] == pytest.approx(reorder_point)
    assert row["position_ea"] == pytest.approx(position)
    assert position < reorder_point
    assert row["below_reorder_point"]
    assert row["recommended_order_ea"] == math.ceil((up_to - position) / CASE) * CASE
    assert row["recommended_order_ea"] % CASE == 0
    assert row["money_at_stake_usd"] == pytest.approx((reorder_point - position) * 2.0)
    assert row["exception_key"] == "BB-1:US01-ATL"
    assert row["owner_role"] == "buyer"
    assert "is under the reorder point" in row["explanation"]


def test_a_pair_above_its_reorder_point_needs_no_order() -> None:
    tables, _ = _marts()
    tables["marts.fct_inventory_daily"] = tables["marts.fct_inventory_daily"].with_columns(
        available_ea=pl.lit(5000.0), on_hand_ea=pl.lit(5000.0)
    )
    row = recommend_replenishment(warehouse(tables)).row(0, named=True)
    assert not row["below_reorder_point"]
    assert row["recommended_order_ea"] == 0


def test_the_replay_counts_stockout_days_worked_out_by_hand() -> None:
    """2 EA of demand every day of 2025; a supplier delivering weekly POs in 7 days until August,
    then nothing. The replay covers the last 120 days, from Wednesday 2025-09-03, with 20 EA on
    the shelf and nothing on order.

    Without: 20 EA last ten days; the other 110 days end short.
    With: d = 2, σd = 0, L = 7, σL = 0, R = 7 (Monday POs), A item: ROP = 2 × 14 = 28 and order
    up to 28 + 2 × 14 = 56. Monday 09-08 (day 5) ends at 8 EA: order 48, arriving day 12; days
    10 and 11 end at −2 and −4; from day 12 on every Monday order arrives before the shelf empties.
    """
    from intelligence.replenishment import simulate_stockouts

    year = [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]
    mondays = [d for d in year if d.weekday() == 0 and d <= date(2025, 8, 25)]
    start = date(2025, 9, 3)
    tables = {
        "marts.fct_order_lines": pl.DataFrame(
            {
                "warehouse_code": "US01-ATL",
                "item_id": "BB-1",
                "item_code": "BB-1",
                "order_date": year,
                "qty_ordered_ea": 2.0,
                "is_cancelled": False,
            }
        ),
        "marts.fct_po_lines": pl.DataFrame(
            {
                "warehouse_code": "US01-ATL",
                "item_id": "BB-1",
                "item_code": "BB-1",
                "supplier_id": "S-1",
                "supplier_code": "S-1",
                "po_id": [f"PO-{i}" for i in range(len(mondays))],
                "po_date": mondays,
                "first_receipt_date": [d + timedelta(days=7) for d in mondays],
                "qty_ordered_ea": 14.0,
                "received_qty_ea": 14.0,
                "line_status": "received",
                "is_cancelled": False,
            }
        ),
        "marts.fct_inventory_daily": pl.DataFrame(
            {
                "snapshot_date": [start - timedelta(days=1), date(2025, 12, 31)],
                "warehouse_code": "US01-ATL",
                "entity_code": "US01",
                "item_id": "BB-1",
                "item_code": "BB-1",
                "abc_class": "A",
                "on_hand_ea": [20.0, 0.0],
                "available_ea": [20.0, 0.0],
                "open_demand_ea": [0.0, 0.0],
                "unit_cost_ea": 1.0,
                "usd_per_unit": 1.0,
                "is_stocked_out": [False, True],
            }
        ),
        "marts.dim_item": pl.DataFrame({"item_id": ["BB-1"], "case_size": [1]}),
    }
    replay = simulate_stockouts(warehouse(tables))
    assert (replay.start, replay.end, replay.pairs) == (start, date(2025, 12, 31), 1)
    assert replay.stockout_days_without == 110
    assert replay.stockout_days_with == 2
    assert replay.stockout_days_observed == 1
    assert replay.orders_without == 0
