"""Parse an X12 file into transaction sets: locate interchanges, split, check envelopes, map.

Nothing raises for bad input: every problem becomes an `EdiError` on the set it affects, or on a
record with `set_id` None when it belongs to no set (no ISA, text outside any interchange).
"""

from __future__ import annotations

import os
import traceback
from itertools import repeat
from pathlib import Path

from ingestion.memory import gc_paused
from ingestion.x12.delimiters import locate_interchanges
from ingestion.x12.envelope import read_interchange
from ingestion.x12.mappers import MAPPERS, MapContext
from ingestion.x12.model import CONTENT, EdiError, ParsedSet, Reason
from ingestion.x12.tokenizer import decode, split_segments


def parse_file(
    path: str | os.PathLike[str], *, keep_segments: bool = False, file: str | None = None
) -> list[ParsedSet]:
    """Every transaction set in the file, in file order (see `parse_text`).

    `file` is the name recorded on the sets (default: the path as given).
    """
    name = str(path) if file is None else file
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return [_file_error(name, Reason.UNREADABLE_FILE, f"cannot read {path}: {exc}")]
    return parse_bytes(data, file=name, keep_segments=keep_segments)


def parse_bytes(
    data: bytes, *, file: str = "<bytes>", keep_segments: bool = False
) -> list[ParsedSet]:
    return parse_text(decode(data), file=file, keep_segments=keep_segments)


def parse_text(text: str, *, file: str = "<text>", keep_segments: bool = False) -> list[ParsedSet]:
    """Every transaction set in the text, with its envelope, errors and mapped document.

    `keep_segments` keeps each set's segment strings on the result (for quarantining raw text);
    otherwise they are dropped once the set is mapped.
    """
    with gc_paused():
        try:
            return _parse(text, file, keep_segments)
        except Exception as exc:  # a parser bug must not take the load down with it
            detail = traceback.format_exception_only(exc)[-1].strip()
            return [_file_error(file, Reason.INTERNAL_ERROR, f"parser failure: {detail}")]


def _parse(text: str, file: str, keep_segments: bool) -> list[ParsedSet]:
    results: list[ParsedSet] = []
    consumed = 0  # segments before the current interchange: positions are file-wide
    for located in locate_interchanges(text):
        if located.header is None:
            results.append(
                _file_error(
                    file,
                    located.problem_code or Reason.ISA_INVALID,
                    f"{located.problem} (characters {located.start}-{located.end})",
                )
            )
            continue
        segments = split_segments(text[located.start : located.end], located.header.delimiters)
        sets = read_interchange(segments, located.header, file, consumed)
        consumed += len(segments)
        delimiters = located.header.delimiters
        for parsed in sets:
            if parsed.set_id is not None and parsed.document is None:
                _map(parsed, delimiters.element, delimiters.component)
            if not keep_segments:
                parsed.segments = None
        results.extend(sets)
    return results


def _map(parsed: ParsedSet, element: str, component: str) -> None:
    assert parsed.segments is not None and parsed.st_position is not None
    mapper = MAPPERS.get(parsed.set_id or "")
    if mapper is None:
        parsed.errors.append(
            EdiError(
                Reason.UNSUPPORTED_SET,
                f"no mapper for transaction set {parsed.set_id!r}",
                parsed.st_position,
                CONTENT,
            )
        )
        return
    ctx = MapContext(parsed.st_position, parsed.errors, component)
    try:
        # one set's element strings at a time: they are freed as soon as it is mapped
        parsed.document = mapper(list(map(str.split, parsed.segments, repeat(element))), ctx)
    except Exception as exc:  # one malformed set must not stop the rest of the file
        detail = traceback.format_exception_only(exc)[-1].strip()
        parsed.errors.append(EdiError(Reason.MAPPING_FAILED, detail, parsed.st_position, CONTENT))


def _file_error(file: str, code: str, message: str) -> ParsedSet:
    return ParsedSet(
        file=file,
        interchange=None,
        group=None,
        set_id=None,
        st_control=None,
        st_position=None,
        errors=[EdiError(code, message)],
    )
