"""The dbt project as assets: `dbt build` runs every model, seed, snapshot and test.

dbt tests become asset checks (dagster-dbt makes error-severity tests blocking, so a failing one
stops everything downstream, `published_warehouse` included). Every node's result also goes to
`audit.quality_results`, where publishing and the steward's report read it next to the raw gates.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from dagster_project.dbt.project import backbone_dbt, dbt_executable, ensure_manifest
from dagster_project.dbt.translator import BackboneDbtTranslator
from dagster_project.resources import WarehouseResource

# The exception queue reads what the intelligence models wrote, and those models read the marts:
# dbt builds in two steps with the models in between (one dbt step can't wait on Python assets).
AFTER_INTELLIGENCE = "source:intelligence+"


@dbt_assets(
    manifest=ensure_manifest(),
    project=backbone_dbt,
    dagster_dbt_translator=BackboneDbtTranslator(),
    exclude=AFTER_INTELLIGENCE,
    name="dbt_models",
)
def dbt_models(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[object]:
    """Staging, intermediate and marts: everything but the exception queue and what reads it."""
    yield from _build(context, dbt, warehouse)


@dbt_assets(
    manifest=ensure_manifest(),
    project=backbone_dbt,
    dagster_dbt_translator=BackboneDbtTranslator(),
    select=AFTER_INTELLIGENCE,
    name="dbt_exceptions",
)
def dbt_exceptions(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[object]:
    """The exception queue (rules + intelligence findings + workflow) and the KPIs that read it."""
    yield from _build(context, dbt, warehouse)


DBT_STEPS = ("dbt_models", "dbt_exceptions")


def _build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[object]:
    # One target directory per warehouse: dbt's partial parse cache stays warm across runs.
    target = warehouse.warehouse_path.parent / "dbt_target"
    with _environment(BACKBONE_WAREHOUSE=str(warehouse.warehouse_path)):
        invocation = dbt.cli(["build"], context=context, raise_on_error=False, target_path=target)
        try:
            yield from invocation.stream()
        except BaseException:
            # dbt would go on writing the warehouse (holding its lock) after the step has failed
            invocation.process.terminate()
            invocation.process.wait(timeout=60)
            raise
    run_results = invocation.get_artifact("run_results.json")
    _record_results(warehouse, run_results, invocation.manifest, context.run.run_id)
    if not invocation.is_successful():
        failed = [
            r["unique_id"]
            for r in run_results.get("results", [])
            if r["status"] in {"error", "fail"}
        ]
        raise dg.Failure(
            description=f"dbt build failed: {len(failed)} node(s) failed ({', '.join(failed[:5])})",
            metadata={"failed": dg.MetadataValue.json(failed)},
        )


def _record_results(warehouse: WarehouseResource, run_results, manifest, run_id: str) -> None:
    from quality.dbt_results import attach_samples, results_from_run
    from quality.results import record

    results = results_from_run(run_results, manifest, run_id)
    with warehouse.connect() as con:
        attach_samples(con, results, run_results, manifest)
        record(con, results)


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Point the dbt subprocess (it inherits this environment) at this run's warehouse.

    Runs execute in one process, one step at a time (in_process_executor), so nothing else
    reads the environment while it is changed.
    """
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=backbone_dbt,
        profiles_dir=str(Path(backbone_dbt.profiles_dir)),
        dbt_executable=dbt_executable(),  # the venv's dbt, whether or not its bin/ is on PATH
    )
