"""The guarded SQL path shared by the dashboard's SQL console and `backbone sql`.

One read-only statement (SELECT, EXPLAIN, DESCRIBE/SHOW) on the published warehouse, in a
connection that:
- attaches the published file read-only (writes fail in DuckDB, not in a regex);
- then turns `enable_external_access` off and locks the configuration, so `read_csv`, `COPY ...
  TO`, `ATTACH`, `INSTALL/LOAD` (httpfs) and URLs all fail, and a query can't turn them back on;
- is interrupted from a timer thread after the statement timeout;
- returns at most `row_limit` rows (and says when it cut).
Access to the console (all-entity users only) is decided by the caller.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from backbone.readers import CATALOG, published_connection

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_ROW_LIMIT = 10_000
ALLOWED = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}
SEARCH_SCHEMAS = ("marts", "reference", "audit", "quarantine")
MODELS_ROOT = Path(__file__).resolve().parent.parent / "dbt" / "models" / "marts"


class QueryRejected(ValueError):
    """The statement is not a single read-only query, or DuckDB refused it."""


class QueryTimeout(TimeoutError):
    """The statement ran longer than the timeout and was interrupted."""


@dataclass
class QueryResult:
    frame: pd.DataFrame
    truncated: bool
    elapsed_ms: float
    row_limit: int


def run_query(
    sql: str,
    path: Path | str | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_limit: int = DEFAULT_ROW_LIMIT,
) -> QueryResult:
    """Run one read-only statement on the published warehouse, guarded (see the module doc)."""
    sql = (sql or "").strip()
    if not sql:
        raise QueryRejected("empty query")
    start = time.perf_counter()
    with published_connection(path) as con:
        # analysts write `kpi_monthly`, not `published.marts.kpi_monthly`
        present = {
            row[0]
            for row in con.execute(
                "select schema_name from duckdb_schemas() where database_name = ?", [CATALOG]
            ).fetchall()
        }
        search = ",".join(f"{CATALOG}.{s}" for s in SEARCH_SCHEMAS if s in present)
        if search:
            con.execute(f"set search_path = '{search}'")
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
        try:
            statements = con.extract_statements(sql)
        except duckdb.Error as exc:
            raise QueryRejected(str(exc)) from exc
        if len(statements) != 1:
            raise QueryRejected(f"one statement at a time, got {len(statements)}")
        kind = statements[0].type
        if kind not in ALLOWED:
            raise QueryRejected(
                f"read-only console: {kind.name} statements are not allowed (SELECT or EXPLAIN)"
            )
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            con.interrupt()

        timer = threading.Timer(timeout_s, stop)
        timer.daemon = True
        timer.start()
        try:
            relation = con.sql(statements[0].query)
            frame = relation.limit(row_limit + 1).df() if relation is not None else pd.DataFrame()
        except duckdb.InterruptException as exc:
            raise QueryTimeout(
                f"the query ran longer than {timeout_s:g} s and was stopped"
            ) from exc
        except duckdb.Error as exc:
            if timed_out.is_set():
                raise QueryTimeout(
                    f"the query ran longer than {timeout_s:g} s and was stopped"
                ) from exc
            raise QueryRejected(str(exc)) from exc
        finally:
            timer.cancel()
    truncated = len(frame) > row_limit
    if truncated:
        frame = frame.iloc[:row_limit]
    return QueryResult(
        frame=frame,
        truncated=truncated,
        elapsed_ms=(time.perf_counter() - start) * 1000,
        row_limit=row_limit,
    )


def model_docs(root: Path = MODELS_ROOT) -> dict[str, dict[str, Any]]:
    """Model name -> {description, columns: [{name, data_type, description}]} from the dbt docs."""
    files = tuple((str(p), p.stat().st_mtime_ns) for p in sorted(root.glob("**/_*.yml")))
    return _parse_docs(files)


@functools.lru_cache(maxsize=4)
def _parse_docs(files: tuple[tuple[str, int], ...]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, _mtime in files:
        yml = Path(name)
        doc = yaml.safe_load(yml.read_text(encoding="utf-8")) or {}
        for model in doc.get("models") or []:
            out[model["name"]] = {
                "description": (model.get("description") or "").strip(),
                "columns": [
                    {
                        "name": c["name"],
                        "data_type": c.get("data_type", ""),
                        "description": (c.get("description") or "").strip(),
                    }
                    for c in model.get("columns") or []
                ],
            }
    return out


def published_models(path: Path | str | None = None) -> pd.DataFrame:
    """Schema, table, column, type of every published relation an analyst can query."""
    from backbone.config import paths

    target = Path(path) if path is not None else paths().published
    stat = target.stat()
    return _catalog(str(target), stat.st_ino, stat.st_mtime_ns).copy()


@functools.lru_cache(maxsize=4)
def _catalog(path: str, _inode: int, _mtime: int) -> pd.DataFrame:
    with published_connection(path) as con:
        return con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns()"
            " where database_name = current_database() order by schema_name, table_name, column_index"
        ).df()
