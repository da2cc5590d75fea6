"""`backbone run`: materialise the pipeline's assets in-process and print a summary per source."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from backbone.config import paths

if TYPE_CHECKING:
    from dagster_project.pipeline import PipelineResult


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    landing: Annotated[
        Path | None,
        typer.Option("--landing", help="Landing zone (default: $BACKBONE_HOME/landing)."),
    ] = None,
    warehouse: Annotated[
        Path | None,
        typer.Option("--warehouse", help="Working DuckDB file (default: under $BACKBONE_HOME)."),
    ] = None,
    erp_url: Annotated[
        str | None,
        typer.Option(
            "--erp-url",
            help="Group ERP database URL (default: $BACKBONE_ERP_URL, else the landing zone's SQLite file).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run the pipeline: sources into raw, the raw gates, the dbt models and tests, then publish
    if every blocking gate passed."""
    from dagster_project.pipeline import run_pipeline

    where = paths()
    result = run_pipeline(
        landing or where.landing, warehouse or where.warehouse, erp_url, published=where.published
    )
    if as_json:
        document = {
            "ok": result.ok,
            "published": result.published,
            "blocked_by": result.blocked_by,
            "sources": result.sources,
            "gates": [vars(g) for g in result.gates],
            "failures": result.failures,
            "models_built": result.models_built,
            "step_seconds": result.step_seconds,
            "log_file": str(result.log_file) if result.log_file else None,
        }
        typer.echo(json.dumps(document, indent=2))
    else:
        print_summary(result)
    if not result.ok:
        raise typer.Exit(code=1)


SLOWEST_STEPS = 5  # steps named in the summary line on where the run's time went


def print_summary(result: PipelineResult) -> None:
    console = Console()
    table = Table(title="backbone run: raw layer loads")
    table.add_column("source", no_wrap=True)
    for column in ("loads", "rows read", "loaded", "quarantined", "skipped", "errors"):
        table.add_column(column, justify="right")
    for source in result.sources:
        table.add_row(
            source["source_system"],
            f"{source['loads']:,}",
            f"{source['rows_read']:,}",
            f"{source['rows_loaded']:,}",
            f"{source['rows_quarantined']:,}",
            str(source["skipped"]),
            str(len(source["errors"])),
            style="red" if source["errors"] else None,
        )
    console.print(table)
    for source in result.sources:
        for note in source["notes"]:
            console.print(f"[yellow]{source['source_system']}[/]: {note}")
        for error in source["errors"]:
            console.print(f"[red]{source['source_system']} failed[/]: {error}")
    raw_gates = [g for g in result.gates if g.gate.startswith("raw/")]
    model_tests = [g for g in result.gates if not g.gate.startswith("raw/")]
    console.print(
        f"raw-layer gates: {sum(g.passed for g in raw_gates)} of {len(raw_gates)} passed; "
        f"dbt: {result.models_built} models built, "
        f"{sum(g.passed for g in model_tests)} of {len(model_tests)} tests passed"
    )
    for gate in (g for g in result.gates if not g.passed):
        colour = "red" if gate.severity == "ERROR" else "yellow"
        console.print(f"[{colour}]{gate.severity.lower()} gate failed[/]: {gate.gate}")
    for failure in result.failures:
        console.print(f"[red]step failed[/]: {failure}")
    if result.published:
        console.print("[green]published[/]: readers now see this run's data")
    else:
        console.print("[red]not published[/]: readers keep the previous publication")
    if result.step_seconds:
        slowest = sorted(result.step_seconds.items(), key=lambda kv: -kv[1])[:SLOWEST_STEPS]
        console.print(
            f"took {sum(result.step_seconds.values()):,.0f} s in steps; slowest: "
            + ", ".join(f"{step} {seconds:,.1f} s" for step, seconds in slowest)
        )
    if result.log_file is not None:
        console.print(f"full log: {result.log_file}")
    console.print("[green]ok[/]" if result.ok else "[red]the run failed[/]")
