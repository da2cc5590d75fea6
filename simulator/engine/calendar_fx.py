"""Calendar effects (weekly and yearly seasonality), daily FX rates and period closes."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from simulator import config as cfg
from simulator.engine.master_data import ENTITY_CODES
from simulator.engine.rng import Stream, day_rng

# Monday..Sunday: distributors ship on weekdays; a few counter and e-commerce orders on weekends.
WEEKDAY_FACTOR = np.array([1.18, 1.22, 1.18, 1.12, 1.0, 0.22, 0.08]) * 7 / 6.0
# Peak month of each category (HVAC in summer, janitorial in winter, ...), in day of year.
CATEGORY_PEAK_DAY = np.array([120, 150, 170, 190, 100, 140, 20, 300])
CATEGORY_AMPLITUDE = np.array([0.10, 0.12, 0.15, 0.35, 0.15, 0.10, 0.20, 0.25])
# Days after month end until the last posting: the legacy entities close slower.
CLOSE_BASE_DAYS = {"US01": 4, "CA01": 6, "MX01": 7, "MX02": 12, "US02": 9}


def weekday_factor(day_date: date) -> float:
    return float(WEEKDAY_FACTOR[day_date.weekday()] / WEEKDAY_FACTOR.mean())


def category_season(day_date: date) -> np.ndarray:
    """Multiplier per category for this date (mean 1 over a year)."""
    doy = day_date.timetuple().tm_yday
    return 1.0 + CATEGORY_AMPLITUDE * np.cos(2 * np.pi * (doy - CATEGORY_PEAK_DAY) / 365.25)


def fx_rates(seed: int, start: date, days: int) -> pl.DataFrame:
    """A mean-reverting random walk in log space per currency, one step per day."""
    currencies = ["CAD", "MXN"]
    level = np.log([cfg.FX_START[c] for c in currencies])
    anchor = level.copy()
    vol = np.array([0.0035, 0.0060])
    rows = np.empty((days, len(currencies)))
    for d in range(days):
        shock = day_rng(seed, d, Stream.FX).normal(0.0, 1.0, len(currencies))
        level = level + 0.01 * (anchor - level) + vol * shock
        rows[d] = np.exp(level)
    dates = pl.date_range(start, start + timedelta(days=days - 1), eager=True)
    frames = [pl.DataFrame({"rate_date": dates, "currency": "USD", "usd_per_unit": 1.0})]
    for k, c in enumerate(currencies):
        frames.append(
            pl.DataFrame(
                {"rate_date": dates, "currency": c, "usd_per_unit": np.round(rows[:, k], 6)}
            )
        )
    return pl.concat(frames).sort("rate_date", "currency")


def period_postings(seed: int, start: date, days: int) -> pl.DataFrame:
    """Per entity and closed month, the last posting date; months still open are absent."""
    end = start + timedelta(days=days - 1)
    rows = []
    month = date(start.year, start.month, 1)
    while True:
        nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        month_end = nxt - timedelta(days=1)
        if month_end > end:
            break
        rng = day_rng(seed, (month_end - start).days, Stream.CLOSE)
        jitter = rng.integers(-2, 5, size=len(ENTITY_CODES))
        for e, code in enumerate(ENTITY_CODES):
            last = month_end + timedelta(days=int(max(1, CLOSE_BASE_DAYS[code] + jitter[e])))
            if month >= start.replace(day=1) and last <= end:
                rows.append((code, month, last))
        month = nxt
    return pl.DataFrame(
        rows,
        schema={"entity_code": pl.Utf8, "period_month": pl.Date, "last_posting_date": pl.Date},
        orient="row",
    )
