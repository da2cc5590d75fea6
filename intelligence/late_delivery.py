"""Late supplier delivery: the probability that an open PO line's first receipt comes after its
expected date, with the reasons that drive each prediction.

A row is a line as a buyer saw it on a snapshot day: ordered, nothing received yet, not yet
due. Snapshots are taken every `SNAPSHOT_EVERY_DAYS` days over the history, and on the as-of day
(the rows that get scored). Features use only what was known on the snapshot day (a history
line counts once its expected date has passed, a receipt once it has happened), so the model
trains on the same view of the world it scores with:

- the supplier's late share over its lines due so far (smoothed towards the group's share),
- its late share over the last `RECENT_DAYS` days (a delay in progress shows here first),
- its lines overdue and not yet received that day, and its open load,
- its load when the PO was placed: its open lines that day (ordered, nothing received yet, this
  PO's included) over its usual, the mean of that count over its days before, from its first
  receipt on (when the pipeline of our orders has filled; 1 before that): a supplier with far
  more of our lines open than usual slips,
- the mean days late of its receipts in the last `RECENT_DAYS` days,
- the PO's line count, the planned lead time, days left to the expected date, days since the
  PO, and the season (expected date's day of year as sine and cosine).

Model: standardised features and a logistic regression (scikit-learn). A prediction's reasons
are its features' contributions to the log-odds (coefficient × standardised value), largest
first, worded for a buyer. A line whose supplier has already moved its promise past the expected
date is flagged whatever the model says (the marts keep only the latest promise, so it cannot be
a feature without leaking the future into the holdout). Quality: ROC AUC on a time-based
holdout: trained on snapshots before the split date with lines due before it, scored on the
snapshots from the split date on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import polars as pl
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from intelligence.warehouse import EXCEPTION_COLUMNS, as_of_date, as_of_timestamp, read

RECENT_DAYS = 45
PRIOR_LINES = 10.0  # pseudo-lines at the group's late share, so a new supplier is not 0 % or 100 %
HOLDOUT_MONTHS = 3
SNAPSHOT_EVERY_DAYS = 7
EXCEPTION_PROBABILITY = 0.5
TOP_REASONS = 3

FEATURES = [
    "supplier_late_share",
    "supplier_recent_late_share",
    "supplier_overdue_lines",
    "supplier_recent_days_late",
    "supplier_open_lines",
    "supplier_log_load_at_po",
    "po_line_count",
    "planned_lead_time_days",
    "days_to_expected",
    "days_since_po",
    "season_sin",
    "season_cos",
]


@dataclass
class LateDeliveryResult:
    predictions: pl.DataFrame
    auc: float | None
    train_lines: int
    test_lines: int
    split_date: date | None
    trained_on: str
    trained_at: datetime
    coefficients: dict[str, float] = field(default_factory=dict)
    # the holdout rows with the holdout model's score, for measuring against truth
    holdout: pl.DataFrame = field(default_factory=pl.DataFrame)


def predict_late_deliveries(con: duckdb.DuckDBPyConnection) -> LateDeliveryResult:
    """Holdout AUC, then a model on all known outcomes scoring every open line not yet due.

    Rows are (snapshot day, line open that day): weekly snapshots over the history, as a buyer
    would have looked at the open lines once a week, plus the as-of day itself, which is scored.
    """
    as_of = as_of_date(con)
    first_po = con.execute("select min(po_date) from marts.fct_po_lines").fetchall()[0][0]
    if first_po is None:
        return LateDeliveryResult(_empty(), None, 0, 0, None, "no PO lines", _now())
    snapshots = _snapshot_days(first_po, as_of)
    rows = snapshot_features(con, snapshots, as_of)
    split = _split_date(as_of)
    known = rows.filter(pl.col("outcome_known") & (pl.col("snapshot_date") < as_of))
    train = known.filter((pl.col("snapshot_date") < split) & (pl.col("expected_date") < split))
    test = known.filter(pl.col("snapshot_date") >= split)
    auc = None
    scored = pl.DataFrame()
    if _both_classes(train) and _both_classes(test):
        holdout = _fit(train)
        score = holdout.predict_proba(_x(test))[:, 1]
        auc = float(roc_auc_score(test["late"].to_numpy(), score))
        scored = test.select(
            "snapshot_date", "po_id", "line_no", "supplier_id", "po_date", "late"
        ).with_columns(score=pl.Series(score))
    if not _both_classes(known):
        return LateDeliveryResult(
            _empty(), auc, train.height, test.height, split, "not enough outcomes", _now()
        )
    model = _fit(known)
    open_lines = rows.filter(pl.col("snapshot_date") == as_of)
    predictions = _explain(model, open_lines, as_of)
    trained_on = (
        f"{known.height} (weekly snapshot, open PO line) rows of marts.fct_po_lines, snapshots"
        f" {known['snapshot_date'].min()} .. {known['snapshot_date'].max()}; holdout: trained on"
        f" {train.height} rows due before {split}, scored on {test.height} rows seen from {split}"
    )
    return LateDeliveryResult(
        predictions=predictions,
        auc=auc,
        train_lines=train.height,
        test_lines=test.height,
        split_date=split,
        trained_on=trained_on,
        trained_at=_now(),
        coefficients=dict(zip(FEATURES, map(float, model[-1].coef_[0]), strict=True)),
        holdout=scored,
    )


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _both_classes(frame: pl.DataFrame) -> bool:
    return frame.height > 0 and frame["late"].n_unique() == 2


def _snapshot_days(first_po: date, as_of: date) -> list[date]:
    """Every `SNAPSHOT_EVERY_DAYS` days from four weeks after the first PO, then the as-of day."""
    days = []
    day = first_po + timedelta(days=28)
    while day < as_of:
        days.append(day)
        day += timedelta(days=SNAPSHOT_EVERY_DAYS)
    return [*days, as_of]


def snapshot_features(
    con: duckdb.DuckDBPyConnection, snapshots: list[date], as_of: date
) -> pl.DataFrame:
    """One row per snapshot day × PO line open that day (ordered, not received, not yet due):
    its features from what was known that day, and its outcome when known by `as_of`."""
    calendar = pl.DataFrame({"snapshot_date": snapshots}, schema={"snapshot_date": pl.Date})
    con.register("_late_snapshots", calendar.to_arrow())
    try:
        frame = read(
            con,
            """
            with lines as (
                select
                    po_id,
                    line_no,
                    coalesce(supplier_id, supplier_code) as supplier_id,
                    entity_code,
                    warehouse_code,
                    coalesce(item_id, item_code) as item_id,
                    po_date,
                    expected_date,
                    promised_date,
                    first_receipt_date,
                    planned_lead_time_days,
                    qty_ordered_ea,
                    received_qty_ea,
                    line_status
                from marts.fct_po_lines
                where not is_cancelled
            ),
            costs as (
                select item_id, standard_cost_usd from marts.dim_item
            ),
            points as (
                select distinct lines.supplier_id, s.snapshot_date
                from lines cross join _late_snapshots as s
            ),
            history as (
                select
                    p.supplier_id,
                    p.snapshot_date,
                    count(*) filter (where h.expected_date < p.snapshot_date) as known_lines,
                    count(*) filter (
                        where h.expected_date < p.snapshot_date
                        and (h.first_receipt_date is null or h.first_receipt_date > h.expected_date)
                    ) as late_lines,
                    count(*) filter (
                        where h.expected_date < p.snapshot_date
                        and h.expected_date >= p.snapshot_date - ?
                    ) as recent_known_lines,
                    count(*) filter (
                        where h.expected_date < p.snapshot_date
                        and h.expected_date >= p.snapshot_date - ?
                        and (h.first_receipt_date is null or h.first_receipt_date > h.expected_date)
                    ) as recent_late_lines,
                    count(*) filter (
                        where h.expected_date < p.snapshot_date
                        and (h.first_receipt_date is null or h.first_receipt_date >= p.snapshot_date)
                    ) as overdue_lines,
                    count(*) filter (
                        where h.first_receipt_date is null or h.first_receipt_date >= p.snapshot_date
                    ) as open_lines,
                    avg(h.first_receipt_date - h.expected_date) filter (
                        where h.first_receipt_date < p.snapshot_date
                        and h.first_receipt_date >= p.snapshot_date - ?
                    ) as recent_days_late
                from points as p
                inner join lines as h
                    on h.supplier_id = p.supplier_id and h.po_date < p.snapshot_date
                group by p.supplier_id, p.snapshot_date
            ),
            po_sizes as (
                select po_id, count(*) as po_line_count from lines group by po_id
            ),
            open_then as (
                select s.snapshot_date, lines.*
                from lines
                inner join _late_snapshots as s
                    on lines.po_date <= s.snapshot_date
                    and lines.expected_date >= s.snapshot_date
                    and (lines.first_receipt_date is null or lines.first_receipt_date > s.snapshot_date)
                    -- a line closed without any receipt was still open on earlier days
                    and (lines.first_receipt_date is not null or lines.line_status = 'open'
                         or s.snapshot_date < ?)
            )
            select
                open_then.*,
                po_sizes.po_line_count,
                coalesce(history.known_lines, 0) as known_lines,
                coalesce(history.late_lines, 0) as late_lines,
                coalesce(history.recent_known_lines, 0) as recent_known_lines,
                coalesce(history.recent_late_lines, 0) as recent_late_lines,
                coalesce(history.overdue_lines, 0) as supplier_overdue_lines,
                coalesce(history.open_lines, 0) as supplier_open_lines,
                history.recent_days_late as supplier_recent_days_late,
                (open_then.qty_ordered_ea - open_then.received_qty_ea) * costs.standard_cost_usd
                    as open_value_usd
            from open_then
            inner join po_sizes on open_then.po_id = po_sizes.po_id
            left join costs on open_then.item_id = costs.item_id
            left join history
                on open_then.supplier_id = history.supplier_id
                and open_then.snapshot_date = history.snapshot_date
            """,
            [RECENT_DAYS, RECENT_DAYS, RECENT_DAYS, as_of],
        )
    finally:
        con.unregister("_late_snapshots")
    late = pl.col("first_receipt_date").is_null() | (
        pl.col("first_receipt_date") > pl.col("expected_date")
    )
    # the group's late share as known on each snapshot day, the prior a young supplier starts at
    prior = (
        frame.group_by("snapshot_date")
        .agg(_k=pl.col("known_lines").sum(), _l=pl.col("late_lines").sum())
        .with_columns(group_late_share=(pl.col("_l") / pl.col("_k")).fill_nan(0.25).fill_null(0.25))
        .drop("_k", "_l")
    )
    frame = frame.join(prior, on="snapshot_date", how="left")
    # (rechunked: a join on string keys built by explode can leave views polars trips over)
    frame = (
        frame.join(supplier_load(con, as_of).rechunk(), on=["supplier_id", "po_date"], how="left")
        .with_columns(pl.col("supplier_load_at_po").fill_null(1.0))
        .rechunk()
    )
    # lateness odds grow with a power of the load, so its log enters the model
    frame = frame.with_columns(
        supplier_log_load_at_po=pl.col("supplier_load_at_po").clip(lower_bound=0.1).log()
    )
    day_of_year = pl.col("expected_date").dt.ordinal_day().cast(pl.Float64) * (2 * np.pi / 365.25)
    g = pl.col("group_late_share")
    return frame.with_columns(
        outcome_known=pl.col("expected_date") < as_of,
        late=late.cast(pl.Int8),
        supplier_late_share=(pl.col("late_lines") + PRIOR_LINES * g)
        / (pl.col("known_lines") + PRIOR_LINES),
        supplier_recent_late_share=(pl.col("recent_late_lines") + PRIOR_LINES * g)
        / (pl.col("recent_known_lines") + PRIOR_LINES),
        supplier_recent_days_late=pl.col("supplier_recent_days_late")
        .cast(pl.Float64)
        .fill_null(0.0),
        supplier_overdue_lines=pl.col("supplier_overdue_lines").cast(pl.Float64),
        supplier_open_lines=pl.col("supplier_open_lines").cast(pl.Float64),
        po_line_count=pl.col("po_line_count").cast(pl.Float64),
        planned_lead_time_days=pl.col("planned_lead_time_days").cast(pl.Float64).fill_null(0.0),
        days_to_expected=(pl.col("expected_date") - pl.col("snapshot_date"))
        .dt.total_days()
        .cast(pl.Float64),
        days_since_po=(pl.col("snapshot_date") - pl.col("po_date"))
        .dt.total_days()
        .cast(pl.Float64),
        season_sin=day_of_year.sin(),
        season_cos=day_of_year.cos(),
    )


def supplier_load(con: duckdb.DuckDBPyConnection, as_of: date) -> pl.DataFrame:
    """Per supplier and PO date: its open lines that day (PO date on or before it, no receipt
    on or before it) over its mean open lines on the days before, from its first receipt on.
    Only receipts up to that day count, so the value was known on the PO date."""
    lines = read(
        con,
        """
        select coalesce(supplier_id, supplier_code) as supplier_id, po_date, first_receipt_date
        from marts.fct_po_lines
        where not is_cancelled
        """,
    )
    schema = {"supplier_id": pl.Utf8, "po_date": pl.Date, "supplier_load_at_po": pl.Float64}
    if lines.height == 0:
        return pl.DataFrame(schema=schema)
    changes = pl.concat(
        [
            lines.select("supplier_id", day=pl.col("po_date"), change=pl.lit(1)),
            lines.filter(pl.col("first_receipt_date").is_not_null()).select(
                "supplier_id", day=pl.col("first_receipt_date"), change=pl.lit(-1)
            ),
        ]
    )
    first = lines.group_by("supplier_id").agg(
        first=pl.col("po_date").min(), first_receipt=pl.col("first_receipt_date").min()
    )
    days = first.with_columns(
        day=pl.date_ranges(pl.col("first"), pl.lit(as_of), interval="1d")
    ).explode("day")
    daily = (
        days.join(
            changes.group_by("supplier_id", "day").agg(pl.col("change").sum()),
            on=["supplier_id", "day"],
            how="left",
        )
        .sort("supplier_id", "day")
        .with_columns(open=pl.col("change").fill_null(0).cum_sum().over("supplier_id"))
        .with_columns(
            counted=(pl.col("day") >= pl.col("first_receipt")).fill_null(False).cast(pl.Int64)
        )
        .with_columns(counted_open=pl.col("open") * pl.col("counted"))
        .with_columns(
            _sum_to=pl.col("counted_open").cum_sum().over("supplier_id"),
            _n_to=pl.col("counted").cum_sum().over("supplier_id"),
        )
        # the mean over the counted days before this one
        .with_columns(
            _sum=pl.col("_sum_to") - pl.col("counted_open"), _n=pl.col("_n_to") - pl.col("counted")
        )
    )
    usual = pl.col("_sum") / pl.col("_n")
    return daily.select(
        "supplier_id",
        po_date=pl.col("day"),
        supplier_load_at_po=pl.when(pl.col("_n") > 0)
        .then(pl.col("open") / pl.when(usual > 0).then(usual).otherwise(1.0))
        .otherwise(1.0)
        .cast(pl.Float64),
    )


def _split_date(as_of: date) -> date:
    """First day of the month `HOLDOUT_MONTHS` months before the as-of month."""
    month = as_of.year * 12 + as_of.month - 1 - HOLDOUT_MONTHS
    return date(month // 12, month % 12 + 1, 1)


def _x(frame: pl.DataFrame) -> np.ndarray:
    return frame.select(FEATURES).to_numpy().astype(float)


def _fit(frame: pl.DataFrame) -> Pipeline:
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))
    model.fit(_x(frame), frame["late"].to_numpy())
    return model


def _explain(model: Pipeline, open_lines: pl.DataFrame, as_of: date) -> pl.DataFrame:
    if open_lines.height == 0:
        return _empty()
    x = _x(open_lines)
    probability = model.predict_proba(x)[:, 1]
    scaler, logistic = model[0], model[-1]
    contributions = (x - scaler.mean_) / scaler.scale_ * logistic.coef_[0]
    order = np.argsort(-contributions, axis=1)[:, :TOP_REASONS]
    texts = _reason_texts(open_lines)
    reasons = [
        "; ".join(texts[FEATURES[j]][i] for j in order[i] if contributions[i, j] > 0)
        or "no factor above the group's usual"
        for i in range(open_lines.height)
    ]
    top = [FEATURES[order[i, 0]] for i in range(open_lines.height)]
    predictions = open_lines.with_columns(
        late_probability=pl.Series(probability),
        reasons=pl.Series(reasons, dtype=pl.Utf8),
        top_reason=pl.Series(top, dtype=pl.Utf8),
    )
    detected = as_of_timestamp(as_of)
    p = pl.col("late_probability")
    predictions = predictions.with_columns(
        exception_type=pl.lit("late_delivery_predicted"),
        exception_key=pl.col("po_id") + ":" + pl.col("line_no").cast(pl.Utf8),
        severity=pl.when(p >= 0.8)
        .then(pl.lit("high"))
        .when(p >= 0.6)
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low")),
        owner_role=pl.lit("buyer"),
        detected_at=pl.lit(detected, dtype=pl.Datetime("us")),
        # The supplier's own later promise, known today (the marts keep only the latest, so it
        # cannot be a model feature without leaking the future into the holdout).
        announced_late=pl.col("promised_date").fill_null(pl.col("expected_date"))
        > pl.col("expected_date"),
        # what is at stake when it is late: the value of the goods still to come, at cost
        money_at_stake_usd=pl.col("open_value_usd").cast(pl.Float64),
    ).with_columns(
        sla_due=pl.col("detected_at") + timedelta(days=2),
        is_exception=(p >= EXCEPTION_PROBABILITY) | pl.col("announced_late"),
        severity=pl.when(pl.col("announced_late") & (p >= 0.6))
        .then(pl.lit("high"))
        .otherwise(pl.col("severity")),
        explanation=pl.format(
            "PO {} line {} ({} EA of {} from supplier {}, expected {}) is {}% likely to arrive"
            " late: {}.{}",
            pl.col("po_id"),
            pl.col("line_no"),
            pl.col("qty_ordered_ea"),
            pl.col("item_id"),
            pl.col("supplier_id"),
            pl.col("expected_date"),
            (p * 100).round(0).cast(pl.Int64),
            pl.col("reasons"),
            pl.when(pl.col("announced_late"))
            .then(
                pl.format(
                    " The supplier has already moved its promise to {}.", pl.col("promised_date")
                )
            )
            .otherwise(pl.lit("")),
        ),
    )
    predictions = predictions.with_columns(
        status=pl.when(pl.col("is_exception")).then(pl.lit("open")).otherwise(pl.lit("no_action"))
    )
    leading = list(EXCEPTION_COLUMNS)
    return predictions.select(leading + [c for c in predictions.columns if c not in leading])


def _reason_texts(frame: pl.DataFrame) -> dict[str, list[str]]:
    """A sentence fragment per feature and line, as a buyer would say it."""

    def pct(column: str) -> pl.Expr:
        return (pl.col(column) * 100).round(0).cast(pl.Int64)

    exprs = {
        "supplier_late_share": pl.format(
            "supplier {} was late on {}% of its lines so far (group {}%)",
            pl.col("supplier_id"),
            pct("supplier_late_share"),
            pct("group_late_share"),
        ),
        "supplier_recent_late_share": pl.format(
            "{}% of its lines due in the {} days before the order were late",
            pct("supplier_recent_late_share"),
            pl.lit(RECENT_DAYS),
        ),
        "supplier_overdue_lines": pl.format(
            "{} of its lines were overdue when this was ordered",
            pl.col("supplier_overdue_lines").cast(pl.Int64),
        ),
        "supplier_recent_days_late": pl.format(
            "its recent receipts came {} days after the expected date on average",
            pl.col("supplier_recent_days_late").round(1),
        ),
        "supplier_open_lines": pl.format(
            "it had {} lines open (high load)", pl.col("supplier_open_lines").cast(pl.Int64)
        ),
        "supplier_log_load_at_po": pl.format(
            "when it was ordered the supplier had {}x its usual number of our lines open",
            pl.col("supplier_load_at_po").round(1),
        ),
        "po_line_count": pl.format("the PO has {} lines", pl.col("po_line_count").cast(pl.Int64)),
        "planned_lead_time_days": pl.format(
            "a {}-day planned lead time", pl.col("planned_lead_time_days").cast(pl.Int64)
        ),
        "days_to_expected": pl.format(
            "{} day(s) left before the expected date", pl.col("days_to_expected").cast(pl.Int64)
        ),
        "days_since_po": pl.format(
            "ordered {} day(s) ago and nothing received", pl.col("days_since_po").cast(pl.Int64)
        ),
        "season_sin": pl.format("ordered in {} (season)", pl.col("po_date").dt.strftime("%B")),
        "season_cos": pl.format("ordered in {} (season)", pl.col("po_date").dt.strftime("%B")),
    }
    texts = frame.select(**exprs)
    return {name: texts[name].to_list() for name in FEATURES}


def _empty() -> pl.DataFrame:
    schema = dict(EXCEPTION_COLUMNS)
    schema.update(
        {
            "po_id": pl.Utf8(),
            "line_no": pl.Int64(),
            "supplier_id": pl.Utf8(),
            "item_id": pl.Utf8(),
            "expected_date": pl.Date(),
            "late_probability": pl.Float64(),
            "reasons": pl.Utf8(),
            "is_exception": pl.Boolean(),
        }
    )
    return pl.DataFrame(schema=schema)
