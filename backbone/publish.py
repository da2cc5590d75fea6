"""Write-audit-publish: copy the working warehouse to the published file with an atomic swap.

The published copy is a separate DuckDB file (marts, reference, audit and quarantine schemas,
views materialised as tables). It is written to a temporary file next to the published path and
swapped in with `os.replace`, so a reader sees the old file or the new one, never a half-written
one; a reader holding the old file open keeps reading it (Linux keeps the inode alive).
Every publication stays under `versions/` (hard links, no copy) up to `keep`; `rollback()` puts
the previous one back. `<published>.status.json` says what is live and whether the latest run
was blocked, for dashboards.

The order-keyed facts are built incrementally by order (dbt/macros/order_to_cash_increments.sql)
and the daily inventory by month (dbt/macros/inventory_increments.sql), so a daily publication
starts from a copy of the previous one and replaces only the rows of the orders dbt rebuilt since
(`audit.order_to_cash_changes`) and of the months it rebuilt (`audit.inventory_changes`); every
other table is copied whole. When that history can't say (no earlier publication, a full rebuild
since, other columns), the table is copied whole too; row counts are checked against the working
warehouse either way.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

DEFAULT_SCHEMAS = ("marts", "reference", "audit", "quarantine", "snapshots", "intelligence")
DEFAULT_KEEP = 5
# Facts dbt rebuilds order by order: a publication copies the changed orders' rows only.
ORDER_KEYED_TABLES = frozenset(
    {("marts", "fct_order_lines"), ("marts", "fct_shipments"), ("marts", "fct_invoice_lines")}
)
# ... and by month: a publication copies the months from the first one rebuilt since.
MONTH_KEYED_TABLES = frozenset({("marts", "fct_inventory_daily")})


@dataclass
class Publication:
    publication_id: str
    run_id: str | None
    published_at: str
    data_as_of: str | None
    loads_through: str | None
    version_file: str
    tables: list[str] = field(default_factory=list)
    # tables that took only the changed orders' rows from the working warehouse
    tables_by_order: list[str] = field(default_factory=list)
    # ... and only the changed months' rows
    tables_by_month: list[str] = field(default_factory=list)


class PublishBlocked(RuntimeError):
    """The latest gates did not pass: nothing was published, the previous publication stays."""

    def __init__(self, blocked_by: list[dict[str, Any]]):
        self.blocked_by = blocked_by
        names = ", ".join(
            f"{b['asset']}:{b['check']} ({b.get('reason', 'failed')})" for b in blocked_by
        )
        super().__init__(f"publication blocked by {names}")


def publish_schemas() -> tuple[str, ...]:
    value = os.environ.get("BACKBONE_PUBLISH_SCHEMAS")
    return tuple(s.strip() for s in value.split(",") if s.strip()) if value else DEFAULT_SCHEMAS


def keep_versions() -> int:
    return int(os.environ.get("BACKBONE_PUBLISH_KEEP", DEFAULT_KEEP))


def publish(
    warehouse: Path,
    published: Path,
    run_id: str | None = None,
    *,
    require_gates: bool = True,
    schemas: tuple[str, ...] | None = None,
    keep: int | None = None,
) -> Publication:
    """Publish the working warehouse if every gate's latest result allows it (else PublishBlocked).

    Opens the working warehouse as its writer: call it with no other connection open on it.
    """
    from quality.gates import DATA_DAY
    from quality.results import ensure_results, verdict

    warehouse, published = Path(warehouse), Path(published)
    if not warehouse.exists():
        raise RuntimeError(f"no working warehouse at {warehouse}: run `backbone run` first")
    published.parent.mkdir(parents=True, exist_ok=True)
    versions = versions_dir(published)
    versions.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).replace(tzinfo=None)
    publication_id = f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:6]}"
    tmp = published.parent / f".{published.name}.{publication_id}.tmp"
    con = duckdb.connect(str(warehouse))
    con.execute("set enable_progress_bar = false")  # a long copy must not draw on stdout
    try:
        ensure_results(con)
        if require_gates:
            judged = verdict(con)
            if not judged.ok:
                record_blocked(published, run_id, judged.blocked_by)
                raise PublishBlocked(judged.blocked_by)
        loads_through, data_as_of = con.execute(
            f"select max(started_at), max({DATA_DAY}) from audit.load_manifest"
            " where status in ('loaded', 'quarantined')"
        ).fetchall()[0]
        version_file = versions / f"{publication_id}.duckdb"
        con.execute(
            "insert into audit.publications values (?, ?, ?, ?, ?, ?)",
            [publication_id, run_id, now, loads_through, data_as_of, str(version_file)],
        )
        con.execute("checkpoint")
        try:
            previous = _previous_publication(con, publication_id)
            tables, by_order, by_month = _copy(con, tmp, schemas or publish_schemas(), previous)
        except BaseException:
            con.execute("delete from audit.publications where publication_id = ?", [publication_id])
            raise
        _forget_published_changes(con, now)
    finally:
        con.close()
    try:
        _fsync(tmp)
        os.chmod(tmp, 0o444)  # readers only: a read-write open of the published copy fails
        os.link(tmp, version_file)
        os.replace(tmp, published)
        _fsync_dir(published.parent)
    finally:
        tmp.unlink(missing_ok=True)
    publication = Publication(
        publication_id=publication_id,
        run_id=run_id,
        published_at=now.isoformat(timespec="seconds") + "Z",
        data_as_of=_iso(data_as_of),
        loads_through=_iso(loads_through),
        version_file=str(version_file),
        tables=tables,
        tables_by_order=by_order,
        tables_by_month=by_month,
    )
    _write_json(version_file.with_suffix(".json"), asdict(publication))
    _prune(versions, keep if keep is not None else keep_versions())
    write_status(
        published,
        live=asdict(publication),
        latest_run={
            "run_id": run_id,
            "at": publication.published_at,
            "outcome": "published",
            "blocked_by": [],
        },
    )
    return publication


def rollback(published: Path) -> Publication:
    """Put the publication before the live one back in place (atomic swap, like a publication)."""
    published = Path(published)
    history = list_versions(published)
    current = _live_index(published, history)
    if current is None or current == 0:
        raise RuntimeError("no earlier publication to roll back to")
    previous = history[current - 1]
    tmp = published.parent / f".{published.name}.rollback-{uuid.uuid4().hex[:6]}.tmp"
    try:
        os.link(previous["version_file"], tmp)
        os.replace(tmp, published)
        _fsync_dir(published.parent)
    finally:
        tmp.unlink(missing_ok=True)
    status = read_status(published)
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    write_status(
        published,
        live=previous,
        latest_run={
            **(status.get("latest_run") or {}),
            "rolled_back_at": now,
            "rolled_back_from": history[current]["publication_id"],
        },
    )
    fields = {k: previous.get(k) for k in Publication.__dataclass_fields__}
    return Publication(**fields)


def list_versions(published: Path) -> list[dict[str, Any]]:
    """Kept publications, oldest first (each with its metadata)."""
    out = []
    for meta in sorted(versions_dir(Path(published)).glob("*.json")):
        info = json.loads(meta.read_text(encoding="utf-8"))
        if Path(info["version_file"]).exists():
            out.append(info)
    return out


def versions_dir(published: Path) -> Path:
    return Path(published).parent / "versions"


def status_path(published: Path) -> Path:
    published = Path(published)
    return published.with_name(published.stem + ".status.json")


def read_status(published: Path) -> dict[str, Any]:
    path = status_path(published)
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def record_blocked(
    published: Path, run_id: str | None, blocked_by: list[dict[str, Any]]
) -> dict[str, Any]:
    """The latest run was blocked: say so next to the (unchanged) published file."""
    status = read_status(published)
    latest = status.get("latest_run") or {}
    gates = (
        list(latest.get("blocked_by", []))
        if latest.get("run_id") == run_id and latest.get("outcome") == "blocked"
        else []
    )
    for gate in blocked_by:
        key = (gate.get("asset"), gate.get("check"))
        if key not in {(g.get("asset"), g.get("check")) for g in gates}:
            gates.append(dict(gate))
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return write_status(
        published,
        live=status.get("published"),
        latest_run={"run_id": run_id, "at": now, "outcome": "blocked", "blocked_by": gates},
    )


def write_status(
    published_path: Path, *, live: dict[str, Any] | None, latest_run: dict[str, Any]
) -> dict[str, Any]:
    """Write `<published>.status.json` atomically: what is live, and how the latest run ended."""
    doc = {
        "status": "blocked" if latest_run.get("outcome") == "blocked" else "current",
        "message": _status_message(live, latest_run),
        "published": live,
        "latest_run": latest_run,
        "published_file": str(published_path),
    }
    _write_json(status_path(published_path), doc)
    return doc


def _status_message(live: dict[str, Any] | None, latest: dict[str, Any]) -> str:
    if live:
        parts = [
            f"data as of {live.get('data_as_of') or '?'} (published {live.get('published_at')})"
        ]
    else:
        parts = ["nothing published yet"]
    if latest.get("rolled_back_from"):
        parts.append(f"rolled back from publication {latest['rolled_back_from']}")
    if latest.get("outcome") == "blocked":
        gates = ", ".join(f"{g['asset']}:{g['check']}" for g in latest.get("blocked_by", []))
        parts.append(f"the latest run was blocked by {gates}")
    return "; ".join(parts)


def _copy(
    con: duckdb.DuckDBPyConnection,
    target: Path,
    schemas: tuple[str, ...],
    previous: tuple[Path, datetime] | None = None,
) -> tuple[list[str], list[str], list[str]]:
    """Every table and view of the schemas, as tables, into a new DuckDB file: a copy of the
    previous publication's file (and when it was published) whose order-keyed and month-keyed
    facts take only the rows dbt rebuilt since, or an empty file. Returns the tables, and those
    that took only the changed orders' and months' rows."""
    target.unlink(missing_ok=True)
    relations = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        " union all select schema_name, view_name from duckdb_views()"
        " where database_name = current_database() and not internal"
        " order by 1, 2"
    ).fetchall()
    wanted = [(s, t) for s, t in relations if s in schemas]
    changed = _changed_orders(con, previous[1]) if previous is not None else None
    reached = _first_month_reached(con, previous[1]) if previous is not None else None
    copied = changed is not None or reached is not None
    if copied:
        shutil.copyfile(previous[0], target)  # the file, not its read-only mode
    alias = "publish_target"
    con.execute(f"attach '{target}' as {alias}")
    try:
        kept = set(_tables(con, alias)) if copied else set()
        for stale in kept - set(wanted):
            con.execute(f'drop table {alias}."{stale[0]}"."{stale[1]}"')
        for schema in dict.fromkeys(s for s, _ in wanted):
            con.execute(f'create schema if not exists {alias}."{schema}"')
        by_order, by_month = [], []
        for schema, table in wanted:
            name = (schema, table)
            if (
                name in kept
                and name in ORDER_KEYED_TABLES
                and changed is not None
                and _replace_rows(con, alias, schema, table, _in_orders(changed))
            ):
                by_order.append(f"{schema}.{table}")
                continue
            if (
                name in kept
                and name in MONTH_KEYED_TABLES
                and reached is not None
                and _replace_months(con, alias, schema, table, reached)
            ):
                by_month.append(f"{schema}.{table}")
                continue
            source, copy = f'"{schema}"."{table}"', f'{alias}."{schema}"."{table}"'
            con.execute(f"create or replace table {copy} as select * from {source}")
        con.execute(f"checkpoint {alias}")
    finally:
        con.execute(f"detach {alias}")
        con.execute("drop table if exists temp.publish_changed_orders")
    return [f"{s}.{t}" for s, t in wanted], by_order, by_month


def _forget_published_changes(con: duckdb.DuckDBPyConnection, published_at: datetime) -> None:
    """The changed orders and months of builds before this publication: the next one starts
    from it."""
    if not _has_build_history(con):
        return
    published_builds = "select invocation_id from audit.incremental_builds where built_at <= ?"
    for changes in _CHANGE_TABLES:
        if _has_table(con, "audit", changes):
            con.execute(
                f"delete from audit.{changes} where invocation_id in ({published_builds})",
                [published_at],
            )


def _previous_publication(
    con: duckdb.DuckDBPyConnection, publication_id: str
) -> tuple[Path, datetime] | None:
    """The latest earlier publication's file and time, if the file is still kept."""
    rows = con.execute(
        "select version_file, published_at from audit.publications where publication_id <> ?"
        " order by published_at desc limit 1",
        [publication_id],
    ).fetchall()
    if not rows or not rows[0][0] or not Path(rows[0][0]).exists():
        return None
    return Path(rows[0][0]), rows[0][1]


