"""Delivery: the outbox sent to each notifier on its own, retried, then dead letters."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime

import attrs

from ..bootstrap import Dependencies
from ..models import Person
from ..notify.port import Notification, Notifier
from ..serialization import from_data
from ..storage.port import Delivery
from ..unit_of_work import UnitOfWork

log = logging.getLogger("teknikcollege.notify")

CHUNK = 100
"""Deliveries claimed per transaction."""


@attrs.frozen
class DeliveryReport:
    """What one delivery run did, and how many deliveries still wait (`remaining`: due
    now but not sent because the run reached its `limit`)."""

    delivered: int
    retrying: int
    dead: int
    remaining: int = 0


def deliver(
    deps: Dependencies,
    open_uow: Callable[..., AbstractContextManager[UnitOfWork]],
    when: datetime,
    *,
    limit: int | None = None,
) -> DeliveryReport:
    """Send everything due to each notifier until the queue is empty or `limit`
    deliveries per notifier were tried. A notifier that raises (anything but
    ``KeyboardInterrupt``) is retried later and never stops another."""
    delivered = retrying = dead = remaining = 0
    for notifier in deps.notifiers:
        tried = 0
        while limit is None or tried < limit:
            size = CHUNK if limit is None else min(CHUNK, limit - tried)
            with open_uow() as uow:
                claimed = uow.tx.claim(notifier.name, when, when + deps.retry.lease, size)
            if not claimed:
                break
            for delivery in claimed:
                tried += 1
                outcome = _send(deps, open_uow, notifier, delivery, when)
                delivered += outcome == "delivered"
                retrying += outcome == "pending"
                dead += outcome == "dead"
        if limit is not None and tried >= limit:
            with open_uow(write=False) as uow:
                remaining += uow.tx.count_deliveries("pending", notifier=notifier.name)
    return DeliveryReport(delivered, retrying, dead, remaining)


def _send(
    deps: Dependencies,
    open_uow: Callable[..., AbstractContextManager[UnitOfWork]],
    notifier: Notifier,
    delivery: Delivery,
    when: datetime,
) -> str:
    notification = from_data(delivery.data, Notification)
    try:
        with open_uow(write=False) as uow:
            people = [
                p
                for p in (uow.entities.get(Person, pid) for pid in notification.recipient_ids)
                if p is not None and not p.is_erased
            ]
        notifier.send(notification, people)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # SystemExit from a plug-in must not end the run
        attempts = delivery.attempts + 1
        wait = deps.retry.retry_at_after(attempts)
        with open_uow() as uow:
            uow.tx.settle(
                delivery.notification_id,
                notifier.name,
                delivered=False,
                at=when,
                error=repr(error)[:500],
                retry_at=None if wait is None else when + wait,
            )
        log.warning("%s failed on %s: %r", notifier.name, delivery.notification_id, error)
        return "dead" if wait is None else "pending"
    with open_uow() as uow:
        uow.tx.settle(delivery.notification_id, notifier.name, delivered=True, at=when)
    return "delivered"
