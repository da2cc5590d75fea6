"""Envelope checks: each violation is an error on the sets it affects; the rest still loads."""

from __future__ import annotations

import pytest

from ingestion.x12 import CONTENT, ENVELOPE, parse_bytes, parse_text


def codes(parsed):
    return [e.code for e in parsed.errors]


def test_several_groups_and_sets_in_one_interchange(parse):
    sets = parse("multi_groups_sets.x12")
    assert [(s.set_id, s.gs_control, s.st_control) for s in sets] == [
        ("850", "3011", "0001"),
        ("850", "3011", "0002"),
        ("810", "3012", "0001"),
    ]
    assert all(s.envelope_ok and s.errors == [] for s in sets)
    assert [s.document.get("po_number") for s in sets] == ["PO-3011-A", "PO-3011-B", "PO-3011-A"]
    # ST positions count segments from the file's first: ISA=1, GS=2, ST=3; second ST after 6
    assert [s.st_position for s in sets] == [3, 9, 17]
    assert sets[2].group.functional_id == "IN"


def test_several_interchanges_each_with_its_own_delimiters(parse):
    first, second = parse("multi_interchange.x12")
    assert (first.isa_control, first.document["po_number"]) == ("000000302", "PO-FIRST")
    assert (second.isa_control, second.document["po_number"]) == ("000000303", "PO-SECOND")
    assert first.interchange.delimiters.element == "*"
    assert (second.interchange.delimiters.element, second.interchange.delimiters.segment) == (
        "^",
        "\n",
    )
    assert first.errors == [] and second.errors == []
    assert second.st_position == 13  # 10 segments in the first interchange, then ISA, GS, ST


def test_ta1_between_isa_and_gs(parse):
    ta1, po = parse("ta1_between_isa_gs.x12")
    assert ta1.set_id == "TA1"
    assert ta1.document == {
        "interchange_control": "000000777",
        "interchange_date": "2025-02-28",
        "interchange_time": "1700",
        "ack_code": "A",
        "note_code": "000",
    }
    assert po.errors == []  # the TA1 is not a group: IEA01 still counts 1
    assert po.document["po_number"] == "PO-AFTER-TA1"


def test_gs08_with_suffixes(parse):
    vics, ucs = parse("gs08_suffixes.x12")
    assert (vics.group.version, vics.group.x12_version) == ("004010VICS", "004010")
    assert (ucs.group.version, ucs.group.x12_version) == ("004010UCS", "004010")
    assert [vics.document["po_number"], ucs.document["po_number"]] == ["PO-VICS", "PO-UCS"]
    assert vics.errors == [] and ucs.errors == []


@pytest.mark.parametrize(
    ("file", "code", "position", "broken", "good"),
    [
        # broken: the POs that carry the error; good: the POs that load clean
        ("err_iea_control.x12", "IEA_CONTROL_MISMATCH", 10, ["PO-BAD-IEA"], ["PO-GOOD"]),
        ("err_iea_count.x12", "IEA_GROUP_COUNT", 10, ["PO-IEA-COUNT"], ["PO-GOOD"]),
        ("err_ge_control.x12", "GE_CONTROL_MISMATCH", 15, ["PO-GE-1", "PO-GE-2"], ["PO-GOOD"]),
        ("err_ge_count.x12", "GE_SET_COUNT", 15, ["PO-GE-1", "PO-GE-2"], ["PO-GOOD"]),
        ("err_se_control.x12", "SE_CONTROL_MISMATCH", 8, ["PO-SE-CONTROL"], ["PO-GOOD"]),
        ("err_se_count.x12", "SE_SEGMENT_COUNT", 8, ["PO-SE-COUNT"], ["PO-GOOD"]),
        ("err_missing_se.x12", "SE_MISSING", 7, ["PO-NO-SE"], ["PO-GOOD"]),
        ("err_missing_ge.x12", "GE_MISSING", 2, ["PO-NO-GE"], ["PO-GOOD"]),
        ("err_set_outside_group.x12", "GS_MISSING", 2, ["PO-NO-GS"], []),
    ],
)
def test_each_envelope_violation_is_an_error_on_the_sets_it_affects(
    parse, file, code, position, broken, good
):
    sets = parse(file)
    bad = [s for s in sets if not s.envelope_ok]
    ok = [s for s in sets if s.envelope_ok]
    assert [s.document["po_number"] for s in bad] == broken
    assert [s.document["po_number"] for s in ok] == good
    for s in bad:
        assert codes(s) == [code]
        assert s.errors[0].segment == position
        assert s.errors[0].level == ENVELOPE
        # the document is still read: the loader decides what to do with it
        assert len(s.document["lines"]) == 2
    assert all(s.errors == [] for s in ok)


