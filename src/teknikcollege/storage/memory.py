"""``memory:`` — the in-memory backend: for tests, and the fake that passes the same
conformance suite as the real backends.

A transaction holds a lock and an overlay of its writes; commit applies the overlay,
an exception throws it away.
"""

from __future__ import annotations

import bisect
import copy
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ..errors import ConcurrentUpdate, NotFound
from .port import Delivery, Scalar, Stored

_DELETED = object()


class _Data:
    def __init__(self) -> None:
        self.entities: dict[tuple[str, str], Stored] = {}
        self.due_index: list[tuple[datetime, str, str]] = []
        self.history: dict[str, list[Mapping[str, Any]]] = {}
        self.notifications: dict[str, Mapping[str, Any]] = {}
        self.deliveries: dict[tuple[str, str], dict[str, Any]] = {}


def _frozen(data: Mapping[str, Any]) -> Mapping[str, Any]:
    # A copy gives the isolation a real backend gives: callers can neither change stored
    # data afterwards nor store something JSON cannot hold (checked as it copies; a
    # JSON round trip did the same at twice the cost).
    copied: Mapping[str, Any] = _json_copy(data)
    return copied


_SCALARS = (str, int, float, bool, type(None))


def _json_copy(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        for key in value:
            if type(key) is not str:
                raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
        return {key: _json_copy(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_json_copy(item) for item in value]
    if kind in _SCALARS:
        if kind is float and value != value:  # NaN is not JSON
            raise ValueError("NaN is not JSON data")
        return value
    raise TypeError(f"{kind.__name__} is not JSON data")


class MemoryTransaction:
    """A unit of work over :class:`MemoryStorage`."""

    def __init__(self, data: _Data) -> None:
        self._data = data
        self._writes: dict[tuple[str, str], Any] = {}
        self._history: dict[str, list[Mapping[str, Any]]] = {}
        self._replaced: dict[tuple[str, int], Mapping[str, Any]] = {}
        self._notifications: dict[str, Mapping[str, Any]] = {}
        self._deliveries: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, kind: str, id: str) -> Stored | None:
        key = (kind, id)
        if key in self._writes:
            value = self._writes[key]
            return None if value is _DELETED else value
        return self._data.entities.get(key)

    def _check(self, kind: str, id: str, expected_version: int) -> int:
        current = self.get(kind, id)
        actual = current.version if current else 0
        if actual != expected_version:
            raise ConcurrentUpdate(kind, id, expected_version, actual if current else None)
        return actual

    def put(
        self,
        kind: str,
        id: str,
        data: Mapping[str, Any],
        *,
        expected_version: int,
        due_at: datetime | None = None,
    ) -> int:
        version = self._check(kind, id, expected_version) + 1
        self._writes[(kind, id)] = Stored(kind, id, version, _frozen(data), due_at)
        return version

    def delete(self, kind: str, id: str, *, expected_version: int) -> None:
        if self.get(kind, id) is None:
            raise NotFound(kind, id)
        self._check(kind, id, expected_version)
        self._writes[(kind, id)] = _DELETED

    def query(self, kind: str, where: Mapping[str, Scalar] | None = None) -> list[Stored]:
        keys = {k for k in self._data.entities if k[0] == kind}
        keys |= {k for k in self._writes if k[0] == kind}
        found = []
        for key in sorted(keys):
            stored = self.get(*key)
            if stored is not None and all(
                stored.data.get(f) == v and type(stored.data.get(f)) is type(v)
                for f, v in (where or {}).items()
            ):
                found.append(stored)
        return found

    def due(self, before: datetime, limit: int) -> list[Stored]:
        found: list[Stored] = []
        index = self._data.due_index
        stop = bisect.bisect_right(index, (before, "\uffff", "\uffff"))
        for _, kind, id in index[:stop]:
            if (kind, id) not in self._writes:
                stored = self._data.entities[(kind, id)]
                found.append(stored)
        for value in self._writes.values():
            if isinstance(value, Stored) and value.due_at is not None and value.due_at <= before:
                found.append(value)
        found.sort(key=lambda s: (s.due_at, s.kind, s.id))
        return found[:limit]

    def append_history(self, case_id: str, data: Mapping[str, Any]) -> int:
        pending = self._history.setdefault(case_id, [])
        pending.append(_frozen(data))
        return len(self._data.history.get(case_id, ())) + len(pending)

    def history(self, case_id: str) -> list[Mapping[str, Any]]:
        records = list(self._data.history.get(case_id, ())) + self._history.get(case_id, [])
        return [self._replaced.get((case_id, i + 1), r) for i, r in enumerate(records)]

    def replace_history(self, case_id: str, seq: int, data: Mapping[str, Any]) -> None:
        if not 1 <= seq <= len(self.history(case_id)):
            raise NotFound("history", f"{case_id}#{seq}")
        self._replaced[(case_id, seq)] = _frozen(data)

    def enqueue(self, id: str, data: Mapping[str, Any], notifiers: list[str], at: datetime) -> None:
        if id in self._data.notifications or id in self._notifications:
            raise ConcurrentUpdate("notification", id, 0, 1)
        self._notifications[id] = _frozen(data)
        for name in notifiers:
            self._deliveries[(id, name)] = {
                "status": "pending",
                "attempts": 0,
                "next": at,
                "error": None,
            }

    def _delivery(self, key: tuple[str, str]) -> dict[str, Any] | None:
        if key in self._deliveries:
            return self._deliveries[key]
        if key in self._data.deliveries:
            self._deliveries[key] = dict(self._data.deliveries[key])
            return self._deliveries[key]
        return None

    def _notification(self, id: str) -> Mapping[str, Any]:
        return self._notifications.get(id) or self._data.notifications[id]

    def claim(
        self, notifier: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Delivery]:
        keys = sorted({*self._data.deliveries, *self._deliveries})
        found: list[Delivery] = []
        for key in keys:
            if key[1] != notifier or len(found) >= limit:
                continue
            row = self._delivery(key)
            assert row is not None
            if row["status"] == "pending" and row["next"] <= now:
                row["next"] = lease_until
                found.append(
                    Delivery(
                        key[0],
                        notifier,
                        self._notification(key[0]),
                        row["attempts"],
                        "pending",
                        row["error"],
                    )
                )
        return found

    def settle(
        self,
        notification_id: str,
        notifier: str,
        *,
        delivered: bool,
        at: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        row = self._delivery((notification_id, notifier))
        if row is None:
            raise NotFound("delivery", f"{notification_id}/{notifier}")
        row["attempts"] += 1
        if delivered:
            row.update(status="delivered", error=None, next=at)
        else:
            row.update(status="pending" if retry_at else "dead", error=error, next=retry_at or at)

    def deliveries(self, status: str | None = None) -> list[Delivery]:
        keys = sorted({*self._data.deliveries, *self._deliveries})
        found = []
        for key in keys:
            row = self._deliveries.get(key) or self._data.deliveries[key]
            if status is None or row["status"] == status:
                found.append(
                    Delivery(
                        key[0],
                        key[1],
                        self._notification(key[0]),
                        row["attempts"],
                        row["status"],
                        row["error"],
                    )
                )
        return found

    def revive(self, notification_id: str, notifier: str, at: datetime) -> bool:
        row = self._delivery((notification_id, notifier))
        if row is None or row["status"] != "dead":
            return False
        row.update(status="pending", next=at)
        return True

    def _commit(self) -> None:
        data = self._data
        for key, value in self._writes.items():
            old = data.entities.get(key)
            if old is not None and old.due_at is not None:
                i = bisect.bisect_left(data.due_index, (old.due_at, *key))
                del data.due_index[i]
            if value is _DELETED:
                data.entities.pop(key, None)
                continue
            data.entities[key] = value
            if value.due_at is not None:
                bisect.insort(data.due_index, (value.due_at, *key))
        for case_id, records in self._history.items():
            data.history.setdefault(case_id, []).extend(records)
        for (case_id, seq), record in self._replaced.items():
            data.history[case_id][seq - 1] = record
        data.notifications.update(self._notifications)
        data.deliveries.update(self._deliveries)


class MemoryStorage:
    """Everything in this process's memory; gone when the object is."""

    def __init__(self, url: str = "memory:") -> None:
        self.url = url
        self._data = _Data()
        self._lock = threading.RLock()

    @contextmanager
    def transaction(self) -> Iterator[MemoryTransaction]:
        """A serialised unit of work: one transaction at a time."""
        with self._lock:
            tx = MemoryTransaction(self._data)
            yield tx
            tx._commit()

    def close(self) -> None:
        """Nothing to release."""

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of everything stored (for tests comparing before and after)."""
        with self._lock:
            return copy.deepcopy(
                {
                    "entities": self._data.entities,
                    "history": self._data.history,
                    "notifications": self._data.notifications,
                    "deliveries": self._data.deliveries,
                }
            )
