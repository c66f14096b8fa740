"""The plug-in's messages, in its own gettext domain (see teknikcollege's docs/messages.md)."""

from __future__ import annotations

from pathlib import Path

from teknikcollege import Catalog

CATALOG = Catalog("teknikcollege_postgres", Path(__file__).parent / "locale")
"""The Swedish catalog of the plug-in, read on its first message."""

_, _n = CATALOG.text, CATALOG.plural
