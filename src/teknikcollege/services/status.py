"""One question answered with its proof: is this unit certified on this day?

Computed from history alone (each case replayed up to the day asked about), so it is
right for past days too.
"""

from __future__ import annotations

from datetime import date

import attrs

from ..bootstrap import Dependencies
from ..clock import add_months
from ..errors import CollegeRequired
from ..models import Certification, Role, UnitKind, UnitRef
from ..models.common import local_day
from ..unit_of_work import UnitOfWork
from ..workflow.case import Case, TransitionRecord
from ..workflow.definition import Reminder
from ..workflow.hierarchy import held_certification, parents
from .cases import ended_on, workflow


@attrs.frozen
class Due:
    """Something a case waits for: `what` (a deadline's name) by `on`, from `roles`."""

    case_id: str
    what: str
    on: date
    roles: tuple[Role, ...] = ()


@attrs.frozen
class OpenCase:
    """A case not yet in a final state on the day asked about."""

    case_id: str
    workflow: str
    state: str


@attrs.frozen
class UnitStatus:
    """The status of `unit` on `on`: whether it is certified, in which period, by which
    decision (the transition that certified it: who and when), what is open, and what is
    due next and for whom."""

    unit: UnitRef
    on: date
    certified: bool
    period: Certification | None = None
    decision: TransitionRecord | None = None
    open_cases: tuple[OpenCase, ...] = ()
    due: tuple[Due, ...] = ()
    grace: bool = False
    """Certified in grace: the period has ended, but the recertification handed in before
    it ended is still in review (its approval continues the period)."""
    overdue: tuple[Due, ...] = ()
    """Time rules whose day has come on `on` though the sweep has not recorded them yet:
    `what` is the rule's trigger (``expire``, ``lapse``), `on` the day it came. The case
    ended that day (nothing may happen to it any more, see :doc:`/workflows`), so it
    keeps the unit certified no longer, in grace neither; the sweep records it."""
    uncertified_parents: tuple[UnitRef, ...] = ()
    """The unit holds a certificate of its own on the day, but none of these parents
    (its college, its providers, its programme) is certified then: the unit is not
    certified (see :mod:`teknikcollege.workflow.hierarchy`)."""
    last_period: Certification | None = None
    """Holding no certificate of its own on the day: the latest period it held before
    (None if it never held one), so that "not certified" comes with its proof too."""
    ended_by: TransitionRecord | None = None
    """The record that ended the case of :attr:`last_period` by the day (``expire``,
    ``decertify``, …); None while that case has not ended (see :attr:`overdue`)."""


def _as_of(records: list[TransitionRecord], day: date) -> list[TransitionRecord]:
    return [r for r in records if local_day(r.at) <= day]


def unit_status(
    deps: Dependencies,
    uow: UnitOfWork,
    unit: UnitRef,
    day: date,
    college_id: str | None = None,
) -> UnitStatus:
    """The status of `unit` on `day`, from each of its cases' history up to that day
    (a provider's in `college_id` only, if given), and its parents' status then.

    A provider is certified per college: without `college_id`, one with cases in more
    than one college on `day` is :class:`~teknikcollege.CollegeRequired` (an answer
    mixing them would call it certified in a region where it is not)."""
    period: Certification | None = None
    decision: TransitionRecord | None = None
    grace = False
    open_cases: list[OpenCase] = []
    due: list[Due] = []
    overdue: list[Due] = []
    last_period: Certification | None = None
    ended_by: TransitionRecord | None = None
    histories: list[tuple[Case, list[TransitionRecord]]] = []
    for case in uow.entities.stream(Case, {"subject": unit}):
        if college_id is not None and case.college_id != college_id:
            continue
        records = _as_of(uow.history.of(case.id), day)
        if records:  # else opened after the day
            histories.append((case, records))
    colleges = sorted({case.college_id for case, _records in histories})
    if unit.kind is UnitKind.PROVIDER and college_id is None and len(colleges) > 1:
        raise CollegeRequired(str(unit), colleges)
    for case, records in histories:
        flow = workflow(deps, case.workflow, "case.workflow")
        then = flow.replay(case, [r for r in records if r.trigger != "open"])
        definition = flow.definition
        ended = ended_on(flow, then, day)
        if ended is not None:
            overdue.append(Due(case.id, ended[0], ended[1]))
        if not flow.state(then.state).final:
            open_cases.append(OpenCase(case.id, case.workflow, then.state))
            for rule in definition.time_rules:
                deadline = then.deadlines.get(rule.deadline)
                if then.state in rule.states and deadline is not None and deadline >= day:
                    due.append(Due(case.id, rule.deadline, deadline))
            for reminder in definition.reminders:
                if reminder.subject_kinds and unit.kind.value not in reminder.subject_kinds:
                    continue  # another unit's (the yearly follow-up is the college's)
                upcoming = _next_on_or_after(then, reminder, day)
                if upcoming is not None:
                    due.append(Due(case.id, reminder.deadline, upcoming, tuple(reminder.roles)))
        valid, in_grace = held_certification(then, day)
        if valid is None or ended is not None:
            held = [c for c in then.certifications if c.valid_from <= day]
            if held and (last_period is None or held[-1].valid_from > last_period.valid_from):
                last_period = held[-1]
                final = flow.state(then.state).final and records[-1].trigger != "open"
                ended_by = records[-1] if final else None
            continue
        grace = grace or in_grace
        if period is None or valid.valid_from > period.valid_from:
            period = valid
            certifying = [
                r for r in records if r.trigger != "open" and flow.spec(r.trigger).certifies
            ]
            decision = certifying[valid.number - 1] if len(certifying) >= valid.number else None
    # A deadline both a time rule and a reminder name is one thing due, for the roles
    # the reminder tells.
    merged: dict[tuple[str, str, date], Due] = {}
    for item in due:
        key = (item.case_id, item.what, item.on)
        known = merged.get(key)
        if known is None or len(item.roles) > len(known.roles):
            merged[key] = item
    due = sorted(merged.values(), key=lambda d: (d.on, d.case_id, d.what))
    missing: tuple[UnitRef, ...] = ()
    if period is not None and decision is not None:
        held_in = college_id or _college_of(uow, decision.case_id)
        found = list(parents(uow, unit, held_in))
        if found and not any(
            unit_status(deps, uow, parent, day, college).certified for parent, college in found
        ):
            missing = tuple(parent for parent, _college in found)
    return UnitStatus(
        unit,
        day,
        period is not None and not missing,
        period,
        decision,
        tuple(open_cases),
        tuple(due),
        grace,
        tuple(overdue),
        missing,
        None if period is not None else last_period,
        None if period is not None else ended_by,
    )


def _next_on_or_after(case: Case, reminder: Reminder, day: date) -> date | None:
    """The reminder's deadline (for a recurring one, its next occurrence) on or after
    `day`, while the case is in one of its states: what is due does not depend on whether
    a reminder of it was sent already."""
    deadline = case.deadlines.get(reminder.deadline)
    if case.state not in reminder.states or deadline is None:
        return None
    if not reminder.every_months:
        return deadline if deadline >= day else None
    until = case.deadlines.get(reminder.until) if reminder.until else None
    step = 0
    while True:
        occurrence = add_months(deadline, step * reminder.every_months)
        if until is not None and occurrence > until:
            return None
        if occurrence >= day:
            return occurrence
        step += 1


def _college_of(uow: UnitOfWork, case_id: str) -> str:
    case = uow.entities.get(Case, case_id)
    assert case is not None
    return case.college_id
