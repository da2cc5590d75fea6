"""Demand anomalies: item × warehouse × week demand against its own seasonal baseline.

Demand is what customers asked for: order lines by order date, cancelled ones included (a
cancellation does not undo the request) and substitute lines left out (they are the warehouse's
answer to a stockout, not new demand). It is counted in lines, the unit the demand process moves
in; EA per line is heavy-tailed noise on top, reported but not tested.

Baseline of a pair in a window of weeks: its own line rate outside the window (the window and
`GUARD_WEEKS` either side left out, so a shock does not raise its own baseline) × the seasonal
index of its category in that warehouse for those weeks (all pairs of the category pooled: one
item's shock barely moves it). The test is a Poisson tail probability (scipy) of the observed
count given that baseline, for windows of 1 to `MAX_WINDOW_WEEKS` weeks, so a two-week doubling on
a slow item is as visible as a one-week spike on a fast one. A flag needs both significance
(`ALPHA`, small because there are hundreds of thousands of pair-weeks) and size (at least
`MIN_RATIO` up or `1 / MIN_RATIO` down). Weeks where the pair was on promotion (its lines carried
`PROMO_DISCOUNT` more discount than the customers' usual) are explained by the promotion and not
flagged. Overlapping flagged windows of a pair merge into one anomaly.

The baselines are computed twice: the second pass leaves the weeks the first pass flagged out of
every pair's rate and every category's season, so a busy pair's other shock does not raise its
own baseline and a big shock in a category does not read as the category's season.

The baseline is retrospective: a past window is judged against the weeks before and after it;
the latest weeks, which a planner acts on, only have the weeks before them.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from intelligence.warehouse import EXCEPTION_COLUMNS, read

MAX_WINDOW_WEEKS = 4
GUARD_WEEKS = 2
ALPHA = 1e-5
MIN_RATIO = 1.8
PROMO_DISCOUNT = 0.03
# A window whose baseline expects fewer lines than this is not judged: slow pairs sell in
# clumps (one customer, a few orders) that no baseline of their own can tell from a shock.
MIN_EXPECTED_LINES = 3.0
MIN_LINES = 5  # a jump needs at least this many lines in the window
PROMO_LEARN_MIN_WEEKLY_LINES = 5.0
BASELINE_PASSES = 2


def detect_demand_anomalies(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per detected demand shock (pair × run of weeks), with exception columns."""
    lines = read(
        con,
        """
        select
            coalesce(item_id, item_code) as item_id,
            warehouse_code,
            entity_code,
            order_date,
            coalesce(customer_id, customer_code) as customer_id,
            discount_pct,
            qty_ordered_ea,
            net_price_per_ea_usd
        from marts.fct_order_lines
        where substitute_for_line_no is null
        """,
    )
    categories = read(con, "select item_id, category from marts.dim_item")
    weekly = weekly_demand(lines, categories)
    if weekly.height == 0:
        return _empty()
    return find_shocks(weekly)


def weekly_demand(lines: pl.DataFrame, categories: pl.DataFrame) -> pl.DataFrame:
    """Lines, EA and promotion share per item × warehouse × week (Monday), zero-filled over the
    weeks wholly inside the data."""
    usual_discount = lines.group_by("customer_id").agg(usual=pl.col("discount_pct").median())
    lines = lines.join(usual_discount, on="customer_id", how="left").with_columns(
        week=pl.col("order_date").dt.truncate("1w"),
        on_promo=(pl.col("discount_pct") - pl.col("usual")) >= PROMO_DISCOUNT,
        value_usd=pl.col("qty_ordered_ea") * pl.col("net_price_per_ea_usd"),
    )
    first, last = lines["order_date"].min(), lines["order_date"].max()
    weeks = _whole_weeks(first, last) if first is not None else []
    counted = lines.group_by("item_id", "warehouse_code", "week").agg(
        entity_code=pl.col("entity_code").first(),
        lines=pl.len(),
        qty_ea=pl.col("qty_ordered_ea").sum(),
        value_usd=pl.col("value_usd").sum(),
        promo_share=pl.col("on_promo").mean(),
    )
    pairs = counted.group_by("item_id", "warehouse_code").agg(
        entity_code=pl.col("entity_code").first()
    )
    grid = pairs.join(pl.DataFrame({"week": weeks}, schema={"week": pl.Date}), how="cross")
    weekly = (
        grid.join(counted.drop("entity_code"), on=["item_id", "warehouse_code", "week"], how="left")
        .with_columns(
            pl.col("lines", "qty_ea").fill_null(0),
            pl.col("value_usd", "promo_share").fill_null(0.0),
        )
        .join(categories, on="item_id", how="left")
        .with_columns(pl.col("category").fill_null("unknown"))
    )
    return weekly.sort("item_id", "warehouse_code", "week")


