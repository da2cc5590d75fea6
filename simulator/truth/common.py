"""What every KPI area shares: the horizon, its reporting periods, FX conversion, cell shaping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

GROUP = "GROUP"
# Quantities may be fractional floats; two quantities closer than this are equal.
QTY_EPS = 1e-9
CELL_SCHEMA = {"entity_code": pl.Utf8, "month": pl.Utf8, "kpi": pl.Utf8, "value": pl.Float64}


@dataclass(frozen=True)
class Context:
    """The horizon (first to last FX rate date) and the lookups every area needs."""

    horizon_start: date
    horizon_end: date
    # month, period_start, period_end (month end, or horizon end in a partial last month), days
    periods: pl.DataFrame
    fx: pl.DataFrame  # currency, rate_date, usd_per_unit; USD included, sorted for join_asof
    entity_currency: pl.DataFrame  # entity_code, entity_currency
    warehouse_entity: pl.DataFrame  # warehouse_code, entity_code

    @classmethod
    def from_world(cls, world) -> Context:
        if world.fx_rates.height == 0:
            raise ValueError("fx_rates is empty: the horizon is the range of FX rate dates")
        rate_dates = world.fx_rates["rate_date"].cast(pl.Date)
        start, end = rate_dates.min(), rate_dates.max()
        month_starts = pl.date_range(start.replace(day=1), end, interval="1mo", eager=True)
        periods = (
            pl.DataFrame({"period_start": month_starts})
            .with_columns(
                month=pl.col("period_start").dt.strftime("%Y-%m"),
                period_end=pl.min_horizontal(
                    pl.col("period_start").dt.month_end(), pl.lit(end, dtype=pl.Date)
                ),
            )
            .with_columns(
                days=(pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1,
            )
            .select("month", "period_start", "period_end", "days")
        )
        # USD is the reporting currency: a sentinel rate of 1 older than any transaction.
        fx = pl.concat(
            [
                world.fx_rates.select(
                    pl.col("currency").cast(pl.Utf8),
                    pl.col("rate_date").cast(pl.Date),
                    pl.col("usd_per_unit").cast(pl.Float64),
                ).filter(pl.col("currency") != "USD"),
                pl.DataFrame(
                    {"currency": ["USD"], "rate_date": [date(1900, 1, 1)], "usd_per_unit": [1.0]}
                ),
            ]
        ).sort("rate_date")
        return cls(
            horizon_start=start,
            horizon_end=end,
            periods=periods,
            fx=fx,
            entity_currency=world.entities.select(
                "entity_code", entity_currency=pl.col("currency")
            ),
            warehouse_entity=world.warehouses.select("warehouse_code", "entity_code"),
        )

    def with_usd_rate(self, frame: pl.DataFrame, date_col: str, currency_col: str) -> pl.DataFrame:
        """Add `usd_rate`: the rate of `currency_col` on `date_col` (latest rate on or before it)."""
        if frame.height == 0:
            return frame.with_columns(usd_rate=pl.lit(None, dtype=pl.Float64))
        keyed = frame.with_columns(
            _rate_date=pl.col(date_col).cast(pl.Date), _currency=pl.col(currency_col)
        ).with_row_index("_row")
        joined = (
            keyed.sort("_rate_date")
            .join_asof(
                self.fx.rename({"currency": "_currency", "rate_date": "_fx_date"}),
                left_on="_rate_date",
                right_on="_fx_date",
                by="_currency",
                strategy="backward",
                check_sortedness=False,  # both sides are sorted by date; `by` hides that
            )
            .sort("_row")
        )
        missing = joined.filter(pl.col("usd_per_unit").is_null())
        if missing.height:
            raise ValueError(f"no FX rate for {missing.select('_currency', '_rate_date').head(3)}")
        return joined.drop("_row", "_rate_date", "_currency", "_fx_date").rename(
            {"usd_per_unit": "usd_rate"}
        )

    def in_horizon(self, cells: pl.DataFrame) -> pl.DataFrame:
        return cells.filter(pl.col("month").is_in(self.periods["month"].implode()))


def month_of(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.Date).dt.strftime("%Y-%m")


def with_group(rows: pl.DataFrame, in_group: str | None = "in_group") -> pl.DataFrame:
    """Rows once under their entity and once more under GROUP (only the rows GROUP keeps)."""
    group_rows = rows if in_group is None else rows.filter(pl.col(in_group))
    return pl.concat([rows, group_rows.with_columns(entity_code=pl.lit(GROUP))])


def ratio_cells(
    rows: pl.DataFrame,
    kpi: str,
    numerator: str,
    denominator: str,
    in_group: str | None = "in_group",
) -> pl.DataFrame:
    """Σ numerator ÷ Σ denominator per entity × month and for GROUP; no cell when Σ denominator = 0."""
    return (
        with_group(rows, in_group)
        .group_by("entity_code", "month")
        .agg(
            num=pl.col(numerator).cast(pl.Float64).sort().sum(),
            den=pl.col(denominator).cast(pl.Float64).sort().sum(),
        )
        .filter(pl.col("den") != 0)
        .select("entity_code", "month", kpi=pl.lit(kpi), value=pl.col("num") / pl.col("den"))
    )


def long_cells(wide: pl.DataFrame, kpis: list[str]) -> pl.DataFrame:
    """entity_code, month and one column per KPI → one cell per non-null, finite value."""
    if wide.height == 0:
        return pl.DataFrame(schema=CELL_SCHEMA)
    return (
        wide.select("entity_code", "month", *[pl.col(k).cast(pl.Float64) for k in kpis])
        .unpivot(index=["entity_code", "month"], variable_name="kpi", value_name="value")
        .filter(pl.col("value").is_not_null() & pl.col("value").is_finite())
    )


def empty_cells() -> pl.DataFrame:
    return pl.DataFrame(schema=CELL_SCHEMA)
