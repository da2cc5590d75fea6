"""The simulator's ground truth (`truth/anomalies.csv`), and the scores that compare findings with it.

Truth comes from the simulator's event log, never from the files the pipeline loaded, so a score
here measures the whole chain (ingestion, dbt, model) against what really happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

DEMAND_SHOCK = "demand_shock"
SUPPLIER_DELAY = "supplier_delay"
PRICE_BELOW_FLOOR = "price_below_floor"


@dataclass(frozen=True)
class Score:
    precision: float | None
    recall: float | None
    true_positives: int
    found: int
    expected: int


def load_anomalies(landing: Path | None) -> pl.DataFrame | None:
    """`truth/anomalies.csv` of a landing zone, or None when the world has no truth."""
    if landing is None:
        return None
    path = Path(landing) / "truth" / "anomalies.csv"
    if not path.exists():
        return None
    return pl.read_csv(
        path,
        schema_overrides={
            "start_date": pl.Date,
            "end_date": pl.Date,
            "magnitude": pl.Float64,
            "item_id": pl.Utf8,
            "warehouse_code": pl.Utf8,
            "supplier_id": pl.Utf8,
            "entity_code": pl.Utf8,
        },
    )


def score_events(
    found: pl.DataFrame, truth: pl.DataFrame, *, keys: list[str], slack_days: int = 0
) -> Score:
    """Interval matching: a found event (keys, start_date, end_date) is a true positive when it
    overlaps a true one of the same keys (± `slack_days`); recall counts true events overlapped.
    """
    pairs = found.with_row_index("_found").join(
        truth.with_row_index("_truth"), on=keys, how="inner", suffix="_truth"
    )
    hits = pairs.filter(
        (pl.col("start_date") <= pl.col("end_date_truth") + pl.duration(days=slack_days))
        & (pl.col("end_date") >= pl.col("start_date_truth") - pl.duration(days=slack_days))
    )
    found_hit = hits["_found"].n_unique()
    truth_hit = hits["_truth"].n_unique()
    return Score(
        precision=found_hit / found.height if found.height else None,
        recall=truth_hit / truth.height if truth.height else None,
        true_positives=truth_hit,
        found=found.height,
        expected=truth.height,
    )


def score_rows(found: pl.DataFrame, truth: pl.DataFrame, *, keys: list[str]) -> Score:
    """Multiset matching on exact keys (e.g. entity, item, warehouse, date): each true row can be
    claimed by one found row."""
    f = found.group_by(keys).agg(found_n=pl.len())
    t = truth.group_by(keys).agg(truth_n=pl.len())
    both = f.join(t, on=keys, how="full", coalesce=True).fill_null(0)
    matched = int(both.select(pl.min_horizontal("found_n", "truth_n").sum()).item())
    return Score(
        precision=matched / found.height if found.height else None,
        recall=matched / truth.height if truth.height else None,
        true_positives=matched,
        found=found.height,
        expected=truth.height,
    )


def with_true_item_ids(found: pl.DataFrame, landing: Path | None) -> pl.DataFrame:
    """Fill `item_id` where the marts left it null (a legacy code deliberately unmapped) from the
    simulator's own crosswalk, so a finding on an unmapped item can be matched with truth.
    Evaluation only: the models themselves never see the simulator's crosswalk."""
    path = None if landing is None else Path(landing) / "truth" / "event_log" / "item_xref.parquet"
    if path is None or not path.exists() or "item_code" not in found.columns:
        return found
    xref = pl.read_parquet(path).select(
        "entity_code",
        pl.col("local_item_code").alias("item_code"),
        pl.col("item_id").alias("_true"),
    )
    return (
        found.join(xref, on=["entity_code", "item_code"], how="left")
        .with_columns(pl.col("item_id").fill_null(pl.col("_true")))
        .drop("_true")
    )


def with_true_ids_for_local_codes(found: pl.DataFrame, landing: Path | None) -> pl.DataFrame:
    """The same for frames whose `item_id` already holds the local code where it was unmapped."""
    if "item_code" in found.columns:
        return with_true_item_ids(found, landing)
    return (
        with_true_item_ids(
            found.with_columns(item_code=pl.col("item_id"), item_id=pl.lit(None, dtype=pl.Utf8)),
            landing,
        )
        .with_columns(pl.col("item_id").fill_null(pl.col("item_code")))
        .drop("item_code")
    )


# A shock is detectable in principle when the change it makes to the pair's line count over its
# days stands out from Poisson noise: |E1 − E0| / √(E0 + E1) ≥ this, where E0 is the pair's own
# line rate (outside its shocks) over the shock's days and E1 = E0 × magnitude.
DETECTABLE_SNR = 3.0


