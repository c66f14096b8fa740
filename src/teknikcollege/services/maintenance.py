"""Keeping a store's derived data in step with this version of the library."""

from __future__ import annotations

import json

from ..bootstrap import Dependencies
from ..kinds import KINDS
from ..unit_of_work import UnitOfWork, record_hash
from ..workflow.case import Case
from .cases import open_key, workflow

INDEX_VERSION = "2"
"""Bump when the index keys or unique keys a kind derives change."""


def index_is_current(uow: UnitOfWork) -> bool:
    """Whether the store's index keys were written by this index version."""
    return uow.tx.get_meta("index") == INDEX_VERSION


def reindex(deps: Dependencies, uow: UnitOfWork) -> int:
    """Rewrite every entity's index keys and every case's unique key (a store written by
    0.1 has none); returns how many records were rewritten. Each rewrite is a write, so
    versions move on by one."""
    count = 0
    for kind in KINDS:
        if not kind.index:
            continue
        for stored in list(uow.entities.stream(kind.cls)):
            version = uow.entities.version(kind.cls, stored.id)
            assert version is not None
            if isinstance(stored, Case):
                flow = workflow(deps, stored.workflow, f"cases.{stored.id}.workflow")
                uow.entities.write(
                    stored,
                    expected_version=version,
                    due_at=flow.next_due(stored),
                    unique=open_key(stored, flow),
                )
            else:
                uow.entities.write(stored, expected_version=version)
            count += 1
    uow.tx.set_meta("index", INDEX_VERSION)
    return count


def chain_history(uow: UnitOfWork, actor_id: str, at: str) -> int:
    """Give every record stored without a hash (a 0.1 store) its place in its case's
    chain, once; the migration is recorded in the store's meta data with the person who
    ran it and when. Returns how many records were chained."""
    count = 0
    for case_id in uow.history.cases():
        records = uow.history.raw(case_id)
        if all(r.get("hash") for r in records):
            continue
        previous = ""
        for seq, record in enumerate(records, start=1):
            data = {**record, "seq": seq, "prev_hash": previous}
            data.pop("hash", None)
            data["hash"] = previous = record_hash(data)
            uow.tx.replace_history(case_id, seq, data)
            count += 1
    if count:
        uow.tx.set_meta("history-chained", json.dumps({"by": actor_id, "at": at, "records": count}))
    return count
