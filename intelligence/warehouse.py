"""Reading marts into polars and writing results to the `intelligence` schema, both via Arrow."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl

SCHEMA = "intelligence"

# The columns every exception candidate carries, so the lead's dbt model can union them into
# `fct_exceptions` without knowing which model made them.
EXCEPTION_COLUMNS: dict[str, pl.DataType] = {
    "exception_type": pl.Utf8(),
    "exception_key": pl.Utf8(),
    "entity_code": pl.Utf8(),
    "severity": pl.Utf8(),
    "owner_role": pl.Utf8(),
    "detected_at": pl.Datetime("us"),
    "sla_due": pl.Datetime("us"),
    "status": pl.Utf8(),
    "money_at_stake_usd": pl.Float64(),
    "explanation": pl.Utf8(),
}
SEVERITIES = ("critical", "high", "medium", "low")


def read(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> pl.DataFrame:
    """A query's result as a polars frame (DuckDB → Arrow → polars, no Python rows)."""
    relation = con.sql(sql, params=params) if params is not None else con.sql(sql)
    return pl.from_arrow(relation.to_arrow_table())  # type: ignore[return-value]


def write(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Replace `intelligence.<table>` with the frame, in one transaction."""
    con.execute(f"create schema if not exists {SCHEMA}")
    arrow = frame.to_arrow()
    con.register("_intelligence_frame", arrow)
    try:
        con.execute(
            f"create or replace table {SCHEMA}.{table} as select * from _intelligence_frame"
        )
    finally:
        con.unregister("_intelligence_frame")


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
        " and database_name = current_database()",
        [schema, table],
    ).fetchall()
    return bool(found[0][0])


def as_of_date(con: duckdb.DuckDBPyConnection) -> date:
    """The last day with data: the latest inventory snapshot, else the latest order date."""
    # fetch everything: DuckDB 2 refuses new work on a connection with a partly fetched result
    rows = con.execute(
        "select coalesce((select max(snapshot_date) from marts.fct_inventory_daily),"
        " (select max(order_date) from marts.fct_order_lines))"
    ).fetchall()
    row = rows[0] if rows else None
    if row is None or row[0] is None:
        raise LookupError("the marts hold no inventory snapshots or orders")
    return row[0]


def as_of_timestamp(day: date) -> datetime:
    """Detection time of a batch scored as of `day`: the end of that day's data."""
    return datetime(day.year, day.month, day.day, 23, 59, 59)
