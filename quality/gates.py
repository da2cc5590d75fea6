"""Evaluate a gate on the working warehouse: DuckDB SQL builds the frames, GX validates them.

Row rules (domains, ranges, keys, references, control totals) look only at rows of the loads that
no publication has covered yet (`Scope`): a run that was blocked leaves its loads in scope until
they pass or are removed, so re-running on an unchanged landing zone cannot publish them.
History rules (freshness, volume) look at every load.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import pandas as pd

from quality.gx import Check, Outcome, jsonable, validate
from quality.suites import Gate

LINEAGE = ["_load_id", "_source_file", "_source_row"]
LOADED = "('loaded', 'quarantined')"
# The date a file belongs to: the first 8-digit run of its name (late files keep their day).
FILE_DAY = (
    "try_cast(try_strptime(regexp_extract(regexp_extract(source_file, '[^/]*$'), '(\\d{8})', 1),"
    " '%Y%m%d') as date)"
)


def _store_sources() -> str:
    """Backbone's own stores (the exceptions workflow log) run on the wall clock, not on the
    business data's calendar: their loads never set the day the data is "as of"."""
    from ingestion.mapping import DatabaseSource, load_sources

    names = [n for n, s in load_sources().items() if isinstance(s, DatabaseSource) and s.store]
    return ", ".join(f"'{n}'" for n in names) or "''"


STORE_SOURCES = _store_sources()  # as a SQL list
# The business day a load's data belongs to: its file's day, else the database cursor's day.
DATA_DAY = (
    f"case when source_system in ({STORE_SOURCES}) then null"
    f" else coalesce({FILE_DAY}, try_cast(try_cast(cursor_to as timestamp) as date)) end"
)


@dataclass
class Scope:
    """The loads a gate's row rules look at: those after `since` (None: every load)."""

    since: datetime | None = None

    def loads(self, source: str) -> str:
        """SQL: the load ids of a source in scope."""
        cond = f"source_system = '{source}'"
        if self.since is not None:
            cond += f" and started_at > timestamp '{self.since.isoformat(sep=' ')}'"
        return f"(select load_id from audit.load_manifest where {cond})"


@dataclass
class GateResult:
    run_id: str
    source: str
    check_name: str
    kind: str
    severity: str
    passed: bool
    failing_count: int
    element_count: int
    checked_at: datetime
    description: str = ""
    sample: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    target: str | None = None  # the asset checked, when not the source's raw asset (dbt models)

    @property
    def asset(self) -> str:
        return self.target or f"raw/{self.source}"

    @property
    def blocks(self) -> bool:
        return not self.passed and self.severity == "error"

    def summary(self) -> str:
        failed = [o["label"] for o in self.outcomes if not o["success"]]
        if self.passed:
            tolerated = f" ({self.failing_count} row(s) tolerated)" if self.failing_count else ""
            return f"passed{tolerated}"
        return "failed: " + "; ".join(failed[:5])


def evaluate(
    con: duckdb.DuckDBPyConnection,
    gate: Gate,
    run_id: str,
    scope: Scope | None = None,
) -> GateResult:
    """Evaluate one gate. A gate that cannot be evaluated (SQL error...) fails with the error."""
    scope = scope or Scope()
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        outcomes: list[Outcome] = []
        for frame, checks in EVALUATORS[gate.kind](con, gate, scope):
            outcomes.extend(validate(frame, checks))
        # a breakage is a share *and* a count: a few bad rows in a small delivery are tolerated
        tolerate = int(gate.option("tolerate_rows", 0))
        tolerated = [o for o in outcomes if not o.success and 0 < o.failing_count <= tolerate]
        for outcome in tolerated:
            outcome.success = True
        outcome_dicts = [o.as_dict() for o in outcomes]
        passed = all(o.success for o in outcomes)
        failing = sum(o.failing_count for o in outcomes)
        sample = [
            {"check": o.label, **row} for o in outcomes if o.failing_count for row in o.sample
        ][:10]
        element_count = sum(o.element_count for o in outcomes)
    except Exception as exc:
        passed, failing, element_count = False, 1, 0
        error = f"{type(exc).__name__}: {exc}"
        sample = [{"check": "gate could not be evaluated", "error": error}]
        outcome_dicts = [
            {
                "label": "gate could not be evaluated",
                "success": False,
                "failing_count": 1,
                "error": error,
                "traceback": traceback.format_exc(limit=3),
            }
        ]
    return GateResult(
        run_id=run_id,
        source=gate.source,
        check_name=gate.name,
        kind=gate.kind,
        severity=gate.severity,
        passed=passed,
        failing_count=failing,
        element_count=element_count,
        checked_at=checked_at,
        description=gate.description,
        sample=jsonable(sample),
        outcomes=jsonable(outcome_dicts),
    )


