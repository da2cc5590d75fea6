"""An X12 004010 emitter: envelopes (ISA/GS/ST…SE/GE/IEA) around transaction-set bodies.

Delimiters, terminators and line breaks come from the trading partner's `X12Style`. Envelope
faults (a control-number mismatch, a wrong SE01) are rendered on request, so the written
file differs from a correct one only where `truth/faults.csv` says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class X12Style:
    name: str
    element: str
    component: str
    segment: str
    line_break: str
    one_set_per_interchange: bool
    gs08: str = "004010"


VICS = X12Style("vics", "^", ">", "~", "", False, "004010VICS")
SINGLE = X12Style("single_set", "*", ":", "~", "\n", True)
OTHER_STYLES = (
    X12Style("star_crlf", "*", ">", "~", "\r\n", False),
    X12Style("pipe_newline", "|", ":", "\n", "", False),
    X12Style("star_lf", "*", ":", "~", "\n", False),
    X12Style("star_pipe", "*", ">", "|", "", False),
)

# Bodies are built once, style-free, with these placeholders; `render` swaps in the partner's
# delimiters. Data values never contain them (nor any delimiter character of any style).
ELEMENT = "\x1f"
TERMINATOR = "\x1e"


def encode(*segments: list[str]) -> str:
    """Style-free text of body segments (each a list: segment id, then elements)."""
    return "".join(ELEMENT.join(s) + TERMINATOR for s in segments)


@dataclass
class TransactionSet:
    code: str
    body: str  # style-free segments between ST and SE
    control: str = ""
    fault: str | None = None  # "se02" (SE02 ≠ ST02) or "se01" (wrong segment count)

    @property
    def segment_count(self) -> int:
        return self.body.count(TERMINATOR) + 2


@dataclass
class FunctionalGroup:
    functional_id: str
    control: int
    sets: list[TransactionSet] = field(default_factory=list)


@dataclass
class Interchange:
    partner_id: str
    direction: str  # "inbound" (partner → us) or "outbound"
    entity_code: str
    day: date
    hhmm: str
    sender: str
    receiver: str
    control: int
    style: X12Style
    groups: list[FunctionalGroup] = field(default_factory=list)
    bad_iea: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.day:%Y%m%d}_{self.control:09d}.x12"


def render(ic: Interchange) -> str:
    """The interchange as text in its partner's style."""
    st = ic.style
    e = st.element

    seg = e.join

    isa = e.join(
        [
            "ISA", "00", " " * 10, "00", " " * 10,
            "ZZ", f"{ic.sender:<15}"[:15], "ZZ", f"{ic.receiver:<15}"[:15],
            f"{ic.day:%y%m%d}", ic.hhmm, "U", "00401", f"{ic.control:09d}", "0", "P", st.component,
        ]
    )  # fmt: skip
    out = [isa]
    for group in ic.groups:
        out.append(
            seg(["GS", group.functional_id, ic.sender, ic.receiver, f"{ic.day:%Y%m%d}", ic.hhmm,
                 str(group.control), "X", st.gs08])
        )  # fmt: skip
        for ts in group.sets:
            out.append(seg(["ST", ts.code, ts.control]))
            out.append(
                ts.body[:-1].replace(ELEMENT, e).replace(TERMINATOR, st.segment + st.line_break)
            )
            count = ts.segment_count + (1 if ts.fault == "se01" else 0)
            se02 = _other_control(ts.control) if ts.fault == "se02" else ts.control
            out.append(seg(["SE", str(count), se02]))
        out.append(seg(["GE", str(len(group.sets)), str(group.control)]))
    iea02 = ic.control + 1 if ic.bad_iea else ic.control
    out.append(seg(["IEA", str(len(ic.groups)), f"{iea02:09d}"]))
    terminator = st.segment + st.line_break
    return terminator.join(out) + terminator


def _other_control(control: str) -> str:
    return f"{(int(control) + 1) % 10 ** len(control):0{len(control)}d}"
