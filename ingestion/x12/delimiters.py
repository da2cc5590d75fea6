"""Find each interchange in a decoded file and read its delimiters from its ISA.

The ISA is fixed-width on paper, but partners trim or pad it, so byte offsets are not trusted:
the element separator is the character after "ISA", then the 16 elements are walked; ISA16 is
the component separator and the character after it the segment terminator. Working on decoded
text makes a multi-byte terminator (such as "…") a single character.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ingestion.x12.model import Delimiters

_MAX_ISA_LENGTH = 512  # a padded ISA is 106 characters; sloppy ones are longer, never this long
_LINE_NOISE = "\r\n"
_BLANK = " \t\r\n\ufeff"


@dataclass(frozen=True, slots=True)
class IsaHeader:
    elements: list[str]
    """"ISA" then ISA01..ISA16, as sent (fixed-width padding kept)."""
    delimiters: Delimiters


@dataclass(frozen=True, slots=True)
class Located:
    """A stretch of the file: an interchange from its ISA, or text no interchange explains."""

    start: int
    end: int
    header: IsaHeader | None
    problem: str | None = None
    """Why `header` is None: the reason code and a message."""
    problem_code: str | None = None


def read_isa(text: str, start: int) -> IsaHeader | str:
    """Walk the ISA at `start`; the header, or a message saying why it can't be read."""
    n = len(text)
    if start + 4 > n:
        return "ISA is truncated"
    element = text[start + 3]
    if element.isalnum() or element in _BLANK:
        return f"invalid element separator {element!r} after ISA"
    limit = min(n, start + _MAX_ISA_LENGTH)
    elements = ["ISA"]
    p = start + 4
    for number in range(1, 16):
        q = text.find(element, p, limit)
        if q == -1:
            return f"ISA ends after {number - 1} of 16 elements"
        elements.append(text[p:q])
        p = q + 1
    if p + 1 >= n:
        return "ISA is truncated before its segment terminator"
    component, terminator = text[p], text[p + 1]
    elements.append(component)
    if component == element or component in _BLANK:
        return f"invalid component separator {component!r} (ISA16)"
    if terminator in (element, component) or terminator.isalnum() or terminator in " \t":
        return f"invalid segment terminator {terminator!r} after ISA16"
    if terminator == "\r" and text[p + 2 : p + 3] == "\n":
        terminator = "\n"  # CRLF-terminated: the CR is noise, removed with the rest
    version, isa11 = elements[12], elements[11]
    repetition = None
    # ISA11 became the repetition separator in 00403; before that it is the standards id ("U").
    if (
        version.isdigit()
        and version >= "00403"
        and len(isa11) == 1
        and not isa11.isalnum()
        and isa11 not in (element, component, terminator)
    ):
        repetition = isa11
    return IsaHeader(elements, Delimiters(element, component, terminator, repetition))


def locate_interchanges(text: str) -> Iterator[Located]:
    """Yield each interchange (ISA to the next ISA) and any stretch no ISA explains."""
    n = len(text)
    pos = 0
    while pos < n and text[pos] in _BLANK:
        pos += 1
    start, header, failures = _first_isa(text, pos)
    if header is None:
        if failures:
            at, message = failures[0]
            yield Located(at, n, None, message, "ISA_INVALID")
        elif pos < n:
            yield Located(pos, n, None, "no ISA segment found", "NO_ISA")
        else:
            yield Located(0, n, None, "file is empty", "NO_ISA")
        return
    if text[pos:start].strip(_BLANK):
        yield Located(pos, start, None, "text before the first ISA", "TEXT_OUTSIDE_INTERCHANGE")
    while header is not None:
        nxt, nxt_header, problem = _next_isa(text, start + 4, header.delimiters.segment)
        yield Located(start, nxt, header)
        # an unreadable ISA skips to the one after it: its text can't be split without delimiters
        while nxt < n and nxt_header is None:
            after, after_header, _ = _next_isa(text, nxt + 3, header.delimiters.segment)
            yield Located(nxt, after, None, problem, "ISA_INVALID")
            nxt, nxt_header, problem = after, after_header, None
        start, header = nxt, nxt_header


def _first_isa(text: str, pos: int) -> tuple[int, IsaHeader | None, list[tuple[int, str]]]:
    failures: list[tuple[int, str]] = []
    i = text.find("ISA", pos)
    while i != -1:
        if i == pos or not text[i - 1].isalnum():
            found = read_isa(text, i)
            if isinstance(found, IsaHeader):
                return i, found, failures
            failures.append((i, found))
        i = text.find("ISA", i + 1)
    return -1, None, failures


def _next_isa(text: str, pos: int, terminator: str) -> tuple[int, IsaHeader | None, str | None]:
    """The next "ISA" that starts a segment (follows this interchange's terminator)."""
    i = text.find("ISA", pos)
    while i != -1:
        k = i - 1
        while k >= 0 and text[k] in _BLANK and text[k] != terminator:
            k -= 1
        if k >= 0 and text[k] == terminator:
            found = read_isa(text, i)
            if isinstance(found, IsaHeader):
                return i, found, None
            return i, None, found
        i = text.find("ISA", i + 1)
    return len(text), None, None
