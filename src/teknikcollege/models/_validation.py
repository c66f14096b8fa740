"""Invariant checking shared by the models: collect every problem, then raise once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date

from .._text import Text
from ..codes import municipality
from ..errors import InvalidData, join_path

Problems = Iterator[tuple[str, Text]]

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$")
_SLUG = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")


class Validated:
    """Mixin: ``__attrs_post_init__`` raises one :class:`InvalidData` with every problem."""

    __slots__ = ()

    def __attrs_post_init__(self) -> None:
        problems = list(self._problems())
        if problems:
            raise InvalidData(problems)

    def _problems(self) -> Problems:
        return iter(())


def check_id(path: str, value: str) -> Problems:
    if not _ID.match(value):
        yield (
            path,
            Text(
                f"ogiltigt id {value!r}: 1–128 tecken, bokstäver, siffror och _ . : @ -",
                f"invalid id {value!r}: 1–128 characters, letters, digits and _ . : @ -",
            ),
        )


def check_text(path: str, value: str, *, max_length: int = 200) -> Problems:
    if not value.strip():
        yield path, Text("får inte vara tom", "must not be empty")
    elif len(value) > max_length:
        yield (
            path,
            Text(
                f"är för lång ({len(value)} tecken, högst {max_length})",
                f"is too long ({len(value)} characters, at most {max_length})",
            ),
        )


def check_slug(path: str, value: str) -> Problems:
    if not _SLUG.match(value):
        yield (
            path,
            Text(
                f"{value!r} ska skrivas med små bokstäver, siffror, _ och - "
                "(till exempel 'industry')",
                f"{value!r} must be lower-case letters, digits, _ and - (for example 'industry')",
            ),
        )


def check_unique(path: str, values: Iterable[object], what: Text) -> Problems:
    seen: set[object] = set()
    for i, value in enumerate(values):
        if value in seen:
            yield (
                f"{path}[{i}]",
                Text(
                    f"{what.sv} {value!r} finns redan i listan",
                    f"{what.en} {value!r} is listed twice",
                ),
            )
        seen.add(value)


def check_municipalities(path: str, codes: Iterable[str]) -> Problems:
    for i, code in enumerate(codes):
        try:
            municipality(code)
        except InvalidData as error:
            yield from error.prefixed(f"{path}[{i}]").errors


def check_non_negative(path: str, value: int) -> Problems:
    if value < 0:
        yield path, Text(f"får inte vara negativ ({value})", f"must not be negative ({value})")


def check_order(path: str, start: date, end: date | None) -> Problems:
    if end is not None and end < start:
        yield (
            path,
            Text(
                f"slutar ({end.isoformat()}) innan den börjar ({start.isoformat()})",
                f"ends ({end.isoformat()}) before it starts ({start.isoformat()})",
            ),
        )


def nested(path: str, problems: Iterable[tuple[str, Text]]) -> Problems:
    for p, t in problems:
        yield join_path(path, p), t
