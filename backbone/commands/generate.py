"""`backbone generate`: write the simulated distributor's source systems into the landing zone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

SCALES = ("xs", "s", "m", "l")


def register(app: typer.Typer) -> None:
    app.command("generate")(generate)


def generate(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Landing zone to write (default: $BACKBONE_HOME/landing)."),
    ] = None,
    scale: Annotated[str, typer.Option("--scale", help="World size: xs, s, m or l.")] = "s",
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives the same files.")
    ] = 42,
    fault_rate: Annotated[
        float,
        typer.Option("--fault-rate", help="Share of records given an injected fault (0 = none)."),
    ] = 0.005,
    erp_url: Annotated[
        str | None,
        typer.Option(
            "--erp-url",
            help="SQLAlchemy URL of the group ERP database (default: SQLite in the landing zone).",
        ),
    ] = None,
    append_days: Annotated[
        int | None,
        typer.Option(
            "--append-days", help="Continue the existing world in --out by N days.", min=1
        ),
    ] = None,
) -> None:
    """Generate the demo world: ERP database, legacy exports, WMS events, EDI files and ground truth."""
    from backbone.config import paths
    from simulator.generate import STEPS, generate_world

    if scale not in SCALES:
        raise typer.BadParameter(f"choose one of {', '.join(SCALES)}", param_hint="--scale")
    if fault_rate < 0:
        raise typer.BadParameter("must be >= 0", param_hint="--fault-rate")
    target = (out or paths().landing).resolve()
    console = Console()
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("starting", total=len(STEPS))
        done: list[str] = []

        def report(step: str) -> None:
            if done:
                progress.advance(task)
            done.append(step)
            progress.update(task, description=f"writing {step}")

        summary = generate_world(
            target,
            scale=scale,
            seed=seed,
            fault_rate=fault_rate,
            erp_url=erp_url,
            append_days=append_days,
            progress=report,
        )
        progress.update(task, completed=len(STEPS), description="done")

    table = Table(title=f"Landing zone {summary.out}", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    end = summary.start + timedelta(days=summary.days - 1)
    table.add_row("scale / seed", f"{summary.scale} / {summary.seed}")
    table.add_row("days written", f"{summary.written_from} … {end}")
    table.add_row("entities", ", ".join(summary.entities))
    for source, n in summary.files.items():
        table.add_row(f"files: {source}", f"{n:,}")
    table.add_row("ERP rows written", f"{sum(summary.rows.values()):,}")
    for kind, n in summary.faults.items():
        table.add_row(f"faults: {kind}", f"{n:,}")
    table.add_row("faults injected (total)", f"{sum(summary.faults.values()):,}")
    table.add_row("seconds", f"{summary.seconds:.1f}")
    console.print(table)
