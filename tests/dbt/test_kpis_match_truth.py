"""The dbt project, built on a generated xs world, reproduces the simulator's ground truth.

One session fixture generates an xs world (`--fault-rate 0`) and runs the pipeline on it: the
loaders, the raw gates, `dbt build` (seeds, models, data tests, unit tests) and publish. Every
KPI cell of the published `marts.kpi_monthly` is then compared with `truth/kpis.csv`: counts exactly,
rates within 0.001, amounts within 0.01 %. Every KPI of the truth is built, the forecast family
from the demand-planning tool's export.

Set BACKBONE_TEST_XS_WORLD to reuse a world built by `tests.worlds.build_published_world`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tests.worlds import PublishedWorld

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt"

# KPIs the simulator has no truth for: built from Backbone's own workflow log
NOT_IN_TRUTH = {"exception_resolution_hours", "exception_resolution_hours_p90"}
COUNT_KPIS = {"forecast_variance_flagged"}
AMOUNT_SUFFIX = "_usd"
RATE_TOLERANCE = 1e-3
AMOUNT_RELATIVE_TOLERANCE = 1e-4

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def built_world(published_xs_world: PublishedWorld) -> PublishedWorld:
    """The product's own path: generate, `run_pipeline` (loads, gates, dbt build), publish."""
    return published_xs_world


def compare_with_truth(warehouse: Path, truth_csv: Path) -> pl.DataFrame:
    """One row per (entity, month, kpi) of truth or the model, with `ok` and the reason."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(
            "select entity_code, month, kpi, value from marts.kpi_monthly"
        ).fetchall()
    finally:
        con.close()
    got = pl.DataFrame(
        rows,
        schema={"entity_code": pl.Utf8, "month": pl.Utf8, "kpi": pl.Utf8, "value": pl.Float64},
        orient="row",
    )
    truth = pl.read_csv(truth_csv, schema_overrides={"value": pl.Float64})
    joined = truth.join(
        got, on=["entity_code", "month", "kpi"], how="full", coalesce=True, suffix="_model"
    )
    return joined.with_columns(
        ok=pl.struct("kpi", "value", "value_model").map_elements(
            lambda r: cell_matches(r["kpi"], r["value"], r["value_model"]), return_dtype=pl.Boolean
        )
    )


def cell_matches(kpi: str, expected: float | None, actual: float | None) -> bool:
    if expected is None or actual is None or math.isnan(actual) or math.isinf(actual):
        return False
    if kpi in COUNT_KPIS:
        return expected == actual
    if kpi.endswith(AMOUNT_SUFFIX):
        return abs(expected - actual) <= max(AMOUNT_RELATIVE_TOLERANCE * abs(expected), 0.005)
    return abs(expected - actual) <= RATE_TOLERANCE


def reconciliation_report(cells: pl.DataFrame) -> dict[str, dict[str, int]]:
    report: dict[str, dict[str, int]] = defaultdict(
        lambda: {"cells": 0, "match": 0, "missing": 0, "extra": 0}
    )
    for row in cells.iter_rows(named=True):
        entry = report[row["kpi"]]
        entry["cells"] += 1
        entry["match"] += int(row["ok"])
        entry["missing"] += int(row["value_model"] is None)
        entry["extra"] += int(row["value"] is None)
    return dict(sorted(report.items()))


def test_dbt_build_passes(built_world: PublishedWorld) -> None:
    """Every node of the run's `dbt build` passed, as recorded in the published audit trail."""
    con = duckdb.connect(str(built_world.published), read_only=True)
    try:
        rows = con.execute(
            "select kind, check_name, passed, description from audit.quality_results"
            " where source_system = 'dbt'"
        ).fetchall()
    finally:
        con.close()
    kinds = {kind for kind, *_ in rows}
    assert {"dbt_model", "dbt_seed", "dbt_test", "dbt_unit_test"} <= kinds
    failed = [
        f"{kind} {name}: {description}" for kind, name, passed, description in rows if not passed
    ]
    assert failed == []


def test_every_built_kpi_cell_matches_truth(built_world: PublishedWorld) -> None:
    cells = compare_with_truth(built_world.published, built_world.landing / "truth" / "kpis.csv")
    report = reconciliation_report(cells)
    lines = [
        f"{kpi:32s} cells={r['cells']:4d} match={r['match']:4d} missing={r['missing']:4d} extra={r['extra']:4d}"
        for kpi, r in report.items()
    ]
    print("\n".join(lines))
    built = cells.filter(~pl.col("kpi").is_in(list(NOT_IN_TRUTH)))
    wrong = built.filter(~pl.col("ok"))
    assert built.height > 0
    assert wrong.height == 0, (
        f"{wrong.height} of {built.height} KPI cells differ from truth:\n"
        + "\n".join(lines)
        + "\n"
        + str(wrong.head(30))
    )


def test_every_kpi_is_defined(built_world: PublishedWorld) -> None:
    con = duckdb.connect(str(built_world.published), read_only=True)
    try:
        undefined = con.execute(
            "select distinct kpi from marts.kpi_monthly"
            " where kpi not in (select kpi from reference.kpi_definitions)"
        ).fetchall()
    finally:
        con.close()
    assert undefined == []
