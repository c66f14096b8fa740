"""The records of the process, tied to their case: a visit, a protocol, supplements, a
postponement and a judgement name a case (or a visit) that exists and dates that fit it;
a step takes the day of its event, and the deadline a protocol states, from the records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

import attrs

from .._text import Text, _
from ..errors import InvalidData
from ..models import (
    Application,
    College,
    Judgement,
    Postponement,
    Programme,
    Protocol,
    ReviewVisit,
    Supplement,
)
from ..models.common import local_day
from ..rules.assessment import review_case
from ..unit_of_work import UnitOfWork
from ..workflow.case import Case
from ..workflow.core import review_round

Problems = Iterator[tuple[str, Text]]

CASE_RECORDS = (Application, ReviewVisit, Protocol, Supplement, Postponement)
"""Records that belong to a certification case (`case_id`)."""

_EVENT_DAY = {ReviewVisit: "held", Protocol: "issued", Supplement: "received"}
"""The day of each record's event, which cannot lie before its case was opened."""


def record_problems(uow: UnitOfWork, entity: object, today: date) -> list[tuple[str, Text]]:
    """Why `entity`, a record of the process, does not fit its case or visit (empty when
    it does): what :meth:`Registry.add` refuses."""
    if isinstance(entity, CASE_RECORDS):
        return list(_case_record_problems(uow, entity))
    if isinstance(entity, Judgement):
        return list(judgement_problems(uow, entity, today))
    return []


CaseRecord = Application | ReviewVisit | Protocol | Supplement | Postponement


def _case_record_problems(uow: UnitOfWork, entity: CaseRecord) -> Problems:
    case = uow.entities.get(Case, entity.case_id)
    if case is None:
        yield "case_id", _("case {case!r} does not exist", case=entity.case_id)
        return
    opened = local_day(case.opened)
    field = _EVENT_DAY.get(type(entity))
    day: date | None = getattr(entity, field) if field else None
    if day is not None and day < opened:
        yield (
            field or "",
            _(
                "{day} lies before case {case!r} was opened ({opened})",
                day=day.isoformat(),
                case=case.id,
                opened=opened.isoformat(),
            ),
        )
    # The round under way, or the next (a visit planned for the recertification).
    latest = len(case.certifications) + 1
    if isinstance(entity, ReviewVisit) and entity.round > latest:
        yield (
            "round",
            _(
                "case {case!r} has not reached review round {round} (at most {latest})",
                case=case.id,
                round=entity.round,
                latest=latest,
            ),
        )


def judgement_problems(uow: UnitOfWork, judgement: Judgement, today: date) -> Problems:
    """Why `judgement` cannot be stored: made after `today`, naming a visit that does
    not exist, of another subject or round, or held after the judgement."""
    if judgement.decided > today:
        yield (
            "decided",
            _(
                "{day} lies after the day it is recorded ({today})",
                day=judgement.decided.isoformat(),
                today=today.isoformat(),
            ),
        )
    if judgement.visit_id is None:
        return
    visit = uow.entities.get(ReviewVisit, judgement.visit_id)
    if visit is None:
        yield "visit_id", _("review visit {visit!r} does not exist", visit=judgement.visit_id)
        return
    case = uow.entities.get(Case, visit.case_id)
    if case is not None and judgement.subject_id not in (case.subject.id, case.subject.parent):
        yield (
            "subject_id",
            _(
                "visit {visit!r} reviewed {unit}, not {subject!r}",
                visit=visit.id,
                unit=str(case.subject),
                subject=judgement.subject_id,
            ),
        )
    if judgement.round is not None and judgement.round != visit.round:
        yield (
            "round",
            _(
                "visit {visit!r} belongs to review round {round}",
                visit=visit.id,
                round=visit.round,
            ),
        )
    if judgement.decided < visit.held:
        yield (
            "decided",
            _(
                "the judgement lies before visit {visit!r} was held ({held})",
                visit=visit.id,
                held=visit.held.isoformat(),
            ),
        )


def with_round(uow: UnitOfWork, judgement: Judgement) -> Judgement:
    """`judgement` with its review round filled in when it names none: its visit's, else
    the current round of its college's or programme's certification case (a judgement
    with no round counts in the first round only)."""
    if judgement.round is not None:
        return judgement
    if judgement.visit_id is not None:
        visit = uow.entities.get(ReviewVisit, judgement.visit_id)
        return attrs.evolve(judgement, round=visit.round) if visit is not None else judgement
    subject: object | None = uow.entities.get(College, judgement.subject_id) or uow.entities.get(
        Programme, judgement.subject_id
    )
    case = review_case(subject, uow) if subject is not None else None
    return attrs.evolve(judgement, round=review_round(case)) if case is not None else judgement


def raise_problems(problems: Iterable[tuple[str, Text]], prefix: str = "") -> None:
    """Raise :class:`InvalidData` with `problems` (paths under `prefix`), if any."""
    found = list(problems)
    if found:
        error = InvalidData(found)
        raise error.prefixed(prefix) if prefix else error
