"""What the SQL backends share: time stamps as sortable UTC text, JSON text."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any


def stamp(when: datetime) -> str:
    """`when` as fixed-width UTC ISO text, so that text order is time order."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def unstamp(text: str | None) -> datetime | None:
    """The inverse of :func:`stamp`."""
    return None if text is None else datetime.fromisoformat(text)


def dump(data: Mapping[str, Any]) -> str:
    """Compact, key-sorted JSON text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
