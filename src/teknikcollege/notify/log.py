"""The built-in log notifier: one structured log line per notification."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from ..models import Person
from .messages import render
from .port import Notification

logger = logging.getLogger("teknikcollege.notify")


class LogNotifier:
    """Writes each notification as one JSON line to the ``teknikcollege.notify`` logger.

    Only ids and the default English subject line are logged, never names or addresses.
    """

    name = "log"

    def send(self, notification: Notification, recipients: Sequence[Person]) -> None:
        """Log the notification."""
        title = render(notification, "en")[0]
        line = {
            "id": notification.id,
            "kind": notification.kind,
            "template": notification.template,
            "case": notification.case_id,
            "subject": notification.subject,
            "title": title,
            "recipients": [p.id for p in recipients],
            "created_at": notification.created_at.isoformat(),
        }
        logger.info(json.dumps(line, sort_keys=True, ensure_ascii=False))
