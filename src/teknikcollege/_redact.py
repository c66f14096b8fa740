"""Secrets kept out of messages: a URL shown with its password replaced."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_USERINFO = re.compile(r"(?<=://)([^/@:]*):[^/@]*@")


def redact_url(url: str) -> str:
    """`url` with any password replaced by ``***`` (also in URLs that do not parse)."""
    try:
        parts = urlsplit(url)
        if parts.password is not None:
            host = parts.hostname or ""
            if parts.port is not None:
                host += f":{parts.port}"
            return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
    except ValueError:
        pass
    return _USERINFO.sub(r"\1:***@", url)