def _changed_orders(con: duckdb.DuckDBPyConnection, since: datetime) -> str | None:
    """A temp table of the orders dbt rebuilt since the previous publication; None when the
    order history can't say (no record of it, a full rebuild, no build since)."""
    if not _builds_since_say(con, "order_to_cash", "order_to_cash_changes", since):
        return None
    con.execute(
        f"""create or replace temp table publish_changed_orders as
        select distinct order_id from audit.order_to_cash_changes
        where invocation_id in ({_BUILDS_SINCE}) and order_id is not null""",
        ["order_to_cash", since],
    )
    return "temp.publish_changed_orders"


def _first_month_reached(con: duckdb.DuckDBPyConnection, since: datetime) -> str | None:
    """The earliest month a change reached in the builds of fct_inventory_daily since the
    previous publication ('9999-99': none reached back, each build only rebuilt its latest month
    and later ones); None when the history can't say (no record of it, a full rebuild, no build
    since)."""
    if not _builds_since_say(con, "inventory_daily", "inventory_changes", since):
        return None
    return con.execute(
        f"""select coalesce(min(rebuild_from_month), '9999-99') from audit.inventory_changes
        where invocation_id in ({_BUILDS_SINCE})""",
        ["inventory_daily", since],
    ).fetchone()[0]


