"""Walk one interchange's segments: cut it into groups and sets, check every control number.

A violation is an error on the sets it affects (a set's own SE, every set of a broken group,
every set of a broken interchange), never an exception: the rest of the file still loads.
"""

from __future__ import annotations

from itertools import compress, repeat

from ingestion.x12.delimiters import IsaHeader
from ingestion.x12.model import (
    EdiError,
    Group,
    Interchange,
    ParsedSet,
    Reason,
)
from ingestion.x12.values import PAD, iso_date_or_none

_ENVELOPE_TAGS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "TA1"})


def read_interchange(
    segments: list[str], header: IsaHeader, file: str, base: int
) -> list[ParsedSet]:
    """Sets of one interchange, their segment strings attached (`ParsedSet.segments`).

    `base` is the count of segments before this interchange in the file.
    """
    return _InterchangeReader(segments, header, file, base).read()


def interchange_from_isa(header: IsaHeader, position: int) -> Interchange:
    e = header.elements
    return Interchange(
        control=e[13].strip(),
        sender_qualifier=e[5].strip(),
        sender_id=e[6].strip(),
        receiver_qualifier=e[7].strip(),
        receiver_id=e[8].strip(),
        date=iso_date_or_none(e[9].strip()),
        time=e[10].strip(),
        version=e[12].strip(),
        usage=e[15].strip(),
        delimiters=header.delimiters,
        position=position,
    )


def _envelope_indices(segments: list[str], element: str) -> list[int]:
    """Indices of the envelope segments after the ISA, found without a Python-level loop.

    The segments between them are never looked at here: `map` and `compress` run in C.
    """
    prefixes = tuple(tag + element for tag in _ENVELOPE_TAGS)
    is_envelope = map(str.startswith, segments, repeat(prefixes))
    found = list(compress(range(len(segments)), is_envelope))
    if found and found[0] == 0:
        del found[0]
    return found


def same_control(declared: str, actual: str | None) -> bool:
    """Control numbers match as text, or as numbers when a partner drops leading zeros."""
    declared = declared.strip()
    if actual is None:
        return False
    if declared == actual:
        return True
    return declared.isdigit() and actual.isdigit() and int(declared) == int(actual)


def _element(segment: list[str], index: int) -> str:
    return segment[index].strip() if index < len(segment) else ""


def _stripped(segment: list[str]) -> list[str]:
    """Every element stripped, padded so that a missing one reads "" (`_element` for all of
    them at once: ST, SE and GS come once per set or group)."""
    return [*map(str.strip, segment), *PAD]


