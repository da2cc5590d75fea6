"""`backbone edi parse FILE... [--json]`: read X12 files with Backbone's own parser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

edi_app = typer.Typer(help="EDI X12 files: parse and inspect.", no_args_is_help=True)

# the document field that names each set, for the readable summary
_KEY_FIELD = {
    "850": "po_number",
    "855": "po_number",
    "856": "shipment_id",
    "810": "invoice_number",
    "846": "report_id",
    "940": "order_number",
    "945": "order_number",
    "TA1": "interchange_control",
}


def register(app: typer.Typer) -> None:
    app.add_typer(edi_app, name="edi")


@edi_app.command("parse")
def parse(
    files: Annotated[list[Path], typer.Argument(help="X12 files to parse.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per transaction set, one per line.")
    ] = False,
) -> None:
    """Parse X12 files: one record per transaction set, with envelope checks and errors.

    Exits 1 when any set has an envelope error or a file could not be read as X12.
    """
    from ingestion.x12 import parse_file

    any_broken = False
    rows: list[dict[str, Any]] = []
    for path in files:
        for parsed in parse_file(path):
            record = parsed.to_record()
            any_broken = any_broken or not record["envelope_ok"]
            if as_json:
                typer.echo(json.dumps(record, ensure_ascii=False))
            else:
                rows.append(record)
    if not as_json:
        _print_summary(rows)
    if any_broken:
        raise typer.Exit(1)


def _print_summary(records: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("file", "ISA", "GS", "set", "ST", "key", "lines", "envelope", "errors")
    for r in records:
        doc = r["document"] or {}
        key = doc.get(_KEY_FIELD.get(r["set"] or "", ""), "")
        table.add_row(
            Path(r["file"]).name,
            r["isa_control"] or "",
            r["gs_control"] or "",
            r["set"] or "-",
            r["st_control"] or "",
            str(key or ""),
            str(_count(r["set"], doc)),
            "ok" if r["envelope_ok"] else "[red]broken[/red]",
            ", ".join(e["code"] for e in r["errors"]),
        )
    console = Console()
    if not console.is_terminal:  # piped or captured: don't cut control numbers to 80 columns
        console = Console(width=200)
    console.print(table)
    broken = sum(1 for r in records if not r["envelope_ok"])
    console.print(f"{len(records)} record(s), {broken} with envelope errors")


def _count(set_id: str | None, doc: dict[str, Any]) -> int | str:
    if set_id == "856":
        return sum(len(o["items"]) for o in doc.get("orders", []))
    if set_id == "846":
        return len(doc.get("items", []))
    if set_id == "997":
        return sum(len(a["sets"]) for a in doc.get("acks", []))
    return len(doc["lines"]) if "lines" in doc else ""
