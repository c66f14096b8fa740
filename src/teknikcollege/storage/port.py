"""The storage port: a unit of work over entities, history, the outbox and refusals.

Backends store JSON-compatible data and know nothing of the models. Everything done in
one :meth:`Storage.transaction` commits together or not at all. The semantics every
backend must keep are written on each method and checked by
:class:`teknikcollege.testing.StorageContract`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from .._text import Text

Scalar = str | int | float | bool | None
Keys = Iterable[tuple[str, str]]
"""Index keys of an entity, ``(name, value)`` pairs; a name may appear more than once."""


class Owned(dict[str, Any]):
    """Data handed over to the storage: the caller built it fresh (from a model) and
    will not touch it again, so a backend may keep it without copying it."""

    __slots__ = ()


class Encoded(Owned):
    """Owned data that comes with its compact, key-sorted JSON text (`text`, as
    ``teknikcollege.storage.sql.dump`` writes it): a backend storing JSON text may store
    `text` as it is instead of encoding the data again."""

    __slots__ = ("text",)
    text: str


@attrs.frozen
class Stored:
    """An entity as stored: its data and the version the next write must name."""

    kind: str
    id: str
    version: int
    data: Mapping[str, Any]
    due_at: datetime | None = None


@attrs.frozen
class Delivery:
    """A notification waiting for (or delivered to) one notifier.

    `attempts` counts the settled attempts: it grows by one with each :meth:`settle`,
    delivered or not, and :meth:`Transaction.revive` keeps it.
    """

    notification_id: str
    notifier: str
    data: Mapping[str, Any]
    attempts: int
    status: str = "pending"
    last_error: str | None = None


@attrs.frozen
class StorageBackend:
    """A storage backend record: URL scheme, factory (taking the URL), description."""

    scheme: str
    factory: Callable[[str], Storage]
    description: Text


@attrs.frozen
class Put:
    """The arguments of :meth:`Transaction.put`, as one value."""

    kind: str
    id: str
    data: Mapping[str, Any]
    expected_version: int
    due_at: datetime | None = None
    keys: Keys | None = None
    unique: str | None = None


@attrs.frozen
class Query:
    """The arguments of :meth:`Transaction.query`, as one value."""

    kind: str
    where: Mapping[str, Scalar] | None = None
    keys: Mapping[str, str] | None = None
    after: str | None = None
    limit: int | None = None


@attrs.frozen
class Settle:
    """The arguments of :meth:`Transaction.settle`, as one value."""

    notification_id: str
    notifier: str
    delivered: bool
    at: datetime
    error: str | None = None
    retry_at: datetime | None = None


@attrs.frozen
class Select:
    """The arguments of :meth:`Transaction.deliveries`, as one value."""

    status: str | None = None
    notifier: str | None = None
    after: tuple[str, str] | None = None
    limit: int | None = None


@runtime_checkable
class Transaction(Protocol):
    """One unit of work. Raise inside the ``with`` block and nothing is kept.

    A backend may subclass it and implement :meth:`put_row`, :meth:`query_rows`,
    :meth:`settle_row` and :meth:`delivery_rows` (the four methods with many options,
    taking their arguments as one value), or implement every method itself.
    """

    def get(self, kind: str, id: str) -> Stored | None:
        """The entity, or None."""
        ...

    def version(self, kind: str, id: str) -> int | None:
        """The entity's version without its data (cheap), or None."""
        ...

    def put(
        self,
        kind: str,
        id: str,
        data: Mapping[str, Any],
        *,
        expected_version: int,
        due_at: datetime | None = None,
        keys: Keys | None = None,
        unique: str | None = None,
    ) -> int:
        """Write an entity: see :meth:`put_row`."""
        return self.put_row(Put(kind, id, data, expected_version, due_at, keys, unique))

    def put_row(self, op: Put) -> int:
        """Write an entity if its stored version is `expected_version` (0: it must not
        exist yet); returns the new version (1 for a new entity, then +1 per write).

        A stale write raises ``ConcurrentUpdate`` and changes nothing. `keys` replace the
        entity's index keys (see :meth:`query`; None keeps them). `unique`, when given,
        must be unique among the entities of `kind`: another entity holding it raises
        ``ConcurrentUpdate`` naming that entity (so "one open case per subject" is a
        database fact).
        """
        ...

    def delete(self, kind: str, id: str, *, expected_version: int) -> None:
        """Remove an entity under the same version check as :meth:`put`; a missing one
        raises ``NotFound``."""
        ...

    def query(
        self,
        kind: str,
        where: Mapping[str, Scalar] | None = None,
        *,
        keys: Mapping[str, str] | None = None,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[Stored]:
        """Find entities: see :meth:`query_rows`."""
        return self.query_rows(Query(kind, where, keys, after, limit))

    def query_rows(self, op: Query) -> list[Stored]:
        """Entities of `kind` ordered by id: those whose top-level fields equal `where`
        (same JSON type too), that hold every index key in `keys` (found through an
        index), with an id greater than `after`; at most `limit` of them."""
        ...

    def due(self, before: datetime, limit: int) -> list[Stored]:
        """Up to `limit` entities whose ``due_at`` is at or before `before`, earliest first,
        found through an index."""
        ...

    def append_history(self, case_id: str, seq: int, data: Mapping[str, Any]) -> None:
        """Append record number `seq` (1, 2, ... with no gaps) to `case_id`'s history; a
        `seq` already taken raises ``ConcurrentUpdate``."""
        ...

    def history(self, case_id: str, *, after: int = 0) -> list[Mapping[str, Any]]:
        """The records of `case_id` with a number above `after`, oldest first."""
        ...

    def history_head(self, case_id: str) -> Mapping[str, Any] | None:
        """The newest record of `case_id`, or None."""
        ...

    def history_cases(self, *, after: str | None = None, limit: int | None = None) -> list[str]:
        """The ids of cases that have history, in order, after `after`."""
        ...

    def replace_history(self, case_id: str, seq: int, data: Mapping[str, Any]) -> None:
        """Rewrite one record in place (only for migrations); a missing one raises
        ``NotFound``."""
        ...

    def enqueue(self, id: str, data: Mapping[str, Any], notifiers: list[str], at: datetime) -> None:
        """Add a notification to the outbox, pending for each of `notifiers` from `at`;
        an id already queued raises ``ConcurrentUpdate``."""
        ...

    def claim(
        self, notifier: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Delivery]:
        """Up to `limit` pending deliveries for `notifier` due at `now`, oldest first,
        hidden from other claims until `lease_until`."""
        ...

    def settle(
        self,
        notification_id: str,
        notifier: str,
        *,
        delivered: bool,
        at: datetime,
        error: str | None = None,
        retry_at: datetime | None = None,
    ) -> bool:
        """Record a delivery attempt: see :meth:`settle_row`."""
        return self.settle_row(Settle(notification_id, notifier, delivered, at, error, retry_at))

    def settle_row(self, op: Settle) -> bool:
        """Record an attempt: delivered, failed with a retry time (pending again from
        `retry_at`), or dead (failed with no `retry_at`). A delivery already delivered is
        never changed again (a late failure cannot undo an acknowledgement): returns
        False then. A missing delivery raises ``NotFound``."""
        ...

    def deliveries(
        self,
        status: str | None = None,
        *,
        notifier: str | None = None,
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> list[Delivery]:
        """List deliveries: see :meth:`delivery_rows`."""
        return self.delivery_rows(Select(status, notifier, after, limit))

    def delivery_rows(self, op: Select) -> list[Delivery]:
        """Deliveries in `status` (``pending``, ``delivered``, ``dead``), or all, ordered
        by ``(notification_id, notifier)`` after `after`."""
        ...

    def count_deliveries(self, status: str, *, notifier: str | None = None) -> int:
        """How many deliveries are in `status` (for one notifier, or all)."""
        ...

    def revive(self, notification_id: str, notifier: str, at: datetime) -> bool:
        """Make a dead delivery pending again from `at` (attempts kept); False if there
        is no such dead letter."""
        ...

    def clear_errors(self, notification_ids: Iterable[str]) -> int:
        """Forget the last error text of these notifications' deliveries (erasure)."""
        ...

    def add_refusal(self, data: Mapping[str, Any]) -> int:
        """Store a refused attempt; returns its number (1, 2, ...)."""
        ...

    def refusals(self, *, after: int = 0, limit: int | None = None) -> list[Mapping[str, Any]]:
        """Stored refusals numbered above `after`, oldest first."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested unit: an exception inside undoes only what was done inside."""
        ...

    def get_meta(self, name: str) -> str | None:
        """A value the library keeps about the store itself, or None."""
        ...

    def set_meta(self, name: str, value: str) -> None:
        """Set such a value."""
        ...


@runtime_checkable
class Storage(Protocol):
    """A backend: opened from a URL by its factory, closed when done."""

    url: str

    def transaction(self, *, write: bool = True) -> AbstractContextManager[Transaction]:
        """Begin a unit of work. ``write=False`` promises only reads: a backend may then
        run it without waiting for writers (SQLite: a deferred WAL read)."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...