class _InterchangeReader:
    def __init__(self, segments: list[str], header: IsaHeader, file: str, base: int):
        self.segments = segments
        self.element = header.delimiters.element
        self.file = file
        self.base = base
        self.interchange = interchange_from_isa(header, base + 1)
        self.results: list[ParsedSet] = []
        self.interchange_errors: list[EdiError] = []
        self.interchange_sets: list[ParsedSet] = []
        self.group: Group | None = None
        self.group_sets: list[ParsedSet] = []
        self.group_errors: list[EdiError] = []
        self.group_controls: set[str] = set()
        self.groups_seen = 0
        self.st_index = -1
        self.outside_set: list[int] = []  # positions of segments in a group but in no set
        self.outside_group: list[int] = []
        self.after_iea: list[int] = []

    def read(self) -> list[ParsedSet]:
        segments = self.segments
        n = len(segments)
        closed = False
        previous = 0  # index of the last envelope segment handled (0: the ISA)
        for i in _envelope_indices(segments, self.element):
            if i > previous + 1 and self.st_index < 0:
                self._stray(range(self.base + previous + 2, self.base + i + 1), closed)
            previous = i
            segment = segments[i].split(self.element)
            tag = segment[0]
            if self.st_index >= 0:
                if tag == "SE":
                    self._close_set(i, segment)
                    continue
                self._close_set(i, None)
            if closed:
                self._stray(range(self.base + i + 1, self.base + i + 2), closed)
            elif tag == "ST":
                self._open_set(i, segment)
            elif tag == "GS":
                if self.group is not None:
                    self._close_group(None, 0)
                self._open_group(i, segment)
            elif tag == "GE":
                if self.group is None:
                    self.outside_group.append(self.base + i + 1)
                else:
                    self._close_group(segment, self.base + i + 1)
            elif tag == "IEA":
                self._close_interchange(i, segment)
                closed = True
            elif tag == "TA1":
                self._interchange_ack(i, segment)
            else:  # an ISA inside the interchange, or an SE with no ST
                self._stray(range(self.base + i + 1, self.base + i + 2), closed)
        if n > previous + 1 and self.st_index < 0:
            self._stray(range(self.base + previous + 2, self.base + n + 1), closed)
        if self.st_index >= 0:
            self._close_set(len(segments), None)
        if not closed:
            self._close_interchange(len(segments), None)
        if self.after_iea:
            self.results.append(
                self._loose(
                    EdiError(
                        Reason.TEXT_OUTSIDE_INTERCHANGE,
                        f"{len(self.after_iea)} segment(s) after IEA, "
                        f"first at segment {self.after_iea[0]}",
                        self.after_iea[0],
                    ),
                    with_interchange=False,
                )
            )
        return self.results

    def _stray(self, positions: range, closed: bool) -> None:
        """Segments in no set: after the IEA, in a group, or in the interchange outside groups."""
        if closed:
            self.after_iea.extend(positions)
        elif self.group is not None:
            self.outside_set.extend(positions)
        else:
            self.outside_group.extend(positions)

    # ---- sets ----

    def _open_set(self, i: int, segment: list[str]) -> None:
        self.st_index = i
        st = _stripped(segment)
        self.st_id, self.st_control = st[1], st[2]

    def _close_set(self, end: int, se: list[str] | None) -> None:
        """Close the open set at `end` (the SE's index, or the first index past the set)."""
        start, set_id, st_control = self.st_index, self.st_id, self.st_control
        self.st_index = -1
        stop = end + 1 if se is not None else end
        segments = self.segments[start:stop]
        st_position = self.base + start + 1
        errors: list[EdiError] = []
        if se is None:
            errors.append(
                EdiError(
                    Reason.SE_MISSING,
                    f"set {set_id} {st_control} has no SE",
                    self.base + stop,
                )
            )
        else:
            se_position = self.base + end + 1
            se = _stripped(se)
            declared = se[1]
            if not declared.isdigit() or int(declared) != len(segments):
                errors.append(
                    EdiError(
                        Reason.SE_SEGMENT_COUNT,
                        f"SE01 says {declared or 'nothing'}, the set has {len(segments)} segments",
                        se_position,
                    )
                )
            if not same_control(se[2], st_control):
                errors.append(
                    EdiError(
                        Reason.SE_CONTROL_MISMATCH,
                        f"SE02 {se[2] or 'missing'} does not match ST02 {st_control}",
                        se_position,
                    )
                )
        if self.group is None:
            errors.append(
                EdiError(
                    Reason.GS_MISSING, "transaction set outside a functional group", st_position
                )
            )
        elif st_control in self.group_controls:
            errors.append(
                EdiError(
                    Reason.ST_CONTROL_DUPLICATE,
                    f"ST02 {st_control} repeats in group {self.group.control}",
                    st_position,
                )
            )
        else:
            self.group_controls.add(st_control)
        parsed = ParsedSet(
            file=self.file,
            interchange=self.interchange,
            group=self.group,
            set_id=set_id,
            st_control=st_control,
            st_position=st_position,
            segment_count=len(segments),
            errors=errors,
            segments=segments,
        )
        (self.group_sets if self.group is not None else self.interchange_sets).append(parsed)
        self.results.append(parsed)

    # ---- groups ----

    def _open_group(self, i: int, gs: list[str]) -> None:
        self.groups_seen += 1
        e = _stripped(gs)
        self.group = Group(
            control=e[6],
            functional_id=e[1],
            sender_id=e[2],
            receiver_id=e[3],
            date=iso_date_or_none(e[4]),
            time=e[5],
            agency=e[7],
            version=e[8],
            position=self.base + i + 1,
        )
        self.group_sets = []
        self.group_errors = []
        self.group_controls = set()
        self.outside_set = []

    def _close_group(self, ge: list[str] | None, ge_position: int) -> None:
        group = self.group
        assert group is not None
        errors = self.group_errors
        if self.outside_set:
            errors.append(
                EdiError(
                    Reason.SEGMENT_OUTSIDE_SET,
                    f"{len(self.outside_set)} segment(s) in group {group.control} outside any "
                    f"set, first at segment {self.outside_set[0]}",
                    self.outside_set[0],
                )
            )
        if ge is None:
            errors.append(
                EdiError(Reason.GE_MISSING, f"group {group.control} has no GE", group.position)
            )
        else:
            declared = _element(ge, 1)
            if not declared.isdigit() or int(declared) != len(self.group_sets):
                errors.append(
                    EdiError(
                        Reason.GE_SET_COUNT,
                        f"GE01 says {declared or 'nothing'}, group {group.control} has "
                        f"{len(self.group_sets)} sets",
                        ge_position,
                    )
                )
            if not same_control(_element(ge, 2), group.control):
                errors.append(
                    EdiError(
                        Reason.GE_CONTROL_MISMATCH,
                        f"GE02 {_element(ge, 2) or 'missing'} does not match GS06 {group.control}",
                        ge_position,
                    )
                )
        if errors:
            for parsed in self.group_sets:
                parsed.errors.extend(errors)
            if not self.group_sets:
                self.results.append(self._loose(*errors))
        self.interchange_sets.extend(self.group_sets)
        self.group = None
        self.group_sets = []
        self.outside_set = []

    # ---- the interchange ----

    def _close_interchange(self, i: int, iea: list[str] | None) -> None:
        if self.st_index >= 0:
            self._close_set(i, None)
        if self.group is not None:
            self._close_group(None, 0)
        ic = self.interchange
        errors = self.interchange_errors
        if self.outside_group:
            errors.append(
                EdiError(
                    Reason.SEGMENT_OUTSIDE_GROUP,
                    f"{len(self.outside_group)} segment(s) outside any group, "
                    f"first at segment {self.outside_group[0]}",
                    self.outside_group[0],
                )
            )
        if iea is None:
            errors.append(
                EdiError(Reason.IEA_MISSING, f"interchange {ic.control} has no IEA", ic.position)
            )
        else:
            declared = _element(iea, 1)
            if not declared.isdigit() or int(declared) != self.groups_seen:
                errors.append(
                    EdiError(
                        Reason.IEA_GROUP_COUNT,
                        f"IEA01 says {declared or 'nothing'}, interchange {ic.control} has "
                        f"{self.groups_seen} groups",
                        self.base + i + 1,
                    )
                )
            if not same_control(_element(iea, 2), ic.control):
                errors.append(
                    EdiError(
                        Reason.IEA_CONTROL_MISMATCH,
                        f"IEA02 {_element(iea, 2) or 'missing'} does not match ISA13 {ic.control}",
                        self.base + i + 1,
                    )
                )
        if errors:
            for parsed in self.interchange_sets:
                parsed.errors.extend(errors)
            if not self.interchange_sets:
                self.results.append(self._loose(*errors))

    def _interchange_ack(self, i: int, ta1: list[str]) -> None:
        """A TA1 (interchange acknowledgment) rides between ISA and GS: kept as its own record."""
        position = self.base + i + 1
        self.results.append(
            ParsedSet(
                file=self.file,
                interchange=self.interchange,
                group=None,
                set_id="TA1",
                st_control=None,
                st_position=position,
                segment_count=1,
                document={
                    "interchange_control": _element(ta1, 1),
                    "interchange_date": iso_date_or_none(_element(ta1, 2)),
                    "interchange_time": _element(ta1, 3) or None,
                    "ack_code": _element(ta1, 4) or None,
                    "note_code": _element(ta1, 5) or None,
                },
                segments=[self.segments[i]],
            )
        )

    def _loose(self, *errors: EdiError, with_interchange: bool = True) -> ParsedSet:
        """A record for errors that belong to no set (an empty broken group, stray text)."""
        return ParsedSet(
            file=self.file,
            interchange=self.interchange if with_interchange else None,
            group=self.group if with_interchange else None,
            set_id=None,
            st_control=None,
            st_position=None,
            errors=list(errors),
        )
