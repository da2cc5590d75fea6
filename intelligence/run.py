"""Run each model on the marts, write its table to `intelligence.*`, and record its quality in
`intelligence.model_report`, measured against the simulator's truth when the landing zone has it.

One public function per model (what a Dagster asset calls) and `run_all` (what the CLI and the
tests call). Each replaces its own table and its own rows of the model report, so the models can
run in any order and alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from intelligence import truth
from intelligence.anomalies import ALPHA, detect_demand_anomalies
from intelligence.late_delivery import predict_late_deliveries
from intelligence.margin_leakage import find_margin_leakage
from intelligence.replenishment import recommend_replenishment, simulate_stockouts
from intelligence.warehouse import SCHEMA, as_of_date, has_table, read, write

REPORT_TABLE = "model_report"
REPORT_SCHEMA = {
    "model": pl.Utf8,
    "metric": pl.Utf8,
    "value": pl.Float64,
    "trained_on": pl.Utf8,
    "trained_at": pl.Datetime("us"),
    "evaluated_on": pl.Utf8,
    "measured_against": pl.Utf8,
    "as_of_date": pl.Date,
}
MODELS = ("anomaly_detection", "late_delivery", "replenishment", "margin_leakage")


@dataclass(frozen=True)
class ModelRun:
    model: str
    table: str
    rows: int
    exceptions: int
    metrics: dict[str, float | None]


def run_all(con: duckdb.DuckDBPyConnection, landing: Path | None = None) -> list[ModelRun]:
    """Every model, in order; returns what each wrote and measured."""
    return [
        run_demand_anomalies(con, landing),
        run_late_delivery(con, landing),
        run_replenishment(con, landing),
        run_margin_leakage(con, landing),
    ]


def run_demand_anomalies(con: duckdb.DuckDBPyConnection, landing: Path | None = None) -> ModelRun:
    """`intelligence.demand_anomalies`; precision and recall against injected demand shocks."""
    found = detect_demand_anomalies(con)
    write(con, "demand_anomalies", found)
    pairs, first, last = con.execute(
        "select count(distinct (coalesce(item_id, item_code), warehouse_code)),"
        " min(order_date), max(order_date) from marts.fct_order_lines"
    ).fetchall()[0]
    trained_on = (
        f"{pairs} item × warehouse pairs of marts.fct_order_lines, weekly order lines"
        f" {first} .. {last}"
    )
    metrics: dict[str, float | None] = {
        "anomalies_found": float(found.height),
        "alpha": ALPHA,
    }
    evaluated_on, against = "the detections themselves (no truth in the landing zone)", None
    shocks = truth.demand_shocks(landing)
    if shocks is not None:
        found_true = truth.with_true_ids_for_local_codes(found, landing)
        detectable = shocks.filter(pl.col("detectable").fill_null(False))
        on_all = truth.score_events(
            found_true, shocks, keys=["item_id", "warehouse_code"], slack_days=3
        )
        on_detectable = truth.score_events(
            found_true, detectable, keys=["item_id", "warehouse_code"], slack_days=3
        )
        metrics.update(
            {
                "precision": on_all.precision,
                "recall": on_all.recall,
                "recall_detectable": on_detectable.recall,
                "shocks_injected": float(shocks.height),
                "shocks_detectable": float(detectable.height),
            }
        )
        evaluated_on = (
            f"all {shocks.height} injected demand shocks; a detection is right when it overlaps"
            " a shock of its pair within 3 days; recall over all of them (recall_detectable: over"
            f" the {detectable.height} with signal-to-noise ≥ {truth.DETECTABLE_SNR:g} in the"
            " event log's own order lines, for reference)"
        )
        against = "truth/anomalies.csv (demand_shock), truth/event_log"
    _report(con, "anomaly_detection", metrics, trained_on, evaluated_on, against)
    return ModelRun("anomaly_detection", "demand_anomalies", found.height, found.height, metrics)


def run_late_delivery(con: duckdb.DuckDBPyConnection, landing: Path | None = None) -> ModelRun:
    """`intelligence.late_delivery_predictions`; ROC AUC on a time-based holdout."""
    result = predict_late_deliveries(con)
    predictions = result.predictions
    write(con, "late_delivery_predictions", predictions)
    exceptions = int(predictions["is_exception"].sum()) if predictions.height else 0
    metrics: dict[str, float | None] = {
        "auc": result.auc,
        "train_rows": float(result.train_lines),
        "holdout_rows": float(result.test_lines),
        "open_lines_scored": float(predictions.height),
        "predicted_late": float(exceptions),
        # the explanation itself: each standardised feature's weight in the log-odds
        **{f"coefficient.{name}": value for name, value in result.coefficients.items()},
    }
    against = "time-based holdout (outcomes in marts.fct_po_lines)"
    oracle = truth.late_delivery_oracle(result.holdout, landing)
    if oracle is not None:
        metrics["auc_reliability_delay_oracle"] = oracle
        metrics["auc_supplier_oracle"] = truth.late_delivery_supplier_oracle(
            result.holdout, landing
        )
        against += "; oracles from truth/event_log suppliers' on-time probability and delays"
    evaluated_on = (
        f"rows seen from {result.split_date} (model trained on rows due before it);"
        " auc_reliability_delay_oracle: the AUC of an oracle knowing each supplier's"
        " on_time_probability (its reliability at its usual load) and its delay windows, on the"
        " same rows; auc_supplier_oracle: knowing the probabilities only. Not ceilings: load,"
        " lead time and season drive lateness too"
    )
    _report(
        con, "late_delivery", metrics, result.trained_on, evaluated_on, against, result.trained_at
    )
    return ModelRun(
        "late_delivery", "late_delivery_predictions", predictions.height, exceptions, metrics
    )


def run_replenishment(con: duckdb.DuckDBPyConnection, landing: Path | None = None) -> ModelRun:
    """`intelligence.replenishment`; stockout days in a replay with and without the policy."""
    recommendations = recommend_replenishment(con)
    write(con, "replenishment", recommendations)
    replay = simulate_stockouts(con)
    below = int(recommendations["below_reorder_point"].sum()) if recommendations.height else 0
    metrics: dict[str, float | None] = {
        "stockout_days_with": float(replay.stockout_days_with),
        "stockout_days_without": float(replay.stockout_days_without),
        "stockout_days_observed": float(replay.stockout_days_observed),
        "avg_stock_value_usd_with": replay.avg_stock_value_usd_with,
        "avg_stock_value_usd_without": replay.avg_stock_value_usd_without,
        "pairs": float(recommendations.height),
        "below_reorder_point": float(below),
    }
    trained_on = (
        "demand of marts.fct_order_lines and lead times of marts.fct_po_lines before each as-of"
        f" date; stock from marts.fct_inventory_daily ({recommendations.height} pairs)"
    )
    evaluated_on = (
        f"replay of {replay.start} .. {replay.end} over {replay.pairs} pairs: real demand, real"
        " POs (without) or the recommended policy with the lead times suppliers really delivered"
        " (with); stockout_days_observed: marts.fct_inventory_daily over the same days"
    )
    _report(con, "replenishment", metrics, trained_on, evaluated_on, "replay of the marts")
    return ModelRun("replenishment", "replenishment", recommendations.height, below, metrics)


def run_margin_leakage(con: duckdb.DuckDBPyConnection, landing: Path | None = None) -> ModelRun:
    """`intelligence.margin_leakage`; recall of injected below-floor prices."""
    leakage = find_margin_leakage(con)
    write(con, "margin_leakage", leakage)
    metrics: dict[str, float | None] = {
        "candidates": float(leakage.height),
        "money_at_stake_usd": float(leakage["money_at_stake_usd"].sum() or 0.0),
    }
    for kind in ("price_below_floor", "unbilled_freight", "rebate_below_target"):
        metrics[f"{kind}_found"] = float(leakage.filter(pl.col("leakage_kind") == kind).height)
    evaluated_on, against = "the findings themselves (no truth in the landing zone)", None
    anomalies = truth.load_anomalies(landing)
    if anomalies is not None:
        injected = anomalies.filter(pl.col("kind") == truth.PRICE_BELOW_FLOOR).rename(
            {"start_date": "order_date"}
        )
        found = truth.with_true_item_ids(
            leakage.filter(pl.col("leakage_kind") == "price_below_floor"), landing
        )
        score = truth.score_rows(
            found, injected, keys=["entity_code", "item_id", "warehouse_code", "order_date"]
        )
        metrics.update(
            {
                "recall": score.recall,
                "precision": score.precision,
                "injected": float(injected.height),
            }
        )
        evaluated_on = (
            f"{injected.height} injected below-floor order lines, matched on entity, item,"
            " warehouse and order date"
        )
        against = "truth/anomalies.csv (price_below_floor)"
    trained_on = (
        "rules over marts.fct_order_lines, marts.fct_invoice_lines, intermediate.int_item_prices"
    )
    _report(con, "margin_leakage", metrics, trained_on, evaluated_on, against)
    return ModelRun("margin_leakage", "margin_leakage", leakage.height, leakage.height, metrics)


def read_report(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The model report, or an empty frame when no model has run."""
    if not has_table(con, SCHEMA, REPORT_TABLE):
        return pl.DataFrame(schema=REPORT_SCHEMA)
    return read(con, f"select * from {SCHEMA}.{REPORT_TABLE} order by model, metric")


def _report(
    con: duckdb.DuckDBPyConnection,
    model: str,
    metrics: dict[str, float | None],
    trained_on: str,
    evaluated_on: str,
    against: str | None,
    trained_at: datetime | None = None,
) -> None:
    """Replace this model's rows of the model report."""
    at = trained_at or datetime.now().replace(microsecond=0)
    rows = pl.DataFrame(
        {
            "model": [model] * len(metrics),
            "metric": [f"{model}.{name}" for name in metrics],
            "value": [None if v is None else float(v) for v in metrics.values()],
            "trained_on": [trained_on] * len(metrics),
            "trained_at": [at] * len(metrics),
            "evaluated_on": [evaluated_on] * len(metrics),
            "measured_against": [against] * len(metrics),
            "as_of_date": [as_of_date(con)] * len(metrics),
        },
        schema=REPORT_SCHEMA,
    )
    others = read_report(con).filter(pl.col("model") != model)
    write(con, REPORT_TABLE, pl.concat([others, rows]).sort("model", "metric"))
