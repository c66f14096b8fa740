"""Tamper evidence: every case's history is a hash chain that can be checked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ..unit_of_work import UnitOfWork, record_hash


@attrs.frozen
class ChainReport:
    """One case's chain: how many records, the head hash (the last record's), and the
    number of the first record that does not match (None: the chain holds)."""

    case_id: str
    length: int
    head: str
    first_bad: int | None = None

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
            or data.get("hash") != record_hash(data)
        ):
            return ChainReport(case_id, count, previous, expected)
        previous = str(data["hash"])
    return ChainReport(case_id, count, previous)


def verify_store(uow: UnitOfWork) -> list[ChainReport]:
    """Check every chain in the store."""
    return [check_chain(c, uow.history.raw(c)) for c in uow.history.cases()]


def verify_document(document: Mapping[str, Any]) -> list[ChainReport]:
    """Check every chain in an export document (its ``history`` list)."""
    by_case: dict[str, list[Mapping[str, Any]]] = {}
    for record in document.get("history", ()):
        if isinstance(record, Mapping):
            by_case.setdefault(str(record.get("case_id")), []).append(record)
    return [
        check_chain(case_id, sorted(records, key=lambda r: int(r.get("seq") or 0)))
        for case_id, records in sorted(by_case.items())
    ]
