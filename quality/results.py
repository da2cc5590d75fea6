"""`audit.quality_results`: every gate result of every run, kept across runs (and published).

Also the verdict publication depends on: the latest result of every configured gate must exist,
be newer than its source's latest load, and not be a failed `error` gate.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from quality.gates import GateResult
from quality.suites import Suite, load_suites

RESULTS_DDL = """
create table if not exists audit.quality_results (
    run_id varchar not null,
    asset varchar not null,
    source_system varchar not null,
    check_name varchar not null,
    kind varchar not null,
    severity varchar not null,
    passed boolean not null,
    blocking boolean not null,
    failing_count bigint not null,
    element_count bigint not null,
    sample_failing_rows json,
    details json,
    description varchar,
    checked_at timestamp not null
)
"""

PUBLICATIONS_DDL = """
create table if not exists audit.publications (
    publication_id varchar primary key,
    run_id varchar,
    published_at timestamp not null,
    loads_through timestamp,
    data_as_of date,
    version_file varchar
)
"""


def ensure_results(con: duckdb.DuckDBPyConnection) -> None:
    """Create the audit tables if missing (a no-op on a read-only connection that has them)."""
    present = {
        t
        for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'audit'"
            " and database_name = current_database()"
        ).fetchall()
    }
    if {"quality_results", "publications"} <= present:
        return
    con.execute("create schema if not exists audit")
    con.execute(RESULTS_DDL)
    con.execute(PUBLICATIONS_DDL)


def record(con: duckdb.DuckDBPyConnection, results: list[GateResult]) -> None:
    ensure_results(con)
    con.executemany(
        "insert into audit.quality_results values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [
                r.run_id,
                r.asset,
                r.source,
                r.check_name,
                r.kind,
                r.severity,
                r.passed,
                r.blocks,
                r.failing_count,
                r.element_count,
                json.dumps(r.sample, default=str),
                json.dumps(r.outcomes, default=str),
                r.description,
                r.checked_at,
            ]
            for r in results
        ],
    )


def last_published_loads(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The newest load the last publication covered (row rules look at loads after it)."""
    ensure_results(con)
    rows = con.execute("select max(loads_through) from audit.publications").fetchall()
    return rows[0][0] if rows else None


@dataclass
class Verdict:
    ok: bool
    blocked_by: list[dict[str, Any]] = field(default_factory=list)  # asset, check, reason
    warnings: list[dict[str, Any]] = field(default_factory=list)
    run_ids: list[str] = field(default_factory=list)

    def gate_names(self) -> list[str]:
        return [f"{b['asset']}:{b['check']}" for b in self.blocked_by]


def verdict(con: duckdb.DuckDBPyConnection, suites: dict[str, Suite] | None = None) -> Verdict:
    """May the working warehouse be published? Judged on each gate's latest result."""
    ensure_results(con)
    suites = suites if suites is not None else load_suites()
    latest = {
        (row[0], row[1]): row
        for row in con.execute(
            """
            select source_system, check_name, passed, severity, failing_count, checked_at, run_id
            from audit.quality_results
            qualify row_number() over (partition by source_system, check_name order by checked_at desc) = 1
            """
        ).fetchall()
    }
    last_load = dict(
        con.execute(
            "select source_system, max(started_at) from audit.load_manifest group by 1"
        ).fetchall()
    )
    out = Verdict(ok=True)
    for suite in suites.values():
        for gate in suite.gates:
            row = latest.get((suite.source, gate.name))
            where = {"asset": gate.asset, "check": gate.name, "severity": gate.severity}
            if row is None:
                out.blocked_by.append({**where, "reason": "never evaluated"})
                continue
            _, _, passed, severity, failing, checked_at, run_id = row
            if run_id not in out.run_ids:
                out.run_ids.append(run_id)
            loaded = last_load.get(suite.source)
            if loaded is not None and checked_at < loaded:
                out.blocked_by.append({**where, "reason": "not evaluated since the latest load"})
            elif not passed and severity == "error":
                out.blocked_by.append({**where, "reason": f"failed ({failing} failing)"})
            elif not passed:
                out.warnings.append({**where, "reason": f"warning ({failing} failing)"})
    _judge_dbt(con, out, max(last_load.values(), default=None))
    out.ok = not out.blocked_by
    return out


def _judge_dbt(con: duckdb.DuckDBPyConnection, out: Verdict, last_load: datetime | None) -> None:
    """The modelled layer's gates: every node of the latest `dbt build`, once dbt has run here.

    A warehouse dbt never built (raw layer only) has no models to judge. Once it has, the latest
    build must postdate the latest load, and none of its error-severity results may have failed.
    """
    latest = con.execute(
        "select run_id, max(checked_at) from audit.quality_results where source_system = 'dbt'"
        " group by run_id order by 2 desc limit 1"
    ).fetchall()
    if not latest:
        return
    run_id, built_at = latest[0]
    out.run_ids.append(run_id)
    if last_load is not None and built_at < last_load:
        out.blocked_by.append(
            {"asset": "dbt", "check": "build", "severity": "error",
             "reason": "models not rebuilt since the latest load"}
        )  # fmt: skip
    for asset, check, severity, failing in con.execute(
        "select asset, check_name, severity, failing_count from audit.quality_results"
        " where run_id = ? and source_system = 'dbt' and not passed order by asset, check_name",
        [run_id],
    ).fetchall():
        where = {"asset": asset, "check": check, "severity": severity}
        if severity == "error":
            out.blocked_by.append({**where, "reason": f"failed ({failing} failing)"})
        else:
            out.warnings.append({**where, "reason": f"warning ({failing} failing)"})


def latest_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    ensure_results(con)
    rows = con.execute(
        "select run_id from audit.quality_results group by run_id order by max(checked_at) desc limit 1"
    ).fetchall()
    return rows[0][0] if rows else None


def run_results(con: duckdb.DuckDBPyConnection, run_id: str) -> list[dict[str, Any]]:
    """Every result of one run, as dicts (samples and details parsed)."""
    cur = con.execute(
        "select * from audit.quality_results where run_id = ? order by source_system, checked_at",
        [run_id],
    )
    names = [d[0] for d in cur.description]
    rows = []
    for values in cur.fetchall():
        row = dict(zip(names, values, strict=True))
        for key in ("sample_failing_rows", "details"):
            row[key] = json.loads(row[key]) if row[key] else []
        rows.append(row)
    return rows
