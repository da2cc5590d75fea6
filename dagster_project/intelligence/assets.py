"""The intelligence models as assets downstream of the dbt marts they read.

Each asset runs one model of `intelligence.run` on the working warehouse, writes its table to
`intelligence.<table>` and its quality rows to `intelligence.model_report` (measured against the
landing zone's truth when there is one); `intelligence/model_report` gathers them for the run.
"""

from collections.abc import Callable
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.resources import WarehouseResource
from intelligence import run as intelligence_run
from intelligence.run import ModelRun

GROUP = "intelligence"


def mart(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


def _materialize(
    warehouse: WarehouseResource,
    runner: Callable[[duckdb.DuckDBPyConnection, Path | None], ModelRun],
) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        result = runner(con, warehouse.landing_path)
    metadata = {
        "table": f"intelligence.{result.table}",
        "rows": result.rows,
        "exceptions": result.exceptions,
    }
    metadata.update(
        {name: float(value) for name, value in result.metrics.items() if value is not None}
    )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=dg.AssetKey(["intelligence", "demand_anomalies"]),
    deps=[mart("fct_order_lines"), mart("dim_item")],
    group_name=GROUP,
    kinds={"duckdb", "python", "scipy"},
    description="Item × warehouse × week demand shocks against each pair's own seasonal baseline.",
)
def demand_anomalies(warehouse: WarehouseResource) -> dg.MaterializeResult:
    return _materialize(warehouse, intelligence_run.run_demand_anomalies)


@dg.asset(
    key=dg.AssetKey(["intelligence", "late_delivery_predictions"]),
    deps=[mart("fct_po_lines"), mart("dim_item")],
    group_name=GROUP,
    kinds={"duckdb", "python", "scikitlearn"},
    description="Probability that each open PO line arrives late, with its top reasons.",
)
def late_delivery_predictions(warehouse: WarehouseResource) -> dg.MaterializeResult:
    return _materialize(warehouse, intelligence_run.run_late_delivery)


@dg.asset(
    key=dg.AssetKey(["intelligence", "replenishment"]),
    deps=[
        mart("fct_inventory_daily"),
        mart("fct_order_lines"),
        mart("fct_po_lines"),
        mart("dim_item"),
    ],
    group_name=GROUP,
    kinds={"duckdb", "python", "scipy"},
    description="Reorder point, safety stock and order quantity per item × warehouse.",
)
def replenishment(warehouse: WarehouseResource) -> dg.MaterializeResult:
    return _materialize(warehouse, intelligence_run.run_replenishment)


@dg.asset(
    key=dg.AssetKey(["intelligence", "margin_leakage"]),
    deps=[
        mart("fct_order_lines"),
        mart("fct_invoice_lines"),
        # the entities' floor prices: no mart carries them yet
        dg.AssetKey(["intermediate", "int_item_prices"]),
    ],
    group_name=GROUP,
    kinds={"duckdb", "python"},
    description="Prices below floor, unbilled freight and rebates under target, ranked by money at stake.",
)
def margin_leakage(warehouse: WarehouseResource) -> dg.MaterializeResult:
    return _materialize(warehouse, intelligence_run.run_margin_leakage)


MODEL_ASSETS = [demand_anomalies, late_delivery_predictions, replenishment, margin_leakage]


@dg.asset(
    key=dg.AssetKey(["intelligence", "model_report"]),
    deps=[a.key for a in MODEL_ASSETS],
    group_name=GROUP,
    kinds={"duckdb"},
    description="What each model was trained on, when, and its measured quality.",
)
def model_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        report = intelligence_run.read_report(con)
    missing = sorted(set(intelligence_run.MODELS) - set(report["model"].to_list()))
    if missing:
        raise dg.Failure(description=f"no model report rows for: {', '.join(missing)}")
    metrics = {
        row["metric"]: float(row["value"])
        for row in report.iter_rows(named=True)
        if row["value"] is not None
    }
    return dg.MaterializeResult(metadata={"rows": report.height, **metrics})


intelligence_assets = [*MODEL_ASSETS, model_report]


# The quality targets as checks on the model report: warnings, never blocking (a model
# that measures below target still writes useful exceptions), and passed with a note when the
# world has no truth to measure against.
QUALITY_TARGETS = {
    "anomaly_detection.precision": (">=", 0.8),
    "anomaly_detection.recall": (">=", 0.8),
    "late_delivery.auc": (">=", 0.75),
    "margin_leakage.recall": (">=", 1.0),
}


@dg.asset_check(
    asset=model_report,
    description="Models meet issue 7's quality targets where the world has truth to measure.",
)
def model_quality_targets(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect() as con:
        report = intelligence_run.read_report(con)
    values = {
        row["metric"]: row["value"]
        for row in report.select("metric", "value").iter_rows(named=True)
    }
    missed, measured = [], {}
    for metric, (_, target) in QUALITY_TARGETS.items():
        value = values.get(metric)
        if value is None:
            continue
        measured[metric] = float(value)
        if value < target:
            missed.append(f"{metric} = {value:.3f} < {target}")
    with_, without = (
        values.get("replenishment.stockout_days_with"),
        values.get("replenishment.stockout_days_without"),
    )
    if with_ is not None and without is not None and with_ >= without:
        missed.append(f"replenishment: {with_:.0f} stockout days with vs {without:.0f} without")
    return dg.AssetCheckResult(
        passed=not missed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"missed": "; ".join(missed) or "none", **measured},
    )


intelligence_checks = [model_quality_targets]
