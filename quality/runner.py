"""Run gates outside Dagster (tests, `backbone quality --check`): the same code the asset checks call."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import duckdb

from quality.gates import GateResult, Scope, evaluate
from quality.results import ensure_results, last_published_loads, record
from quality.suites import Suite, load_suites


def run_gates(
    con: duckdb.DuckDBPyConnection,
    sources: Iterable[str] | None = None,
    run_id: str | None = None,
    suites: dict[str, Suite] | None = None,
) -> list[GateResult]:
    """Evaluate every gate of the given sources (default: all) and record the results."""
    ensure_results(con)
    suites = suites if suites is not None else load_suites()
    run_id = run_id or f"manual-{uuid.uuid4().hex[:12]}"
    scope = Scope(since=last_published_loads(con))
    wanted = set(sources) if sources is not None else set(suites)
    results = [
        evaluate(con, gate, run_id, scope)
        for source, suite in suites.items()
        if source in wanted
        for gate in suite.gates
    ]
    record(con, results)
    return results
