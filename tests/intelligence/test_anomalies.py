"""Demand anomalies on synthetic order lines with known shocks and promotions.

Thirty busy pairs of one category sell about one line a day. One of them triples for three
weeks (a shock), one drops to a tenth for four weeks (a shock), and ten others run a three-week
promotion that lifts their demand 2.5× with 6 % extra discount (planned, not an anomaly).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from intelligence.anomalies import find_shocks, weekly_demand

START = date(2025, 1, 6)  # a Monday
DAYS = 26 * 7
UP_WEEKS = range(10, 13)
DOWN_WEEKS = range(16, 20)
PROMO_WEEKS = range(5, 8)


def _lines() -> pl.DataFrame:
    rng = np.random.default_rng(11)
    frames = []
    for pair in range(30):
        for day in range(DAYS):
            week = day // 7
            rate, discount = 1.0, 0.02
            if pair == 0 and week in UP_WEEKS:
                rate = 3.0
            if pair == 1 and week in DOWN_WEEKS:
                rate = 0.1
            if 10 <= pair < 20 and week in PROMO_WEEKS:
                rate, discount = 2.5, 0.08
            n = int(rng.poisson(rate))
            if n:
                frames.append(
                    {
                        "item_id": f"BB-{pair:03d}",
                        "warehouse_code": "US01-ATL",
                        "entity_code": "US01",
                        "order_date": START + timedelta(days=day),
                        "customer_id": "C-1",
                        "discount_pct": discount,
                        "qty_ordered_ea": 5.0 * n,
                        "net_price_per_ea_usd": 2.0,
                        "n": n,
                    }
                )
    # one row per line
    return (
        pl.DataFrame(frames)
        .with_columns(pl.int_ranges(0, pl.col("n")))
        .explode("literal")
        .drop("n", "literal")
        .with_columns(qty_ordered_ea=pl.lit(5.0))
    )


@pytest.fixture(scope="module")
def found() -> pl.DataFrame:
    categories = pl.DataFrame(
        {"item_id": [f"BB-{p:03d}" for p in range(30)], "category": ["fasteners"] * 30}
    )
    return find_shocks(weekly_demand(_lines(), categories))


def test_both_shocks_are_found_with_direction_and_dates(found: pl.DataFrame) -> None:
    assert sorted(found["item_id"].to_list()) == ["BB-000", "BB-001"]
    up = found.filter(pl.col("item_id") == "BB-000").row(0, named=True)
    down = found.filter(pl.col("item_id") == "BB-001").row(0, named=True)
    assert up["direction"] == "up" and down["direction"] == "down"
    up_start = START + timedelta(weeks=UP_WEEKS[0])
    down_start = START + timedelta(weeks=DOWN_WEEKS[0])
    assert abs((up["start_date"] - up_start).days) <= 7
    assert abs((down["start_date"] - down_start).days) <= 7
    assert up["demand_ratio"] > 2 and down["demand_ratio"] < 0.3


def test_promotions_are_not_anomalies(found: pl.DataFrame) -> None:
    promoted = {f"BB-{p:03d}" for p in range(10, 20)}
    assert not promoted & set(found["item_id"])


def test_each_anomaly_is_an_exception_a_planner_reads(found: pl.DataFrame) -> None:
    up = found.filter(pl.col("item_id") == "BB-000").row(0, named=True)
    assert up["owner_role"] == "demand_planner"
    assert up["severity"] in {"high", "medium"}
    assert up["exception_key"] == f"BB-000:US01-ATL:{up['start_date']}"
    assert "Demand for BB-000 at US01-ATL jumped" in up["explanation"]
    assert up["money_at_stake_usd"] == pytest.approx(
        (up["observed_lines"] - up["expected_lines"]) * 10.0
    )
    assert up["detected_at"].date() == up["end_date"] + timedelta(days=1)
