"""Import as a replay: every record of a document goes through the workflow again.

A document's cases are not written as they stand. Each case is opened again and each of
its history records fired again through the workflow — its transitions, its guards
(judged by what the store held then: :mod:`teknikcollege.services.as_of`), its policies,
and the roles the record's actor holds by the registry's own people — at the record's
time, in the order the records were made (:func:`replay_cases`). The replayed case must
equal the document's case, and each record must say what its step did, with its own
hash; the first records that fail are named, and nothing is written (the caller's unit
of work rolls back). A case already stored may only move forwards: its stored history
must be the beginning of the document's.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import date, datetime
from typing import Any

import attrs

from .._text import Text, _, _n
from ..bootstrap import Dependencies
from ..clock import parse_day
from ..errors import InvalidData, TeknikcollegeError
from ..models import Postponement
from ..models.common import local_day
from ..serialization import to_data
from ..unit_of_work import UnitOfWork, hash_matches
from ..workflow.case import SYSTEM, Actor, Case, TransitionRecord
from . import policies, records
from .as_of import AtTime
from .cases import fire, open_case, store_case, workflow
from .policies import cause_of
from .references import reference_problems


def _refused(path: str, error: TeknikcollegeError) -> InvalidData:
    why = Text(error.message("sv"), error.message("en"))
    return InvalidData.at(path, _("does not replay: {why}", why=why))


def check_references(deps: Dependencies, uow: UnitOfWork, entity: object, path: str) -> None:
    """The checks :meth:`Registry.add` makes, for an entity of a document."""
    problems = reference_problems(deps, uow, entity)
    if problems:
        raise InvalidData([(f"{path}.{field}", text) for field, text in problems])


def check_records(
    deps: Dependencies, uow: UnitOfWork, entity: object, path: str, today: date
) -> None:
    """The checks :meth:`Registry.add` makes of a record of the process, for a record of
    a document once its case is replayed (see :func:`records.record_problems`); a
    postponement must be the one a step of its case's history granted."""
    problems = records.record_problems(uow, entity, today, imported=True)
    if isinstance(entity, Postponement) and not problems and not _granted(deps, uow, entity):
        problems.append(
            (
                "id",
                _(
                    "no step of case {case!r} granted postponement {id!r}: a postponement "
                    "is recorded by the step that grants it",
                    case=entity.case_id,
                    id=entity.id,
                ),
            )
        )
    records.raise_problems(problems, path)


def _granted(deps: Dependencies, uow: UnitOfWork, postponement: Postponement) -> bool:
    """Whether a step of the postponement's case created a postponement of its id."""
    case = uow.entities.get(Case, postponement.case_id)
    flow = deps.workflows.get(case.workflow) if case is not None else None
    return flow is not None and any(
        flow.spec(r.trigger).creates == "postponement"
        and postponement.id == f"{postponement.case_id}-postponement-{r.seq}"
        for r in uow.history.of(postponement.case_id)
        if r.trigger != "open"
    )


class _Probed(Exception):
    """A policy's transition would be fired (and is undone: see ``_Replay._policies``)."""


def _joined(failures: Sequence[InvalidData]) -> InvalidData:
    """One error holding every failure, earliest first."""
    return InvalidData(problem for error in failures for problem in error.errors)


REPLAY_BUDGET = 8
"""Failed attempts a replay may make per record of the document before it gives up: a
record tried before its turn fails and is tried again later, a document that does not
replay must be refused in time proportional to its size, not searched without end."""

_Head = tuple[date, datetime, int, str]
"""A queue's next record in the replay's order: its day, its time, its place in the
document, its case."""


@attrs.define
class _Queue:
    """One case's records, oldest first; the first `stored` of them are in the store
    already (replayed in turn all the same, without writing: other cases' records are
    judged by them)."""

    path: str
    case: Case
    records: deque[tuple[int, TransitionRecord]]
    stored: int
    done: int = 0


