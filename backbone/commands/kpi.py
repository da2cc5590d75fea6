"""`backbone kpi [--entity E] [--month YYYY-MM] [--kpi NAME] [--json]`: governed KPI cells.

Reads `kpi_monthly` (built by dbt) from the *published* warehouse only, through
`backbone.readers.published_connection` (read-only, short-lived), so it never sees a
half-built run and never blocks a load.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer

# where dbt builds the KPI model (custom schema, see dbt/macros/generate_schema_name.sql)
KPI_SCHEMA = "marts"
KPI_TABLE = "kpi_monthly"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def register(app: typer.Typer) -> None:
    app.command("kpi")(kpi)


def kpi(
    entity: Annotated[
        str | None, typer.Option("--entity", help="Entity code (US01, …) or GROUP.")
    ] = None,
    month: Annotated[str | None, typer.Option("--month", help="Month as YYYY-MM.")] = None,
    name: Annotated[str | None, typer.Option("--kpi", help="One KPI by name.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON list of {entity_code, month, kpi, value}.")
    ] = False,
) -> None:
    """Show governed KPI values (entity × month) from the published warehouse."""
    from backbone.config import paths

    if month is not None and not _MONTH.match(month):
        typer.echo(f"--month must look like YYYY-MM, got {month!r}", err=True)
        raise typer.Exit(code=2)
    published = paths().published
    if not published.exists():
        typer.echo("nothing published yet: run `backbone run`", err=True)
        raise typer.Exit(code=1)
    try:
        rows = read_kpis(published, entity=entity, month=month, kpi=name)
    except LookupError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(code=1) from exc
    if as_json:
        typer.echo(json.dumps(rows))
        return
    _print(rows)


def read_kpis(
    published: Path,
    entity: str | None = None,
    month: str | None = None,
    kpi: str | None = None,
) -> list[dict[str, Any]]:
    """KPI cells from the published DuckDB file, sorted by entity, month, KPI."""
    from backbone.readers import published_connection

    filters, params = [], []
    for column, value in (("entity_code", entity), ("month", month), ("kpi", kpi)):
        if value is not None:
            filters.append(f"{column} = ?")
            params.append(value.upper() if column == "entity_code" else value)
    where = f" where {' and '.join(filters)}" if filters else ""
    with published_connection(published) as con:
        table = _kpi_relation(con)
        result = con.execute(
            f"select entity_code, month, kpi, value from {table}{where}"
            " order by entity_code, month, kpi",
            params,
        ).fetchall()
    return [
        {"entity_code": e, "month": m, "kpi": k, "value": None if v is None else float(v)}
        for e, m, k, v in result
    ]


def _kpi_relation(con: Any) -> str:
    """`marts.kpi_monthly`, or wherever the publish step put a table of that name."""
    found = con.execute(
        "select schema_name from duckdb_tables()"
        " where table_name = ? and database_name = current_database()"
        " union all select schema_name from duckdb_views()"
        " where view_name = ? and database_name = current_database()",
        [KPI_TABLE, KPI_TABLE],
    ).fetchall()
    schemas = [row[0] for row in found]
    if not schemas:
        raise LookupError(f"the published warehouse has no {KPI_TABLE} table")
    schema = KPI_SCHEMA if KPI_SCHEMA in schemas else schemas[0]
    return f"{schema}.{KPI_TABLE}"


def _print(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"backbone kpi: {len(rows)} cell(s)")
    for column in ("entity", "month", "kpi", "value"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for row in rows:
        value = row["value"]
        table.add_row(
            row["entity_code"],
            row["month"],
            row["kpi"],
            "" if value is None else f"{value:,.4f}",
        )
    Console().print(table)
