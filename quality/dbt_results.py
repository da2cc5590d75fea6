"""dbt's verdict on the modelled layer, kept next to the raw gates in `audit.quality_results`.

Every node of a `dbt build` (model, seed, snapshot, data test, unit test) becomes one result row:
`source_system = 'dbt'`, `asset` = the node's Dagster asset (`marts/fct_order_lines`), `kind`
= `dbt_<resource type>`. A test's severity is its dbt severity (`error` blocks publishing, `warn`
flags); a model that failed or was skipped blocks, since the published marts would be stale.
Failing tests keep a sample of their failing rows (the test's own compiled query).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import duckdb

from quality.gates import GateResult

DBT_SOURCE = "dbt"
SAMPLE_ROWS = 5
PASSED = {"success", "pass"}


def results_from_run(
    run_results: dict[str, Any], manifest: dict[str, Any], run_id: str
) -> list[GateResult]:
    """One GateResult per node dbt ran (or skipped) in this invocation."""
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    nodes = {**manifest.get("nodes", {}), **manifest.get("unit_tests", {})}
    out = []
    for result in run_results.get("results", []):
        node = nodes.get(result["unique_id"])
        if node is None:
            continue
        resource_type = node["resource_type"]
        status = result["status"]
        is_test = resource_type in {"test", "unit_test"}
        severity = (
            (node.get("config", {}).get("severity") or "error").lower() if is_test else "error"
        )
        if status == "warn":
            severity = "warn"
        failures = result.get("failures")
        out.append(
            GateResult(
                run_id=run_id,
                source=DBT_SOURCE,
                check_name=node["name"],
                kind=f"dbt_{resource_type}",
                severity=severity,
                passed=status in PASSED,
                failing_count=int(failures) if failures is not None else int(status not in PASSED),
                element_count=0,
                checked_at=checked_at,
                description=_describe(node, result),
                outcomes=[
                    {"label": status, "success": status in PASSED, "message": result.get("message")}
                ],
                target=_asset_of(node, manifest),
            )
        )
    return out


def attach_samples(
    con: duckdb.DuckDBPyConnection,
    results: list[GateResult],
    run_results: dict[str, Any],
    manifest: dict[str, Any],
) -> None:
    """Fill `sample` of each failing data test with a few of the rows its query returns."""
    compiled = {r["unique_id"]: r.get("compiled_code") for r in run_results.get("results", [])}
    by_name = {
        n["name"]: uid
        for uid, n in manifest.get("nodes", {}).items()
        if n["resource_type"] == "test"
    }
    for result in results:
        sql = compiled.get(by_name.get(result.check_name, ""))
        if result.passed or result.kind != "dbt_test" or not sql:
            continue
        try:
            frame = con.execute(f"select * from ({sql}) as failing limit {SAMPLE_ROWS}").df()
        except duckdb.Error as error:  # the test itself errored: its message is the sample
            result.sample = [{"error": str(error).splitlines()[0]}]
            continue
        result.sample = json.loads(frame.to_json(orient="records", date_format="iso"))


def _asset_of(node: dict[str, Any], manifest: dict[str, Any]) -> str:
    """The Dagster asset a node is (models, seeds) or checks (tests: the model they are attached to)."""
    attached = node.get("attached_node") or _meta_ref(node, manifest)
    attached = attached or (node.get("depends_on", {}).get("nodes") or [None])[0]
    if node["resource_type"] in {"test", "unit_test"} and attached:
        target = manifest.get("nodes", {}).get(attached) or manifest.get("sources", {}).get(
            attached
        )
        if target is not None:
            node = target
    if node["resource_type"] == "source":
        return f"raw/{node['source_name']}"
    return f"{node.get('schema', 'main')}/{node['name']}"


def _meta_ref(node: dict[str, Any], manifest: dict[str, Any]) -> str | None:
    """A singular test's model as its `meta.dagster.ref` names it (the Dagster convention)."""
    name = node.get("config", {}).get("meta", {}).get("dagster", {}).get("ref", {}).get("name")
    matches = [uid for uid, n in manifest.get("nodes", {}).items() if name and n["name"] == name]
    return matches[0] if matches else None


def _describe(node: dict[str, Any], result: dict[str, Any]) -> str:
    text = node.get("description") or ""
    message = result.get("message")
    if result["status"] not in PASSED and message:
        text = f"{text} — {message}" if text else str(message)
    return text[:500]
