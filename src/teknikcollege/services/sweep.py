"""The sweep: time-based transitions and reminders for the cases that are due."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime

import attrs

from ..bootstrap import Dependencies
from ..errors import ConcurrentUpdate, TransitionNotAllowed
from ..models.common import local_day
from ..unit_of_work import UnitOfWork
from ..workflow.case import SYSTEM, Case, TransitionRecord
from .cases import fire, store_case, workflow
from .followup import reminder_data
from .notifications import enqueue

audit_log = logging.getLogger("teknikcollege.audit")


@attrs.frozen
class TickReport:
    """What one sweep did: transitions fired, reminders queued, cases looked at, and the
    cases that could not be processed (``(case_id, reason)``), which were skipped."""

    fired: tuple[tuple[str, str], ...]
    reminders: int
    examined: int
    skipped: tuple[tuple[str, str], ...] = ()


def tick(
    deps: Dependencies,
    open_uow: Callable[[], AbstractContextManager[UnitOfWork]],
    when: datetime,
    *,
    batch: int = 500,
    committed: Callable[[Case, TransitionRecord], None] | None = None,
) -> TickReport:
    """Process every case due at `when`, `batch` cases per transaction, each inside a
    savepoint: one that cannot be processed is undone, reported and skipped, and the
    rest commit. Only due cases are read (the storage's due index)."""
    fired: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    reminders = examined = 0
    seen: set[str] = set()
    while True:
        done: list[tuple[Case, TransitionRecord]] = []
        with open_uow() as uow:
            due = [
                s
                for s in uow.tx.due(when, batch + len(seen))
                if s.kind == "case" and s.id not in seen
            ][:batch]
            for stored in due:
                seen.add(stored.id)
                examined += 1
                try:
                    with uow.savepoint():
                        records, sent = tick_case(deps, uow, stored.id, when)
                except ConcurrentUpdate:
                    continue  # someone else moved it; the next sweep looks again
                except Exception as error:  # one bad case must not stop the sweep
                    audit_log.error("sweep skipped case %s: %s", stored.id, error)
                    skipped.append((stored.id, str(error)))
                    continue
                done += records
                reminders += sent
        if not due:
            break
        for case, record in done:
            fired.append((record.case_id, record.trigger))
            if committed is not None:
                committed(case, record)
    with open_uow() as uow:
        ended = certifications_run_out(deps, uow, when)
    for case, record in ended:
        fired.append((record.case_id, record.trigger))
        if committed is not None:
            committed(case, record)
    return TickReport(tuple(fired), reminders, examined, tuple(skipped))


def certifications_run_out(
    deps: Dependencies, uow: UnitOfWork, when: datetime
) -> list[tuple[Case, TransitionRecord]]:
    """A college lifecycle whose college's certification ran out without a transition of
    its own (its recertification was withdrawn while the period still ran) loses its
    certification at the sweep; the guard ``college-not-certified`` decides."""
    ended = []
    following = [
        (name, state)
        for name, flow in deps.workflows.items()
        for state in ("certified", "ordinary_operation")
        if "lose_certification" in {t.trigger for t in flow.triggers_from(state)}
    ]
    for name, state in following:  # only the lifecycles: a few cases per college
        for case in uow.entities.find(Case, workflow=name, state=state):
            try:
                with uow.savepoint():
                    record, moved = fire(
                        deps,
                        uow,
                        case.id,
                        "lose_certification",
                        actor=SYSTEM,
                        now=when,
                        by_sweep=True,
                        note=f"no valid certification on {local_day(when).isoformat()}",
                    )
            except TransitionNotAllowed:
                continue
            ended.append((moved, record))
    return ended


def tick_case(
    deps: Dependencies, uow: UnitOfWork, case_id: str, when: datetime
) -> tuple[list[tuple[Case, TransitionRecord]], int]:
    """Fire what is due on one case, then queue its due reminders."""
    found = uow.entities.get_versioned(Case, case_id)
    if found is None:
        return [], 0
    case, _ = found
    flow = workflow(deps, case.workflow, "case.workflow")
    records = []
    # One at a time, judged again after each: expiring may end the case before its
    # supplements would have lapsed, and a plug-in's guard may refuse a time trigger.
    for _ in range(len(flow.definition.time_rules) + 1):
        due_now = flow.due_triggers(case, when)
        if not due_now:
            break
        try:
            record, case = fire(
                deps, uow, case_id, due_now[0], actor=SYSTEM, now=when, by_sweep=True
            )
        except TransitionNotAllowed as refused:
            audit_log.warning("time rule %s refused on %s: %s", due_now[0], case_id, refused)
            break
        records.append((case, record))
    sent = 0
    reminded = flow.due_reminders(case, when)
    for reminder, key in reminded:
        # The key names the occurrence (a yearly obligation repeats its deadline).
        due = date.fromisoformat(key.rsplit(":", 1)[1])
        # What it names, found now; nothing to remind of (all on record): none is sent.
        data = reminder_data(uow, case, flow, reminder, due)
        if data is not None:
            enqueue(
                deps,
                uow,
                case,
                "reminder",
                reminder.name,
                reminder.roles,
                when,
                {"due": due.isoformat(), **data},
                id=f"{case.id}:{key}",
            )
            sent += 1
        case.reminders_sent.append(key)
    if reminded:
        version = uow.entities.version(Case, case_id)
        assert version is not None
        store_case(uow, case, flow, version)
    return records, sent
