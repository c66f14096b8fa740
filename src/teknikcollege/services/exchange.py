"""Moving data in and out: whole documents (streamed), and one person's data."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import IO, Any

from .._text import _
from ..bootstrap import Dependencies
from ..errors import InvalidData, NotFound, kind_text
from ..kinds import BY_CLASS, HISTORY_FIELD, KINDS
from ..models import College, Judgement, Person
from ..models.common import local_day
from ..serialization import SCHEMA, Bundle, import_document, to_data
from ..unit_of_work import UnitOfWork
from ..workflow.case import TransitionRecord
from . import replay

audit_log = logging.getLogger("teknikcollege.audit")


def export_items(uow: UnitOfWork) -> Iterator[tuple[str, str]]:
    """``(document field, record as compact JSON text)`` of everything stored, streamed
    page by page in document order; history follows the cases, in the order it was
    appended. The text is what a
    backend storing text holds, as it is (nothing decoded and encoded again)."""
    for kind in KINDS:
        for text in uow.entities.stream_text(kind.cls):
            yield kind.document_field, text
    for text in uow.history.stream_text():
        yield HISTORY_FIELD, text


def export_bundle(uow: UnitOfWork) -> Bundle:
    """Everything stored as a :class:`Bundle` (held in memory: prefer
    :func:`write_document` for large stores)."""
    items: list[object] = []
    for kind in KINDS:
        items += list(uow.entities.stream(kind.cls))
    items += uow.history.stream()
    return Bundle.of(items)


def write_document(uow: UnitOfWork, out: IO[str]) -> int:
    """Write the export document as JSON to `out` one record at a time (memory stays
    bounded whatever the size of the store); returns how many records were written."""
    out.write('{"schema": ' + json.dumps(SCHEMA))
    current: str | None = None
    count = 0
    for field, text in export_items(uow):
        if field != current:
            out.write("]" if current is not None else "")
            out.write(f", {json.dumps(field)}: [")
            current = field
        else:
            out.write(", ")
        out.write(text)
        count += 1
    out.write("]}\n" if current is not None else "}\n")
    return count


def import_bundle(
    deps: Dependencies,
    uow: UnitOfWork,
    document: object,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write a document's records (all or nothing: the caller's unit of work). Entities
    get the checks of ``add``, and never replace a stored one (see :func:`_write`);
    every case is replayed through its workflow (see :mod:`teknikcollege.services.replay`)
    up to `now`, the registry's clock."""
    bundle = import_document(document)
    entities = bundle.entities()
    total = len(entities) + len(bundle.cases)
    history: dict[str, list[tuple[int, TransitionRecord]]] = {}
    for index, record in enumerate(bundle.history):
        history.setdefault(record.case_id, []).append((index, record))
    count = 0
    paths = list(_paths(entities))
    for entity, path in zip(entities, paths, strict=True):
        _write(uow, entity, path)
        count += 1
        if progress is not None:
            progress(count, total)
    for entity, path in zip(entities, paths, strict=True):  # references may point forwards
        replay.check_references(deps, uow, entity, path)
    replay.replay_cases(
        deps,
        uow,
        [(f"cases[{i}]", case, history.pop(case.id, [])) for i, case in enumerate(bundle.cases)],
        now,
    )
    for records in history.values():
        index, record = records[0]
        raise InvalidData.at(
            f"history[{index}].case_id",
            _("case {id!r} is not in the document", id=record.case_id),
        )
    for entity, path in zip(entities, paths, strict=True):  # records of cases now replayed
        replay.check_records(deps, uow, entity, path, local_day(now))
    count += len(bundle.cases)
    if progress is not None:
        progress(count, total)
    return count


def _paths(entities: Iterable[object]) -> Iterator[str]:
    """Each entity's place in the document (``people[3]``)."""
    positions: dict[str, int] = {}
    for entity in entities:
        field = BY_CLASS[type(entity)].document_field
        position = positions[field] = positions.get(field, -1) + 1
        yield f"{field}[{position}]"


def _write(uow: UnitOfWork, entity: Any, path: str) -> None:
    """Store a document's entity that is not stored yet. One that is stored stays as it
    is: the same is nothing to do, and a different one is refused. A document carries no
    version of its entities, and an older export would otherwise take back what changed
    since (an appointment ended, a college's steering group); a change is made with
    ``save``, by someone allowed to make it. A person erased stays erased: the document's
    copy counts as the same if it is, erased."""
    stored = uow.entities.get(type(entity), entity.id)
    if stored is None:
        uow.entities.add(entity)
        return
    if isinstance(stored, Person) and stored.is_erased:
        entity = entity.erased()
    if entity != stored:
        kind = BY_CLASS[type(entity)].name
        raise InvalidData.at(
            path,
            _(
                "differs from {kind} {id!r} in the registry: an import never changes a "
                "stored record (change it with save)",
                kind=kind_text(kind),
                id=entity.id,
            ),
        )


def erase_person(uow: UnitOfWork, person_id: str) -> Person:
    """Remove a person's name and contact data everywhere (delivery errors included);
    their id stays in history as a pseudonym, so history still replays and its hash
    chain still holds."""
    found = uow.entities.get_versioned(Person, person_id)
    if found is None:
        raise NotFound("person", person_id)
    person, version = found
    erased = person.erased()
    uow.entities.write(erased, expected_version=version)
    uow.tx.clear_errors(n.id for n, _ in uow.outbox.stream() if person_id in n.recipient_ids)
    return erased


def export_person(uow: UnitOfWork, person_id: str) -> dict[str, Any]:
    """Everything stored about one person, as JSON-compatible data."""
    person = uow.entities.get(Person, person_id)
    if person is None:
        raise NotFound("person", person_id)
    colleges = list(uow.entities.stream(College))
    groups = [
        {
            "college": c.id,
            "group": g.id,
            "sector": member.sector.value,
            "chair": g.chair == person_id,
        }
        for c in colleges
        for g in c.steering_groups()
        for member in (g.member(person_id),)
        if member is not None
    ]
    leads = [c.id for c in colleges if person_id in c.process_leaders]
    actions = [
        {"case": case_id, "trigger": d["trigger"], "at": d["at"]}
        for case_id in uow.history.cases()
        for d in uow.history.raw(case_id)
        if d.get("actor_id") == person_id
    ]
    judgements = [to_data(j) for j in uow.entities.find(Judgement, reviewer_id=person_id)]
    notifications = sorted({n.id for n, _ in uow.outbox.stream() if person_id in n.recipient_ids})
    return {
        "person": to_data(person),
        "steering_groups": groups,
        "process_leader_of": leads,
        "actions": actions,
        "judgements": judgements,
        "notifications": notifications,
    }
