"""`backbone intel [--json] [--warehouse FILE] [--run [--landing DIR]]`: the intelligence model report.

Reads `intelligence.model_report` from the *published* warehouse by default (like `backbone kpi`),
or from `--warehouse FILE` (opened read-only). `--run` first runs every model on the working
warehouse (or `--warehouse`), measuring against the landing zone's truth when it has one, and
then reports from it: the way to get the report before the models run inside the pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    app.command("intel")(intel)


def intel(
    as_json: Annotated[
        bool,
        typer.Option("--json", help="A JSON list of {model, metric, value, trained_on, ...}."),
    ] = False,
    warehouse: Annotated[
        Path | None,
        typer.Option("--warehouse", help="Read (or with --run, write) this DuckDB file."),
    ] = None,
    run: Annotated[
        bool, typer.Option("--run", help="Run every model first, on the working warehouse.")
    ] = False,
    landing: Annotated[
        Path | None,
        typer.Option(
            "--landing", help="Landing zone whose truth/ the models are measured against."
        ),
    ] = None,
) -> None:
    """Show each intelligence model's training data, time and measured quality."""
    from backbone.config import paths

    if run:
        target = warehouse or paths().warehouse
        if not target.exists():
            typer.echo(f"no warehouse at {target}: run `backbone run` first", err=True)
            raise typer.Exit(code=1)
        rows = run_models(target, landing or paths().landing)
    else:
        try:
            rows = read_model_report(warehouse)
        except LookupError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(code=1) from exc
    if as_json:
        typer.echo(json.dumps(rows, default=str))
        return
    _print(rows)


def run_models(warehouse: Path, landing: Path | None) -> list[dict[str, Any]]:
    """Run every model on `warehouse` (a writer connection) and return the report rows."""
    import duckdb

    from intelligence.run import read_report, run_all

    con = duckdb.connect(str(warehouse))
    try:
        run_all(con, landing if landing is not None and landing.exists() else None)
        return read_report(con).to_dicts()
    finally:
        con.close()


def read_model_report(warehouse: Path | None = None) -> list[dict[str, Any]]:
    """The model report rows of `warehouse` (read-only), else of the published warehouse."""
    import duckdb

    from backbone.readers import NotPublishedError, published_connection
    from intelligence.run import read_report

    if warehouse is not None:
        if not warehouse.exists():
            raise LookupError(f"no warehouse at {warehouse}")
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            rows = read_report(con).to_dicts()
        finally:
            con.close()
    else:
        try:
            with published_connection() as con:
                rows = read_report(con).to_dicts()
        except NotPublishedError as exc:
            raise LookupError(str(exc)) from exc
    if not rows:
        raise LookupError(
            "no intelligence.model_report yet: the models have not run on this warehouse"
            " (`backbone intel --run`)"
        )
    return rows


def _print(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for model in dict.fromkeys(r["model"] for r in rows):
        own = [r for r in rows if r["model"] == model]
        first = own[0]
        table = Table(
            title=f"{model}: trained {first['trained_at']}, data as of {first['as_of_date']}"
        )
        table.add_column("metric")
        table.add_column("value", justify="right")
        for row in own:
            table.add_row(row["metric"], _format(row["value"]))
        console.print(table)
        console.print(f"trained on: {first['trained_on']}")
        console.print(f"measured against: {first['measured_against'] or 'no truth'}")
        console.print(f"evaluated on: {first['evaluated_on']}\n")


def _format(value: float | None) -> str:
    if value is None:
        return ""
    if value != 0 and abs(value) < 0.001:
        return f"{value:.1e}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")
