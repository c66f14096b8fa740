"""The storage port: a unit of work over entities, history and the outbox.

Backends store JSON-compatible data and know nothing of the models. Everything done in
one :meth:`Storage.transaction` commits together or not at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import attrs

Scalar = str | int | float | bool | None


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
    """A notification waiting for one notifier."""

    notification_id: str
    notifier: str
    data: Mapping[str, Any]
    attempts: int
    status: str = "pending"
    last_error: str | None = None


@runtime_checkable
class Transaction(Protocol):
    """One unit of work. Raise inside the ``with`` block and nothing is kept."""

    def get(self, kind: str, id: str) -> Stored | None:
        """The entity, or None."""
        ...

    def put(
        self,
        kind: str,
        id: str,
        data: Mapping[str, Any],
        *,
        expected_version: int,
        due_at: datetime | None = None,
    ) -> int:
        """Write an entity if its stored version is `expected_version` (0: it must not
        exist yet); returns the new version. A stale write raises ``ConcurrentUpdate``."""
        ...

    def delete(self, kind: str, id: str, *, expected_version: int) -> None:
        """Remove an entity under the same version check as :meth:`put`."""
        ...

    def query(self, kind: str, where: Mapping[str, Scalar] | None = None) -> list[Stored]:
        """Entities of `kind` whose top-level fields equal `where`, ordered by id."""
        ...

    def due(self, before: datetime, limit: int) -> list[Stored]:
        """Up to `limit` entities whose ``due_at`` is at or before `before`, earliest first,
        found through an index."""
        ...

    def append_history(self, case_id: str, data: Mapping[str, Any]) -> int:
        """Append a transition record for `case_id`; returns its sequence number (1, 2, ...)."""
        ...

    def history(self, case_id: str) -> list[Mapping[str, Any]]:
        """The records of `case_id`, oldest first."""
        ...

    def replace_history(self, case_id: str, seq: int, data: Mapping[str, Any]) -> None:
        """Rewrite one record in place (only for erasing personal data)."""
        ...

    def enqueue(self, id: str, data: Mapping[str, Any], notifiers: list[str], at: datetime) -> None:
        """Add a notification to the outbox, pending for each of `notifiers`."""
        ...

    def claim(
        self, notifier: str, now: datetime, lease_until: datetime, limit: int
    ) -> list[Delivery]:
        """Pending deliveries for `notifier` due at `now`, hidden from other claims
        until `lease_until`."""
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
    ) -> None:
        """Record a delivery attempt: delivered, failed with a retry time, or dead
        (failed with no `retry_at`)."""
        ...

    def deliveries(self, status: str | None = None) -> list[Delivery]:
        """Deliveries in `status` (``pending``, ``delivered``, ``dead``), or all."""
        ...

    def revive(self, notification_id: str, notifier: str, at: datetime) -> bool:
        """Make a dead delivery pending again; False if there is no such dead letter."""
        ...


@runtime_checkable
class Storage(Protocol):
    """A backend: opened from a URL by its factory, closed when done."""

    url: str

    def transaction(self) -> AbstractContextManager[Transaction]:
        """Begin a unit of work."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...
