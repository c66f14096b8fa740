"""The syntax every stored string follows: ids, names, free text, e-mail addresses, slugs.

A model field says which rule its text follows by its type: ``id: Id``, ``name: Name``,
``note: FreeText``. The rules are checked when a model is constructed, so the memory,
SQLite and PostgreSQL backends, the e-mail headers and the log lines all see the same
text, and none of them can be handed a line break, a NUL or a lone surrogate it would
refuse or misread.

``Id``
    1–128 characters: ASCII letters, digits and ``_ . : @ -``, starting with a letter or
    a digit (``lernia``, ``p-leader``, ``case-3f2a``). Every field that names another
    record (``college_id``, ``process_leaders``, ``parties``, ``chair`` …) follows it.
``Name``
    One line of at most 200 characters with something visible in it: no control
    character (``U+0000``–``U+001F``, ``U+007F``–``U+009F``), no line or paragraph
    separator, no lone surrogate, and not made only of spaces and invisible characters
    (a zero-width space ``U+200B`` or ``U+FEFF`` is not a name).
``FreeText``
    Notes, reasons, descriptions: like a name, but line breaks (``\\n``) and tabs are
    allowed and it may be empty; at most 10,000 characters. A carriage return is refused:
    write line breaks as ``\\n``.
``Email``
    A bare address (``name@example.org``) as the standard library's
    :class:`email.headerregistry.Address` parses it, read in full: no display name, no
    second address, no comment, no white space, ASCII only (write an international
    domain in its ``xn--`` form), at most 254 characters.
``Slug``
    Lower-case letters, digits, ``_`` and ``-``, starting with a letter, at most 64
    characters (``industry``).

Every pattern is matched against the whole string (``re.fullmatch``): a ``$`` would also
match before a final line break, and ``"lernia\\n"`` would pass for ``"lernia"``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from email.headerregistry import Address
from typing import Annotated, Literal

import attrs

from .._text import Text, _, _n
from ..errors import InvalidData

Kind = Literal["id", "name", "text", "email", "slug", "code"]


@attrs.frozen
class TextRule:
    """What one kind of text may hold: its `kind`, its `max_length`, and whether it is
    `required` (has something visible in it)."""

    kind: Kind
    max_length: int
    required: bool = True

    def check(self, value: object, path: str = "") -> str:
        """`value` itself if it follows the rule, else :class:`InvalidData` at `path`."""
        problems = list(text_problems(self, value, path))
        if problems:
            raise InvalidData(problems)
        assert isinstance(value, str)
        return value


ID = TextRule("id", 128)
"""Ids of records, and every field that refers to one."""
NAME = TextRule("name", 200)
"""Names and titles: one line, something visible in it."""
FREE_TEXT = TextRule("text", 10_000, required=False)
"""Notes and reasons: line breaks and tabs allowed, may be empty."""
EMAIL = TextRule("email", 254)
"""A bare e-mail address."""
SLUG = TextRule("slug", 64)
"""Lower-case names such as branch areas."""
CODE = TextRule("code", 16)
"""A reference code (municipality, county): looked up in the reference data."""

Id = Annotated[str, ID]
Name = Annotated[str, NAME]
FreeText = Annotated[str, FREE_TEXT]
Email = Annotated[str, EMAIL]
Slug = Annotated[str, SLUG]
Code = Annotated[str, CODE]

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}")
_SLUG = re.compile(r"[a-z][a-z0-9_-]{0,63}")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
# Cc (C0, DEL, C1 controls), the line and paragraph separators, and lone surrogates.
_NOT_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Characters that render as nothing although Unicode calls them letters (fillers, the
# blank braille pattern); with separators, format and combining characters they do not
# make a name.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Cn", "Mn", "Me"})


def shown(value: object, limit: int = 60) -> str:
    """`value` for an error message: escaped by ``repr`` (one line) and cut to `limit`."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def has_visible(value: str) -> bool:
    """Whether `value` holds at least one character that shows."""
    return any(
        unicodedata.category(ch) not in _INVISIBLE_CATEGORIES and ch not in _BLANK_LETTERS
        for ch in value
    )


def text_problems(rule: TextRule, value: object, path: str = "") -> Iterator[tuple[str, Text]]:
    """Every way `value` breaks `rule` (usually none), each with `path`."""
    if type(value) is not str:  # an enum member or other str subclass is no plain text
        yield path, _("expected a string")
        return
    if len(value) > rule.max_length:
        yield (
            path,
            _n(
                "is too long ({n} character, at most {max})",
                "is too long ({n} characters, at most {max})",
                len(value),
                max=rule.max_length,
            ),
        )
        return
    if rule.kind == "id":
        if _ID.fullmatch(value) is None:
            yield (
                path,
                _(
                    "invalid id {value}: 1–128 characters, letters (a–z, A–Z), "
                    "digits and _ . : @ -, starting with a letter or digit",
                    value=shown(value),
                ),
            )
    elif rule.kind == "slug":
        if _SLUG.fullmatch(value) is None:
            yield (
                path,
                _(
                    "{value} must be lower-case letters, digits, _ and - (for example 'industry')",
                    value=shown(value),
                ),
            )
    elif rule.kind == "email":
        if not is_email(value):
            yield (
                path,
                _(
                    "{value} is not an e-mail address (write the bare address, name@example.org)",
                    value=shown(value),
                ),
            )
    elif rule.kind in ("name", "text"):
        forbidden = (_NOT_IN_LINE if rule.kind == "name" else _NOT_IN_TEXT).search(value)
        if forbidden is not None:
            yield (
                path,
                _(
                    "contains a forbidden character U+{code:04X} (character {position})",
                    code=ord(forbidden[0]),
                    position=forbidden.start() + 1,
                ),
            )
        elif rule.required and not has_visible(value):
            yield path, _("must not be empty")


def is_email(value: str) -> bool:
    """Whether `value` is one bare e-mail address (see :data:`EMAIL`)."""
    if not value.isascii() or _NOT_IN_LINE.search(value) or '"' in value:
        return False
    try:
        address = Address(addr_spec=value)
    except Exception:  # the parser raises several kinds of error (ValueError, defects)
        return False
    # Reading it back must give the same string: the parser silently drops comments,
    # surrounding space, and everything after the first address.
    return (
        address.addr_spec == value
        and 0 < len(address.username) <= 64
        and _DOMAIN.fullmatch(address.domain) is not None
    )