Frames = list[tuple[pd.DataFrame, list[Check]]]


def _gx():
    import great_expectations as gx

    return gx.expectations


# --- file and load level -----------------------------------------------------------------------


def _contract(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    expected = expected_columns(gate.source)
    actual = con.execute(
        "select table_name, column_name, data_type from duckdb_columns()"
        " where schema_name = 'raw' and database_name = current_database()"
    ).fetchall()
    types = {(t, c): d for t, c, d in actual}
    existing = {t for t, _, _ in actual}
    rows = [
        {
            "table": table,
            "column": column,
            "expected_type": _norm(dtype),
            "actual_type": _norm(types.get((table, column))),
        }
        for table, columns in expected.items()
        if table in existing  # a table nothing was ever loaded into has no contract to break yet
        for column, dtype in columns
    ]
    frame = pd.DataFrame(rows, columns=["table", "column", "expected_type", "actual_type"])
    ex = _gx()
    return [
        (
            frame,
            [
                Check(
                    "declared columns are present",
                    ex.ExpectColumnValuesToNotBeNull(column="actual_type"),
                ),
                Check(
                    "declared types match",
                    ex.ExpectColumnPairValuesToBeEqual(
                        column_A="expected_type",
                        column_B="actual_type",
                        ignore_row_if="either_value_is_missing",
                    ),
                ),
            ],
        )
    ]


def _rejected_files(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    frame = con.execute(
        "select load_id, feed, coalesce(source_file, source_table) as source, status, rows_read,"
        " rows_quarantined, coalesce(error, note) as reason from audit.load_manifest"
        f" where load_id in {scope.loads(gate.source)} and status <> 'skipped_duplicate'"
        " order by started_at"
    ).df()
    ex = _gx()
    check = Check(
        "no file rejected whole or failed",
        ex.ExpectColumnValuesToNotBeInSet(column="status", value_set=["quarantined", "failed"]),
    )
    return [(frame, [check])]


def _quarantine_rate(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    max_rate = float(gate.option("max_rate", 0.02))
    min_rows = int(gate.option("min_rows", 20))
    frame = con.execute(
        f"""
        with loads as (
            select * from audit.load_manifest where load_id in {scope.loads(gate.source)}
        ), reasons as (
            select reason_code || ' x' || count(*) as reason
            from quarantine.records where load_id in (select load_id from loads)
            group by reason_code order by count(*) desc
        )
        select
            '{gate.source}' as source_system,
            count(*) as loads,
            coalesce(sum(rows_read), 0) as rows_read,
            coalesce(sum(rows_quarantined), 0) as rows_quarantined,
            coalesce(sum(rows_quarantined) / nullif(sum(rows_read), 0), 0.0) as observed_rate,
            -- judged only from min_rows quarantined rows on: 1 bad row of 20 is not a breakage
            case when coalesce(sum(rows_quarantined), 0) >= {min_rows} then observed_rate end
                as quarantine_rate,
            (select string_agg(reason, ', ') from reasons) as reasons
        from loads
        """
    ).df()
    ex = _gx()
    check = Check(
        f"quarantined share of rows read <= {max_rate:.1%}",
        ex.ExpectColumnValuesToBeBetween(column="quarantine_rate", min_value=0, max_value=max_rate),
    )
    return [(frame, [check])]


def _envelope_errors(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    """The share of interchanges received since the last publication with a set rejected for
    its envelope, judged from `min_interchanges` such interchanges on.

    Interchanges, not sets: one partner's broken interchange (an IEA02 that does not match its
    ISA13 rejects every set in it, 125 invoices in one outbound batch) is quarantined and queued
    for the EDI coordinator; a breakage is many interchanges going wrong. The sets are counted
    too, for the steward."""
    max_rate = float(gate.option("max_rate", 0.03))
    min_interchanges = int(gate.option("min_interchanges", 10))
    loads = scope.loads(gate.source)
    headers = [
        t
        for (t,) in con.execute(
            "select table_name from duckdb_columns() where schema_name = 'raw'"
            " and database_name = current_database() and column_name = 'envelope_ok'"
            f" and table_name like '{gate.source}%'"
        ).fetchall()
    ]
    kept = (
        " union ".join(
            f"select _load_id, _source_row, isa_control from raw.{t} where _load_id in {loads}"
            for t in headers
        )
        or "select null as _load_id, null as _source_row, null as isa_control where false"
    )
    frame = con.execute(
        f"""
        with kept as ({kept}),
        rejected as (select * from quarantine.edi_sets where load_id in {loads}),
        interchanges as (
            select _load_id as load_id, isa_control, false as has_error from kept
            union all
            select load_id, isa_control, true as has_error from rejected
        ),
        codes as (
            select code || ' x' || n as code from (
                select coalesce(nullif(split_part(detail, ':', 1), ''), reason_code) as code, count(*) as n
                from rejected group by 1
            ) order by n desc
        ),
        counted as (
            select
                (select count(distinct (load_id, isa_control)) from interchanges)
                    as interchanges_received,
                (select count(distinct (load_id, isa_control)) from interchanges where has_error)
                    as interchanges_with_errors,
                (select count(*) from kept) + (select count(*) from rejected) as sets_received,
                (select count(*) from rejected) as sets_rejected,
                (select string_agg(code, ', ') from codes) as error_codes
        )
        select
            interchanges_received,
            interchanges_with_errors,
            coalesce(interchanges_with_errors / nullif(interchanges_received, 0), 0.0)
                as observed_rate,
            -- judged from min_interchanges on: one bad interchange of a quiet day is not a breakage
            case when interchanges_with_errors >= {min_interchanges} then observed_rate end
                as envelope_error_rate,
            sets_received,
            sets_rejected,
            error_codes
        from counted
        """
    ).df()
    ex = _gx()
    check = Check(
        f"interchanges with envelope errors <= {max_rate:.1%}",
        ex.ExpectColumnValuesToBeBetween(
            column="envelope_error_rate", min_value=0, max_value=max_rate
        ),
    )
    return [(frame, [check])]


# --- row rules ---------------------------------------------------------------------------------


def _domains(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    ex = _gx()

    def check(rule: dict[str, Any]) -> Check:
        values = [str(v) for v in rule["values"]]
        return Check(
            f"{rule['table']}.{rule['column']} in {{{', '.join(values)}}}",
            ex.ExpectColumnValuesToBeInSet(
                column=rule["column"], value_set=values, mostly=_mostly(gate, rule)
            ),
            rule["table"],
        )

    return _per_table(con, gate, scope, lambda r: [r["column"]], check)


def _ranges(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    ex = _gx()

    def check(rule: dict[str, Any]) -> Check:
        low, high = rule.get("min"), rule.get("max")
        bounds = f"{'' if low is None else low}..{'' if high is None else high}"
        return Check(
            f"{rule['table']}.{rule['column']} in [{bounds}]",
            ex.ExpectColumnValuesToBeBetween(
                column=rule["column"], min_value=low, max_value=high, mostly=_mostly(gate, rule)
            ),
            rule["table"],
        )

    # decimals travel as doubles so GX compares numbers, not Decimal objects
    return _per_table(
        con, gate, scope, lambda r: [f"cast({r['column']} as double) as {r['column']}"], check
    )


def _unique_keys(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    ex = _gx()
    rules = list(gate.rules)
    if gate.option("from_mapping"):
        rules += primary_key_rules(gate.source)

    def check(rule: dict[str, Any]) -> Check:
        key = ["_load_id", *rule["key"]]
        return Check(
            f"{rule['table']} ({', '.join(rule['key'])}) unique within a load",
            ex.ExpectCompoundColumnsToBeUnique(column_list=key, mostly=_mostly(gate, rule)),
            rule["table"],
        )

    frames = []
    for rule in rules:
        if not _exists(con, rule["table"]):
            continue
        cols = ", ".join(dict.fromkeys([*LINEAGE, *rule["key"]]))
        frame = con.execute(
            f"select {cols} from raw.{rule['table']} where _load_id in {scope.loads(gate.source)}"
        ).df()
        frames.append((frame, [check(rule)]))
    return frames


def _referential(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    ex = _gx()
    frames = []
    for rule in gate.rules:
        if not _exists(con, rule["table"]):
            continue
        where = f" where {rule['ref_where']}" if rule.get("ref_where") else ""
        refs = [r.split(".") for r in rule["refs"]]
        known = (
            " union ".join(
                f"select cast({c} as varchar) as code from raw.{t}{where}"
                for t, c in refs
                if _exists(con, t)
            )
            or "select null as code where false"
        )
        column = rule["column"]
        frame = con.execute(
            f"""
            with known as ({known})
            select {", ".join(LINEAGE)}, cast({column} as varchar) as {column},
                   cast({column} as varchar) in (select code from known) as known_code
            from raw.{rule["table"]}
            where _load_id in {scope.loads(gate.source)} and {column} is not null
            """
        ).df()
        label = f"{rule['table']}.{column} found in {' or '.join(rule['refs'])}"
        check = Check(
            label,
            ex.ExpectColumnValuesToBeInSet(
                column="known_code", value_set=[True], mostly=_mostly(gate, rule)
            ),
            rule["table"],
        )
        frames.append((frame, [check]))
    return frames


def _control_totals(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    ex = _gx()
    frames = []
    for rule in gate.rules:
        if not _exists(con, rule["table"]):
            continue
        declared, counted = rule["declared"], rule["counted"]
        frame = con.execute(
            f"select {', '.join(LINEAGE)}, isa_control, st_control, {declared}, {counted}"
            f" from raw.{rule['table']} where _load_id in {scope.loads(gate.source)}"
        ).df()
        if rule.get("compare", "==") == ">=":
            expectation = ex.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=declared,
                column_B=counted,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                mostly=_mostly(gate, rule),
            )
            label = f"{rule['table']}: {declared} >= {counted}"
        else:
            expectation = ex.ExpectColumnPairValuesToBeEqual(
                column_A=declared,
                column_B=counted,
                ignore_row_if="either_value_is_missing",
                mostly=_mostly(gate, rule),
            )
            label = f"{rule['table']}: {declared} = {counted}"
        frames.append((frame, [Check(label, expectation, rule["table"])]))
    return frames


# --- history rules -----------------------------------------------------------------------------


def _freshness(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    max_lag = int(gate.option("max_lag_days", 3))
    by = gate.option("by", "source")
    group = {
        "source": "source_system",
        "feed": "feed",
        "folder": "split_part(coalesce(source_file, source_table), '/', 2)",
    }[by]
    expected_groups = ""
    if by == "feed":
        feeds = expected_feeds(gate.source)
        if feeds:
            expected_groups = " union ".join(f"select '{f}' as grp" for f in feeds) + " union "
    elif by == "source":
        expected_groups = f"select '{gate.source}' as grp union "
    frame = con.execute(
        f"""
        with days as (
            select source_system, {group} as grp, {DATA_DAY} as data_day
            from audit.load_manifest where status in {LOADED}
        ),
        reference as (select max(data_day) as reference_day from days),
        groups as ({expected_groups}select distinct grp from days where source_system = '{gate.source}'),
        latest as (
            select grp, max(data_day) as latest_day from days
            where source_system = '{gate.source}' group by grp
        )
        select
            '{gate.source}' as source_system,
            g.grp as {by},
            cast(l.latest_day as varchar) as latest_day,
            cast(r.reference_day as varchar) as reference_day,
            coalesce(date_diff('day', l.latest_day, r.reference_day), 99999) as lag_days
        from groups g cross join reference r left join latest l using (grp)
        where g.grp is not null
        order by lag_days desc
        """
    ).df()
    ex = _gx()
    check = Check(
        f"newest data per {by} at most {max_lag} day(s) behind the newest delivery",
        ex.ExpectColumnValuesToBeBetween(column="lag_days", min_value=0, max_value=max_lag),
    )
    return [(frame, [check])]


def _volume(con: duckdb.DuckDBPyConnection, gate: Gate, scope: Scope) -> Frames:
    """Rows of the latest `days` days against the median of the same-length windows before them.

    Windows of a few days rather than single days: at small scale a source has a handful of rows
    a day and a quiet day is not a collapse; a missing delivery or a flood still is.
    """
    days = int(gate.option("days", 3))
    baseline = int(gate.option("baseline_days", 28))
    windows = max(1, baseline // days)
    low, high = float(gate.option("min_ratio", 0.2)), float(gate.option("max_ratio", 5.0))
    min_baseline = float(gate.option("min_baseline_rows", 10))
    tables = gate.option("tables")
    if tables:
        daily = (
            " union all ".join(
                f"select cast({t['date_column']} as date) as day, count(*) as n from raw.{t['table']} group by 1"
                for t in tables
                if _exists(con, t["table"])
            )
            or "select cast(null as date) as day, 0 as n where false"
        )
    else:
        daily = (
            f"select {FILE_DAY} as day, sum(rows_read) as n from audit.load_manifest"
            f" where source_system = '{gate.source}' and status in {LOADED} group by 1"
        )
    frame = con.execute(
        f"""
        with reference as (
            select max({DATA_DAY}) as reference_day from audit.load_manifest where status in {LOADED}
        ),
        calendar as (
            select cast(unnest(generate_series(reference_day - {days * (windows + 1) - 1},
                                               reference_day, interval 1 day)) as date) as day
            from reference
        ),
        daily as (select day, sum(n) as n from ({daily}) group by day),
        blocks as (
            select date_diff('day', c.day, (select reference_day from reference)) // {days} as block,
                   min(c.day) as first_day, max(c.day) as last_day, sum(coalesce(d.n, 0)) as rows,
                   string_agg(cast(coalesce(d.n, 0) as varchar), ' ' order by c.day) as per_day
            from calendar c left join daily d using (day) group by 1
        ),
        baseline as (select median(rows) as baseline_median from blocks where block between 1 and {windows})
        select '{gate.source}' as source_system,
               cast(first_day as varchar) as window_start, cast(last_day as varchar) as window_end,
               per_day as rows_per_day, rows, baseline_median,
               case when baseline_median >= {min_baseline} then rows / baseline_median end as ratio
        from blocks cross join baseline where block = 0
        """
    ).df()
    ex = _gx()
    check = Check(
        f"rows of the last {days} day(s) within {low:g}x-{high:g}x of the median of the previous {windows} windows",
        ex.ExpectColumnValuesToBeBetween(column="ratio", min_value=low, max_value=high),
    )
    return [(frame, [check])]


EVALUATORS: dict[str, Callable[[duckdb.DuckDBPyConnection, Gate, Scope], Frames]] = {
    "contract": _contract,
    "rejected_files": _rejected_files,
    "quarantine_rate": _quarantine_rate,
    "envelope_errors": _envelope_errors,
    "control_totals": _control_totals,
    "domains": _domains,
    "ranges": _ranges,
    "unique_keys": _unique_keys,
    "referential": _referential,
    "freshness": _freshness,
    "volume": _volume,
}


# --- helpers -----------------------------------------------------------------------------------


def _per_table(
    con: duckdb.DuckDBPyConnection,
    gate: Gate,
    scope: Scope,
    columns_of: Callable[[dict[str, Any]], list[str]],
    check_of: Callable[[dict[str, Any]], Check],
) -> Frames:
    """One frame per raw table (lineage + every column its rules need), one check per rule."""
    by_table: dict[str, list[dict[str, Any]]] = {}
    for rule in gate.rules:
        by_table.setdefault(rule["table"], []).append(rule)
    frames = []
    for table, rules in by_table.items():
        if not _exists(con, table):
            continue
        cols = list(dict.fromkeys([*LINEAGE, *(c for r in rules for c in columns_of(r))]))
        frame = con.execute(
            f"select {', '.join(cols)} from raw.{table} where _load_id in {scope.loads(gate.source)}"
        ).df()
        frames.append((frame, [check_of(r) for r in rules]))
    return frames


def _mostly(gate: Gate, rule: dict[str, Any]) -> float:
    return float(rule.get("mostly", gate.mostly))


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = ?"
            " and database_name = current_database()",
            [table],
        ).fetchall()[0][0]
    )


def _norm(dtype: str | None) -> str | None:
    return None if dtype is None else dtype.upper().replace(" ", "")


def expected_columns(source: str) -> dict[str, list[tuple[str, str | None]]]:
    """raw table -> [(column, DuckDB type or None when only presence is checked)] from the mapping."""
    from ingestion.mapping import (
        DatabaseSource,
        DelimitedSource,
        EdiSource,
        EventSource,
        load_sources,
    )
    from ingestion.warehouse import LINEAGE_COLUMNS

    spec = load_sources()[source]
    lineage = list(LINEAGE_COLUMNS.items())
    tables: dict[str, list[tuple[str, str | None]]] = {}
    if isinstance(spec, DelimitedSource):
        for feed in spec.feeds:
            tables[feed.table] = [(c.name, c.type) for c in feed.columns] + lineage
    elif isinstance(spec, EventSource):
        common = [(f.name, f.type) for f in spec.common_fields]
        for kind in spec.kinds:
            tables[kind.table] = common + [(f.name, f.type) for f in kind.fields] + lineage
            if kind.explode is not None:
                key = common[:1]
                tables[kind.explode.table] = (
                    key + [(f.name, f.type) for f in kind.explode.fields] + lineage
                )
    elif isinstance(spec, DatabaseSource):
        for table in spec.tables:
            names = list(dict.fromkeys([*table.primary_key, *table.types]))
            tables[table.table] = [(n, table.types.get(n, "VARCHAR")) for n in names] + lineage
    elif isinstance(spec, EdiSource):
        from ingestion.x12.tables import TABLE_SCHEMAS

        for name, schema in TABLE_SCHEMAS.items():
            table = f"{spec.table_prefix}{name}"
            tables[table] = [(c, _polars_type(t)) for c, t in schema.items()] + lineage
    return tables


def _polars_type(dtype: Any) -> str | None:
    import polars as pl

    simple = {
        pl.String: "VARCHAR",
        pl.Float64: "DOUBLE",
        pl.Int64: "BIGINT",
        pl.Date: "DATE",
        pl.Boolean: "BOOLEAN",
    }
    for polars_type, sql in simple.items():
        if dtype == polars_type:
            return sql
    return None  # nested types: presence only


def expected_feeds(source: str) -> list[str]:
    from ingestion.mapping import DelimitedSource, load_sources

    spec = load_sources()[source]
    return [f.name for f in spec.feeds] if isinstance(spec, DelimitedSource) else []


def primary_key_rules(source: str) -> list[dict[str, Any]]:
    from ingestion.mapping import DatabaseSource, load_sources

    spec = load_sources()[source]
    if not isinstance(spec, DatabaseSource):
        return []
    return [{"table": t.table, "key": list(t.primary_key)} for t in spec.tables]


def results_json(results: list[GateResult]) -> str:
    return json.dumps([r.__dict__ for r in results], default=str)