def find_shocks(weekly: pl.DataFrame) -> pl.DataFrame:
    """Windows of 1..MAX_WINDOW_WEEKS weeks whose line count is improbable under the pair's
    baseline, merged per pair into anomalies."""
    n_weeks = weekly["week"].n_unique()
    keys = weekly.select("item_id", "warehouse_code", "entity_code").unique(
        subset=["item_id", "warehouse_code"], keep="first", maintain_order=True
    )
    n_pairs = keys.height
    shape = (n_pairs, n_weeks)
    counts = weekly["lines"].to_numpy().reshape(shape).astype(float)
    promo = weekly["promo_share"].to_numpy().reshape(shape) >= 0.5
    category = weekly["category"].to_numpy().reshape(shape)[:, 0]
    lift = promotion_factor(counts, promo)
    qty = weekly["qty_ea"].to_numpy().reshape(shape).astype(float)
    value = weekly["value_usd"].to_numpy().reshape(shape)
    weeks = weekly["week"].unique().sort().to_numpy()
    # Pass 1 judges every window against all other weeks; pass 2 again, with the weeks pass 1
    # flagged left out of every baseline: a pair's other shocks must not raise its own rate, nor
    # another pair's shock its category's season (so busy pairs' shocks do not hide each other).
    flagged = np.zeros(shape, bool)
    for _ in range(BASELINE_PASSES):
        clean = ~flagged
        # the season is learned from demand with promotions taken out, or a category's
        # promotions would read as a season that every other pair of the category then misses
        index = seasonal_index(counts / lift, category, clean) * lift
        found = _flag_windows(counts, index, clean)
        flagged = np.zeros(shape, bool)
        for frame in found:
            for pair, first, last in frame.select("pair", "first_week", "last_week").iter_rows():
                flagged[pair, first : last + 1] = True
    cum_q = np.concatenate([np.zeros((n_pairs, 1)), qty.cumsum(axis=1)], axis=1)
    cum_v = np.concatenate([np.zeros((n_pairs, 1)), value.cumsum(axis=1)], axis=1)
    found = [
        frame.with_columns(
            qty_ea=cum_q[frame["pair"], frame["last_week"] + 1]
            - cum_q[frame["pair"], frame["first_week"]],
            value_usd=cum_v[frame["pair"], frame["last_week"] + 1]
            - cum_v[frame["pair"], frame["first_week"]],
        )
        for frame in found
    ]
    if not found:
        return _empty()
    windows = pl.concat(found)
    events = _merge_windows(windows)
    return _describe(events, keys, weeks)


def _flag_windows(counts: np.ndarray, index: np.ndarray, clean: np.ndarray) -> list[pl.DataFrame]:
    """Every window of 1..MAX_WINDOW_WEEKS weeks that is improbable under the pair's baseline:
    its line rate per unit of seasonal index over the `clean` weeks outside the window and its
    guard weeks. One frame per window length and direction that flagged anything."""
    n_pairs, n_weeks = counts.shape
    base_c, base_i = np.where(clean, counts, 0.0), np.where(clean, index, 0.0)

    def cumulative(a: np.ndarray) -> np.ndarray:
        return np.concatenate([np.zeros((n_pairs, 1)), a.cumsum(axis=1)], axis=1)

    cum_c, cum_i, cum_bc, cum_bi = map(cumulative, (counts, index, base_c, base_i))
    total_count, total_index = cum_bc[:, -1:], cum_bi[:, -1:]
    found = []
    for length in range(1, MAX_WINDOW_WEEKS + 1):
        starts = np.arange(0, n_weeks - length + 1)
        ends = starts + length  # exclusive
        observed = cum_c[:, ends] - cum_c[:, starts]
        window_index = cum_i[:, ends] - cum_i[:, starts]
        g0 = np.maximum(starts - GUARD_WEEKS, 0)
        g1 = np.minimum(ends + GUARD_WEEKS, n_weeks)
        outside_count = total_count - (cum_bc[:, g1] - cum_bc[:, g0])
        outside_index = total_index - (cum_bi[:, g1] - cum_bi[:, g0])
        rate = outside_count / np.maximum(outside_index, 1e-9)
        expected = rate * window_index
        p_up = stats.poisson.sf(observed - 1, np.maximum(expected, 1e-9))
        p_down = stats.poisson.cdf(observed, expected)
        ratio = (observed + 0.5) / (expected + 0.5)
        judged = expected >= MIN_EXPECTED_LINES
        up = judged & (p_up < ALPHA) & (ratio >= MIN_RATIO) & (observed >= MIN_LINES)
        down = judged & (p_down < ALPHA) & (ratio <= 1 / MIN_RATIO)
        for flags, direction, p in ((up, "up", p_up), (down, "down", p_down)):
            pair_idx, start_idx = np.nonzero(flags)
            if len(pair_idx) == 0:
                continue
            found.append(
                pl.DataFrame(
                    {
                        "pair": pair_idx,
                        "first_week": start_idx,
                        "last_week": start_idx + length - 1,
                        "direction": direction,
                        "observed_lines": observed[pair_idx, start_idx],
                        "expected_lines": expected[pair_idx, start_idx],
                        "p_value": p[pair_idx, start_idx],
                    }
                )
            )
    return found


