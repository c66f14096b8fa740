"""The built-in log notifier: one structured log line per notification."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from ..models import Person
from .port import Notification

logger = logging.getLogger("teknikcollege.notify")


class LogNotifier:
    """Writes each notification as one JSON line to the ``teknikcollege.notify`` logger.

    Only ids are logged, never names or e-mail addresses.
    """

    name = "log"

    def send(self, notification: Notification, recipients: Sequence[Person]) -> None:
        """Log the notification."""
        logger.info(
            json.dumps(
                {
                    "id": notification.id,
                    "kind": notification.kind,
                    "template": notification.template,
                    "case": notification.case_id,
                    "subject": notification.subject,
                    "recipients": [p.id for p in recipients],
                    "created_at": notification.created_at.isoformat(),
                },
                sort_keys=True,
            )
        )
