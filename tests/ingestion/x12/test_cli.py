"""`backbone edi parse`: JSON lines for machines, a table for people."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from backbone.cli import app
from tests.ingestion.x12.conftest import FILES

runner = CliRunner()


def test_json_lines_one_per_set_with_the_documented_keys():
    result = runner.invoke(
        app,
        [
            "edi",
            "parse",
            str(FILES / "multi_groups_sets.x12"),
            str(FILES / "asn_s_i.x12"),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["set"], r["gs_control"], r["st_control"]) for r in records] == [
        ("850", "3011", "0001"),
        ("850", "3011", "0002"),
        ("810", "3012", "0001"),
        ("856", "403", "0001"),
    ]
    required = {
        "file",
        "isa_control",
        "gs_control",
        "set",
        "st_control",
        "envelope_ok",
        "errors",
        "document",
    }
    assert all(required <= set(r) for r in records)
    po, _, invoice, asn = records
    assert po["isa_control"] == "000000301" and po["envelope_ok"] is True and po["errors"] == []
    assert po["document"]["po_number"] == "PO-3011-A"
    assert [ln["qty"] for ln in po["document"]["lines"]] == [5, 7]
    assert invoice["document"]["total_amount"] == 11.25
    assert asn["document"]["orders"][0]["po_number"] == "PO-403"
    assert asn["file"].endswith("asn_s_i.x12")


def test_envelope_errors_show_in_json_and_exit_non_zero():
    result = runner.invoke(app, ["edi", "parse", str(FILES / "err_se_count.x12"), "--json"])
    assert result.exit_code == 1
    bad, good = (json.loads(line) for line in result.output.splitlines())
    assert bad["envelope_ok"] is False
    assert [e["code"] for e in bad["errors"]] == ["SE_SEGMENT_COUNT"]
    assert bad["errors"][0]["segment"] == 8
    assert good["envelope_ok"] is True and good["document"]["po_number"] == "PO-GOOD"


def test_readable_summary():
    result = runner.invoke(app, ["edi", "parse", str(FILES / "invoice_810.x12")])
    assert result.exit_code == 0, result.output
    assert "INV-405" in result.output
    assert "1 record(s), 0 with envelope errors" in result.output
