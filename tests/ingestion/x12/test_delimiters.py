"""Delimiters come from walking the ISA; every partner quirk in files/ parses to the same PO."""

from __future__ import annotations

import pytest

from ingestion.x12.delimiters import IsaHeader, read_isa
from ingestion.x12.model import Delimiters

ISA = (
    "ISA*00*          *00*          *ZZ*ACMEHARDWARE   *ZZ*BACKBONEDIST   *250301*1200*{isa11}*"
    "{version}*000000001*0*P*>~GS*"
)


@pytest.mark.parametrize(
    ("file", "po_number", "delimiters"),
    [
        ("delim_bom_indent.x12", "PO-BOM", Delimiters("*", ">", "~")),
        ("delim_crlf.x12", "PO-CRLF", Delimiters("*", ">", "~")),
        ("delim_one_line.x12", "PO-ONELINE", Delimiters("*", ">", "~")),
        ("delim_pipe.x12", "PO-PIPE", Delimiters("*", ">", "|")),
        ("delim_brace.x12", "PO-BRACE", Delimiters("*", ">", "}")),
        ("delim_newline.x12", "PO-NEWLINE", Delimiters("*", ">", "\n")),
        ("delim_newline_crlf.x12", "PO-CRLF-TERM", Delimiters("*", ">", "\n")),
        ("delim_nak.x12", "PO-NAK", Delimiters("*", ">", "\x15")),
        ("delim_ellipsis.x12", "PO-ELLIPSIS", Delimiters("*", ">", "…")),
        ("delim_tilde_element.x12", "PO-TILDE-ELEM", Delimiters("~", ">", "\n")),
        ("isa11_00401_caret.x12", "PO-00401-CARET", Delimiters("*", ">", "~", None)),
        ("isa11_repetition_00501.x12", "PO-00501", Delimiters("*", ">", "~", "^")),
    ],
)
def test_each_delimiter_quirk_parses_the_same_purchase_order(parse, file, po_number, delimiters):
    (parsed,) = parse(file)
    assert parsed.interchange.delimiters == delimiters
    assert parsed.errors == []
    assert parsed.envelope_ok
    doc = parsed.document
    assert doc["po_number"] == po_number
    assert doc["po_date"] == "2025-03-01"
    assert [(ln["line_no"], ln["qty"], ln["uom"], ln["unit_price"]) for ln in doc["lines"]] == [
        ("1", 5.0, "EA", 2.25),
        ("2", 7.0, "CS", 30.0),
    ]
    assert doc["lines"][0]["item_ids"] == {"VP": "WID-1", "UP": "000111222333"}
    # the ISA's fixed-width ids come back trimmed
    assert parsed.interchange.sender_id == "ACMEHARDWARE"
    assert parsed.interchange.receiver_id == "BACKBONEDIST"


def test_tilde_as_component_separator_splits_composites(parse):
    (parsed,) = parse("delim_tilde_component.x12")
    assert parsed.interchange.delimiters == Delimiters("*", "~", "'")
    assert parsed.errors == []
    items = parsed.document["items"]
    assert items[0]["quantities"] == {"33": 120.0, "17": 150.0}
    assert items[0]["uom"] == "CA"  # QTY03 "CA~12": the unit is the first component
    assert items[1]["quantities"] == {"33": 0.0}


def test_walk_ignores_byte_offsets_when_the_isa_is_not_fixed_width():
    short = (
        "ISA*00**00**ZZ*A*ZZ*B*250301*1200*U*00401*1*0*T*:\nGS*PO*A*B*20250301*1200*1*X*004010\n"
    )
    header = read_isa(short, 0)
    assert isinstance(header, IsaHeader)
    assert header.delimiters == Delimiters("*", ":", "\n")
    assert header.elements[6] == "A" and header.elements[13] == "1"


@pytest.mark.parametrize(
    ("isa11", "version", "repetition"),
    [("^", "00403", "^"), ("^", "00501", "^"), ("U", "00403", None), ("^", "00401", None)],
)
def test_isa11_is_a_repetition_separator_only_from_00403_and_not_alphanumeric(
    isa11, version, repetition
):
    header = read_isa(ISA.format(isa11=isa11, version=version), 0)
    assert isinstance(header, IsaHeader)
    assert header.delimiters.repetition == repetition


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ISA*00*   ", "ISA ends after 1 of 16 elements"),
        ("ISAX00", "invalid element separator"),
        (
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *250301*1200*U*00401*"
            "000000001*0*P*>",
            "truncated before its segment terminator",
        ),
        (
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *250301*1200*U*00401*"
            "000000001*0*P*>G",
            "invalid segment terminator",
        ),
    ],
)
def test_unreadable_isa_says_why(text, message):
    found = read_isa(text, 0)
    assert isinstance(found, str)
    assert message in found
