"""The warehouse side of a load: schemas, lineage columns, and appending staged rows to raw tables."""

from __future__ import annotations

from pathlib import Path

import duckdb

SCHEMAS = ("raw", "quarantine", "audit")

# Every raw row carries these (DESIGN.md, raw layer contract).
LINEAGE_COLUMNS: dict[str, str] = {
    "_load_id": "VARCHAR",
    "_source_system": "VARCHAR",
    "_source_file": "VARCHAR",
    "_source_row": "BIGINT",
    "_loaded_at": "TIMESTAMP",
}


def connect(warehouse: Path | str) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the working warehouse with the raw, quarantine and audit schemas."""
    path = Path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    # No progress bar: DuckDB draws one on stdout for long queries, in the middle of `backbone run`'s
    # own output and in every log that captures it.
    con = duckdb.connect(str(path))
    con.execute("set enable_progress_bar = false")
    ensure_schemas(con)
    return con


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    from ingestion.manifest import ensure_manifest
    from ingestion.quarantine import ensure_quarantine

    for schema in SCHEMAS:
        con.execute(f"create schema if not exists {schema}")
    ensure_manifest(con)
    ensure_quarantine(con)


def q(identifier: str) -> str:
    """Quote an identifier for DuckDB SQL."""
    return '"' + identifier.replace('"', '""') + '"'


def lit(value: object) -> str:
    """A SQL literal for a string (or NULL)."""
    if value is None:
        return "null"
    return "'" + str(value).replace("'", "''") + "'"


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> object:
    """The first value of a query's first row (None without rows).

    Fetches the whole result: DuckDB 2 refuses new work on a connection with a partly fetched one.
    """
    rows = (
        con.execute(sql, params).fetchall() if params is not None else con.execute(sql).fetchall()
    )
    return rows[0][0] if rows else None


def relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[tuple[str, str]]:
    """(name, type) of a table or view, in order."""
    return [(row[0], row[1]) for row in con.execute(f"describe {relation}").fetchall()]


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        scalar(
            con,
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?"
            " and database_name = current_database()",
            [schema, table],
        )
    )


def ensure_table_like(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    columns: list[tuple[str, str]],
    known: dict[str, set[str]] | None = None,
) -> list[str]:
    """Create `schema.table` with these columns, or add the ones it lacks; return the added names.

    A column only ever gets added (schema drift is additive): an old file without a new column
    loads NULL there. `known` caches each table's columns within one transaction.
    """
    target = f"{schema}.{q(table)}"
    key = f"{schema}.{table}"
    existing = known.get(key) if known is not None else None
    if existing is None:
        if not table_exists(con, schema, table):
            cols = ", ".join(f"{q(name)} {dtype}" for name, dtype in columns)
            con.execute(f"create table {target} ({cols})")
            if known is not None:
                known[key] = {name for name, _ in columns}
            return []
        existing = {name for name, _ in relation_columns(con, target)}
        if known is not None:
            known[key] = existing
    added = []
    for name, dtype in columns:
        if name not in existing:
            con.execute(f"alter table {target} add column {q(name)} {dtype}")
            existing.add(name)
            added.append(name)
    return added


def append_to_raw(
    con: duckdb.DuckDBPyConnection,
    table: str,
    relation: str,
    lineage: dict[str, object],
    known: dict[str, set[str]] | None = None,
) -> tuple[int, list[str]]:
    """Append a staged relation (data columns + `_source_row`) to `raw.<table>` with lineage.

    Returns (rows appended, columns added to the raw table by this load).
    """
    data_cols = [(n, t) for n, t in relation_columns(con, relation) if n not in LINEAGE_COLUMNS]
    added = ensure_table_like(con, "raw", table, data_cols + list(LINEAGE_COLUMNS.items()), known)
    consts = ", ".join(
        f"cast({lit(lineage[name])} as {dtype}) as {q(name)}"
        for name, dtype in LINEAGE_COLUMNS.items()
        if name != "_source_row"
    )
    names = ", ".join(q(n) for n, _ in data_cols)
    count = scalar(
        con,
        f"insert into raw.{q(table)} by name select {names}, _source_row, {consts} from {relation}",
    )
    return int(count), added


def append_batch_to_raw(
    con: duckdb.DuckDBPyConnection,
    table: str,
    relation: str,
    files: str,
    known: dict[str, set[str]] | None = None,
) -> tuple[dict[int, int], list[str]]:
    """Append a staged relation of several files (data columns + `_source_row` + `_file`) to
    `raw.<table>`, the lineage taken from `files` (`_file` + the lineage columns but `_source_row`).

    Returns (rows appended per `_file`, columns added to the raw table).
    """
    data_cols = [
        (n, t)
        for n, t in relation_columns(con, relation)
        if n not in LINEAGE_COLUMNS and n != "_file"
    ]
    added = ensure_table_like(con, "raw", table, data_cols + list(LINEAGE_COLUMNS.items()), known)
    counts = {
        int(f): int(n)
        for f, n in con.execute(f"select _file, count(*) from {relation} group by _file").fetchall()
    }
    if counts:
        names = ", ".join(f"r.{q(n)}" for n, _ in data_cols)
        lineage = ", ".join(f"l.{q(n)}" for n in LINEAGE_COLUMNS if n != "_source_row")
        con.execute(
            f"insert into raw.{q(table)} by name select {names}, r._source_row, {lineage}"
            f" from {relation} r join {files} l using (_file)"
        )
    return counts, added
