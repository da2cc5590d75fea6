"""The dashboards' pre-aggregated marts give the numbers the detail tables give, and a
publication without them (or with stale ones) falls back to the detail tables."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards import data as module
from dashboards.auth import User
from dashboards.data import Data
from quality import report
from tests.dashboards.conftest import published_con

CEO = User("ceo", "CEO", "executive", None)
US = User("us_manager", "US manager", "entity_manager", ("US01", "US02"))
STEWARD = User("steward", "Steward", "steward", None)


def _without_marts(monkeypatch: pytest.MonkeyPatch) -> None:
    marts = {module.INVENTORY_MONTHLY, module.DEMAND_DAILY}
    original = Data.has_table
    monkeypatch.setattr(
        Data, "has_table", lambda self, name: name not in marts and original(self, name)
    )
    monkeypatch.setattr(report, "marts_current", lambda con: False)


def test_the_world_publishes_the_marts(home) -> None:
    con = published_con(home)
    found = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'"
            " and table_name like 'agg_%'"
        ).fetchall()
    }
    con.close()
    assert {
        module.INVENTORY_MONTHLY,
        module.DEMAND_DAILY,
        report.FEED_LOADS,
        report.QUARANTINE_REASONS,
    } <= found


@pytest.mark.parametrize("user", [CEO, US], ids=["ceo", "us_manager"])
def test_inventory_from_the_marts_equals_the_daily_positions(home, monkeypatch, user) -> None:
    fast = Data(user, use_cache=False)
    months = fast.months()
    calls = [("inventory_by_warehouse", (m,)) for m in months[-2:]]
    calls += [("inventory_items", (months[-1], None, e)) for e in (None, *fast.entity_choices())]
    expected = {}
    for name, args in calls:
        expected[name, args] = getattr(fast, name)(*args)
    module.clear_cache()
    _without_marts(monkeypatch)
    slow = Data(user, use_cache=False)
    for (name, args), frame in expected.items():
        pd.testing.assert_frame_equal(frame, getattr(slow, name)(*args), rtol=1e-9)
    if user.entities:
        assert set(expected[calls[0]]["entity_code"]) <= set(user.entities)


def test_quality_from_the_marts_equals_the_report(home, monkeypatch) -> None:
    data = Data(STEWARD, use_cache=False)
    with data._unscoped() as con:
        assert report.marts_current(con)
    fast = data.quality()
    module.clear_cache()
    _without_marts(monkeypatch)
    slow = Data(STEWARD, use_cache=False).quality()
    for key in ("loads", "freshness", "quarantine"):
        order = list(fast[key].columns)
        pd.testing.assert_frame_equal(
            fast[key].sort_values(order).reset_index(drop=True),
            slow[key].sort_values(order).reset_index(drop=True),
        )


def test_exception_queue_pages_and_totals(home) -> None:
    data = Data(CEO)
    whole = data.exceptions()
    page, totals = data.exception_queue(limit=10)
    assert totals["exceptions"] == len(whole)
    assert totals["money_at_stake_usd"] == pytest.approx(
        whole["money_at_stake_usd"].fillna(0).sum()
    )
    assert list(page["exception_id"]) == list(whole["exception_id"].head(10))
    second, _ = data.exception_queue(limit=10, offset=10)
    assert list(second["exception_id"]) == list(whole["exception_id"].iloc[10:20])
    some_type = whole["exception_type"].iloc[0]
    _, typed = data.exception_queue(types=(some_type,))
    assert typed["exceptions"] == int((whole["exception_type"] == some_type).sum())
    scoped, scoped_totals = Data(US).exception_queue(limit=1000)
    assert set(scoped["entity_code"]) <= {"US01", "US02"}
    assert scoped_totals["exceptions"] == int(whole["entity_code"].isin(["US01", "US02"]).sum())
