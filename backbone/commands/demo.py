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
    port: Annotated[int, typer.Option("--port", help="Port the dashboard serves on.")] = 8501,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="End by serving the dashboard.")
    ] = True,
) -> None:
    """The product end to end on a fresh machine: demo world, the whole pipeline, then the
    dashboard over what was published (Ctrl-C stops it)."""
    from backbone.commands.dashboard import dashboard
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
    try:
        run(landing=where.landing, warehouse=where.warehouse)
    except typer.Exit as stopped:
        if not where.published.exists():
            raise  # nothing was ever published: there is nothing to serve
        console.print(
            "[yellow]The run did not publish; the dashboard shows the last publication.[/]"
        )
        if not serve:
            raise stopped
    console.print(
        f"\nEverything lives under [bold]{where.home}[/]; `backbone --help` lists the verbs."
    )
    if serve:
        console.print("Demo users and passwords: README.md, section Dashboard.")
        dashboard(port=port)


def _already_generated(scale: str, seed: int) -> bool:
    """Regenerating the same world is wasted minutes: the simulator is deterministic for a seed."""
    meta_file = paths().landing / "world.json"
    if not meta_file.exists():
        return False
    meta = json.loads(meta_file.read_text())
    return meta.get("scale") == scale and meta.get("seed") == seed
