"""Garbage in, clear errors out: no exception escapes, and no mapper falls over."""

from __future__ import annotations

import random

import pytest

from ingestion.x12 import ParsedSet, parse_bytes
from tests.ingestion.x12.conftest import FILES


def mutations(data: bytes, count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        b = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(b))
            roll = rng.random()
            if roll < 0.4:
                b[pos] = rng.choice(b"*~>|\n\r0123456789ABSTEGIHL \x15")
            elif roll < 0.7:
                del b[pos : pos + rng.randint(1, 20)]
            else:
                b[pos:pos] = bytes(rng.choice(b"*~>SEGTISA\n") for _ in range(rng.randint(1, 6)))
        out.append(bytes(b))
    return out


@pytest.mark.parametrize("name", ["asn_crossdock.x12", "multi_groups_sets.x12", "po_ack_855.x12"])
def test_truncated_and_mutated_files_give_errors_not_exceptions(name):
    data = (FILES / name).read_bytes()
    cases = [data[:i] for i in range(0, len(data), 7)] + mutations(data, 150, seed=len(name))
    for case in cases:
        sets = parse_bytes(case, file=name)
        assert sets and all(isinstance(s, ParsedSet) for s in sets)
        codes = {e.code for s in sets for e in s.errors}
        assert not codes & {"INTERNAL_ERROR", "MAPPING_FAILED"}, (codes, case)
        for s in sets:
            s.to_record()  # and every record serialises


def test_unreadable_path_is_an_error_record(tmp_path):
    from ingestion.x12 import parse_file

    (parsed,) = parse_file(tmp_path / "missing.x12")
    assert [e.code for e in parsed.errors] == ["UNREADABLE_FILE"]


def test_latin1_bytes_decode_and_parse():
    data = (FILES / "basic_850.x12").read_bytes().replace(b"ACME STORE 42", b"CAF\xc9 42")
    (parsed,) = parse_bytes(data)
    assert parsed.errors == []
    assert parsed.document["parties"][0]["name"] == "CAFÉ 42"