def demand_shocks(landing: Path | None) -> pl.DataFrame | None:
    """The injected demand shocks with their signal-to-noise ratio, from the event log's own
    order lines (not from the warehouse), or None without truth."""
    anomalies = load_anomalies(landing)
    if anomalies is None:
        return None
    shocks = anomalies.filter(pl.col("kind") == DEMAND_SHOCK)
    events = Path(landing) / "truth" / "event_log"  # type: ignore[arg-type]
    lines_path, orders_path = events / "sales_order_lines.parquet", events / "sales_orders.parquet"
    if not (lines_path.exists() and orders_path.exists()):
        return shocks.with_columns(snr=pl.lit(None, dtype=pl.Float64))
    orders = pl.read_parquet(orders_path, columns=["order_id", "warehouse_code", "order_date"])
    lines = pl.read_parquet(lines_path, columns=["order_id", "item_id", "substitute_for_line_no"])
    lines = lines.filter(pl.col("substitute_for_line_no").is_null()).join(orders, on="order_id")
    first, last = orders["order_date"].min(), orders["order_date"].max()
    horizon_days = (last - first).days + 1
    # each pair's rate outside its shock windows (lines per day)
    in_shock = lines.join(
        shocks.select("item_id", "warehouse_code", "start_date", "end_date"),
        on=["item_id", "warehouse_code"],
    ).filter(pl.col("order_date").is_between(pl.col("start_date"), pl.col("end_date")))
    shock_days = shocks.group_by("item_id", "warehouse_code").agg(
        days=(
            (
                pl.min_horizontal(pl.col("end_date"), pl.lit(last)) - pl.col("start_date")
            ).dt.total_days()
            + 1
        ).sum()
    )
    totals = lines.group_by("item_id", "warehouse_code").agg(n=pl.len())
    inside = in_shock.group_by("item_id", "warehouse_code").agg(n_in=pl.len())
    rate = (
        totals.join(inside, on=["item_id", "warehouse_code"], how="left")
        .join(shock_days, on=["item_id", "warehouse_code"], how="left")
        .with_columns(
            rate=(pl.col("n") - pl.col("n_in").fill_null(0))
            / (horizon_days - pl.col("days").fill_null(0)).clip(lower_bound=1)
        )
        .select("item_id", "warehouse_code", "rate")
    )
    days = (
        pl.min_horizontal(pl.col("end_date"), pl.lit(last)) - pl.col("start_date")
    ).dt.total_days() + 1
    shocks = shocks.join(rate, on=["item_id", "warehouse_code"], how="left").with_columns(
        expected_lines=pl.col("rate").fill_null(0.0) * days
    )
    e0, e1 = pl.col("expected_lines"), pl.col("expected_lines") * pl.col("magnitude")
    return shocks.with_columns(
        snr=pl.when(e0 > 0).then((e1 - e0).abs() / (e0 + e1).sqrt()).otherwise(0.0)
    ).with_columns(detectable=pl.col("snr") >= DETECTABLE_SNR)


def late_delivery_oracle(holdout: pl.DataFrame, landing: Path | None) -> float | None:
    """ROC AUC of an oracle on the same holdout rows: scoring each line by its supplier's
    `on_time_probability`, and as certain when a supplier_delay was active on its PO date.

    Not a ceiling: the simulator's lateness also grows with the supplier's load, the lead time
    and the season (simulator/WORLD.md), which a model on the marts can see and this oracle
    does not."""
    return _late_delivery_oracle(holdout, landing, with_delays=True)


def late_delivery_supplier_oracle(holdout: pl.DataFrame, landing: Path | None) -> float | None:
    """ROC AUC of scoring each holdout row by its supplier's `on_time_probability` alone: what
    knowing every supplier's reliability, but no delay window nor load, is worth."""
    return _late_delivery_oracle(holdout, landing, with_delays=False)


def _late_delivery_oracle(
    holdout: pl.DataFrame, landing: Path | None, *, with_delays: bool
) -> float | None:
    from sklearn.metrics import roc_auc_score

    if landing is None or holdout.height == 0 or holdout["late"].n_unique() < 2:
        return None
    events = Path(landing) / "truth" / "event_log"
    needed = [events / f"{n}.parquet" for n in ("purchase_orders", "suppliers")]
    anomalies = load_anomalies(landing)
    if anomalies is None or not all(p.exists() for p in needed):
        return None
    pos = pl.read_parquet(needed[0], columns=["po_id", "supplier_id", "po_date"])
    suppliers = pl.read_parquet(needed[1], columns=["supplier_id", "on_time_probability"])
    delays = anomalies.filter(pl.col("kind") == SUPPLIER_DELAY).select(
        "supplier_id", "start_date", "end_date"
    )
    rows = (
        holdout.select("snapshot_date", "po_id", "line_no", "late")
        .with_row_index("_row")
        .join(pos, on="po_id", how="left")
        .join(suppliers, on="supplier_id", how="left")
    )
    delayed = (
        rows.join(delays, on="supplier_id", how="inner")
        .filter(pl.col("po_date").is_between(pl.col("start_date"), pl.col("end_date")))
        .select("_row")
        .unique()
        .with_columns(delayed=pl.lit(True))
    )
    if not with_delays:
        delayed = delayed.filter(pl.lit(False))
    rows = rows.join(delayed, on="_row", how="left").with_columns(
        oracle=pl.when(pl.col("delayed"))
        .then(1.0)
        .otherwise(1.0 - pl.col("on_time_probability").fill_null(0.8))
    )
    return float(roc_auc_score(rows["late"].to_numpy(), rows["oracle"].to_numpy()))
