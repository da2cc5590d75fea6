"""The demand-planning export (`planning/`): forecast KPIs rebuilt from the landing zone alone.

Forecasts come from the planning CSV files, actuals from the group ERP database the simulator
wrote (no event log, no simulator code), following simulator/TRUTH.md "Planning and control";
the result must equal truth/kpis.csv.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sqlite3
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from simulator.generate import generate_world

DAYS = 120  # 2025-01-01 .. 2025-04-30


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("planning") / "landing"
    generate_world(out, scale="xs", seed=11, fault_rate=0, days=DAYS)
    return out


def forecast_rows(landing: Path) -> list[dict]:
    rows = []
    for path in sorted((landing / "planning").glob("*/forecast_*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


def truth_cells(landing: Path) -> dict[tuple[str, str, str], float]:
    with (landing / "truth" / "kpis.csv").open(encoding="utf-8", newline="") as fh:
        return {
            (r["entity_code"], r["month"], r["kpi"]): float(r["value"]) for r in csv.DictReader(fh)
        }


def erp_actuals(landing: Path) -> dict[tuple[str, str, date], float]:
    """EA ordered per (item, warehouse, Monday) of non-cancelled lines, from the group ERP."""
    con = sqlite3.connect(landing / "erp" / "group_erp.sqlite")
    rows = con.execute(
        "select l.item_id, o.warehouse_code, o.order_date, l.qty_ordered_ea"
        " from sales_order_lines l join sales_orders o using (order_id)"
        " where l.line_status <> 'cancelled'"
    ).fetchall()
    con.close()
    actual: dict[tuple[str, str, date], float] = defaultdict(float)
    for item, warehouse, order_date, qty in rows:
        day = date.fromisoformat(order_date[:10])
        actual[(item, warehouse, day - timedelta(days=day.weekday()))] += qty
    return actual


def test_export_format(landing: Path) -> None:
    files = sorted((landing / "planning").glob("*/forecast_*.csv"))
    assert files and all(date.fromisoformat(
        f"{p.parent.name[:4]}-{p.parent.name[4:6]}-{p.parent.name[6:]}"
    ).weekday() == 0 for p in files)  # fmt: skip
    rows = forecast_rows(landing)
    assert list(rows[0]) == [
        "forecast_version", "forecast_date", "entity_code", "warehouse_code", "item_code",
        "week_start", "lag_weeks", "uom", "forecast_qty",
    ]  # fmt: skip
    for r in rows:
        made, week = date.fromisoformat(r["forecast_date"]), date.fromisoformat(r["week_start"])
        assert (week - made).days == 7 * int(r["lag_weeks"]) and week.weekday() == 0
        assert r["warehouse_code"].startswith(r["entity_code"]) and r["uom"] == "EA"
        assert float(r["forecast_qty"]) >= 0
    prefixes = {r["entity_code"]: r["item_code"].split("-")[0][:3] for r in rows}
    assert prefixes["US01"] == "BB" and prefixes["MX02"] == "ART" and prefixes["US02"] == "GL."


@pytest.mark.parametrize(
    "entity, month", [("US01", "2025-02"), ("CA01", "2025-03"), ("MX01", "2025-04")]
)
def test_forecast_kpis_rebuilt_from_the_export(landing: Path, entity: str, month: str) -> None:
    end = date.fromisoformat(json.loads((landing / "world.json").read_text())["end"])
    latest: dict[tuple[str, str, date], tuple[date, float]] = {}
    for r in forecast_rows(landing):
        week = date.fromisoformat(r["week_start"])
        if r["entity_code"] != entity or int(r["lag_weeks"]) != 2:
            continue
        if week.strftime("%Y-%m") != month or week + timedelta(days=6) > end:
            continue
        key = (r["item_code"], r["warehouse_code"], week)
        made = date.fromisoformat(r["forecast_date"])
        if key not in latest or made > latest[key][0]:
            latest[key] = (made, float(r["forecast_qty"]))
    actual = erp_actuals(landing)
    cells = [(f, actual.get(key, 0.0)) for key, (_, f) in latest.items()]
    total = sum(a for _, a in cells)
    assert len(cells) > 20 and total > 0
    truth = truth_cells(landing)
    assert truth[(entity, month, "forecast_accuracy")] == pytest.approx(
        1 - sum(abs(f - a) for f, a in cells) / total, abs=1e-9
    )
    assert truth[(entity, month, "forecast_bias")] == pytest.approx(
        sum(f - a for f, a in cells) / total, abs=1e-9
    )
    assert truth[(entity, month, "forecast_variance")] == pytest.approx(
        sum(a - f for f, a in cells), abs=1e-6
    )
    assert truth[(entity, month, "forecast_variance_flagged")] == sum(
        abs(a - f) > 0.5 * f for f, a in cells
    )


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_append_days_writes_only_new_runs_and_matches_a_longer_world(tmp_path: Path) -> None:
    out = tmp_path / "appended"
    generate_world(out, scale="xs", seed=5, days=30)
    before = _hashes(out / "planning")
    summary = generate_world(out, append_days=14)
    after = _hashes(out / "planning")
    assert summary.files["planning"] == len(after) - len(before) == 2  # Feb 3 and Feb 10
    assert {k: after[k] for k in before} == before
    generate_world(tmp_path / "fresh", scale="xs", seed=5, days=44)
    assert after == _hashes(tmp_path / "fresh" / "planning")
