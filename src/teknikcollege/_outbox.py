"""The outbox side of the registry: enqueue in the transition's transaction, deliver after."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import attrs

from ._lookup import TxLookup
from .clock import as_datetime
from .models import College, Person, Role
from .notify.port import Notification, Notifier
from .serialization import from_data, to_data
from .storage.port import Transaction
from .workflow.case import Case


@attrs.frozen
class DeliveryReport:
    """What one delivery round did."""

    delivered: int
    retrying: int
    dead: int


class OutboxMixin:
    """Notifications: queued with the change, delivered to each notifier on its own."""

    if TYPE_CHECKING:
        notifiers: list[Notifier]
        max_attempts: int
        retry_base: timedelta
        retry_cap: timedelta

        def _tx(self) -> AbstractContextManager[tuple[Transaction, TxLookup]]: ...

        def now(self) -> datetime: ...

    def _enqueue(
        self,
        tx: Transaction,
        lookup: TxLookup,
        case: Case,
        kind: str,
        template: str,
        roles: Sequence[Role],
        now: datetime,
        data: dict[str, str],
        id: str | None = None,
    ) -> None:
        if not self.notifiers:
            return
        notification = Notification(
            id or new_id("n"),
            kind,
            template,
            case.id,
            case.workflow,
            str(case.subject),
            case.college_id,
            now,
            tuple(roles),
            tuple(_recipients(roles, case.college_id, lookup)),
            {k: v for k, v in data.items() if v},
        )
        tx.enqueue(notification.id, to_data(notification), [n.name for n in self.notifiers], now)

    def deliver(self, now: datetime | date | None = None, *, limit: int = 100) -> DeliveryReport:
        """Send what the outbox holds to each notifier; failures are retried with
        exponential backoff, then kept as dead letters."""
        when = as_datetime(now) if now is not None else self.now()
        delivered = retrying = dead = 0
        for notifier in self.notifiers:
            with self._tx() as (tx, _):
                claimed = tx.claim(notifier.name, when, when + timedelta(minutes=5), limit)
            for delivery in claimed:
                notification = from_data(delivery.data, Notification)
                try:
                    people = [
                        p
                        for p in (self._person(pid) for pid in notification.recipient_ids)
                        if p is not None and not p.is_erased
                    ]
                    notifier.send(notification, people)
                except Exception as error:
                    attempts = delivery.attempts + 1
                    retry_at = None
                    if attempts < self.max_attempts:
                        retry_at = when + min(self.retry_cap, self.retry_base * 2 ** (attempts - 1))
                        retrying += 1
                    else:
                        dead += 1
                    with self._tx() as (tx, _):
                        tx.settle(
                            delivery.notification_id,
                            notifier.name,
                            delivered=False,
                            at=when,
                            error=repr(error)[:500],
                            retry_at=retry_at,
                        )
                    continue
                with self._tx() as (tx, _):
                    tx.settle(delivery.notification_id, notifier.name, delivered=True, at=when)
                delivered += 1
        return DeliveryReport(delivered, retrying, dead)

    def _person(self, person_id: str) -> Person | None:
        with self._tx() as (_, lookup):
            return lookup.get(Person, person_id)

    def outbox(self, status: str | None = None) -> list[tuple[Notification, str, str, int]]:
        """Outbox entries as ``(notification, notifier, status, attempts)``."""
        with self._tx() as (tx, _):
            return [
                (from_data(d.data, Notification), d.notifier, d.status, d.attempts)
                for d in tx.deliveries(status)
            ]

    def retry_dead(self, notification_id: str | None = None) -> int:
        """Make dead letters pending again (all, or one notification's); returns how many."""
        now = self.now()
        count = 0
        with self._tx() as (tx, _):
            for d in tx.deliveries("dead"):
                if notification_id in (None, d.notification_id):
                    count += tx.revive(d.notification_id, d.notifier, now)
        return count


def _recipients(roles: Iterable[Role], college_id: str, lookup: TxLookup) -> list[str]:
    college = lookup.get(College, college_id)
    found: list[str] = []
    for role in roles:
        if role is Role.PROCESS_LEADER and college is not None:
            found += college.process_leaders
        elif role is Role.CHAIR and college is not None:
            found += [g.chair for g in college.steering_groups() if g.chair]
        else:
            found += [p.id for p in lookup.find(Person) if role in p.roles]
    return list(dict.fromkeys(found))


def new_id(prefix: str) -> str:
    """A fresh random id with a readable prefix."""
    import uuid  # deferred: it pulls in platform and socket modules at import

    return f"{prefix}-{uuid.uuid4().hex[:16]}"