def _in_orders(changed: str) -> str:
    """The rows of the changed orders (and the few without an order: always rebuilt)."""
    return f"order_id is null or order_id in (select order_id from {changed})"


def _replace_months(
    con: duckdb.DuckDBPyConnection, alias: str, schema: str, table: str, reached: str
) -> bool:
    """Replace the months dbt rebuilt since the previous publication: from the earliest a change
    reached, or the latest month the publication holds if earlier (each build rebuilds its latest
    month and every later one, and the latest month only grows)."""
    copy = f'{alias}."{schema}"."{table}"'
    latest = con.execute(f"select max(snapshot_month) from {copy}").fetchone()[0]
    if latest is None:
        return False
    return _replace_rows(con, alias, schema, table, f"snapshot_month >= '{min(latest, reached)}'")


# Builds of a group since a time (parameters: model group, time).
_BUILDS_SINCE = """
    select invocation_id from audit.incremental_builds
    where model_group = ? and built_at > ?"""
_CHANGE_TABLES = ("order_to_cash_changes", "inventory_changes")


def _builds_since_say(
    con: duckdb.DuckDBPyConnection, model_group: str, changes: str, since: datetime
) -> bool:
    """Whether the group was built since and every such build recorded a partial rebuild."""
    if not (_has_build_history(con) and _has_table(con, "audit", changes)):
        return False
    recorded, full = con.execute(
        f"""select
            (select count(*) from ({_BUILDS_SINCE})),
            (select coalesce(bool_or(is_full_rebuild), false) from audit.{changes}
             where invocation_id in ({_BUILDS_SINCE}))""",
        [model_group, since, model_group, since],
    ).fetchone()
    return recorded > 0 and not full