def replay_cases(
    deps: Dependencies,
    uow: UnitOfWork,
    cases: Sequence[tuple[str, Case, Sequence[tuple[int, TransitionRecord]]]],
    now: datetime,
) -> None:
    """Bring `cases` (``(path, case, records)``; a record as ``(index in the document's
    history, record)``) into the store by replaying their records as they happened.

    Within a case, in the order of its numbers (its chain). Across cases, day by day (in
    Stockholm), earliest first: a guard may read another case (the lifecycle's
    ``certify`` needs the certification), so a record whose turn has not come yet fails,
    is set aside and tried again once others of its day have replayed. A record a
    policy fired (its note names its cause:
    :func:`~teknikcollege.services.policies.cause_of`) is replayed right after its
    cause, as it was made, so that records of the same instant keep their order.
    Records the store holds already take their turns too, so that a guard sees their
    cases as they stood. No record the store does not hold may be dated after `now`,
    the registry's clock."""
    queues: dict[str, _Queue] = {}
    for path, case, given in cases:
        flow = workflow(deps, case.workflow, f"{path}.workflow")
        if case.state not in {s.name for s in flow.definition.states}:
            raise InvalidData.at(f"{path}.state", _("unknown state {state!r}", state=case.state))
        ordered = sorted(given, key=lambda r: r[1].seq)
        stored = _stored_prefix(uow, case, ordered, path)
        for index, record in ordered[stored:]:
            if record.at > now:
                raise InvalidData.at(
                    f"history[{index}].at",
                    _(
                        "{at} lies after the registry's clock ({now})",
                        at=record.at.isoformat(),
                        now=now.isoformat(),
                    ),
                )
        queues[case.id] = _Queue(path, case, deque(ordered), stored)
    if any(len(q.records) > q.stored for q in queues.values()):
        _Replay(deps, uow, queues).run()
    for queue in queues.values():
        _compare(deps, uow, queue.case, queue.path, local_day(now))


