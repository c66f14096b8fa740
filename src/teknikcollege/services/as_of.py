"""What the store held on a day: the data a guard judges a step by.

A guard reads stored records (an application, a visit, judgements, other cases). A step
is judged by what existed on its own day, whether it is taken now or replayed by an
import years later: a record dated after the step's day does not count for it, and on a
replay another case counts as it stood at the step's time, not as it stands today.

What carries no date cannot be judged historically: the registry's own data (people,
colleges, programmes, organisations, reviewer pools) is read as it is stored, except the
dates of people's appointments (:mod:`teknikcollege.authority`); a satisfaction survey,
which has no date of its own, counts from when it is stored. See ``docs/trust.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, TypeVar, cast

import attrs

from ..models import (
    AnnualReport,
    Application,
    InterestRegistration,
    Judgement,
    OperationalPlan,
    Postponement,
    Protocol,
    ReviewVisit,
    Supplement,
)
from ..models.common import local_day
from ..unit_of_work import UnitOfWork
from ..workflow.case import Case

T = TypeVar("T")

DATED: Mapping[type[Any], str] = {
    Application: "prepared",
    InterestRegistration: "registered",
    ReviewVisit: "held",
    Protocol: "issued",
    Supplement: "received",
    Postponement: "granted",
    Judgement: "decided",
    OperationalPlan: "adopted",
    AnnualReport: "submitted",
}
"""The records of the process and of the follow-up, each with the field giving the day it
came into being: before that day it did not exist."""


def on_day(entity: T, day: date) -> T | None:
    """`entity` as it stood on `day`: None if it came into being later; an application
    the steering group approved later, not approved yet."""
    field = DATED.get(type(entity))
    if field is None:
        return entity
    if getattr(entity, field) > day:
        return None
    if isinstance(entity, Application):
        approved = entity.steering_group_approved_on
        if approved is not None and approved > day:
            return cast(T, attrs.evolve(entity, steering_group_approved_on=None))
    return entity


class OnDay:
    """The store's records as they stood on `day` (the rules' ``Lookup``); cases as they
    are stored."""

    def __init__(self, uow: UnitOfWork, day: date) -> None:
        self.uow = uow
        self.day = day

    def case(self, case: Case) -> Case | None:
        """`case` as it stood (here: as stored)."""
        return case

    def _then(self, entity: Any) -> Any:
        if isinstance(entity, Case):
            return self.case(entity)
        return on_day(entity, self.day)

    def get(self, cls: type[T], id: str) -> T | None:
        found = self.uow.entities.get(cls, id)
        return None if found is None else cast(T | None, self._then(found))

    def find(self, cls: type[T], **where: object) -> list[T]:
        return list(self.stream(cls, **where))

    def stream(self, cls: type[T], **where: object) -> Iterator[T]:
        if cls is Case and "state" in where:
            # A case's state then may not be its state now: filter after looking back.
            state = where.pop("state")
            return (c for c in self.stream(cls, **where) if getattr(c, "state", None) == state)
        if cls not in DATED and cls is not Case:
            return self.uow.entities.stream(cls, where)
        found = (self._then(e) for e in self.uow.entities.stream(cls, where))
        return (e for e in found if e is not None)


class AtTime(OnDay):
    """The store as it stood at `at`, for a replayed step: besides the records of
    :class:`OnDay`, each case as `then` gives it (the replay knows how far each case had
    come; None: it did not exist yet)."""

    def __init__(
        self, uow: UnitOfWork, at: datetime, then: Callable[[Case, datetime], Case | None]
    ) -> None:
        super().__init__(uow, local_day(at))
        self.at = at
        self.then = then

    def case(self, case: Case) -> Case | None:
        return self.then(case, self.at)
