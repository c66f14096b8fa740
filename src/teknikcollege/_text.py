"""Bilingual text: every user-facing message exists in Swedish and English.

A message is written once, in English, as a gettext message id; its Swedish comes from
a compiled gettext catalog shipped in the package (``locale/sv/LC_MESSAGES/*.mo``)::

    from teknikcollege._text import _, _n

    _("{kind} {id!r} does not exist", kind=..., id="c-1")
    _n("{n} letter of intent", "{n} letters of intent", count)

Both return a :class:`Text`. The catalog is read on first use, not on import, and a
missing catalog falls back to English rather than failing. See ``docs/messages.md``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs

if TYPE_CHECKING:
    import gettext

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
        """Fill `{placeholders}` in both languages.

        A value that is itself a :class:`Text` fills each language with its own half.
        """
        sv = en = values  # the same values for both languages, unless one is a Text
        for name, value in values.items():
            if isinstance(value, Text):
                if sv is values:
                    sv, en = dict(values), dict(values)
                sv[name], en[name] = value.sv, value.en
        return Text(self.sv.format(**sv), self.en.format(**en))

    @staticmethod
    def join(parts: Iterable[Text], sep: str = "; ") -> Text:
        """Join texts language by language: ``Text.join([a, b])`` is ``"a; b"`` in both."""
        items = list(parts)
        return Text(sep.join(p.sv for p in items), sep.join(p.en for p in items))

    def __str__(self) -> str:
        return self.get()


def default_language() -> Language:
    """The language from ``TEKNIKCOLLEGE_LANG`` (``sv`` or ``en``), English otherwise."""
    return "sv" if os.environ.get("TEKNIKCOLLEGE_LANG", "").lower() == "sv" else "en"


class Catalog:
    """A gettext domain whose English message ids are translated into Swedish.

    `localedir` holds ``sv/LC_MESSAGES/<domain>.mo``. Plug-ins make their own::

        catalog = Catalog("teknikcollege_myplugin", Path(__file__).parent / "locale")
        _, _n = catalog.text, catalog.plural

    The ``.mo`` file is read on the first message, once. Without it every Swedish text
    is the English one: a missing catalog degrades, it never raises.
    """

    def __init__(self, domain: str, localedir: str | os.PathLike[str]) -> None:
        self.domain = domain
        self.localedir = Path(localedir)
        self._swedish: gettext.NullTranslations | None = None
        self._texts: dict[str, Text] = {}  # by message id: a message is looked up once
        self._plurals: dict[tuple[str, str, int], Text] = {}  # and each count's form

    @property
    def swedish(self) -> gettext.NullTranslations:
        """The Swedish translations (a ``NullTranslations`` if the catalog is missing)."""
        if self._swedish is None:
            # Imported here: reading catalogs is not part of ``import teknikcollege``.
            import gettext

            self._swedish = gettext.translation(
                self.domain, self.localedir, languages=["sv"], fallback=True
            )
        return self._swedish

    @property
    def loaded(self) -> bool:
        """Whether the catalog has been read (it is, on the first message)."""
        return self._swedish is not None

    @property
    def translated(self) -> bool:
        """Whether a Swedish catalog was found (``False``: Swedish falls back to English)."""
        import gettext

        return isinstance(self.swedish, gettext.GNUTranslations)

    def text(self, msgid: str, /, **values: object) -> Text:
        """The message `msgid` in both languages, with `values` filled in if given.

        Without values the braces are left for a later :meth:`Text.format`.
        """
        text = self._texts.get(msgid)
        if text is None:
            if len(self._texts) >= 10_000:  # message ids made at run time: stay bounded
                self._texts.clear()
            text = self._texts[msgid] = Text(self.swedish.gettext(msgid), msgid)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, /, **values: object) -> Text:
        """The form of the message that fits the count `n`, in both languages.

        `n` is filled in as ``{n}`` along with `values`. Swedish follows the catalog's
        ``Plural-Forms``; English uses `singular` for exactly one.
        """
        key = (singular, plural, n)
        text = self._plurals.get(key)
        if text is None:
            if len(self._plurals) >= 10_000:
                self._plurals.clear()
            text = self._plurals[key] = Text(
                self.swedish.ngettext(singular, plural, n), singular if n == 1 else plural
            )
        return text.format(n=n, **values)


CATALOG = Catalog("teknikcollege", Path(__file__).parent / "locale")
"""The core library's catalog."""


def _(msgid: str, /, **values: object) -> Text:
    """The core message `msgid` (English) as a :class:`Text`; see :meth:`Catalog.text`."""
    return CATALOG.text(msgid, **values)


def _n(singular: str, plural: str, n: int, /, **values: object) -> Text:
    """The core message for count `n` as a :class:`Text`; see :meth:`Catalog.plural`."""
    return CATALOG.plural(singular, plural, n, **values)


def N_(msgid: str, /) -> str:
    """Mark `msgid` for the catalog without translating it yet (for tables built at import)."""
    return msgid
