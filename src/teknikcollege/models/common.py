"""Values shared by every model: periods, roles, sectors and branch areas."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timezone
from enum import Enum
from functools import lru_cache
from zoneinfo import ZoneInfo

import attrs

from .._text import N_, Text, _
from ._validation import Problems, Validated, check_order

TIME_ZONE = "Europe/Stockholm"
"""The time zone in which an instant becomes a day: Swedish deadlines count Swedish days."""


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=64)
def local_day(at: datetime, zone: str = TIME_ZONE) -> date:
    """The day `at` falls on in `zone` (``Europe/Stockholm``): 00:30 on 1 February in
    Stockholm is 1 February, although it is still 31 January in UTC."""
    # Kept for a few instants: one step asks for the day of its instant several times
    # (the roles held that day, the time rules, the order of the history).
    return at.astimezone(_zone(zone)).date()


def start_of_day(day: date, zone: str = TIME_ZONE) -> datetime:
    """The first instant of `day` in `zone`, in UTC."""
    return datetime.combine(day, time(), tzinfo=_zone(zone)).astimezone(timezone.utc)


@attrs.frozen
class Period(Validated):
    """Dates from `start` to `end`, both included; an open period has no `end`."""

    start: date
    end: date | None = None

    def _problems(self) -> Problems:
        yield from check_order("end", self.start, self.end)

    def contains(self, day: date) -> bool:
        """Whether `day` lies in the period."""
        return self.start <= day and (self.end is None or day <= self.end)

    def covers(self, other: Period) -> bool:
        """Whether this period includes all of `other`."""
        if not self.contains(other.start):
            return False
        if self.end is None:
            return True
        return other.end is not None and other.end <= self.end

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share at least one day."""
        return (self.end is None or other.start <= self.end) and (
            other.end is None or self.start <= other.end
        )


class Role(str, Enum):
    """Roles people hold; workflow triggers name the roles that may fire them."""

    PROCESS_LEADER = "process_leader"
    CHAIR = "chair"
    MEMBER = "member"
    SUPERVISOR = "supervisor"
    REVIEWER = "reviewer"
    CONTACT = "contact"
    NATIONAL_OFFICE = "national_office"
    ADMIN = "admin"
    SYSTEM = "system"


class Sector(str, Enum):
    """The sector a steering-group member represents."""

    COMPANY = "company"
    MUNICIPALITY = "municipality"
    EDUCATION_PROVIDER = "education_provider"
    UNION = "union"
    AUTHORITY = "authority"
    REGION = "region"
    EMPLOYER = "employer"
    OTHER = "other"


INDUSTRY = "industry"
TECHNOLOGY = "technology"
FOOD_PRODUCTION = "food_production"
PHARMACEUTICAL_PRODUCTION = "pharmaceutical_production"


class _Names(Mapping[str, Text]):
    """Names by key, each a message id translated when it is read (not on import)."""

    def __init__(self, ids: Mapping[str, str]) -> None:
        self._ids = dict(ids)

    def __getitem__(self, key: str) -> Text:
        return _(self._ids[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return repr(dict(self))


BRANCH_AREAS: Mapping[str, Text] = _Names(
    {
        INDUSTRY: N_("Industry"),
        TECHNOLOGY: N_("Technology"),
        FOOD_PRODUCTION: N_("Food production"),
        PHARMACEUTICAL_PRODUCTION: N_("Pharmaceutical production"),
    }
)
"""The branch areas named by the national model; any lower-case slug is accepted too."""
