"""`backbone demo`: generate the demo world (once), run the whole pipeline, and say what was made."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from backbone.config import paths


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    scale: Annotated[str, typer.Option("--scale", help="World size: xs, s, m or l.")] = "s",
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the demo world.")] = 42,
) -> None:
    """The product end to end on a fresh machine: demo world, ingestion, and the run's summary."""
    from backbone.commands.generate import generate
    from backbone.commands.run import run

    console = Console()
    where = paths()
    if _already_generated(scale, seed):
        console.print(
            f"Demo world ({scale}, seed {seed}) already in {where.landing}: not regenerated."
        )
    else:
        generate(out=where.landing, scale=scale, seed=seed)
    run(landing=where.landing, warehouse=where.warehouse)
    console.print(
        f"\nEverything lives under [bold]{where.home}[/]; `backbone --help` lists the verbs."
    )


def _already_generated(scale: str, seed: int) -> bool:
    """Regenerating the same world is wasted minutes: the simulator is deterministic for a seed."""
    meta_file = paths().landing / "world.json"
    if not meta_file.exists():
        return False
    meta = json.loads(meta_file.read_text())
    return meta.get("scale") == scale and meta.get("seed") == seed
