"""The one way readers (dashboards, `backbone sql`, `backbone kpi`, reports) open the warehouse.

Readers only ever open the *published* copy, read-only, for as short as a query: DuckDB's file
lock means a long-lived connection on the working file would block loads. A connection opened
before a publication keeps reading the file it opened (a consistent old snapshot); the next
connection sees the new one.

Why ATTACH into an in-memory database instead of `duckdb.connect(path)`: DuckDB caches database
instances per path inside a process, so while any connection to the published path is open, a
new `connect(path)` would share the old instance and keep serving the replaced file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from backbone.config import paths

CATALOG = "published"  # the attached file's name in queries (differs from every schema name)


class NotPublishedError(FileNotFoundError):
    """No publication yet: run the pipeline (or `backbone publish`) first."""


@contextmanager
def published_connection(path: Path | str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published warehouse, closed on exit."""
    target = Path(path) if path is not None else paths().published
    if not target.exists():
        raise NotPublishedError(f"no published warehouse at {target}: run `backbone run` first")
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach '{_quote(target)}' as {CATALOG} (read_only)")
        con.execute(f"use {CATALOG}")
    except BaseException:
        con.close()
        raise
    try:
        yield con
    finally:
        con.close()


def query(sql: str, params: list[Any] | None = None, path: Path | str | None = None):
    """Run one query on the published warehouse and return a pandas DataFrame."""
    with published_connection(path) as con:
        return con.execute(sql, params or []).df()


def publication_status(path: Path | str | None = None) -> dict[str, Any]:
    """What is published and whether the latest run was blocked (`<published>.status.json`)."""
    from backbone.publish import read_status

    return read_status(Path(path) if path is not None else paths().published)


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")