class _Replay:
    """The records of every queue, replayed in turn (see :func:`replay_cases`)."""

    def __init__(self, deps: Dependencies, uow: UnitOfWork, queues: dict[str, _Queue]) -> None:
        self.deps = deps
        self.uow = uow
        self.queues = queues
        self.history: dict[str, list[TransitionRecord]] = {}
        queued = {(r.case_id, r.seq) for q in queues.values() for _i, r in q.records}
        self.followers: dict[tuple[str, int], list[str]] = {}
        self.follows: set[tuple[str, int]] = set()
        self.caused: dict[tuple[str, int], set[tuple[str, str]]] = {}
        for queue in queues.values():
            for _index, record in queue.records:
                cause = cause_of(record)
                if cause is None or cause not in queued or cause[0] == record.case_id:
                    continue
                self.caused.setdefault(cause, set()).add((record.case_id, record.trigger))
                self.follows.add((record.case_id, record.seq))
                followers = self.followers.setdefault(cause, [])
                if record.case_id not in followers:  # a policy moves a case once
                    followers.append(record.case_id)
        self.budget = REPLAY_BUDGET * len(queued) + 100
        self.heads: list[_Head] = []
        for queue in queues.values():
            self._push(queue)

    def _push(self, queue: _Queue) -> None:
        if queue.records:
            index, record = queue.records[0]
            heapq.heappush(self.heads, (local_day(record.at), record.at, index, record.case_id))

    def _history(self, case_id: str) -> list[TransitionRecord]:
        """A case's history as the store held it before the replay."""
        found = self.history.get(case_id)
        if found is None:
            found = self.history[case_id] = self.uow.history.of(case_id)
        return found

    def _then(self, case: Case, at: datetime) -> Case | None:
        """`case` as it stood when the record of `at` is replayed: a case of the document
        as far as the replay has brought it, another as its history stood at `at`."""
        queue = self.queues.get(case.id)
        if queue is not None and queue.done >= queue.stored:
            return case
        records = self._history(case.id)
        if queue is None:
            count = 0
            while count < len(records) and records[count].at <= at:
                count += 1
        else:
            count = queue.done
        if count >= len(records):
            return case
        if count == 0:
            return None
        flow = self.deps.workflows.get(case.workflow)
        if flow is None:  # pragma: no cover - a stored case of a workflow since removed
            return case
        return flow.replay(case, [r for r in records[:count] if r.trigger != "open"])

    def _unit(self, case_id: str, linked: bool) -> list[_Queue] | None:
        """The queues whose heads replay together from `case_id`'s: its head, and right
        after it the records it caused; None if that cannot be now (`linked`: a caused
        record waits for its cause)."""
        queue = self.queues[case_id]
        record = queue.records[0][1]
        if not linked:
            return [queue]
        key = (record.case_id, record.seq)
        if key in self.follows:
            return None
        unit = [queue]
        for other in self.followers.get(key, ()):
            follower = self.queues[other]
            head = follower.records[0][1] if follower.records else None
            if head is None or cause_of(head) != key:
                return None  # its follower is not next in its own case: not yet
            unit.append(follower)
        return unit

    def run(self) -> None:
        while self.heads:
            self._day(self.heads[0][0])

    def _day(self, day: date) -> None:
        """Replay the records of `day` in passes: each head in turn (with the records it
        caused); one that fails, or waits for its cause, is set aside until the pass
        ends, and tried again in the next if the pass replayed anything. A pass that
        replays nothing is followed by one that lets a caused record go without its
        cause, the last chance: a day that still does not replay raises the failures of
        its last pass, earliest first."""
        aside: list[_Head] = []
        failures: list[InvalidData] = []
        progress, linked = False, True
        while True:
            if not self.heads or self.heads[0][0] != day:
                if not aside:
                    return
                if not progress and not linked:
                    raise _joined(failures)
                linked = progress  # nothing replayed: unlinked, the last chance
                for item in aside:
                    heapq.heappush(self.heads, item)
                aside, failures, progress = [], [], False
                continue
            head = heapq.heappop(self.heads)
            unit = self._unit(head[3], linked)
            if unit is None:
                aside.append(head)
                continue
            # With nothing replayed in this last pass and nothing after it to try, a
            # failure ends the import: no savepoint to undo it (on the memory backend
            # one copies all that was written).
            last = not linked and not progress and not (self.heads and self.heads[0][0] == day)
            try:
                self._apply(unit, savepoint=not last)
            except InvalidData as error:
                aside.append(head)
                failures.append(error)
                self.budget -= 1
                if self.budget < 0:
                    raise _joined(failures) from None
                continue
            progress = True
            for queue in unit:
                queue.records.popleft()
                if queue is not unit[0]:
                    self._drop(aside, queue.case.id)
                self._push(queue)

    def _policies(self, case: Case, index: int, record: TransitionRecord) -> None:
        """The policies that follow `record` (see :mod:`~teknikcollege.services.policies`)
        must have fired what the document's records say they fired: every transition
        they fire is among the records caused by `record`, and no other record names it
        as its cause. A history without its policies' records does not replay."""
        spec = workflow(self.deps, case.workflow).spec(record.trigger)
        lookup = AtTime(self.uow, record.at, self._then)
        found: set[tuple[str, str]] = set()

        def probe(
            deps: Dependencies, uow: UnitOfWork, case_id: str, trigger: str, **options: Any
        ) -> tuple[TransitionRecord, Case]:
            try:
                with uow.savepoint():
                    options.update(notify=False, follow=False, lookup=lookup)
                    fire(deps, uow, case_id, trigger, **options)
                    raise _Probed
            except _Probed:
                found.add((case_id, trigger))
            return record, case

        policies.follow(self.deps, self.uow, case, spec, record, record.at, probe)
        key = (record.case_id, record.seq)
        caused = self.caused.get(key, set())
        for case_id, trigger in sorted(found - caused):
            raise InvalidData.at(
                f"history[{index}]",
                _(
                    "is followed by {trigger!r} on case {case!r} (a policy), which the "
                    "document does not hold",
                    trigger=trigger,
                    case=case_id,
                ),
            )
        for case_id, trigger in sorted(caused - found):
            index = next(
                i
                for i, r in self.queues[case_id].records
                if cause_of(r) == key and r.trigger == trigger
            )
            raise InvalidData.at(
                f"history[{index}]",
                _(
                    "names {cause!r} as its cause, which no policy follows with {trigger!r}",
                    cause=policies.cause_note(record),
                    trigger=trigger,
                ),
            )

    def _drop(self, tried: list[_Head], case_id: str) -> None:
        """Take `case_id`'s old head out (it replayed with its cause)."""
        for items in (tried, self.heads):
            for i, item in enumerate(items):
                if item[3] == case_id:
                    items.pop(i)
                    heapq.heapify(items)
                    return

    def _apply(self, unit: list[_Queue], *, savepoint: bool) -> None:
        """Replay the heads of `unit`, counting each in its queue as it is done (a
        record the store holds: nothing to write); a failure counts none."""
        counted: list[_Queue] = []
        try:
            with self.uow.savepoint() if savepoint else nullcontext():
                for queue in unit:
                    index, record = queue.records[0]
                    moved = None
                    if queue.done >= queue.stored:
                        lookup = AtTime(self.uow, record.at, self._then)
                        moved = _apply(self.deps, self.uow, queue.case, index, record, lookup)
                    queue.done += 1
                    counted.append(queue)
                    if moved is not None:
                        self._policies(moved, index, record)
        except BaseException:
            for queue in counted:
                queue.done -= 1
            raise


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
        # Its hash must be the stored one's, and its content what that hash was taken of.
        if record.hash != data.get("hash") or not hash_matches(to_data(record)):
            raise InvalidData.at(f"history[{index}]", _("differs from the stored history"))
    if not records:
        raise InvalidData.at(f"{path}.id", _("the case has no history"))
    return len(stored)