def _has_build_history(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether dbt has recorded its builds (it creates the table on its first)."""
    return _has_table(con, "audit", "incremental_builds")


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute(
        "select count(*) > 0 from duckdb_tables()"
        " where database_name = current_database() and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchone()[0]


def _replace_rows(
    con: duckdb.DuckDBPyConnection, alias: str, schema: str, table: str, rebuilt: str
) -> bool:
    """Replace the rows dbt rebuilt (`rebuilt`, a condition) of a table's published copy; False
    (nothing done) when it can't be done that way."""
    current = con.execute("select current_database()").fetchone()[0]
    if _columns(con, alias, schema, table) != _columns(con, current, schema, table):
        return False
    source, copy = f'{current}."{schema}"."{table}"', f'{alias}."{schema}"."{table}"'
    con.execute(f"delete from {copy} where {rebuilt}")
    con.execute(f"insert into {copy} select * from {source} where {rebuilt}")
    counts = con.execute(
        f"select (select count(*) from {copy}), (select count(*) from {source})"
    ).fetchone()
    return counts[0] == counts[1]  # else: copied whole by the caller


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str]]:
    return con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ?", [database]
    ).fetchall()


def _columns(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> list:
    return con.execute(
        "select column_name, data_type from duckdb_columns()"
        " where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [database, schema, table],
    ).fetchall()


def _live_index(published: Path, history: list[dict[str, Any]]) -> int | None:
    """Which kept version is live: the one sharing the published file's inode."""
    if not published.exists():
        return None
    inode = published.stat().st_ino
    for i, info in enumerate(history):
        if Path(info["version_file"]).stat().st_ino == inode:
            return i
    return None


def _prune(versions: Path, keep: int) -> None:
    metas = sorted(versions.glob("*.json"))
    for meta in metas[: max(0, len(metas) - keep)]:
        info = json.loads(meta.read_text(encoding="utf-8"))
        Path(info["version_file"]).unlink(missing_ok=True)
        meta.unlink()


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
