"""Invariant checking shared by the models: collect every problem, then raise once."""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

import attrs

from .._text import N_, Text, _, _n
from ..clock import EARLIEST, LATEST
from ..codes import municipality
from ..errors import InvalidData, join_path
from .syntax import TextRule, shown, text_problems

Problems = Iterator[tuple[str, Text]]

MAX_INT = 2**53 - 1
"""The largest whole number a model holds: every JSON reader reads it exactly."""


class Validated:
    """Mixin: ``__attrs_post_init__`` raises one :class:`InvalidData` with every problem.

    First every field is checked against its declared type (the type, the rule of its
    text, the calendar range of its dates); the model's own invariants (``_problems``)
    are checked only when every field has the right type, since they rely on it.
    """

    __slots__ = ()

    def __attrs_post_init__(self) -> None:
        problems: list[tuple[str, Text]] = []
        fatal = False
        for name, typ in field_types(type(self)):
            for path, text, wrong_type in value_problems(name, getattr(self, name), typ):
                problems.append((path, text))
                fatal = fatal or wrong_type
        if not fatal:
            problems += self._problems()
        if problems:
            raise InvalidData(problems)

    def _problems(self) -> Problems:
        return iter(())


_FIELD_TYPES: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def field_types(cls: type[Any]) -> tuple[tuple[str, Any], ...]:
    """The attrs fields of `cls` with their resolved types, ``Annotated`` rules kept."""
    found = _FIELD_TYPES.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        found = tuple((f.name, hints[f.name]) for f in attrs.fields(cls))
        _FIELD_TYPES[cls] = found
    return found


_NAMES: dict[type[Any], str] = {
    str: N_("a string"),
    bool: N_("true or false"),
    int: N_("an integer"),
    float: N_("a number"),
    date: N_("a date"),
    datetime: N_("a time with time zone"),
    tuple: N_("a tuple"),
    list: N_("a list"),
    frozenset: N_("a frozenset"),
    dict: N_("a dict"),
}


def _type_name(typ: type[Any]) -> Text | str:
    """`typ` named in both languages, or its Python name (``None`` for ``NoneType``)."""
    msgid = _NAMES.get(typ)
    if msgid is not None:
        return _(msgid)
    return "None" if typ is type(None) else typ.__name__


def _wrong(path: str, expected: type[Any], value: object) -> tuple[str, Text, bool]:
    return (
        path,
        _(
            "expected {expected}, got {got}",
            expected=_type_name(expected),
            got=_type_name(type(value)),
        ),
        True,
    )


def value_problems(path: str, value: object, typ: Any) -> Iterator[tuple[str, Text, bool]]:
    """Every way `value` does not fit `typ`, each as (path, message, wrong type).

    "Wrong type" problems stop a model's own checks, which would trip over them; a text
    that breaks its rule or a date out of range are of the right type.
    """
    origin, args = typing.get_origin(typ), typing.get_args(typ)
    if origin is typing.Annotated:
        rule = next((a for a in typ.__metadata__ if isinstance(a, TextRule)), None)
        if rule is None:
            yield from value_problems(path, value, args[0])
        elif type(value) is not str:
            yield _wrong(path, str, value)
        else:
            yield from ((p, t, False) for p, t in text_problems(rule, value, path))
    elif typ is Any:
        return
    elif origin is typing.Union or origin is types.UnionType:
        if value is None and type(None) in args:
            return
        options = [a for a in args if a is not type(None)]
        found = [list(value_problems(path, value, a)) for a in options]
        if all(found):
            yield from min(found, key=lambda f: sum(wrong for _, _, wrong in f))
    elif origin in (tuple, list, frozenset):
        if not isinstance(value, origin):
            yield _wrong(path, origin, value)
            return
        items: Iterable[Any] = value
        if origin is frozenset:
            items = sorted(value, key=shown)  # a set has no order; report a stable one
        fixed = origin is tuple and not (len(args) == 2 and args[1] is Ellipsis)
        if fixed and len(value) != len(args):
            yield path, _n("expected {n} value", "expected {n} values", len(args)), True
            return
        for i, item in enumerate(items):
            yield from value_problems(f"{path}[{i}]", item, args[i] if fixed else args[0])
    elif origin in (dict, Mapping):
        if not isinstance(value, Mapping):
            yield _wrong(path, dict, value)
            return
        for key, item in value.items():
            yield from value_problems(f"{path}[{shown(key)}]", key, args[0])
            yield from value_problems(f"{path}[{shown(key)}]", item, args[1])
    elif isinstance(typ, type) and issubclass(typ, Enum):
        if not isinstance(value, typ):
            allowed = ", ".join(repr(e.value) for e in typ)
            yield (
                path,
                _(
                    "unknown value {value} (allowed: {allowed})",
                    value=shown(value),
                    allowed=allowed,
                ),
                True,
            )
    elif typ is bool:
        if type(value) is not bool:
            yield _wrong(path, bool, value)
    elif typ is int:
        if type(value) is not int:
            yield _wrong(path, int, value)
        elif abs(value) > MAX_INT:
            yield (
                path,
                _("is too large (at most {max})", max=MAX_INT),
                False,
            )
    elif typ is float:
        if type(value) not in (int, float):
            yield _wrong(path, float, value)
        elif not math.isfinite(value):  # type: ignore[arg-type]
            yield path, _("must be a finite number"), False
    elif typ is datetime:
        if not isinstance(value, datetime):
            yield _wrong(path, datetime, value)
        elif value.utcoffset() is None:
            yield path, _("the time has no time zone"), True
        else:
            yield from _day_problems(path, value.date())
    elif typ is date:
        # A datetime is a date to isinstance, but comparing one with a date raises.
        if not isinstance(value, date) or isinstance(value, datetime):
            yield _wrong(path, date, value)
        else:
            yield from _day_problems(path, value)
    elif typ is str:
        if type(value) is not str:
            yield _wrong(path, str, value)
    elif isinstance(typ, type) and not isinstance(value, typ):
        yield _wrong(path, typ, value)


def _day_problems(path: str, day: date) -> Iterator[tuple[str, Text, bool]]:
    if not EARLIEST <= day <= LATEST:
        first, last = EARLIEST.isoformat(), LATEST.isoformat()
        yield (
            path,
            _("{day} lies outside {first} … {last}", day=day.isoformat(), first=first, last=last),
            False,
        )


def check_unique(path: str, values: Iterable[object], message: str) -> Problems:
    """A problem at ``path[i]`` for every value listed before; `message` is the message id
    (marked with ``N_``) that says so, with ``{value!r}`` for the value."""
    seen: set[object] = set()
    for i, value in enumerate(values):
        if value in seen:
            yield f"{path}[{i}]", _(message, value=value)
        seen.add(value)


def check_municipalities(path: str, codes: Iterable[str]) -> Problems:
    for i, code in enumerate(codes):
        try:
            municipality(code)
        except InvalidData as error:
            yield from error.prefixed(f"{path}[{i}]").errors


def check_non_negative(path: str, value: int) -> Problems:
    if value < 0:
        yield path, _("must not be negative ({value})", value=value)


def check_order(path: str, start: date, end: date | None) -> Problems:
    if end is not None and end < start:
        yield (
            path,
            _(
                "ends ({end}) before it starts ({start})",
                end=end.isoformat(),
                start=start.isoformat(),
            ),
        )


def nested(path: str, problems: Iterable[tuple[str, Text]]) -> Problems:
    for p, t in problems:
        yield join_path(path, p), t