def _compare(deps: Dependencies, uow: UnitOfWork, case: Case, path: str, today: date) -> None:
    """The replayed case must be the document's case."""
    replayed = uow.entities.get_versioned(Case, case.id)
    assert replayed is not None
    current, version = replayed
    for name in ("state", "opened", "deadlines", "certifications", "subject", "college_id"):
        if getattr(current, name) != getattr(case, name):
            raise InvalidData.at(
                f"{path}.{name}",
                _(
                    "does not match its history ({value!r} when replayed)",
                    value=getattr(current, name),
                ),
            )
    # A reminder sent is never forgotten: the store's and the document's together. The
    # document's must be reminders of the workflow whose day has come: a reminder "sent"
    # before its day would keep it from being sent.
    flow = workflow(deps, case.workflow)
    reminders = {r.name: r for r in flow.definition.reminders}
    for i, key in enumerate(case.reminders_sent):
        if key in current.reminders_sent:
            continue
        name, _sep, day = key.rpartition(":")
        reminder = reminders.get(name)
        try:
            due = flow.reminder_day(reminder, parse_day(day)) if reminder else None
        except InvalidData:
            due = None
        if due is None or due > today:
            raise InvalidData.at(
                f"{path}.reminders_sent[{i}]",
                _(
                    "no reminder {key!r} can have been sent by {today}",
                    key=key,
                    today=today.isoformat(),
                ),
            )
    sent = list(dict.fromkeys([*current.reminders_sent, *case.reminders_sent]))
    if current.reminders_sent != sent:
        kept = attrs.evolve(current, reminders_sent=sent)
        store_case(uow, kept, flow, version)


def _apply(
    deps: Dependencies,
    uow: UnitOfWork,
    case: Case,
    index: int,
    record: TransitionRecord,
    lookup: AtTime,
) -> Case | None:
    """Fire `record` again (open its case); the case it moved, or None (opened)."""
    path = f"history[{index}]"
    # Judged by the roles the record names, which the person must have held then: a
    # person may act with fewer roles than they hold, never with more.
    actor = Actor(record.actor_id, record.actor_roles)
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
            return None
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
        return fire(
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
            lookup=lookup,
        )[1]
    except InvalidData as error:
        if error.errors and error.errors[0][0].startswith("history["):
            raise
        raise error.prefixed(path) from None
    except TeknikcollegeError as error:
        raise _refused(path, error) from None