def seasonal_index(
    counts: np.ndarray, category: np.ndarray, clean: np.ndarray | None = None
) -> np.ndarray:
    """Per pair × week: its category's lines that week over the category's mean week, all
    warehouses pooled and the pair itself left out (so its own shock cannot explain itself).

    Weeks not `clean` (flagged as anomalies) count at the pair's own mean over its clean weeks,
    so another pair's shock does not read as the category's season."""
    if clean is not None:
        n_clean = clean.sum(axis=1, keepdims=True)
        usual = np.where(clean, counts, 0.0).sum(axis=1, keepdims=True) / np.maximum(n_clean, 1)
        counts = np.where(clean, counts, usual)
    index = np.ones_like(counts)
    for cat in np.unique(category):
        rows = category == cat
        others = counts[rows].sum(axis=0, keepdims=True) - counts[rows]
        mean = others.mean(axis=1, keepdims=True)
        index[rows] = np.where(mean > 0, others / np.where(mean > 0, mean, 1.0), 1.0)
    return np.clip(index, 0.05, None)


def promotion_factor(counts: np.ndarray, promo: np.ndarray) -> np.ndarray:
    """Expected lift in a promotion week, learned from all pairs: lines per promotion week over
    lines per other week of the same pairs. Promotions are planned: their lift is no anomaly.

    Only busy pairs teach the lift: a week without lines cannot show a promotion, so on slow
    pairs promotion weeks are the weeks that happened to sell, which would inflate it."""
    promoted = promo.any(axis=1) & (counts.mean(axis=1) >= PROMO_LEARN_MIN_WEEKLY_LINES)
    if not promoted.any():
        return np.ones_like(counts)
    c, p = counts[promoted], promo[promoted]
    in_promo = c[p].sum() / p.sum()
    outside = c[~p].sum() / max((~p).sum(), 1)
    lift = in_promo / outside if outside > 0 else 1.0
    return np.where(promo, max(lift, 1.0), 1.0)


def _merge_windows(windows: pl.DataFrame) -> pl.DataFrame:
    """Overlapping flagged windows of one pair and direction become one anomaly; its dates and
    statistics are those of its most significant window (`flagged_from`/`flagged_to`: the
    whole run of flagged weeks)."""
    windows = windows.sort("pair", "direction", "first_week", "last_week")
    windows = (
        windows.with_columns(reach=pl.col("last_week").cum_max().over("pair", "direction"))
        .with_columns(
            new_event=(
                pl.col("first_week") > pl.col("reach").shift(1).over("pair", "direction")
            ).fill_null(True)
        )
        .with_columns(event=pl.col("new_event").cum_sum().over("pair", "direction"))
    )
    return (
        windows.sort("p_value")
        .group_by("pair", "direction", "event")
        .agg(
            first_week=pl.col("first_week").min(),
            last_week=pl.col("last_week").max(),
            best_first_week=pl.col("first_week").first(),
            best_last_week=pl.col("last_week").first(),
            observed_lines=pl.col("observed_lines").first(),
            expected_lines=pl.col("expected_lines").first(),
            p_value=pl.col("p_value").first(),
            qty_ea=pl.col("qty_ea").first(),
            value_usd=pl.col("value_usd").first(),
        )
    )


