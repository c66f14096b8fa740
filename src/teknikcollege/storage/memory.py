"""``memory:`` — the in-memory backend: for tests, and the fake that passes the same
conformance suite as the real backends.

A transaction holds a lock and an overlay of its writes; commit applies the overlay,
an exception throws it away.
"""

from __future__ import annotations

import bisect
import copy
import itertools
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, Generic, TypeVar

from .._json import compact
from ..errors import ConcurrentUpdate, NotFound
from .port import Delivery, Owned, Put, Query, Select, Settle, Stored, Transaction

_DELETED = object()
_T = TypeVar("_T", str, tuple[datetime, str, str])
_SCALARS = (str, int, float, bool, type(None))


def _json_copy(value: Any) -> Any:
    # A copy gives the isolation a real backend gives: callers can neither change stored
    # data afterwards nor store something JSON cannot hold (checked as it copies; a
    # JSON round trip did the same at twice the cost).
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


def _frozen(data: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(data, Owned):
        return data  # built fresh by the unit of work and handed over: no copy needed
    copied: Mapping[str, Any] = _json_copy(data)
    return copied


class _Sorted(Generic[_T]):
    """A sorted collection kept in short sorted runs: adding or removing one value costs
    O(log n) plus a copy within one run (one sorted list would move half of everything
    it holds on every insert: the cost would grow with the store)."""

    _RUN = 512

    def __init__(self) -> None:
        self._runs: list[list[_T]] = []
        self._maxes: list[_T] = []  # the last value of each run
        self._len = 0

    def __len__(self) -> int:
        return self._len

    def add(self, value: _T) -> None:
        runs, maxes = self._runs, self._maxes
        self._len += 1
        if not maxes:
            runs.append([value])
            maxes.append(value)
            return
        i = bisect.bisect_left(maxes, value)
        if i == len(maxes):
            i -= 1
            runs[i].append(value)
            maxes[i] = value
        else:
            bisect.insort(runs[i], value)
        run = runs[i]
        if len(run) > 2 * self._RUN:
            runs[i : i + 1] = [run[: self._RUN], run[self._RUN :]]
            maxes[i : i + 1] = [run[self._RUN - 1], run[-1]]

    def __contains__(self, value: _T) -> bool:
        maxes = self._maxes
        i = bisect.bisect_left(maxes, value)
        if i == len(maxes):
            return False
        run = self._runs[i]
        return bool(run[bisect.bisect_left(run, value)] == value)

    def discard(self, value: _T) -> None:
        """Remove `value` if it is held."""
        runs, maxes = self._runs, self._maxes
        i = bisect.bisect_left(maxes, value)
        if i == len(maxes):
            return
        run = runs[i]
        j = bisect.bisect_left(run, value)
        if run[j] != value:
            return
        del run[j]
        self._len -= 1
        if not run:
            del runs[i], maxes[i]
        elif j == len(run):
            maxes[i] = run[-1]

    def after(self, value: _T | None) -> Iterator[_T]:
        """The values greater than `value` (all of them for None), in order."""
        runs, maxes = self._runs, self._maxes
        if not runs:
            return
        if value is None:
            i, j = 0, 0
        else:
            i = bisect.bisect_right(maxes, value)
            if i == len(maxes):
                return
            j = bisect.bisect_right(runs[i], value)
        yield from runs[i][j:] if j else runs[i]
        for k in range(i + 1, len(runs)):
            yield from runs[k]


class _Data:
    def __init__(self) -> None:
        self.entities: dict[str, dict[str, Stored]] = {}
        self.ids: dict[str, _Sorted[str]] = {}  # sorted ids per kind
        self.keys: dict[tuple[str, str], frozenset[tuple[str, str]]] = {}
        self.key_index: dict[tuple[str, str, str], _Sorted[str]] = {}
        # Per kind, unique key -> id and id -> unique key. Nested dicts of strings: a
        # dict holding only strings is never tracked by the garbage collector, whereas one
        # keyed by tuples is re-tracked (young, so walked whole) by every new key.
        self.unique: dict[str, dict[str, str]] = {}
        self.unique_of: dict[str, dict[str, str]] = {}
        self.due_index: _Sorted[tuple[datetime, str, str]] = _Sorted()
        self.history: dict[str, list[Mapping[str, Any]]] = {}
        self.history_ids: _Sorted[str] = _Sorted()  # the keys of `history`, sorted
        self.appended: list[tuple[str, int]] = []  # (case, number), in the order appended
        self.notifications: dict[str, Mapping[str, Any]] = {}
        self.deliveries: dict[tuple[str, str], dict[str, Any]] = {}
        self.refusals: list[Mapping[str, Any]] = []
        self.meta: dict[str, str] = {}


class MemoryTransaction(Transaction):
    """A unit of work over :class:`MemoryStorage`."""

    def __init__(self, data: _Data) -> None:
        self._data = data
        self._writes: dict[tuple[str, str], Any] = {}
        self._keys: dict[tuple[str, str], frozenset[tuple[str, str]]] = {}
        self._unique: dict[tuple[str, str], str | None] = {}
        self._history: dict[str, list[Mapping[str, Any]]] = {}
        self._appended: list[tuple[str, int]] = []
        self._replaced: dict[tuple[str, int], Mapping[str, Any]] = {}
        self._notifications: dict[str, Mapping[str, Any]] = {}
        self._deliveries: dict[tuple[str, str], dict[str, Any]] = {}
        self._refusals: list[Mapping[str, Any]] = []
        self._meta: dict[str, str] = {}

    # -- entities ------------------------------------------------------------------

    def get(self, kind: str, id: str) -> Stored | None:
        if self._writes:
            value = self._writes.get((kind, id))
            if value is not None:
                return None if value is _DELETED else value
        table = self._data.entities.get(kind)
        return None if table is None else table.get(id)

    def version(self, kind: str, id: str) -> int | None:
        stored = self.get(kind, id)
        return None if stored is None else stored.version

    def put_row(self, op: Put) -> int:
        kind, id, data, expected_version = op.kind, op.id, op.data, op.expected_version
        due_at, keys, unique = op.due_at, op.keys, op.unique
        version = self._check(kind, id, expected_version) + 1
        if unique is not None:
            holder = self._holder(kind, unique)
            if holder is not None and holder != id:
                raise ConcurrentUpdate(kind, holder, 0, 1)
        stored = Stored(kind, id, version, _frozen(data), due_at)
        self._writes[(kind, id)] = stored
        self._unique[(kind, id)] = unique
        if keys is not None:
            self._keys[(kind, id)] = frozenset(keys)
        return version

    def _check(self, kind: str, id: str, expected_version: int) -> int:
        current = self.get(kind, id)
        actual = current.version if current else 0
        if actual != expected_version:
            raise ConcurrentUpdate(kind, id, expected_version, actual if current else None)
        return actual

    def _holder(self, kind: str, unique: str) -> str | None:
        for (k, i), u in self._unique.items():
            if k == kind and u == unique and self._writes.get((k, i)) is not _DELETED:
                return i
        held = self._data.unique.get(kind)
        holder = None if held is None else held.get(unique)
        if holder is None or (kind, holder) in self._unique:
            return None
        return None if self._writes.get((kind, holder)) is _DELETED else holder

    def delete(self, kind: str, id: str, *, expected_version: int) -> None:
        if self.get(kind, id) is None:
            raise NotFound(kind, id)
        self._check(kind, id, expected_version)
        self._writes[(kind, id)] = _DELETED
        self._unique[(kind, id)] = None
        self._keys[(kind, id)] = frozenset()

    def _keys_of(self, kind: str, id: str) -> frozenset[tuple[str, str]]:
        found = self._keys.get((kind, id))
        return self._data.keys.get((kind, id), frozenset()) if found is None else found

    def _candidates(self, kind: str, keys: Mapping[str, str], after: str | None) -> Iterator[str]:
        """The ids after `after` holding every key, in order, read lazily from the
        smallest index (the others only asked whether they hold each id)."""
        wanted = set(keys.items())
        empty: _Sorted[str] = _Sorted()
        indexes = sorted(
            (self._data.key_index.get((kind, n, v), empty) for n, v in wanted), key=len
        )
        first, rest = indexes[0], indexes[1:]
        written = self._keys
        committed = (
            i
            for i in first.after(after)
            if (kind, i) not in written and all(i in index for index in rest)
        )
        added = sorted(
            i
            for (k, i), held in written.items()
            if k == kind and wanted <= held and (after is None or i > after)
        )
        return _merge(committed, added)

    def query_rows(self, op: Query) -> list[Stored]:
        kind, where, keys, after, limit = op.kind, op.where, op.keys, op.after, op.limit
        if keys:
            ids: Iterable[str] = self._candidates(kind, keys, after)
        else:
            committed = self._data.ids.get(kind)
            added = sorted(
                i
                for (k, i), v in self._writes.items()
                if k == kind
                and v is not _DELETED
                and i not in self._data.entities.get(k, {})
                and (after is None or i > after)
            )
            ids = _merge(iter(()) if committed is None else committed.after(after), added)
        found: list[Stored] = []
        for id in ids:
            stored = self.get(kind, id)
            if stored is not None and all(
                stored.data.get(f) == v and type(stored.data.get(f)) is type(v)
                for f, v in (where or {}).items()
            ):
                found.append(stored)
                if limit is not None and len(found) >= limit:
                    break
        return found

    def due(self, before: datetime, limit: int) -> list[Stored]:
        found: list[Stored] = []
        for at, kind, id in self._data.due_index.after(None):
            if at > before:
                break
            if (kind, id) not in self._writes:
                found.append(self._data.entities[kind][id])
                if len(found) >= limit and not self._writes:
                    break
        for value in self._writes.values():
            if isinstance(value, Stored) and value.due_at is not None and value.due_at <= before:
                found.append(value)
        found.sort(key=lambda s: (s.due_at, s.kind, s.id))
        return found[:limit]

    # -- history -------------------------------------------------------------------

    def _records(self, case_id: str) -> list[Mapping[str, Any]]:
        return list(self._data.history.get(case_id, ())) + self._history.get(case_id, [])

    def append_history(self, case_id: str, seq: int, data: Mapping[str, Any]) -> None:
        count = len(self._data.history.get(case_id, ())) + len(self._history.get(case_id, ()))
        if seq != count + 1:
            raise ConcurrentUpdate("history", case_id, seq - 1, count)
        self._history.setdefault(case_id, []).append(_frozen(data))
        self._appended.append((case_id, seq))

    def history(self, case_id: str, *, after: int = 0) -> list[Mapping[str, Any]]:
        records = self._records(case_id)
        return [
            self._replaced.get((case_id, i + 1), r) for i, r in enumerate(records) if i >= after
        ]

    def history_head(self, case_id: str) -> Mapping[str, Any] | None:
        count = len(self._data.history.get(case_id, ())) + len(self._history.get(case_id, ()))
        return self._record(case_id, count) if count else None

    def history_cases(self, *, after: str | None = None, limit: int | None = None) -> list[str]:
        committed = self._data.history_ids.after(after)
        added = sorted(
            i for i in self._history if i not in self._data.history and (after is None or i > after)
        )
        found = _merge(committed, added)
        return list(found if limit is None else itertools.islice(found, limit))

    def history_appended(self, *, after: int = 0, limit: int) -> list[tuple[int, str]]:
        committed = self._data.appended
        found: list[tuple[int, str]] = []
        for place in range(after + 1, len(committed) + len(self._appended) + 1):
            if len(found) == limit:
                break
            i = place - 1
            pending = i - len(committed)
            case_id, seq = committed[i] if pending < 0 else self._appended[pending]
            found.append((place, compact(self._record(case_id, seq))))
        return found

    def _record(self, case_id: str, seq: int) -> Mapping[str, Any]:
        """Record number `seq` of `case_id`, as this transaction sees it."""
        replaced = self._replaced.get((case_id, seq))
        if replaced is not None:
            return replaced
        committed = self._data.history.get(case_id, ())
        if seq <= len(committed):
            return committed[seq - 1]
        return self._history[case_id][seq - 1 - len(committed)]

    def replace_history(self, case_id: str, seq: int, data: Mapping[str, Any]) -> None:
        if not 1 <= seq <= len(self._records(case_id)):
            raise NotFound("history", f"{case_id}#{seq}")
        self._replaced[(case_id, seq)] = _frozen(data)

    # -- outbox --------------------------------------------------------------------

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

    def _row(self, key: tuple[str, str]) -> dict[str, Any]:
        return self._deliveries.get(key) or self._data.deliveries[key]

    def _notification(self, id: str) -> Mapping[str, Any]:
        return self._notifications.get(id) or self._data.notifications[id]

    def claim(
        self, notifier: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Delivery]:
        ready = sorted(
            (row["next"], key[0])
            for key in {*self._data.deliveries, *self._deliveries}
            if key[1] == notifier
            for row in (self._row(key),)
            if row["status"] == "pending" and row["next"] <= now
        )
        found: list[Delivery] = []
        for _, notification_id in ready[:limit]:
            row = self._delivery((notification_id, notifier))
            assert row is not None
            row["next"] = lease_until
            found.append(
                Delivery(
                    notification_id,
                    notifier,
                    self._notification(notification_id),
                    row["attempts"],
                    "pending",
                    row["error"],
                )
            )
        return found

    def settle_row(self, op: Settle) -> bool:
        notification_id, notifier, delivered = op.notification_id, op.notifier, op.delivered
        at, error, retry_at = op.at, op.error, op.retry_at
        row = self._delivery((notification_id, notifier))
        if row is None:
            raise NotFound("delivery", f"{notification_id}/{notifier}")
        if row["status"] == "delivered":
            return False
        row["attempts"] += 1
        if delivered:
            row.update(status="delivered", error=None, next=at)
        else:
            row.update(status="pending" if retry_at else "dead", error=error, next=retry_at or at)
        return True

    def delivery_rows(self, op: Select) -> list[Delivery]:
        status, notifier, after, limit = op.status, op.notifier, op.after, op.limit
        found = []
        for key in sorted({*self._data.deliveries, *self._deliveries}):
            row = self._row(key)
            if (
                (status is None or row["status"] == status)
                and (notifier is None or key[1] == notifier)
                and (after is None or key > after)
            ):
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
                if limit is not None and len(found) >= limit:
                    break
        return found

    def count_deliveries(self, status: str, *, notifier: str | None = None) -> int:
        return sum(
            1
            for key in {*self._data.deliveries, *self._deliveries}
            if self._row(key)["status"] == status and (notifier is None or key[1] == notifier)
        )

    def revive(self, notification_id: str, notifier: str, at: datetime) -> bool:
        row = self._delivery((notification_id, notifier))
        if row is None or row["status"] != "dead":
            return False
        row.update(status="pending", next=at)
        return True

    def clear_errors(self, notification_ids: Iterable[str]) -> int:
        wanted = set(notification_ids)
        count = 0
        for key in {*self._data.deliveries, *self._deliveries}:
            if key[0] in wanted and self._row(key)["error"] is not None:
                row = self._delivery(key)
                assert row is not None
                row["error"] = None
                count += 1
        return count

    # -- refusals, savepoints, meta ----------------------------------------------------

    def add_refusal(self, data: Mapping[str, Any]) -> int:
        self._refusals.append(_frozen(data))
        return len(self._data.refusals) + len(self._refusals)

    def refusals(self, *, after: int = 0, limit: int | None = None) -> list[Mapping[str, Any]]:
        found = (self._data.refusals + self._refusals)[after:]
        return found if limit is None else found[:limit]

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        saved = (
            dict(self._writes),
            dict(self._keys),
            dict(self._unique),
            {k: list(v) for k, v in self._history.items()},
            list(self._appended),
            dict(self._replaced),
            dict(self._notifications),
            {k: dict(v) for k, v in self._deliveries.items()},
            list(self._refusals),
            dict(self._meta),
        )
        try:
            yield
        except BaseException:
            (
                self._writes,
                self._keys,
                self._unique,
                self._history,
                self._appended,
                self._replaced,
                self._notifications,
                self._deliveries,
                self._refusals,
                self._meta,
            ) = saved
            raise

    def get_meta(self, name: str) -> str | None:
        return self._meta.get(name, self._data.meta.get(name))

    def set_meta(self, name: str, value: str) -> None:
        self._meta[name] = value

    # -- commit --------------------------------------------------------------------

    def _commit(self) -> None:
        data = self._data
        for (kind, id), value in self._writes.items():
            table = data.entities.setdefault(kind, {})
            old = table.get(id)
            old_due = None if old is None else old.due_at
            new_due = None if value is _DELETED else value.due_at
            if old_due != new_due:
                if old_due is not None:
                    data.due_index.discard((old_due, kind, id))
                if new_due is not None:
                    data.due_index.add((new_due, kind, id))
            if value is _DELETED:
                table.pop(id, None)
                data.ids[kind].discard(id)
            else:
                if old is None:
                    ids = data.ids.get(kind)
                    if ids is None:
                        ids = data.ids[kind] = _Sorted()
                    ids.add(id)
                table[id] = value
        for (kind, id), unique in self._unique.items():
            unique_of = data.unique_of.setdefault(kind, {})
            previous = unique_of.get(id)
            if previous == unique:
                continue  # kept (a transition between open states)
            holders = data.unique.setdefault(kind, {})
            if previous is not None:
                del unique_of[id]
                if holders.get(previous) == id:
                    del holders[previous]
            if unique is not None:
                holders[unique] = id
                unique_of[id] = unique
        index = data.key_index
        for key, held in self._keys.items():
            before = data.keys.pop(key, frozenset())
            # Only the keys that changed touch the index (a transition changes `state`).
            for name, value in before - held:
                found = index.get((key[0], name, value))
                if found is not None:
                    found.discard(key[1])
            if held:
                data.keys[key] = held
                for name, value in held - before:
                    found = index.get((key[0], name, value))
                    if found is None:
                        found = index[(key[0], name, value)] = _Sorted()
                    found.add(key[1])
        for case_id, records in self._history.items():
            kept = data.history.get(case_id)
            if kept is None:
                data.history[case_id] = kept = []
                data.history_ids.add(case_id)
            kept.extend(records)
        data.appended.extend(self._appended)
        for (case_id, seq), record in self._replaced.items():
            data.history[case_id][seq - 1] = record
        data.notifications.update(self._notifications)
        data.deliveries.update(self._deliveries)
        data.refusals.extend(self._refusals)
        data.meta.update(self._meta)


def _merge(committed: Iterator[str], added: list[str]) -> Iterator[str]:
    """The ids of `committed` (in order) with `added` (sorted) merged in, in order."""
    j = 0
    for id in committed:
        while j < len(added) and added[j] < id:
            yield added[j]
            j += 1
        yield id
    yield from added[j:]


class _Transaction:
    """The context of :meth:`MemoryStorage.transaction` (a class: cheaper than a
    generator on a path taken by every call)."""

    __slots__ = ("_storage", "_tx", "_write")

    def __init__(self, storage: MemoryStorage, write: bool) -> None:
        self._storage = storage
        self._write = write

    def __enter__(self) -> MemoryTransaction:
        self._storage._lock.acquire()
        try:
            self._tx = MemoryTransaction(self._storage._data)
        except BaseException:
            self._storage._lock.release()
            raise
        return self._tx

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        try:
            if kind is None and self._write:
                self._tx._commit()
        finally:
            self._storage._lock.release()


class MemoryStorage:
    """Everything in this process's memory; gone when the object is."""

    def __init__(self, url: str = "memory:") -> None:
        self.url = url
        self._data = _Data()
        self._lock = threading.RLock()

    def transaction(self, *, write: bool = True) -> AbstractContextManager[MemoryTransaction]:
        """A serialised unit of work: one transaction at a time."""
        return _Transaction(self, write)

    def close(self) -> None:
        """Nothing to release."""

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of everything stored (for tests comparing before and after)."""
        with self._lock:
            return copy.deepcopy(
                {
                    "entities": self._data.entities,
                    "keys": self._data.keys,
                    "unique": self._data.unique,
                    "history": self._data.history,
                    "notifications": self._data.notifications,
                    "deliveries": self._data.deliveries,
                    "refusals": self._data.refusals,
                    "meta": self._data.meta,
                }
            )
