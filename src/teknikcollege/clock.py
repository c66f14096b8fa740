"""Time: an injectable clock, and calendar-month arithmetic.

Swedish deadlines ("within one month", "within three months") are calendar months:
31 January + 1 month is the last day of February.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Anything that tells the current time (timezone-aware)."""

    def now(self) -> datetime:
        """The current time, with a time zone."""
        ...


class SystemClock:
    """The real time in UTC."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until moved: for tests, demos and replays."""

    def __init__(self, start: datetime | date) -> None:
        self._now = as_datetime(start)

    def now(self) -> datetime:
        """The time the clock was set to."""
        return self._now

    def set(self, when: datetime | date) -> None:
        """Move the clock to `when` (forwards or backwards)."""
        self._now = as_datetime(when)

    def advance(self, *, days: int = 0, months: int = 0) -> datetime:
        """Move the clock forwards by calendar `months` and `days`; returns the new time."""
        moved = add_months(self._now.date(), months) + timedelta(days=days)
        self._now = datetime.combine(moved, self._now.timetz())
        return self._now


def as_datetime(when: datetime | date) -> datetime:
    """`when` as an aware datetime: a date is taken as midnight UTC, naive as UTC."""
    if isinstance(when, datetime):
        return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return datetime(when.year, when.month, when.day, tzinfo=timezone.utc)


def add_months(day: date, months: int) -> date:
    """`day` moved by calendar `months`, clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
