"""`backbone quality`: the latest gate results, as a table, JSON or the steward's HTML report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from backbone.config import paths


def register(app: typer.Typer) -> None:
    app.command("quality")(quality)


def quality(
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    html_file: Annotated[
        Path | None,
        typer.Option("--html", help="Write the self-contained HTML steward report to FILE."),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Evaluate every gate now on the working warehouse (no run in progress)."
        ),
    ] = False,
    warehouse: Annotated[
        Path | None,
        typer.Option("--warehouse", help="Working DuckDB file (default: under $BACKBONE_HOME)."),
    ] = None,
) -> None:
    """Summarise the latest run's quality gates (exit 1 when a blocking gate failed)."""
    import duckdb

    from backbone.publish import read_status
    from quality.report import build_summary, render_html

    where = paths()
    working = warehouse or where.warehouse
    status = read_status(where.published)
    if check:
        from quality.runner import run_gates

        con = duckdb.connect(str(working))
        try:
            run_gates(con)
        finally:
            con.close()
    con, note = _open_results(working, where.published)
    try:
        summary = build_summary(con, status)
        if html_file is not None:
            html_file.parent.mkdir(parents=True, exist_ok=True)
            html_file.write_text(render_html(con, status, source_note=note), encoding="utf-8")
    finally:
        con.close()
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
    else:
        _print(summary, note)
        if html_file is not None:
            typer.echo(f"report written to {html_file}")
    if summary["ok"] is False:
        raise typer.Exit(code=1)


def _open_results(working: Path, published: Path):
    """The working warehouse read-only (it has blocked runs too), else the published copy."""
    import duckdb

    if working.exists():
        try:
            return duckdb.connect(str(working), read_only=True), f"working warehouse {working}"
        except duckdb.IOException:
            pass  # a run holds the writer lock: report on the published copy
    if published.exists():
        return duckdb.connect(
            str(published), read_only=True
        ), f"published copy {published} (working warehouse busy or absent)"
    raise typer.BadParameter(f"no warehouse at {working} or {published}: run `backbone run` first")


def _print(summary: dict[str, Any], note: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not summary["run_id"]:
        console.print("no gate results yet")
        return
    table = Table(title=f"quality gates, run {summary['run_id']} ({note})")
    for column in ("asset", "gate", "severity", "result", "failing", "checked"):
        table.add_column(column, justify="right" if column in ("failing", "checked") else "left")
    for r in summary["results"]:
        result = "passed" if r["passed"] else ("BLOCKS" if r["severity"] == "error" else "warning")
        style = None if r["passed"] else ("red" if r["severity"] == "error" else "yellow")
        table.add_row(
            r["asset"],
            r["check"],
            r["severity"],
            result,
            f"{r['failing_count']:,}",
            f"{r['rows_checked']:,}",
            style=style,
        )
    console.print(table)
    publication = summary.get("publication") or {}
    if publication.get("message"):
        console.print(f"published warehouse: {publication['message']}")
    if summary["ok"]:
        console.print("[green]every blocking gate passed[/]")
    else:
        for b in summary["blocked_by"]:
            console.print(f"[red]blocked by[/] {b['asset']}:{b['check']} ({b.get('reason', '')})")
