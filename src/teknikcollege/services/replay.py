"""Import as a replay: every record of a document goes through the workflow again.

A document's cases are not written as they stand. Each case is opened again and each of
its history records fired again through the workflow — its transitions, its guards, and
the roles the record's actor holds by the registry's own people — at the record's time.
The replayed case must equal the document's case, and each record's hash must equal the
document's; the first record that fails is named, and nothing is written (the caller's
unit of work rolls back). A case already stored may only move forwards: its stored
history must be the beginning of the document's.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .._text import Text, _, _n
from ..bootstrap import Dependencies
from ..errors import InvalidData, TeknikcollegeError
from ..models import College, Judgement, Person, Programme
from ..models.common import local_day
from ..unit_of_work import UnitOfWork
from ..workflow.case import SYSTEM, Actor, Case, TransitionRecord
from .cases import fire, open_case, store_case, workflow


def _refused(path: str, error: TeknikcollegeError) -> InvalidData:
    why = Text(error.message("sv"), error.message("en"))
    return InvalidData.at(path, _("does not replay: {why}", why=why))


def check_references(deps: Dependencies, uow: UnitOfWork, entity: object, path: str) -> None:
    """The checks :meth:`Registry.add` makes, for an entity of a document."""
    if isinstance(entity, Programme) and uow.entities.get(College, entity.college_id) is None:
        raise InvalidData.at(
            f"{path}.college_id", _("college {id!r} does not exist", id=entity.college_id)
        )
    if isinstance(entity, Judgement):
        if uow.entities.get(Person, entity.reviewer_id) is None:
            raise InvalidData.at(
                f"{path}.reviewer_id",
                _("reviewer {id!r} does not exist", id=entity.reviewer_id),
            )
        if entity.rule_id not in deps.rules:
            raise InvalidData.at(f"{path}.rule_id", _("unknown rule {id!r}", id=entity.rule_id))


def replay_cases(
    deps: Dependencies,
    uow: UnitOfWork,
    cases: Sequence[tuple[str, Case, Sequence[tuple[int, TransitionRecord]]]],
) -> None:
    """Bring `cases` (``(path, case, records)``; a record as ``(index in the document's
    history, record)``) into the store by replaying their records in the order they
    happened, across cases: a guard may read another case (the lifecycle's ``certify``
    needs the certification), so the records are applied by their time, and records of
    the same instant in whichever order lets each one pass."""
    queues: list[tuple[str, Case, list[tuple[int, TransitionRecord]]]] = []
    for path, case, records in cases:
        flow = workflow(deps, case.workflow, f"{path}.workflow")
        if case.state not in {s.name for s in flow.definition.states}:
            raise InvalidData.at(f"{path}.state", _("unknown state {state!r}", state=case.state))
        ordered = sorted(records, key=lambda r: r[1].seq)
        queues.append((path, case, ordered[_stored_prefix(uow, case, ordered, path) :]))
    while any(queue for _p, _c, queue in queues):
        earliest = min(queue[0][1].at for _p, _c, queue in queues if queue)
        ready = [q for q in queues if q[2] and q[2][0][1].at == earliest]
        first_error: InvalidData | None = None
        for _path, case, queue in ready:
            index, record = queue[0]
            try:
                with uow.savepoint():
                    _apply(deps, uow, case, index, record)
            except InvalidData as error:
                first_error = first_error or error
                continue
            queue.pop(0)
            break
        else:
            assert first_error is not None
            raise first_error
    for path, case, _done in queues:
        _compare(deps, uow, case, path)


def _stored_prefix(
    uow: UnitOfWork, case: Case, records: Sequence[tuple[int, TransitionRecord]], path: str
) -> int:
    """How many of `records` the store already holds (they must match it exactly)."""
    stored = uow.history.raw(case.id)
    if len(records) < len(stored):
        raise InvalidData.at(
            path,
            _(
                "{stored}, the document {given}: an import never moves a case backwards",
                stored=_n("the case has {n} record", "the case has {n} records", len(stored)),
                given=_n("only {n} record", "only {n} records", len(records)),
            ),
        )
    for (index, record), data in zip(records, stored, strict=False):
        if record.hash != data.get("hash"):
            raise InvalidData.at(f"history[{index}]", _("differs from the stored history"))
    if not records:
        raise InvalidData.at(f"{path}.id", _("the case has no history"))
    return len(stored)


def _compare(deps: Dependencies, uow: UnitOfWork, case: Case, path: str) -> None:
    """The replayed case must be the document's case."""
    replayed = uow.entities.get_versioned(Case, case.id)
    assert replayed is not None
    current, version = replayed
    for name in ("state", "deadlines", "certifications", "subject", "college_id"):
        if getattr(current, name) != getattr(case, name):
            raise InvalidData.at(
                f"{path}.{name}",
                _(
                    "does not match its history ({value!r} when replayed)",
                    value=getattr(current, name),
                ),
            )
    # A reminder sent is never forgotten: the store's and the document's together.
    sent = list(dict.fromkeys([*current.reminders_sent, *case.reminders_sent]))
    if current.reminders_sent != sent:
        flow = workflow(deps, case.workflow)
        kept = attrs.evolve(current, reminders_sent=sent)
        store_case(uow, kept, flow, version)


def _apply(
    deps: Dependencies, uow: UnitOfWork, case: Case, index: int, record: TransitionRecord
) -> None:
    path = f"history[{index}]"
    actor = Actor(record.actor_id, frozenset())
    try:
        if record.trigger == "open":
            if record.seq != 1:
                raise InvalidData.at(f"{path}.seq", _("opens as number 1"))
            open_case(
                deps,
                uow,
                case.workflow,
                case.subject,
                actor=actor,
                now=record.at,
                college_id=case.college_id,
                case_id=case.id,
                note=record.note,
                recorded=record,
            )
        else:
            by_sweep = record.actor_id == SYSTEM.id
            wf = workflow(deps, case.workflow)
            timed = {rule.trigger for rule in wf.definition.time_rules}
            if by_sweep and record.trigger in timed:
                current = uow.entities.get(Case, case.id)
                assert current is not None
                if record.trigger not in wf.due_triggers(current, record.at):
                    raise InvalidData.at(
                        f"{path}.trigger",
                        _(
                            "{trigger!r} was not due on {day}",
                            trigger=record.trigger,
                            day=local_day(record.at).isoformat(),
                        ),
                    )
            fire(
                deps,
                uow,
                case.id,
                record.trigger,
                actor=SYSTEM if by_sweep else actor,
                now=record.at,
                note=record.note,
                params=record.params,
                by_sweep=by_sweep,
                notify=False,
                recorded=record,
                follow=False,
            )
    except InvalidData as error:
        if error.errors and error.errors[0][0].startswith("history["):
            raise
        raise error.prefixed(path) from None
    except TeknikcollegeError as error:
        raise _refused(path, error) from None
