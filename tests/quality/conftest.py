"""Small hand-made warehouses for the gate tests: a few raw rows, loads and quarantine records."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

LINEAGE_DDL = "_load_id varchar, _source_system varchar, _source_file varchar, _source_row bigint, _loaded_at timestamp"
T0 = datetime(2026, 1, 1, 6, 0, 0)


class MiniWarehouse:
    """A working warehouse with the ingestion schemas and helpers to add loads and raw rows."""

    def __init__(self, path: Path):
        from ingestion.warehouse import connect

        self.path = path
        self.con = connect(path)
        self._n = 0

    def add_load(
        self,
        source: str,
        feed: str,
        day: date,
        rows_read: int,
        rows_quarantined: int = 0,
        status: str = "loaded",
        started_at: datetime | None = None,
        source_file: str | None = None,
    ) -> str:
        self._n += 1
        load_id = f"{source}-{self._n:05d}"
        source_file = source_file or f"exports/{source}/{day:%Y%m%d}/{feed}_{day:%Y%m%d}.csv"
        started = started_at or T0 + timedelta(seconds=self._n)
        self.con.execute(
            "insert into audit.load_manifest (load_id, source_system, feed, source_file, rows_read,"
            " rows_loaded, rows_quarantined, status, started_at, finished_at)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                source,
                feed,
                source_file,
                rows_read,
                rows_read - rows_quarantined,
                rows_quarantined,
                status,
                started,
                started,
            ],
        )
        for i in range(rows_quarantined):
            self.con.execute(
                "insert into quarantine.records values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    load_id,
                    source,
                    feed,
                    source_file,
                    i + 1,
                    None,
                    "bad_date",
                    "impossible date",
                    "x",
                    started,
                ],
            )
        return load_id

    def table(self, name: str, columns: str) -> None:
        self.con.execute(f"create table raw.{name} ({columns}, {LINEAGE_DDL})")

    def rows(self, name: str, load_id: str, rows: list[tuple]) -> None:
        width = len(rows[0]) if rows else 0
        marks = ", ".join(["?"] * (width + 5))
        self.con.executemany(
            f"insert into raw.{name} values ({marks})",
            [
                [*r, load_id, load_id.rsplit("-", 1)[0], f"{load_id}.csv", i + 1, T0]
                for i, r in enumerate(rows)
            ],
        )

    def close(self) -> None:
        self.con.close()


@pytest.fixture
def mini(tmp_path: Path) -> Iterator[MiniWarehouse]:
    wh = MiniWarehouse(tmp_path / "warehouse" / "backbone.duckdb")
    yield wh
    wh.close()


def gate(source: str, kind: str, severity: str = "error", mostly: float = 1.0, rules=(), **options):
    from quality.suites import Gate

    return Gate(
        source=source,
        name=f"{kind}_gate",
        kind=kind,
        severity=severity,
        mostly=mostly,
        rules=tuple(rules),
        options=options,
    )


def run(mini: MiniWarehouse, g, since: datetime | None = None):
    from quality.gates import Scope, evaluate

    return evaluate(mini.con, g, "test-run", Scope(since=since))


def duck(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path))
