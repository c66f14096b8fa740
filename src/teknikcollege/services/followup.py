"""The yearly follow-up of a certified college as the registry sees it: what is due, and
what a reminder of it names."""

from __future__ import annotations

from datetime import date

from .._text import Text
from ..models import College, Period
from ..models.followup import FollowUpConfig, Obligation, ObligationKind, due_obligations
from ..unit_of_work import UnitOfWork
from ..workflow.case import Case
from ..workflow.definition import Reminder
from ..workflow.engine import Workflow

FOLLOW_UP_REMINDERS = frozenset({"follow_up_due", "operational_plan_due"})
"""The reminders of the yearly follow-up: what they name is found when they are sent."""


def periods(case: Case) -> list[Period]:
    """The certification periods of a case."""
    return [Period(c.valid_from, c.valid_until) for c in case.certifications]


def unmet(
    uow: UnitOfWork, college: College, cases: list[Case], day: date, config: FollowUpConfig
) -> tuple[Obligation, ...]:
    """The obligations of the certification periods of `cases` due by `day` and not on
    record, earliest first."""
    spans = [p for case in cases for p in periods(case)]
    return due_obligations(college, spans, day, uow, config)


def reminder_data(
    uow: UnitOfWork, case: Case, flow: Workflow, reminder: Reminder, occurrence: date
) -> dict[str, str] | None:
    """What a reminder about `case` names beyond its date (``{}`` for most), or None when
    there is nothing to remind of.

    The yearly follow-up's reminders name the college's obligations not yet on record:
    ``follow_up_due`` those due by the reports' date (`occurrence`), earlier ones still
    missing included; ``operational_plan_due`` the operational plan due that year's
    31 January. Everything on record: no reminder."""
    if reminder.name not in FOLLOW_UP_REMINDERS:
        return {}
    college = uow.entities.get(College, case.college_id)
    if college is None:
        return None
    config = FollowUpConfig.of(flow.definition.validity)
    due = occurrence
    kinds: frozenset[ObligationKind] | None = None
    if reminder.name == "operational_plan_due":
        due = date(occurrence.year, *config.plan_due)
        kinds = frozenset({ObligationKind.OPERATIONAL_PLAN})
    items = [
        o for o in unmet(uow, college, [case], due, config) if kinds is None or o.kind in kinds
    ]
    if not items:
        return None
    listed = Text.join(o.text() for o in items)
    return {"due": due.isoformat(), "items": listed.en, "items_sv": listed.sv}
