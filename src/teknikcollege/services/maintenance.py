"""Keeping a store's derived data in step with this version of the library."""

from __future__ import annotations

from ..bootstrap import Dependencies
from ..kinds import KINDS
from ..unit_of_work import UnitOfWork
from ..workflow.case import Case
from .cases import open_key, workflow

INDEX_VERSION = "1"
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
