"""Moving data in and out of a registry: documents, and one person's data."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import attrs

from ._lookup import CASE, KINDS, TxLookup
from ._text import Text
from .errors import InvalidData, NotFound, PermissionDenied
from .models import College, Judgement, Person, Role
from .serialization import Bundle, export_document, from_data, import_document, kind_of, to_data
from .storage.port import Transaction
from .workflow.case import Actor, Case, TransitionRecord

if TYPE_CHECKING:
    from .workflow.engine import Workflow

audit_log = logging.getLogger("teknikcollege.audit")


class ExchangeMixin:
    """Export and import whole documents; export or erase one person's data."""

    if TYPE_CHECKING:

        def _tx(self) -> AbstractContextManager[tuple[Transaction, TxLookup]]: ...

        def _workflow(self, name: str) -> Workflow: ...

        def _refused(self, actor: Actor, trigger: str, case_id: str) -> None: ...

        def get(self, cls: type[Any], id: str) -> Any: ...

    def export_bundle(self) -> Bundle:
        """Everything stored (entities, cases, history) as a :class:`Bundle`."""
        with self._tx() as (tx, _):
            items: list[object] = []
            for kind, cls in KINDS.items():
                items += [from_data(s.data, cls) for s in tx.query(kind)]
            cases = [i for i in items if isinstance(i, Case)]
            for case in cases:
                items += [
                    attrs.evolve(from_data(d, TransitionRecord), seq=n)
                    for n, d in enumerate(tx.history(case.id), start=1)
                ]
        return Bundle.of(items)

    def export_document(self) -> dict[str, Any]:
        """Everything stored as a JSON-compatible document with a schema version."""
        return export_document(self.export_bundle())

    def import_document(
        self, document: object, *, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Import a document all or nothing; returns how many records were written.

        Bad input raises :class:`InvalidData` listing every error, and nothing changes.
        `progress(done, total)` is called as records are written.
        """
        bundle = import_document(document)
        entities = bundle.entities()
        total = len(entities) + len(bundle.cases)
        history: dict[str, list[TransitionRecord]] = {}
        for record in bundle.history:
            history.setdefault(record.case_id, []).append(record)
        count = 0
        with self._tx() as (tx, _):
            for entity in entities:
                kind, id = kind_of(entity), entity_id(entity)
                current = tx.get(kind, id)
                tx.put(
                    kind, id, to_data(entity), expected_version=current.version if current else 0
                )
                count += 1
                if progress is not None:
                    progress(count, total)
            for i, case in enumerate(bundle.cases):
                current = tx.get(CASE, case.id)
                flow = self._workflow(case.workflow)
                if case.state not in {s.name for s in flow.definition.states}:
                    raise InvalidData(
                        [
                            (
                                f"cases[{i}].state",
                                Text(f"okänt läge {case.state!r}", f"unknown state {case.state!r}"),
                            )
                        ]
                    )
                tx.put(
                    CASE,
                    case.id,
                    to_data(case),
                    expected_version=current.version if current else 0,
                    due_at=flow.next_due(case),
                )
                if current is None:
                    for record in sorted(history.get(case.id, ()), key=lambda r: r.seq):
                        tx.append_history(case.id, record_data(record))
                count += 1
                if progress is not None:
                    progress(count, total)
        return count

    def erase_person(self, person_id: str, *, actor: Actor) -> Person:
        """Remove a person's name and contact data everywhere; their id stays in history
        as a pseudonym, so history still replays."""
        if Role.ADMIN not in actor.roles:
            self._refused(actor, "erase_person", person_id)
            raise PermissionDenied(actor.id, "erase_person", ["admin"])
        with self._tx() as (tx, _):
            stored = tx.get("person", person_id)
            if stored is None:
                raise NotFound("person", person_id)
            erased = from_data(stored.data, Person).erased()
            tx.put("person", person_id, to_data(erased), expected_version=stored.version)
        audit_log.info("erased person %s by %s", person_id, actor.id)
        return erased

    def export_person(self, person_id: str) -> dict[str, Any]:
        """Everything stored about one person, as JSON-compatible data."""
        person = self.get(Person, person_id)
        with self._tx() as (tx, lookup):
            groups = [
                {
                    "college": c.id,
                    "group": g.id,
                    "sector": g.member(person_id).sector.value,  # type: ignore[union-attr]
                    "chair": g.chair == person_id,
                }
                for c in lookup.find(College)
                for g in c.steering_groups()
                if g.member(person_id) is not None
            ]
            leads = [c.id for c in lookup.find(College) if person_id in c.process_leaders]
            actions = [
                {"case": case.id, **{k: v for k, v in d.items() if k in ("trigger", "at")}}
                for case in lookup.find(Case)
                for d in tx.history(case.id)
                if d.get("actor_id") == person_id
            ]
            judgements = [to_data(j) for j in lookup.find(Judgement, reviewer_id=person_id)]
            notifications = sorted(
                {
                    d.notification_id
                    for d in tx.deliveries()
                    if person_id in d.data.get("recipient_ids", ())
                }
            )
        return {
            "person": to_data(person),
            "steering_groups": groups,
            "process_leader_of": leads,
            "actions": actions,
            "judgements": judgements,
            "notifications": notifications,
        }


def record_data(record: TransitionRecord) -> dict[str, Any]:
    """A transition record as stored."""
    data: dict[str, Any] = to_data(record)
    return data


def entity_id(entity: object) -> str:
    """The ``id`` of a stored model."""
    id: str = entity.id  # type: ignore[attr-defined]
    return id
