"""Tiny hand-made marts in an in-memory DuckDB, for unit tests that know every number."""

from __future__ import annotations

import duckdb
import polars as pl


def warehouse(tables: dict[str, pl.DataFrame]) -> duckdb.DuckDBPyConnection:
    """A connection whose `schema.table` names hold the given frames."""
    con = duckdb.connect(":memory:")
    for name, frame in tables.items():
        schema, table = name.split(".")
        con.execute(f"create schema if not exists {schema}")
        con.register("_frame", frame.to_arrow())
        con.execute(f"create table {schema}.{table} as select * from _frame")
        con.unregister("_frame")
    return con
