"""The plug-in's messages, in its own gettext domain (see teknikcollege's docs/messages.md).

The e-mails themselves are Jinja templates, one per language (``templates/*.sv.txt``,
``*.en.txt``); the words filled into them come from this catalog.
"""

from __future__ import annotations

from pathlib import Path

from teknikcollege import Catalog

CATALOG = Catalog("teknikcollege_smtp", Path(__file__).parent / "locale")
"""The Swedish catalog of the plug-in, read on its first message."""

_, _n = CATALOG.text, CATALOG.plural


def N_(msgid: str, /) -> str:
    """Mark `msgid` for the catalog without translating it yet (for tables)."""
    return msgid
