"""Time: an injectable clock, calendar-month arithmetic, and the calendar the library keeps.

Swedish deadlines ("within one month", "within three months") are calendar months:
31 January + 1 month is the last day of February.

Every date and time the library stores lies between :data:`EARLIEST` (1900-01-01) and
:data:`LATEST` (2199-12-31). The range is far inside what Python's :class:`~datetime.date`
can hold (years 1–9999), so a stored date moved by any deadline, reminder or validity
period the library knows (at most a few years) can never overflow; a result that would
leave the range is refused as :class:`~teknikcollege.InvalidData`, never an
``OverflowError`` or ``ValueError`` from deep inside.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

from ._text import Text, _, _n
from .errors import InvalidData

EARLIEST = date(1900, 1, 1)
"""The first day a stored date may have."""

LATEST = date(2199, 12, 31)
"""The last day a stored date may have."""

_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)"
)


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


def add_months(day: date, months: int, *, path: str = "") -> date:
    """`day` moved by calendar `months`, clamped to the month's last day.

    A result outside :data:`EARLIEST` … :data:`LATEST` is :class:`InvalidData` at `path`.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if not EARLIEST.year <= year <= LATEST.year:
        moved = _n("{day} + {n} month", "{day} + {n} months", months, day=day.isoformat())
        raise _out_of_range(path, moved)
    last = calendar.monthrange(year, month + 1)[1]
    return check_day(date(year, month + 1, min(day.day, last)), path)


def check_day(day: date, path: str = "") -> date:
    """`day` itself if it lies in :data:`EARLIEST` … :data:`LATEST`, else :class:`InvalidData`."""
    if not EARLIEST <= day <= LATEST:
        raise _out_of_range(path, day.isoformat())
    return day


def check_time(when: datetime, path: str = "") -> datetime:
    """`when` itself if it has a time zone and its day lies in the range, else
    :class:`InvalidData` at `path`."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise InvalidData([(path, _("the time has no time zone"))])
    check_day(when.date(), path)
    return when


def parse_day(text: object, path: str = "") -> date:
    """The day written as ``YYYY-MM-DD`` in `text`, inside the range.

    Nothing else is read: not ``20270201``, not ``2027-W05-1``, not surrounding space
    (all of which :meth:`date.fromisoformat` accepts from Python 3.11). Anything else is
    :class:`InvalidData` at `path`.
    """
    match = _DAY.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise _not_a_day(path, text)
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _not_a_day(path, text) from None
    return check_day(day, path)


def parse_time(text: object, path: str = "") -> datetime:
    """A time with time zone written in ISO 8601 as :meth:`datetime.isoformat` writes it
    (``2027-02-01T09:30:00+01:00``, or ``Z`` for UTC), inside the range.

    Anything else is :class:`InvalidData` at `path`.
    """
    if not isinstance(text, str) or _TIME.fullmatch(text) is None:
        raise _not_a_time(path, text)
    try:
        # Python 3.10 does not read the "Z" suffix itself.
        when = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1] == "Z" else text)
    except ValueError:
        raise _not_a_time(path, text) from None
    return check_time(when, path)


def _out_of_range(path: str, day: Text | str) -> InvalidData:
    first, last = EARLIEST.isoformat(), LATEST.isoformat()
    text = _("{day} lies outside {first} … {last}", day=day, first=first, last=last)
    return InvalidData([(path, text)])


def _not_a_day(path: str, text: object) -> InvalidData:
    return InvalidData(
        [
            (
                path,
                _("{text!r} is not a date (YYYY-MM-DD)", text=text),
            )
        ]
    )


def _not_a_time(path: str, text: object) -> InvalidData:
    return InvalidData(
        [
            (
                path,
                _("{text!r} is not a time with time zone (ISO 8601)", text=text),
            )
        ]
    )
