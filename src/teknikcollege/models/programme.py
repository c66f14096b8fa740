"""Programmes (utbildningar), their orientations and company contributions."""

from __future__ import annotations

from datetime import date
from enum import Enum

import attrs

from .._text import N_, _, _n
from ._validation import (
    Problems,
    Validated,
    check_non_negative,
    check_unique,
)
from .syntax import Id, Name, Slug


class ProgrammeForm(str, Enum):
    """The form of a programme; which forms are certifiable is a rule, not a constant."""

    UPPER_SECONDARY = "upper_secondary"
    VOCATIONAL_ADULT = "vocational_adult"
    HIGHER_VOCATIONAL = "higher_vocational"
    LABOUR_MARKET_TRAINING = "labour_market_training"
    OTHER = "other"


class ContributionKind(str, Enum):
    """What a company contributes to a programme."""

    APL_PLACES = "apl_places"
    SUPERVISORS = "supervisors"
    INTERNSHIPS = "internships"
    SUMMER_JOBS = "summer_jobs"


@attrs.frozen
class Contribution(Validated):
    """`count` places, supervisors, internships or summer jobs from one company."""

    company_id: Id
    kind: ContributionKind
    count: int

    def _problems(self) -> Problems:
        if self.count < 1:
            yield (
                "count",
                _("must be at least 1 ({count})", count=self.count),
            )


@attrs.frozen
class ByGender(Validated):
    """A number of people split by gender; `unspecified` for those not stated."""

    women: int = 0
    men: int = 0
    unspecified: int = 0

    def _problems(self) -> Problems:
        for name in ("women", "men", "unspecified"):
            yield from check_non_negative(name, getattr(self, name))

    @property
    def total(self) -> int:
        """Everyone counted."""
        return self.women + self.men + self.unspecified

    def share_of_women(self) -> float | None:
        """Women's share of those whose gender is stated, or None if nobody's is."""
        stated = self.women + self.men
        return self.women / stated if stated else None


@attrs.frozen
class YearFigures(Validated):
    """A programme's students in one year (figures, not records of individuals):
    `places` offered, the `intake`, those `enrolled` and those who `completed`, split by
    gender; and how many of those who completed got a diploma or a certificate (see
    :func:`teknikcollege.models.award`)."""

    year: int
    places: int = 0
    intake: ByGender = ByGender()
    enrolled: ByGender = ByGender()
    completed: ByGender = ByGender()
    diplomas: int = 0
    certificates: int = 0

    def _problems(self) -> Problems:
        if not 1990 <= self.year <= 2200:
            yield "year", _("implausible year {year}", year=self.year)
        for name in ("places", "diplomas", "certificates"):
            yield from check_non_negative(name, getattr(self, name))
        if self.diplomas + self.certificates > self.completed.total:
            yield (
                "diplomas",
                _(
                    "{awards} diplomas and certificates, but {completed} completed",
                    awards=self.diplomas + self.certificates,
                    completed=self.completed.total,
                ),
            )


@attrs.frozen
class Orientation(Validated):
    """A programme orientation (inriktning), certifiable on its own."""

    id: Id
    title: Name


@attrs.frozen
class Programme(Validated):
    """A programme run by a provider within a college.

    `provider_id` is the provider that runs it (the coordinator, if several do); the
    others that run it too are `other_provider_ids`. `local_college_id` is the local
    college it belongs to. `created_in_pilot` marks programmes built during the
    college's pilot: the certifiable ones must be certified before the college may enter
    ordinary operation. `figures` are its students and awards, one entry per year.
    """

    id: Id
    title: Name
    form: ProgrammeForm
    weeks: int
    provider_id: Id
    college_id: Id
    branch_areas: tuple[Slug, ...] = ()
    orientations: tuple[Orientation, ...] = ()
    start: date | None = None
    created_in_pilot: bool = False
    contributions: tuple[Contribution, ...] = ()
    other_provider_ids: tuple[Id, ...] = ()
    local_college_id: Id | None = None
    figures: tuple[YearFigures, ...] = ()

    def _problems(self) -> Problems:
        if not 1 <= self.weeks <= 520:
            yield (
                "weeks",
                _n(
                    "a length of {n} week is not plausible (1–520)",
                    "a length of {n} weeks is not plausible (1–520)",
                    self.weeks,
                ),
            )
        yield from check_unique(
            "branch_areas", self.branch_areas, N_("branch area {value!r} is listed twice")
        )
        yield from check_unique(
            "orientations",
            (o.id for o in self.orientations),
            N_("orientation {value!r} is listed twice"),
        )
        yield from check_unique(
            "other_provider_ids", self.providers(), N_("provider {value!r} is listed twice")
        )
        yield from check_unique(
            "figures", (f.year for f in self.figures), N_("year {value!r} is listed twice")
        )

    def providers(self) -> tuple[str, ...]:
        """Every provider that runs the programme, the main one first."""
        return (self.provider_id, *self.other_provider_ids)

    def figures_for(self, year: int) -> YearFigures | None:
        """The figures of `year`, if recorded."""
        return next((f for f in self.figures if f.year == year), None)

    def contributed(self, kind: ContributionKind) -> int:
        """The total of one kind of company contribution."""
        return sum(c.count for c in self.contributions if c.kind is kind)


class Award(str, Enum):
    """What a student of a certified programme receives."""

    DIPLOMA = "diploma"
    CERTIFICATE = "certificate"
    NONE = "none"


@attrs.frozen
class AwardRule:
    """The points an upper-secondary student needs for a Teknikcollege diploma (with a
    degree and basic eligibility for higher education) or a certificate (with a degree)."""

    diploma_points: int = 2800
    certificate_points: int = 2500


def award(
    *,
    degree: bool,
    eligibility: bool,
    points: int,
    workplace_learning_passed: bool,
    workplace_learning_mandatory: bool = True,
    rule: AwardRule = AwardRule(),
) -> Award:
    """The rule that decides between a diploma and a certificate (upper-secondary):

    >>> award(degree=True, eligibility=True, points=2800, workplace_learning_passed=True)
    <Award.DIPLOMA: 'diploma'>
    >>> award(degree=True, eligibility=False, points=2800, workplace_learning_passed=True)
    <Award.CERTIFICATE: 'certificate'>
    >>> award(degree=True, eligibility=True, points=2900, workplace_learning_passed=False)
    <Award.NONE: 'none'>
    """
    if workplace_learning_mandatory and not workplace_learning_passed:
        return Award.NONE
    if degree and eligibility and points >= rule.diploma_points:
        return Award.DIPLOMA
    if degree and points >= rule.certificate_points:
        return Award.CERTIFICATE
    return Award.NONE