def _describe(events: pl.DataFrame, keys: pl.DataFrame, weeks: np.ndarray) -> pl.DataFrame:
    week_list = pl.Series("week", weeks)
    keys = keys.with_row_index("pair").with_columns(pl.col("pair").cast(pl.Int64))
    events = events.with_columns(pl.col("pair").cast(pl.Int64)).join(keys, on="pair")
    events = events.with_columns(
        _first=week_list.gather(events["best_first_week"]),
        _last=week_list.gather(events["best_last_week"]),
        flagged_from=week_list.gather(events["first_week"]),
        flagged_to=week_list.gather(events["last_week"]) + timedelta(days=6),
    )
    start = pl.col("_first")
    end = pl.col("_last")
    ratio = pl.col("observed_lines") / pl.col("expected_lines")
    # Money at stake: the value of the demand above (or missing below) the baseline, at this
    # window's average value per line.
    per_line = pl.col("value_usd") / pl.when(pl.col("observed_lines") > 0).then(
        pl.col("observed_lines")
    ).otherwise(None)
    events = events.with_columns(
        start_date=start,
        end_date=end + timedelta(days=6),
        demand_ratio=ratio,
        z_score=(pl.col("observed_lines") - pl.col("expected_lines"))
        / pl.col("expected_lines").clip(lower_bound=1e-9).sqrt(),
        money_at_stake_usd=(pl.col("observed_lines") - pl.col("expected_lines")).abs() * per_line,
        weeks=pl.col("best_last_week") - pl.col("best_first_week") + 1,
    )
    events = events.with_columns(
        exception_type=pl.lit("demand_anomaly"),
        exception_key=pl.col("item_id")
        + ":"
        + pl.col("warehouse_code")
        + ":"
        + pl.col("start_date").cast(pl.Utf8),
        severity=pl.when((ratio >= 3) | (ratio <= 0.25))
        .then(pl.lit("high"))
        .when((ratio >= 2) | (ratio <= 0.5))
        .then(pl.lit("medium"))
        .otherwise(pl.lit("low")),
        owner_role=pl.lit("demand_planner"),
        # known once the window's last week has ended
        detected_at=(pl.col("end_date") + timedelta(days=1)).cast(pl.Datetime("us")),
        explanation=pl.format(
            "Demand for {} at {} {} in the {} week(s) from {}: {} order lines against {} expected"
            " from its own rate and its category's season ({}x, z = {}, p = {}); {} EA ordered.",
            pl.col("item_id"),
            pl.col("warehouse_code"),
            pl.when(pl.col("direction") == "up")
            .then(pl.lit("jumped"))
            .otherwise(pl.lit("dropped")),
            pl.col("weeks"),
            pl.col("start_date"),
            pl.col("observed_lines").cast(pl.Int64),
            pl.col("expected_lines").round(1),
            ratio.round(2),
            pl.col("z_score").round(1),
            pl.col("p_value").map_elements(lambda p: f"{p:.1e}", return_dtype=pl.Utf8),
            pl.col("qty_ea").cast(pl.Int64),
        ),
    )
    events = events.with_columns(
        sla_due=pl.col("detected_at") + timedelta(days=2), status=pl.lit("open")
    )
    leading = list(EXCEPTION_COLUMNS)
    rest = [
        "item_id",
        "warehouse_code",
        "direction",
        "start_date",
        "end_date",
        "weeks",
        "flagged_from",
        "flagged_to",
        "observed_lines",
        "expected_lines",
        "demand_ratio",
        "z_score",
        "p_value",
        "qty_ea",
    ]
    return events.select(leading + rest).sort("detected_at", "exception_key")


def _whole_weeks(first: date, last: date) -> list[date]:
    """Mondays of the weeks wholly inside [first, last]."""
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    weeks = []
    while monday + timedelta(days=6) <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _empty() -> pl.DataFrame:
    schema = dict(EXCEPTION_COLUMNS)
    schema.update(
        {
            "item_id": pl.Utf8(),
            "warehouse_code": pl.Utf8(),
            "direction": pl.Utf8(),
            "start_date": pl.Date(),
            "end_date": pl.Date(),
            "weeks": pl.Int64(),
            "flagged_from": pl.Date(),
            "flagged_to": pl.Date(),
            "observed_lines": pl.Float64(),
            "expected_lines": pl.Float64(),
            "demand_ratio": pl.Float64(),
            "z_score": pl.Float64(),
            "p_value": pl.Float64(),
            "qty_ea": pl.Float64(),
        }
    )
    return pl.DataFrame(schema=schema)
