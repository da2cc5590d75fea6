"""Bytes to text, and one interchange's text to segments split into elements.

Speed matters here (the whole file passes through): `str.replace`, `str.split` and `filter`,
all in C, and no per-character Python loop.
"""

from __future__ import annotations

from ingestion.x12.model import Delimiters

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes) -> str:
    """UTF-8 (BOM dropped), UTF-16 when its BOM says so, else Latin-1, which never fails.

    Latin-1 keeps one character per byte, so a Windows-1252 file with "…" (0x85) as its
    terminator still yields a single-character terminator.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def split_segments(text: str, delimiters: Delimiters) -> list[str]:
    """Segments of one interchange's text, as strings (elements are split per set, later).

    Carriage returns and line feeds that are not delimiters are line-break noise and go;
    blank segments are dropped; leading blanks (indented files) are stripped only when present.
    Splitting elements set by set keeps memory to one set's worth of element strings.
    """
    terminator, element = delimiters.segment, delimiters.element
    for noise in "\r\n":
        if (
            noise != terminator
            and noise != element
            and noise != delimiters.component
            and noise in text
        ):
            text = text.replace(noise, "")
    raw = text.split(terminator)
    if terminator + " " in text or terminator + "\t" in text:
        raw = [r.lstrip(" \t") for r in raw]
    return list(filter(None, raw))
