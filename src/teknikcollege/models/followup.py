"""The yearly follow-up (årlig uppföljning) of a certified college, as data.

Every year of a certification period a college adopts an operational plan, its regional
and each local steering group write an annual report, the satisfaction survey of
companies, teachers and students is compiled provider → local college → region, and the
region reports to the national office. :func:`obligations` lists what a year asks and
whether it is met; :func:`compare_periods` compares one period with the one before, as
the committee does at recertification.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any, Protocol, TypeVar

import attrs

from .._text import N_, Text, _
from ._validation import Problems, Validated
from .college import College
from .common import Period
from .process import AnnualReport, ReportLevel, SatisfactionSurvey
from .programme import Programme
from .syntax import Id

T = TypeVar("T")


class _Lookup(Protocol):
    def find(self, cls: type[T], **where: object) -> list[T]: ...


@attrs.frozen
class OperationalPlan(Validated):
    """The college's operational plan (verksamhetsplan) for one year."""

    id: Id
    college_id: Id
    year: int
    adopted: date

    def _problems(self) -> Problems:
        if not 1990 <= self.year <= 2200:
            yield "year", _("implausible year {year}", year=self.year)


PLAN_DUE = (1, 31)
"""The operational plan is due by 31 January of its own year (an assumption)."""
REPORTS_DUE = (3, 31)
"""Reports, surveys and the national reporting of a year are due by 31 March of the next
(an assumption)."""


@attrs.frozen
class FollowUpConfig:
    """When the yearly follow-up is due. The handbook names the obligations but no dates:
    the defaults (plan by 31 January of its year, reports, surveys and the national report
    by 31 March of the next) are assumptions, configurable. A workflow's
    :class:`~teknikcollege.workflow.Validity` holds the same dates: :meth:`of` reads them,
    so the deadline of the reminders and the obligations never disagree."""

    plan_due: tuple[int, int] = PLAN_DUE
    """Month and day, in the plan's own year."""
    reports_due: tuple[int, int] = REPORTS_DUE
    """Month and day, in the year after the one reported."""

    @classmethod
    def of(cls, validity: Any) -> FollowUpConfig:
        """The follow-up dates of a workflow's `validity`."""
        reports = validity.follow_up_due
        return cls(validity.plan_due, reports if reports is not None else REPORTS_DUE)


class ObligationKind(str, Enum):
    """One item of the yearly follow-up."""

    OPERATIONAL_PLAN = "operational_plan"
    REGIONAL_REPORT = "regional_report"
    LOCAL_REPORT = "local_report"
    PROVIDER_SURVEY = "provider_survey"
    REGIONAL_SURVEY = "regional_survey"
    NATIONAL_REPORT = "national_report"


@attrs.frozen
class Obligation:
    """One thing the follow-up of `year` asks, by `due`; `unit` is the local college or
    provider it concerns (the college itself otherwise); `met` whether it is on record."""

    kind: ObligationKind
    year: int
    due: date
    unit: str
    met: bool

    def text(self) -> Text:
        """What is due, in both languages."""
        return _(
            "{what} {year} ({unit}), due {due}",
            what=_(_OBLIGATION_NAMES[self.kind]),
            year=self.year,
            unit=self.unit,
            due=self.due.isoformat(),
        )


_OBLIGATION_NAMES = {
    ObligationKind.OPERATIONAL_PLAN: N_("operational plan"),
    ObligationKind.REGIONAL_REPORT: N_("annual report of the regional steering group"),
    ObligationKind.LOCAL_REPORT: N_("annual report of the local steering group"),
    ObligationKind.PROVIDER_SURVEY: N_("satisfaction survey of the provider"),
    ObligationKind.REGIONAL_SURVEY: N_("compiled satisfaction survey of the region"),
    ObligationKind.NATIONAL_REPORT: N_("national reporting to the national office"),
}