def test_truncated_file_flags_every_missing_trailer_and_keeps_what_was_read(parse):
    (parsed,) = parse("err_truncated.x12")
    assert codes(parsed) == ["SE_MISSING", "GE_MISSING", "IEA_MISSING"]
    assert parsed.document["po_number"] == "PO-TRUNCATED"
    assert [ln["item_ids"] for ln in parsed.document["lines"]] == [{"VP": "WID-1"}, {"VP": "WI"}]


@pytest.mark.parametrize(
    ("file", "code"),
    [("err_not_x12.x12", "NO_ISA"), ("err_truncated_isa.x12", "ISA_INVALID")],
)
def test_garbage_is_one_clear_file_level_error(parse, file, code):
    (parsed,) = parse(file)
    assert parsed.set_id is None and parsed.document is None
    assert not parsed.envelope_ok
    assert codes(parsed) == [code]


def test_empty_input_is_no_isa():
    (parsed,) = parse_bytes(b"", file="empty.x12")
    assert codes(parsed) == ["NO_ISA"]


def test_text_before_isa_is_reported_and_the_interchange_still_loads(parse):
    junk, po = parse("err_text_before_isa.x12")
    assert junk.set_id is None and codes(junk) == ["TEXT_OUTSIDE_INTERCHANGE"]
    assert po.errors == [] and po.document["po_number"] == "PO-AFTER-JUNK"


def test_unknown_set_id_is_unsupported_and_the_next_set_still_maps(parse):
    unknown, po = parse("err_unknown_set.x12")
    assert unknown.set_id == "999" and unknown.document is None
    assert codes(unknown) == ["UNSUPPORTED_SET"]
    assert unknown.errors[0].level == CONTENT
    assert unknown.envelope_ok  # its envelope is fine; only its content is unknown
    assert po.document["po_number"] == "PO-GOOD" and po.errors == []


def test_bad_values_are_content_errors_at_their_segment(parse):
    (parsed,) = parse("err_bad_values.x12")
    assert parsed.envelope_ok
    assert [(e.code, e.segment, e.level) for e in parsed.errors] == [
        ("BAD_VALUE", 4, CONTENT),  # BEG05 20251301: month 13
        ("BAD_VALUE", 5, CONTENT),  # PO102 "ABC"
    ]
    assert parsed.document["po_number"] == "PO-BAD-VALUES"
    assert [ln["line_no"] for ln in parsed.document["lines"]] == ["2"]


def test_second_interchange_after_a_broken_isa_still_loads():
    good = (
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              *250301*1200*U*"
        "00401*000000001*0*P*>~GS*PO*A*B*20250301*1200*1*X*004010~ST*850*0001~"
        "BEG*00*SA*PO-1**20250301~SE*3*0001~GE*1*1~IEA*1*000000001~"
    )
    sets = parse_text(good + "ISA*00*broken~" + good.replace("PO-1", "PO-2"))
    assert [s.set_id for s in sets] == ["850", None, "850"]
    assert codes(sets[1]) == ["ISA_INVALID"]
    assert sets[2].document["po_number"] == "PO-2" and sets[2].errors == []


def test_segments_after_iea_are_reported():
    text = (
        "ISA*00*          *00*          *ZZ*A              *ZZ*B              *250301*1200*U*"
        "00401*000000001*0*P*>~GS*PO*A*B*20250301*1200*1*X*004010~ST*850*0001~"
        "BEG*00*SA*PO-1**20250301~SE*3*0001~GE*1*1~IEA*1*000000001~JUNK*1~MORE*2~"
    )
    po, stray = parse_text(text)
    assert po.errors == []
    assert codes(stray) == ["TEXT_OUTSIDE_INTERCHANGE"] and stray.errors[0].segment == 8


def test_keep_segments_gives_the_raw_set_back(parse):
    from ingestion.x12 import parse_file
    from tests.ingestion.x12.conftest import FILES

    (parsed,) = parse_file(FILES / "delim_pipe.x12", keep_segments=True)
    assert parsed.raw_text().startswith("ST*850*0001|BEG*00*SA*PO-PIPE**20250301|")
    assert parsed.raw_text().endswith("SE*6*0001|")
    (dropped,) = parse("delim_pipe.x12")
    assert dropped.segments is None
