"""`backbone publish`: publish the working warehouse (if its latest gates passed), or roll back."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from backbone.config import paths


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)


def publish(
    rollback: Annotated[
        bool, typer.Option("--rollback", help="Put the previous publication back in place.")
    ] = False,
    warehouse: Annotated[
        Path | None,
        typer.Option("--warehouse", help="Working DuckDB file (default: under $BACKBONE_HOME)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Copy the working warehouse to the published file with an atomic swap (write-audit-publish)."""
    from backbone import publish as wap

    where = paths()
    try:
        if rollback:
            publication = wap.rollback(where.published)
            verb = "rolled back to"
        else:
            publication = wap.publish(
                warehouse or where.warehouse, where.published, run_id="cli-publish"
            )
            verb = "published"
    except wap.PublishBlocked as blocked:
        if as_json:
            typer.echo(json.dumps({"ok": False, "blocked_by": blocked.blocked_by}, indent=2))
        else:
            typer.echo(f"not published: {blocked}", err=True)
        raise typer.Exit(code=1) from blocked
    except RuntimeError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from error
    if as_json:
        typer.echo(
            json.dumps(
                {"ok": True, **asdict(publication), "status": wap.read_status(where.published)},
                indent=2,
            )
        )
    else:
        typer.echo(
            f"{verb} {publication.publication_id} (data as of {publication.data_as_of}) -> {where.published}"
        )