def obligations(
    college: College, year: int, lookup: _Lookup, config: FollowUpConfig = FollowUpConfig()
) -> tuple[Obligation, ...]:
    """Everything the follow-up of `year` asks of `college`, each marked met or not."""
    plan_due = date(year, *config.plan_due)
    due = date(year + 1, *config.reports_due)
    plans = {p.year for p in lookup.find(OperationalPlan, college_id=college.id)}
    reports = [r for r in lookup.find(AnnualReport, college_id=college.id) if r.year == year]
    surveys = [s for s in lookup.find(SatisfactionSurvey, college_id=college.id) if s.year == year]
    found: list[Obligation] = [
        Obligation(ObligationKind.OPERATIONAL_PLAN, year, plan_due, college.id, year in plans),
        Obligation(
            ObligationKind.REGIONAL_REPORT,
            year,
            due,
            college.id,
            any(r.level is ReportLevel.REGIONAL for r in reports),
        ),
    ]
    for local in college.local_colleges:
        found.append(
            Obligation(
                ObligationKind.LOCAL_REPORT,
                year,
                due,
                local.id,
                any(
                    r.level is ReportLevel.LOCAL and r.local_college_id == local.id for r in reports
                ),
            )
        )
    providers = sorted(
        {p for lc in college.local_colleges for p in lc.provider_ids}
        | {
            p
            for programme in lookup.find(Programme, college_id=college.id)
            for p in programme.providers()
        }
    )
    for provider in providers:
        found.append(
            Obligation(
                ObligationKind.PROVIDER_SURVEY,
                year,
                due,
                provider,
                any(s.level is ReportLevel.PROVIDER and s.provider_id == provider for s in surveys),
            )
        )
    found.append(
        Obligation(
            ObligationKind.REGIONAL_SURVEY,
            year,
            due,
            college.id,
            any(s.level is ReportLevel.REGIONAL for s in surveys),
        )
    )
    found.append(
        Obligation(
            ObligationKind.NATIONAL_REPORT,
            year,
            due,
            college.id,
            any(r.level is ReportLevel.NATIONAL for r in reports),
        )
    )
    return tuple(found)


def due_obligations(
    college: College,
    periods: Iterable[Period],
    day: date,
    lookup: _Lookup,
    config: FollowUpConfig = FollowUpConfig(),
) -> tuple[Obligation, ...]:
    """The unmet obligations of every year of the certification `periods` that fall due
    in a period, by `day` (what a reminder names), earliest first. A year's follow-up
    belongs to the period it reports on, so it may fall due after the period has ended;
    what fell due before the period began (the plan of its first year) does not."""
    found: dict[tuple[ObligationKind, int, str], Obligation] = {}
    for p in periods:
        if p.start > day:
            continue
        for y in range(p.start.year, (p.end or day).year + 1):
            for o in obligations(college, y, lookup, config):
                if not o.met and p.start <= o.due <= day:
                    found[(o.kind, o.year, o.unit)] = o
    return tuple(sorted(found.values(), key=lambda o: o.due))


def compile_surveys(
    id: str, surveys: Iterable[SatisfactionSurvey], level: ReportLevel, **where: Any
) -> SatisfactionSurvey:
    """Compile surveys one level up (provider → local college → region → nation): the
    respondents are added, each index is the mean weighted by its respondents."""
    items = list(surveys)
    if not items:
        raise ValueError("nothing to compile")
    first = items[0]

    def mean(index: str, weight: str) -> float | None:
        pairs = [
            (getattr(s, index), getattr(s, weight))
            for s in items
            if getattr(s, index) is not None and getattr(s, weight) > 0
        ]
        total = sum(w for _, w in pairs)
        return round(sum(v * w for v, w in pairs) / total, 1) if total else None

    return SatisfactionSurvey(
        id,
        first.college_id,
        first.year,
        sum(s.companies for s in items),
        sum(s.teachers for s in items),
        sum(s.students for s in items),
        mean("index", "respondents"),
        level=level,
        company_index=mean("company_index", "companies"),
        teacher_index=mean("teacher_index", "teachers"),
        student_index=mean("student_index", "students"),
        **where,
    )


@attrs.frozen
class PeriodComparison:
    """Figures of one certification period beside the period before it."""

    previous: Period
    current: Period
    previous_index: float | None
    current_index: float | None
    previous_completed: int
    current_completed: int

    @property
    def risen(self) -> bool | None:
        """Whether the satisfaction index has risen (None if either period has none)."""
        if self.previous_index is None or self.current_index is None:
            return None
        return self.current_index > self.previous_index


def compare_periods(
    college: College, previous: Period, current: Period, lookup: _Lookup
) -> PeriodComparison:
    """Compare the regional satisfaction index (mean over the period's years) and the
    students who completed, period by period: the committee expects quality to rise.
    A year counts in the period that holds its 1 July."""

    def years(period: Period) -> list[int]:
        # A year belongs to the period that holds its middle, so that periods which
        # start and end in February do not share a year.
        last = (period.end or period.start).year
        return [y for y in range(period.start.year, last + 1) if period.contains(date(y, 7, 1))]

    surveys = [
        s
        for s in lookup.find(SatisfactionSurvey, college_id=college.id)
        if s.level is ReportLevel.REGIONAL and s.index is not None
    ]
    programmes = lookup.find(Programme, college_id=college.id)

    def index(period: Period) -> float | None:
        values = [s.index for s in surveys if s.year in years(period) and s.index is not None]
        return round(sum(values) / len(values), 1) if values else None

    def completed(period: Period) -> int:
        return sum(
            f.completed.total for p in programmes for f in p.figures if f.year in years(period)
        )

    return PeriodComparison(
        previous, current, index(previous), index(current), completed(previous), completed(current)
    )
