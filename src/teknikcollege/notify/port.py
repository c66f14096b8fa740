"""The notification port: what a notifier receives and must do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import attrs

from ..models import Person, Role


@attrs.frozen
class Notification:
    """A message about a case: a transition that happened, or a deadline coming.

    `id` is stable: a receiver may use it to drop duplicates. `template` is the trigger
    (for ``kind == "transition"``) or the reminder's name (for ``kind == "reminder"``).
    """

    id: str
    kind: str
    template: str
    case_id: str
    workflow: str
    subject: str
    college_id: str
    created_at: datetime
    roles: tuple[Role, ...] = ()
    recipient_ids: tuple[str, ...] = ()
    data: Mapping[str, str] = attrs.field(factory=dict)


@runtime_checkable
class Notifier(Protocol):
    """Delivers notifications somewhere (a log, e-mail, a chat). ``name`` is unique."""

    name: str

    def send(self, notification: Notification, recipients: Sequence[Person]) -> None:
        """Deliver `notification` to `recipients` (people with contact data left).

        Raise to have it retried later; return normally to acknowledge it.
        """
        ...
