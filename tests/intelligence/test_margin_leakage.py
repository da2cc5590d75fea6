"""Margin leakage rules on hand-made marts: every number below is worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from intelligence.margin_leakage import find_margin_leakage
from tests.intelligence.marts import warehouse


def _order_line(order_id, line_no, entity, item, day, qty, net, usd_per_unit, cancelled=False):
    currency = {"US01": "USD", "CA01": "CAD"}[entity]
    return {
        "order_id": order_id,
        "line_no": line_no,
        "entity_code": entity,
        "warehouse_code": f"{entity}-ATL",
        "item_id": item,
        "item_code": item,
        "customer_id": "C-1",
        "order_date": day,
        "currency": currency,
        "qty_ordered_ea": float(qty),
        "is_cancelled": cancelled,
        "net_price_per_ea": net,
        "net_price_per_ea_usd": net * usd_per_unit,
    }


def _invoice_line(customer, revenue, margin, rebate, freight, order=("SO-9", 1), qty=1.0):
    return {
        "order_id": order[0],
        "order_line_no": order[1],
        "qty_ea": qty,
        "entity_code": "US01",
        "customer_id": customer,
        "customer_code": customer,
        "channel": "REP",
        "invoice_month": "2025-03",
        "invoice_date": date(2025, 3, 15),
        "is_intercompany": False,
        "net_amount_usd": revenue,
        "gross_margin_usd": margin,
        "rebate_amount_usd": rebate,
        "freight_amount_usd": freight,
        "pocket_margin_usd": margin - rebate - freight,
    }


@pytest.fixture
def leakage() -> pl.DataFrame:
    order_lines = pl.DataFrame(
        [
            # 1 USD under the 10.00 floor on 100 EA: 100 USD at stake, 60 EA of it invoiced
            _order_line("SO-1", 1, "US01", "BB-1", date(2025, 3, 1), 100, 9.0, 1.0),
            _order_line("SO-1", 2, "US01", "BB-1", date(2025, 3, 1), 100, 10.5, 1.0),
            # 1 CAD under the 5.00 floor on 10 EA at 0.75 USD/CAD, cancelled since: 7.50 USD
            _order_line("SO-2", 1, "CA01", "BB-2", date(2025, 3, 2), 10, 4.0, 0.75, True),
            # under the old floor but the new price list (from July) has a floor of 8.50
            _order_line("SO-3", 1, "US01", "BB-1", date(2025, 8, 1), 5, 9.0, 1.0),
        ]
    )
    prices = pl.DataFrame(
        {
            "entity_code": ["US01", "US01", "CA01"],
            "local_item_code": ["BB-1", "BB-1", "BB-2"],
            "valid_from": [date(2025, 1, 1), date(2025, 7, 1), date(2025, 1, 1)],
            "valid_to": [date(2025, 7, 1), None, None],
            "list_price": [12.0, 11.0, 6.0],
            "floor_price": [10.0, 8.5, 5.0],
        }
    )
    invoice_lines = pl.DataFrame(
        [
            # C-1: 30 % gross margin, rebates 250 and freight 10 leave 40 = 4 % pocket margin,
            # 60 short of the 10 % target on 1,000 of revenue
            _invoice_line("C-1", 1000.0, 300.0, 250.0, 10.0),
            # C-2..C-4: freight 2 % of revenue, the entity × channel's typical share
            _invoice_line("C-2", 1000.0, 300.0, 0.0, 20.0, order=("SO-1", 1), qty=60.0),
            _invoice_line("C-3", 1000.0, 300.0, 0.0, 20.0),
            _invoice_line("C-4", 1000.0, 300.0, 0.0, 20.0),
            # C-5: freight 10 % of revenue, over 3 × 2 %: 100 − 2 % × 1,000 = 80 unbilled
            _invoice_line("C-5", 1000.0, 300.0, 0.0, 100.0),
        ]
    )
    con = warehouse(
        {
            "marts.fct_order_lines": order_lines,
            "marts.fct_invoice_lines": invoice_lines,
            "intermediate.int_item_prices": prices,
        }
    )
    return find_margin_leakage(con)


def test_prices_below_the_floor_valid_on_the_order_date(leakage: pl.DataFrame) -> None:
    below = leakage.filter(pl.col("leakage_kind") == "price_below_floor").sort("exception_key")
    assert below["exception_key"].to_list() == ["SO-1:1", "SO-2:1"]
    assert below["money_at_stake_usd"].to_list() == pytest.approx([100.0, 7.5])
    assert below["invoiced_leak_usd"].to_list() == pytest.approx([60.0, 0.0])
    assert below["severity"].to_list() == ["medium", "low"]
    assert below["owner_role"].to_list() == ["pricing_manager", "pricing_manager"]
    assert "10.0% below the floor 10.0" in below["explanation"][0]
    assert "cancelled" in below["explanation"][1]
    assert below["status"].to_list() == ["open", "cancelled"]
    assert below["sla_due"].to_list() == [datetime(2025, 3, 6), datetime(2025, 3, 7)]


def test_rebates_and_freight_that_sink_pocket_margin(leakage: pl.DataFrame) -> None:
    rebate = leakage.filter(pl.col("leakage_kind") == "rebate_below_target")
    assert rebate["exception_key"].to_list() == ["US01:C-1:2025-03"]
    assert rebate["money_at_stake_usd"].to_list() == pytest.approx([60.0])
    assert rebate["owner_role"].to_list() == ["sales_manager"]
    freight = leakage.filter(pl.col("leakage_kind") == "unbilled_freight")
    assert freight["exception_key"].to_list() == ["US01:C-5:2025-03"]
    assert freight["money_at_stake_usd"].to_list() == pytest.approx([80.0])


def test_ranked_by_money_with_every_exception_column(leakage: pl.DataFrame) -> None:
    assert leakage["rank"].to_list() == list(range(1, leakage.height + 1))
    assert leakage["money_at_stake_usd"].to_list() == pytest.approx([100.0, 80.0, 60.0, 7.5])
    for column in (
        "exception_key",
        "entity_code",
        "severity",
        "owner_role",
        "detected_at",
        "explanation",
    ):
        assert leakage[column].null_count() == 0, column
    assert leakage.schema["detected_at"] == pl.Datetime("us")
