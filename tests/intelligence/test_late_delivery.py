"""Late-delivery model on a hand-made PO history: one supplier always late, one never."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from intelligence.late_delivery import predict_late_deliveries
from tests.intelligence.marts import warehouse

AS_OF = date(2025, 12, 31)


def _po_lines() -> pl.DataFrame:
    rows = []
    for supplier, days_late in (("S-LATE", 6), ("S-GOOD", -1)):
        day = date(2025, 1, 6)
        n = 0
        while day <= AS_OF:
            n += 1
            expected = day + timedelta(days=14)
            receipt = expected + timedelta(days=days_late)
            received = receipt <= AS_OF
            rows.append(
                {
                    "po_id": f"PO-{supplier}-{n}",
                    "line_no": 1,
                    "supplier_id": supplier,
                    "supplier_code": supplier,
                    "entity_code": "US01",
                    "warehouse_code": "US01-ATL",
                    "item_id": f"BB-{supplier}",
                    "item_code": f"BB-{supplier}",
                    "po_date": day,
                    "expected_date": expected,
                    "promised_date": expected,
                    "first_receipt_date": receipt if received else None,
                    "planned_lead_time_days": 14,
                    "qty_ordered_ea": 10.0,
                    "received_qty_ea": 10.0 if received else 0.0,
                    "line_status": "received" if received else "open",
                    "is_cancelled": False,
                }
            )
            day += timedelta(days=3)
    # the good supplier has just moved the promise of its latest PO by five days
    rows[-1]["promised_date"] = rows[-1]["expected_date"] + timedelta(days=5)
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def result():
    con = warehouse(
        {
            "marts.fct_po_lines": _po_lines(),
            "marts.dim_item": pl.DataFrame(
                {"item_id": ["BB-S-LATE", "BB-S-GOOD"], "standard_cost_usd": [3.0, 5.0]}
            ),
            "marts.fct_inventory_daily": pl.DataFrame({"snapshot_date": [AS_OF]}),
            "marts.fct_order_lines": pl.DataFrame({"order_date": [AS_OF]}),
        }
    )
    return predict_late_deliveries(con)


def test_the_holdout_separates_the_late_supplier_perfectly(result) -> None:
    assert result.split_date == date(2025, 9, 1)
    assert result.auc == pytest.approx(1.0)
    assert result.train_lines > 0 and result.test_lines > 0
    assert result.holdout["snapshot_date"].min() >= date(2025, 9, 1)


def test_open_lines_are_scored_with_reasons_a_buyer_reads(result) -> None:
    p = result.predictions
    # open and not yet due on Dec 31: POs of the last two weeks
    assert p.height > 0
    assert set(p["supplier_id"]) == {"S-LATE", "S-GOOD"}
    late = p.filter(pl.col("supplier_id") == "S-LATE")
    good = p.filter(pl.col("supplier_id") == "S-GOOD")
    assert late["late_probability"].min() > 0.5 > good["late_probability"].max()
    assert late["is_exception"].all()
    announced = good.filter(pl.col("announced_late"))
    assert announced["po_id"].to_list() == [_po_lines()["po_id"][-1]]
    assert announced["is_exception"].all()
    assert "moved its promise to" in announced["explanation"][0]
    assert not good.filter(~pl.col("announced_late"))["is_exception"].any()
    assert all("supplier S-LATE was late on" in e for e in late["explanation"])
    assert late["money_at_stake_usd"].to_list() == pytest.approx([30.0] * late.height)
    assert set(p["detected_at"]) == {datetime(2025, 12, 31, 23, 59, 59)}
    assert set(p["severity"]) <= {"critical", "high", "medium", "low"}
