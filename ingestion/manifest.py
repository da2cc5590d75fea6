"""`audit.load_manifest`: one row per load (a file, or a database table batch), and file hashing.

Rows in = rows loaded + rows quarantined holds for every row of the manifest (`rows_read`).
A database batch also counts `rows_unchanged`: rows the cursor overlap re-read that were already
loaded unchanged; they are not "in" (nothing new arrived) and are reported apart.
"""

from __future__ import annotations

import functools
import hashlib
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

MANIFEST_DDL = """
create table if not exists audit.load_manifest (
    load_id varchar primary key,
    source_system varchar not null,
    feed varchar not null,
    target_tables varchar,
    source_file varchar,
    source_table varchar,
    cursor_column varchar,
    cursor_from varchar,
    cursor_to varchar,
    content_hash varchar,
    file_bytes bigint,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    rows_unchanged bigint not null default 0,
    rows_deleted bigint not null default 0,
    status varchar not null,
    note varchar,
    error varchar,
    duplicate_of varchar,
    started_at timestamp not null,
    finished_at timestamp
)
"""

# Stat -> hash cache, so a re-run over an unchanged landing zone hashes nothing.
FILE_HASHES_DDL = """
create table if not exists audit.file_hashes (
    path varchar primary key,
    size bigint not null,
    mtime_ns bigint not null,
    content_hash varchar not null
)
"""

LOADED_STATUSES = ("loaded", "quarantined")

STATUSES = ("loaded", "quarantined", "skipped_duplicate", "failed")


def ensure_manifest(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(MANIFEST_DDL)
    con.execute(FILE_HASHES_DDL)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def new_load_id(source_system: str) -> str:
    """Time-sortable and unique: `<source>-<UTC timestamp>-<8 hex>`."""
    return f"{source_system}-{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"


@dataclass
class ManifestRow:
    load_id: str
    source_system: str
    feed: str
    started_at: datetime
    target_tables: list[str] = field(default_factory=list)
    source_file: str | None = None
    source_table: str | None = None
    cursor_column: str | None = None
    cursor_from: str | None = None
    cursor_to: str | None = None
    content_hash: str | None = None
    file_bytes: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_unchanged: int = 0
    rows_deleted: int = 0
    status: str = "loaded"
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    duplicate_of: str | None = None
    finished_at: datetime | None = None

    def check_balance(self) -> None:
        """Rows in = rows loaded + rows quarantined, or the load must not commit."""
        if self.rows_read != self.rows_loaded + self.rows_quarantined:
            raise RuntimeError(
                f"row accounting broken for {self.source_file or self.source_table}: read "
                f"{self.rows_read} != loaded {self.rows_loaded} + quarantined {self.rows_quarantined}"
            )


def write_manifest(con: duckdb.DuckDBPyConnection, row: ManifestRow | list[ManifestRow]) -> None:
    """Insert one manifest row, or a batch's rows (one statement for up to 100 rows)."""
    write_manifests(con, row if isinstance(row, list) else [row])


_MANIFEST_INSERT = (
    "insert into audit.load_manifest (load_id, source_system, feed, target_tables, source_file,"
    " source_table, cursor_column, cursor_from, cursor_to, content_hash, file_bytes, rows_read,"
    " rows_loaded, rows_quarantined, rows_unchanged, rows_deleted, status, note, error,"
    " duplicate_of, started_at, finished_at) values "
)


def write_manifests(con: duckdb.DuckDBPyConnection, rows: list[ManifestRow]) -> None:
    """Insert manifest rows (one statement for up to 100 rows)."""
    for start in range(0, len(rows), 100):
        chunk = rows[start : start + 100]
        con.execute(
            _MANIFEST_INSERT + ", ".join(["(" + ", ".join(["?"] * 22) + ")"] * len(chunk)),
            [value for row in chunk for value in _manifest_values(row)],
        )


def _manifest_values(row: ManifestRow) -> list[object]:
    row.finished_at = row.finished_at or utcnow()
    return [
        row.load_id,
        row.source_system,
        row.feed,
        ",".join(sorted(set(row.target_tables))) or None,
        row.source_file,
        row.source_table,
        row.cursor_column,
        row.cursor_from,
        row.cursor_to,
        row.content_hash,
        row.file_bytes,
        row.rows_read,
        row.rows_loaded,
        row.rows_quarantined,
        row.rows_unchanged,
        row.rows_deleted,
        row.status,
        "; ".join(row.notes) or None,
        row.error,
        row.duplicate_of,
        row.started_at,
        row.finished_at,
    ]


def file_hashes(con: duckdb.DuckDBPyConnection, paths: list[Path]) -> dict[Path, tuple[str, int]]:
    """sha256 of each file's content and its size, cached in `audit.file_hashes` by (path, size,
    mtime) so a re-run over an unchanged landing zone reads no file."""
    if not paths:
        return {}
    keys = [str(resolved_path(path)) for path in paths]
    cache = {
        (path, size, mtime): digest
        for path, size, mtime, digest in con.execute(
            "select path, size, mtime_ns, content_hash from audit.file_hashes"
            " where path in (select unnest(?::varchar[]))",
            [keys],
        ).fetchall()
    }
    result: dict[Path, tuple[str, int]] = {}
    fresh: list[tuple[str, int, int, str]] = []
    for path, key in zip(paths, keys, strict=True):
        stat = path.stat()
        digest = cache.get((key, stat.st_size, stat.st_mtime_ns))
        if digest is None:
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            fresh.append((key, stat.st_size, stat.st_mtime_ns, digest))
        result[path] = (digest, stat.st_size)
    for start in range(0, len(fresh), 500):
        chunk = fresh[start : start + 500]
        con.execute(
            "insert or replace into audit.file_hashes values "
            + ", ".join(["(?, ?, ?, ?)"] * len(chunk)),
            [value for row in chunk for value in row],
        )
    return result


def last_cursor(
    con: duckdb.DuckDBPyConnection, source_system: str, source_table: str
) -> str | None:
    """The high-water mark of the last committed batch of a database table."""
    row = con.execute(
        "select cursor_to from audit.load_manifest where source_system = ? and source_table = ?"
        " and status in ('loaded', 'quarantined') and cursor_to is not null"
        " order by started_at desc limit 1",
        [source_system, source_table],
    ).fetchall()
    return row[0][0] if row else None


def relative_to_or_name(path: Path, root: Path | None) -> str:
    """The path as recorded in lineage: relative to the landing zone when inside it."""
    if root is not None:
        try:
            return resolved_path(path).relative_to(resolved(root)).as_posix()
        except ValueError:
            pass
    return os.fspath(path)


@functools.lru_cache(maxsize=4096)
def resolved(directory: Path) -> Path:
    """`directory.resolve()`, once per directory (a landing zone holds thousands of files)."""
    return directory.resolve()


def resolved_path(path: Path) -> Path:
    """`path.resolve()`, resolving each folder once: a file that is no symlink resolves to its
    resolved folder plus its name."""
    if path.name in ("", ".", "..") or path.is_symlink():
        return path.resolve()
    return resolved(path.parent) / path.name
