"""Bilingual text: every user-facing message exists in Swedish and English."""

from __future__ import annotations

import os
from typing import Literal

import attrs

Language = Literal["sv", "en"]


@attrs.frozen
class Text:
    """A message in Swedish and English."""

    sv: str
    en: str

    def get(self, lang: Language | None = None) -> str:
        """Return the message in `lang`, or in the default language."""
        return self.sv if (lang or default_language()) == "sv" else self.en

    def format(self, **values: object) -> Text:
        """Fill `{placeholders}` in both languages."""
        return Text(self.sv.format(**values), self.en.format(**values))

    def __str__(self) -> str:
        return self.get()


def default_language() -> Language:
    """The language from ``TEKNIKCOLLEGE_LANG`` (``sv`` or ``en``), English otherwise."""
    return "sv" if os.environ.get("TEKNIKCOLLEGE_LANG", "").lower() == "sv" else "en"
