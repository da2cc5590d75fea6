"""One blocking asset check per gate of `quality/suites/<source>.yaml`, on `raw/<source>`.

A failed `error` gate stops everything downstream of the raw asset in the run (dbt models, the
published warehouse) and writes "blocked by" into the publication status; a failed `warn` gate
only flags. Every result also lands in `audit.quality_results`.
"""

import dagster as dg

from dagster_project.ingestion.assets import raw_asset_key
from dagster_project.publish.resources import PublisherResource
from dagster_project.resources import WarehouseResource
from quality.suites import Gate, load_suites


def build_gate_check(gate: Gate) -> dg.AssetChecksDefinition:
    severity = (
        dg.AssetCheckSeverity.ERROR if gate.severity == "error" else dg.AssetCheckSeverity.WARN
    )

    @dg.asset_check(
        asset=raw_asset_key(gate.source),
        name=gate.name,
        description=f"[{gate.severity}] {gate.description}",
        blocking=True,
        # master data from other sources must be loaded before a referential gate reads it
        additional_deps=[raw_asset_key(s) for s in sorted(gate.referenced_sources())],
        metadata={
            "severity": gate.severity,
            "kind": gate.kind,
            "suite": f"quality/suites/{gate.source}.yaml",
        },
    )
    def _gate(
        context: dg.AssetCheckExecutionContext,
        warehouse: WarehouseResource,
        publisher: PublisherResource,
    ) -> dg.AssetCheckResult:
        from backbone.publish import record_blocked
        from quality.gates import Scope, evaluate
        from quality.results import ensure_results, last_published_loads, record

        with warehouse.connect() as con:
            ensure_results(con)
            result = evaluate(con, gate, context.run.run_id, Scope(since=last_published_loads(con)))
            record(con, [result])
        if result.blocks:
            record_blocked(
                publisher.published_path,
                context.run.run_id,
                [
                    {
                        "asset": gate.asset,
                        "check": gate.name,
                        "severity": gate.severity,
                        "reason": result.summary(),
                    }
                ],
            )
        return dg.AssetCheckResult(
            passed=result.passed,
            severity=severity,
            description=result.summary(),
            metadata={
                "failing_count": result.failing_count,
                "rows_checked": result.element_count,
                "sample_failing_rows": dg.MetadataValue.json(result.sample),
                "expectations": dg.MetadataValue.json(
                    [
                        {k: o.get(k) for k in ("label", "success", "failing_count", "observed")}
                        for o in result.outcomes
                    ]
                ),
            },
        )

    return _gate


quality_checks = [
    build_gate_check(gate) for suite in load_suites().values() for gate in suite.gates
]
