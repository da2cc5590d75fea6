"""The issue's quality targets, measured against the simulator's truth on an s world (seed 42).

Truth is read here from `truth/anomalies.csv` and the event log, and matched with the tables the
models wrote; nothing is taken from the model report except the holdout AUC (its labels are the
marts' own receipts).

What the targets mean on this simulator (numbers in README.md, "Intelligence"):
- demand shocks: precision over all detections, recall over all injected shocks. The simulator
  puts shocks on pairs that sell (at least 8 order lines a week) for 3-6 weeks, see
  simulator/WORLD.md.
- late delivery: ROC AUC on a time-based holdout; the simulator's lateness depends on the
  supplier's reliability, its open load, the lead time and the season, which the model's
  features see.
"""

from __future__ import annotations

import shutil

import duckdb
import polars as pl
import pytest

from intelligence.late_delivery import predict_late_deliveries
from intelligence.run import read_report, run_all
from intelligence.truth import (
    demand_shocks,
    late_delivery_oracle,
    late_delivery_supplier_oracle,
)
from tests.intelligence.conftest import MartsWorld

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("intel_s")]

# Measured on s seed 42 (README.md), rounded down; the targets where they are met.
PRECISION_FLOOR = 0.8
RECALL_FLOOR = 0.8
AUC_FLOOR = 0.75


@pytest.fixture(scope="module")
def ran(s_world: MartsWorld, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    warehouse = tmp_path_factory.mktemp("intel_s_run") / "backbone.duckdb"
    shutil.copy(s_world.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    run_all(con, s_world.landing)
    yield con
    con.close()


def _table(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql).to_arrow_table())


def test_demand_anomaly_precision_and_recall_at_least_0_8(ran, s_world: MartsWorld) -> None:
    shocks = demand_shocks(s_world.landing)
    found = _table(
        ran,
        "select item_id, warehouse_code, start_date, end_date from intelligence.demand_anomalies",
    )
    pairs = found.join(
        shocks.select(
            "anomaly_id",
            "item_id",
            "warehouse_code",
            pl.col("start_date").alias("s"),
            pl.col("end_date").alias("e"),
            "detectable",
        ),
        on=["item_id", "warehouse_code"],
    ).filter(
        (pl.col("start_date") <= pl.col("e") + pl.duration(days=3))
        & (pl.col("end_date") >= pl.col("s") - pl.duration(days=3))
    )
    matched = pairs.select("item_id", "warehouse_code", "start_date").unique().height
    caught = pairs["anomaly_id"].n_unique()
    detectable = shocks.filter(pl.col("detectable"))
    print(
        f"found={found.height} true={matched} shocks={shocks.height} caught={caught}"
        f" (detectable={detectable.height})"
    )
    assert shocks.height >= 20  # enough shocks for the ratio to mean something
    assert matched / found.height >= PRECISION_FLOOR
    assert caught / shocks.height >= RECALL_FLOOR


def test_every_injected_below_floor_price_is_found(ran, s_world: MartsWorld) -> None:
    injected = pl.read_csv(
        s_world.landing / "truth" / "anomalies.csv", try_parse_dates=True
    ).filter(pl.col("kind") == "price_below_floor")
    found = _table(
        ran,
        "select entity_code, item_id, item_code, warehouse_code, order_date"
        " from intelligence.margin_leakage where leakage_kind = 'price_below_floor'",
    )
    # legacy codes deliberately left unmapped in the crosswalk: judge them by the simulator's own
    xref = pl.read_parquet(s_world.landing / "truth" / "event_log" / "item_xref.parquet")
    found = found.join(
        xref.select(
            "entity_code",
            pl.col("local_item_code").alias("item_code"),
            pl.col("item_id").alias("true_id"),
        ),
        on=["entity_code", "item_code"],
        how="left",
    ).with_columns(pl.col("item_id").fill_null(pl.col("true_id")))
    keys = ["entity_code", "item_id", "warehouse_code"]
    want = injected.select(*keys, pl.col("start_date").alias("order_date"))
    assert want.height > 1000
    missing = want.join(found, on=[*keys, "order_date"], how="anti")
    assert missing.height == 0, missing


def test_late_delivery_auc_on_a_time_based_holdout(ran, s_world: MartsWorld) -> None:
    result = predict_late_deliveries(ran)
    oracle = late_delivery_oracle(result.holdout, s_world.landing)
    supplier_oracle = late_delivery_supplier_oracle(result.holdout, s_world.landing)
    print(
        f"auc={result.auc:.3f} reliability+delay oracle={oracle:.3f}"
        f" supplier oracle={supplier_oracle:.3f} holdout rows={result.test_lines}"
    )
    assert result.holdout["snapshot_date"].min() >= result.split_date
    assert result.auc >= AUC_FLOOR
    # at least as good as knowing every supplier's on_time_probability
    assert result.auc >= supplier_oracle - 0.01


def test_replenishment_replay_reports_fewer_stockout_days(ran) -> None:
    metrics = dict(
        read_report(ran)
        .filter(pl.col("model") == "replenishment")
        .select("metric", "value")
        .iter_rows()
    )
    with_, without = (
        metrics["replenishment.stockout_days_with"],
        metrics["replenishment.stockout_days_without"],
    )
    observed = metrics["replenishment.stockout_days_observed"]
    print(f"stockout days with={with_} without={without} observed={observed}")
    # the replay without the policy must resemble what the marts observed, or it proves nothing
    assert abs(without - observed) / observed < 0.35
    assert with_ < 0.85 * without
