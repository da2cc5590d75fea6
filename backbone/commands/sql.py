"""`backbone sql "<query>" [--json]`: one read-only query on the published warehouse.

The same guarded path as the dashboard's SQL console (`dashboards.console.run_query`): one
SELECT or EXPLAIN, external file and network access off, a statement timeout, a row limit.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("sql")(sql)


def sql(
    query: Annotated[str, typer.Argument(help="One SELECT (or EXPLAIN) statement.")],
    as_json: Annotated[
        bool,
        typer.Option("--json", help="A JSON object: columns, rows (list of objects), truncated."),
    ] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Statement timeout in seconds.")
    ] = 10.0,
    limit: Annotated[int, typer.Option("--limit", help="Return at most this many rows.")] = 10_000,
) -> None:
    """Query the published warehouse read-only (exit 1 if refused, 3 on timeout)."""
    from backbone.readers import NotPublishedError
    from dashboards.console import QueryRejected, QueryTimeout, run_query

    try:
        result = run_query(query, timeout_s=timeout, row_limit=limit)
    except NotPublishedError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from exc
    except QueryTimeout as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=3) from exc
    except QueryRejected as exc:
        typer.echo(f"refused: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    frame = result.frame
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "columns": list(frame.columns),
                    "rows": json.loads(frame.to_json(orient="records", date_format="iso")),
                    "row_count": len(frame),
                    "truncated": result.truncated,
                }
            )
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{len(frame):,} row(s){' (truncated)' if result.truncated else ''}"
        f" in {result.elapsed_ms:,.0f} ms"
    )
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*("" if v is None else str(v) for v in row))
    Console().print(table)
