"""Tamper evidence: every case's history is a hash chain that can be checked."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._text import _
from ..errors import CorruptData, InvalidData
from ..kinds import BY_CLASS
from ..serialization import json_type_name
from ..unit_of_work import PAGE, UnitOfWork, hash_matches
from ..workflow.case import Case


@attrs.frozen
class ChainReport:
    """One case's chain: how many records, the head hash (the last record's), and the
    number of the first record that does not match (None: the chain holds)."""

    case_id: str
    length: int
    head: str
    first_bad: int | None = None
    missing: bool = False
    """The records hold, but the chain does not end where the case is (its last record
    leaves it in another state, or it has none): records after the head are missing,
    or the case was changed outside the workflow. `first_bad` is then ``length + 1``."""

    @property
    def ok(self) -> bool:
        """Whether every record matches."""
        return self.first_bad is None


def check_chain(case_id: str, records: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Check `records` (oldest first): numbers 1, 2, …; each record's ``prev_hash`` is the
    hash of the one before; each ``hash`` is the SHA-256 of its own canonical content."""
    previous = ""
    count = 0
    for expected, data in enumerate(records, start=1):
        count = expected
        if (
            data.get("seq") != expected
            or data.get("prev_hash", "") != previous
            or not hash_matches(data)
        ):
            return ChainReport(case_id, count, previous, expected)
        previous = str(data["hash"])
    return ChainReport(case_id, count, previous)


def verify_store(uow: UnitOfWork) -> list[ChainReport]:
    """Check every chain in the store (a record that cannot be read at all is where its
    chain breaks, unless it broke before), and that each case is where its chain ends."""
    states = _case_states(uow)
    reports = [_check_stored(uow, c) for c in uow.history.cases()]
    return _ends(reports, states, {r.case_id: _last_dest(uow, r) for r in reports if r.ok})


_CASES = BY_CLASS[Case].name
_UNREADABLE = object()
"""The state of a case whose stored record cannot be read: no chain ends there."""


def _case_states(uow: UnitOfWork) -> dict[str, object]:
    """Each stored case's state by its id. Where the backend gives the stored text
    (``entity_texts``), a case that cannot be read is one case the check reports, not
    the end of the check."""
    texts = getattr(uow.tx, "entity_texts", None)
    if texts is None:
        return {str(data.get("id")): data.get("state") for data in uow.entities.stream_raw(Case)}
    states: dict[str, object] = {}
    after: str | None = None
    while True:
        rows = texts(_CASES, after=after, limit=PAGE)
        for id, text in rows:
            try:
                data = json.loads(text)
            except ValueError:
                data = None
            states[id] = data.get("state") if isinstance(data, dict) else _UNREADABLE
        if len(rows) < PAGE:
            return states
        after = rows[-1][0]


def _last_dest(uow: UnitOfWork, report: ChainReport) -> object:
    head = uow.tx.history_head(report.case_id)
    return None if head is None else head.get("dest")


def _ends(
    reports: list[ChainReport], states: Mapping[str, object], dests: Mapping[str, object]
) -> list[ChainReport]:
    """`reports` with each sound chain checked against its case's state (`dests`: where
    each sound chain leaves its case), and a report for each case that has no chain."""
    checked = [
        attrs.evolve(r, first_bad=r.length + 1, missing=True)
        if r.ok and (r.case_id not in states or states[r.case_id] != dests.get(r.case_id))
        else r
        for r in reports
    ]
    chained = {r.case_id for r in reports}
    checked += [ChainReport(c, 0, "", 1, missing=True) for c in sorted(states) if c not in chained]
    return sorted(checked, key=lambda r: r.case_id)


def _check_stored(uow: UnitOfWork, case_id: str) -> ChainReport:
    try:
        return check_chain(case_id, uow.history.raw(case_id))
    except CorruptData as damaged:
        if damaged.seq is None:
            raise
        before = check_chain(case_id, damaged.readable)
        if not before.ok:
            return before
        return ChainReport(case_id, damaged.seq, before.head, damaged.seq)


def _number(record: Mapping[str, Any]) -> int:
    """A record's ``seq`` to sort by (a document may hold anything there: a record
    without a number sorts first, and the chain check names it)."""
    seq = record.get("seq")
    return seq if type(seq) is int else 0


def _listed(document: Mapping[str, Any], field: str) -> list[Any]:
    """The document's list `field` (none: empty); anything else is :class:`InvalidData`."""
    found = document.get(field, [])
    if not isinstance(found, list):
        raise InvalidData.at(
            field,
            _("expected {expected}, got {got}", expected=_("a list"), got=json_type_name(found)),
        )
    return found


def verify_document(document: Mapping[str, Any]) -> list[ChainReport]:
    """Check every chain in an export document (its ``history`` list)."""
    by_case: dict[str, list[Mapping[str, Any]]] = {}
    for record in _listed(document, "history"):
        if isinstance(record, Mapping):
            by_case.setdefault(str(record.get("case_id")), []).append(record)
    ordered = {
        case_id: sorted(records, key=_number) for case_id, records in sorted(by_case.items())
    }
    reports = [check_chain(case_id, records) for case_id, records in ordered.items()]
    states = {
        str(case.get("id")): case.get("state")
        for case in _listed(document, "cases")
        if isinstance(case, Mapping)
    }
    dests = {c: records[-1].get("dest") for c, records in ordered.items() if records}
    return _ends(reports, states, dests)
