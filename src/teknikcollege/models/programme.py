"""Programmes (utbildningar), their orientations and company contributions."""

from __future__ import annotations

from datetime import date
from enum import Enum

import attrs

from .._text import Text
from ._validation import (
    Problems,
    Validated,
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
                Text(f"måste vara minst 1 ({self.count})", f"must be at least 1 ({self.count})"),
            )


@attrs.frozen
class Orientation(Validated):
    """A programme orientation (inriktning), certifiable on its own."""

    id: Id
    title: Name


@attrs.frozen
class Programme(Validated):
    """A programme run by a provider within a college.

    `created_in_pilot` marks programmes built during the college's pilot: all of them
    must be certified before the college may enter ordinary operation.
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

    def _problems(self) -> Problems:
        if not 1 <= self.weeks <= 520:
            yield (
                "weeks",
                Text(
                    f"längden {self.weeks} veckor är orimlig (1–520)",
                    f"a length of {self.weeks} weeks is not plausible (1–520)",
                ),
            )
        yield from check_unique(
            "branch_areas", self.branch_areas, Text("branschområdet", "branch area")
        )
        yield from check_unique(
            "orientations", (o.id for o in self.orientations), Text("inriktningen", "orientation")
        )

    def contributed(self, kind: ContributionKind) -> int:
        """The total of one kind of company contribution."""
        return sum(c.count for c in self.contributions if c.kind is kind)
