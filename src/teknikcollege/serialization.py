"""JSON-compatible data for every model, through one cattrs converter.

Every error in the input is reported at once, as one :class:`InvalidData` whose
``errors`` name the JSON path of each bad field (``colleges[0].municipalities[2]``).
"""

from __future__ import annotations

import json
import operator
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any, TypeVar

import attrs
import cattrs
import cattrs.gen
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from . import models as m
from ._text import N_, Text, _, _n
from .clock import parse_day, parse_time
from .codes import OrganisationNumber
from .errors import InvalidData, join_path
from .kinds import BY_CLASS, HISTORY_FIELD, KINDS
from .kinds import ENTITY_KINDS as ENTITY_KINDS  # the kind table lives in kinds.py
from .kinds import kind_of as kind_of
from .models._validation import MAX_INT, value_problems
from .models.syntax import FreeText, Id, Name, TextRule, shown
from .workflow.case import Case, TransitionRecord

T = TypeVar("T")

SCHEMA = "teknikcollege/1"
"""The schema version written into every exported document."""


class _WrongType(Exception):
    def __init__(self, expected: str, value: object) -> None:
        # `expected` is a message id (marked with N_), translated when it is reported.
        self.expected, self.value = expected, value


def _strict(typ: type[Any], name: str) -> Callable[[object, type[Any]], Any]:
    def structure(value: object, actual: type[Any]) -> Any:
        # The hook for str also receives str-based enums (singledispatch follows the MRO).
        if isinstance(actual, type) and issubclass(actual, Enum):
            return _structure_enum(value, actual)
        if type(value) is bool and typ is not bool:
            raise _WrongType(name, value)
        if typ is float and isinstance(value, int):
            return float(value)
        if not isinstance(value, typ):
            raise _WrongType(name, value)
        if typ is int and abs(value) > MAX_INT:
            raise InvalidData([("", _("is too large (at most {max})", max=MAX_INT))])
        return value

    return structure


def _structure_date(value: object, cls: type[Any]) -> date:
    if not isinstance(value, str):
        raise _WrongType(N_("a date (YYYY-MM-DD)"), value)
    return parse_day(value)


def _structure_datetime(value: object, cls: type[Any]) -> datetime:
    if not isinstance(value, str):
        raise _WrongType(N_("a time with time zone (ISO 8601)"), value)
    return parse_time(value)


_COLLECTIONS = (tuple, list, frozenset, set)


def _is_collection(typ: Any) -> bool:
    return typing.get_origin(typ) in _COLLECTIONS or typ in _COLLECTIONS


def _collection_hook(c: cattrs.Converter) -> Callable[[Any], Callable[[object, Any], Any]]:
    """Structure lists, tuples and sets from a JSON list only.

    cattrs would iterate any iterable, so the string ``"p-lad"`` would become
    ``('p', '-', 'l', 'a', 'd')`` and an object its keys.
    """

    def factory(typ: Any) -> Callable[[object, Any], Any]:
        origin = typing.get_origin(typ) or typ
        args = typing.get_args(typ)
        fixed = origin is tuple and bool(args) and not (len(args) == 2 and args[1] is Ellipsis)

        def structure(value: object, cls: Any) -> Any:
            if not isinstance(value, (list, tuple)):
                raise _WrongType(N_("a list"), value)
            if fixed and len(value) != len(args):
                raise InvalidData(
                    [("", _n("expected {n} value", "expected {n} values", len(args)))]
                )
            items, errors = [], []
            for i, item in enumerate(value):
                item_type = args[i] if fixed else (args[0] if args else Any)
                try:
                    items.append(c.structure(item, item_type))
                except Exception as error:  # every error of every item, with its index
                    errors += _errors(error, f"[{i}]")
            if errors:
                raise InvalidData(errors)
            return origin(items)

        return structure

    return factory


# The workflow's records do not validate themselves; what they hold is checked here, so
# an imported case or history record follows the same rules as the models.
_CASE_FIELDS: dict[str, Any] = {
    "id": Id,
    "workflow": Id,
    "college_id": Id,
    "state": Name,
    "deadlines": dict[Name, date],
    "reminders_sent": list[Name],
}
_RECORD_FIELDS: dict[str, Any] = {
    "case_id": Id,
    "trigger": Name,
    "source": Annotated[str, TextRule("name", 200, required=False)],  # empty when opened
    "dest": Name,
    "actor_id": Id,
    "note": FreeText,
    "params": dict[Name, FreeText],
}
_MAX_DEPTH = 32


def _checked_hook(
    c: cattrs.Converter, fields: Mapping[str, Any]
) -> Callable[[Any], Callable[[object, Any], Any]]:
    def factory(typ: Any) -> Callable[[object, Any], Any]:
        base = cattrs.gen.make_dict_structure_fn(typ, c)

        def structure(value: object, actual: Any) -> Any:
            obj = base(value, actual)  # type: ignore[arg-type]
            problems = [
                (p, t)
                for name, rule in fields.items()
                for p, t, _ in value_problems(name, getattr(obj, name), rule)
            ]
            for i, finding in enumerate(getattr(obj, "findings", ())):
                if _depth(finding.data) > _MAX_DEPTH:
                    problems.append(
                        (
                            f"findings[{i}].data",
                            _n(
                                "is nested too deeply (at most {n} level)",
                                "is nested too deeply (at most {n} levels)",
                                _MAX_DEPTH,
                            ),
                        )
                    )
            if problems:
                raise InvalidData(problems)
            return obj

        return structure

    return factory


def _depth(value: object) -> int:
    """How deeply lists and objects nest in `value` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, Mapping):
            children: Iterable[object] = node.values()
        elif isinstance(node, (list, tuple)):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > _MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


def _structure_org_number(value: object, cls: type[Any]) -> OrganisationNumber:
    if not isinstance(value, str):
        raise _WrongType(N_("an organisation number"), value)
    return OrganisationNumber.parse(value)


def _structure_enum(value: object, cls: type[Enum]) -> Enum:
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(repr(e.value) for e in cls)
        raise InvalidData(
            [
                (
                    "",
                    _(
                        "unknown value {value} (allowed: {allowed})",
                        value=repr(value),
                        allowed=allowed,
                    ),
                )
            ]
        ) from None


_enum_value: Callable[[Enum], Any] = operator.attrgetter("_value_")
"""A member's value: its ``_value_``, read in C (the ``value`` property is Python)."""


def _enum_classes() -> list[type[Enum]]:
    from .rules.findings import Status

    found: list[type[Enum]] = [Status]
    for module in (m.common, m.organisations, m.college, m.programme, m.process):
        found += [
            v
            for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, Enum) and v is not Enum
        ]
    return found


def make_converter(*, trusted: bool = False) -> cattrs.Converter:
    """A new converter configured for every model; :data:`converter` is the shared one.

    A `trusted` converter reads data the library itself stored (checked when it was
    written): it skips the workflow records' checks and cattrs' detailed error paths.
    """
    c = cattrs.Converter(forbid_extra_keys=True, detailed_validation=not trusted)
    for typ, name in (
        (str, N_("a string")),
        (int, N_("an integer")),
        (float, N_("a number")),
        (bool, N_("true or false")),
    ):
        c.register_structure_hook(typ, _strict(typ, name))
    c.register_structure_hook(date, _structure_date)
    c.register_unstructure_hook(date, date.isoformat)
    c.register_structure_hook(datetime, _structure_datetime)
    c.register_unstructure_hook(datetime, datetime.isoformat)
    c.register_structure_hook(OrganisationNumber, _structure_org_number)
    c.register_unstructure_hook(OrganisationNumber, str)
    c.register_structure_hook(Enum, lambda v, t: _structure_enum(v, t))
    c.register_structure_hook_factory(_is_collection, _collection_hook(c))
    if not trusted:
        c.register_structure_hook_factory(lambda t: t is Case, _checked_hook(c, _CASE_FIELDS))
        c.register_structure_hook_factory(
            lambda t: t is TransitionRecord, _checked_hook(c, _RECORD_FIELDS)
        )
    # Enums become their plain values. A predicate hook would lose to the identity hook
    # cattrs keeps for str, which str-based enums inherit, so register each enum class.
    for enum_class in _enum_classes():
        c.register_unstructure_hook(enum_class, _enum_value)
    # Sets become sorted lists, so the same object always gives the same JSON.
    c.register_unstructure_hook_func(
        lambda t: t in (frozenset, set) or getattr(t, "__origin__", None) in (frozenset, set),
        lambda s: sorted(c.unstructure(v) for v in s),
    )
    return c


converter = make_converter()
"""The one converter used by the library."""

_stored_converter = make_converter(trusted=True)


def from_stored(data: object, cls: type[T]) -> T:
    """Build `cls` from data the library stored itself (see ``make_converter(trusted=…)``);
    the models still check themselves as they are built."""
    try:
        return _stored_converter.structure(data, cls)
    except Exception:
        return from_data(data, cls)  # the full converter says exactly what is wrong


def to_data(obj: object) -> Any:
    """A model as JSON-compatible data (dicts, lists, strings, numbers, booleans)."""
    return converter.unstructure(obj)


def from_data(data: object, cls: type[T], *, path: str = "") -> T:
    """Build `cls` from JSON-compatible `data`; raises :class:`InvalidData` with every error."""
    try:
        return converter.structure(data, cls)
    except InvalidData as error:
        raise error.prefixed(path) from None
    except RecursionError:
        raise _too_deep(path) from None
    except Exception as error:  # cattrs wraps everything; turn it into paths.
        raise InvalidData(_errors(error, path)) from None


def _too_deep(path: str) -> InvalidData:
    return InvalidData([(path, _("the data is nested too deeply"))])


_JSON_TYPES = {
    bool: N_("a boolean"),
    int: N_("a number"),
    float: N_("a number"),
    str: N_("a string"),
    list: N_("a list"),
    dict: N_("an object"),
}
"""The JSON types named in messages (``null`` is named as it is)."""


def json_type_name(value: object) -> Text | str:
    """What JSON calls the type of `value` (``null``, a list, a text, …), for messages."""
    if value is None:
        return "null"
    msgid = _JSON_TYPES.get(type(value))
    return _(msgid) if msgid is not None else type(value).__name__


def _errors(exc: BaseException, path: str) -> list[tuple[str, Text]]:
    if isinstance(exc, IterableValidationError):
        found, other = exc.group_exceptions()
        result = [e for sub, note in found for e in _errors(sub, _indexed(path, note.index))]
        return result + [e for sub in other for e in _errors(sub, path)]
    if isinstance(exc, ClassValidationError):
        found_c, other_c = exc.group_exceptions()
        result = [e for sub, note in found_c for e in _errors(sub, join_path(path, note.name))]
        if isinstance(exc.cl, type) and not any(True for _ in found_c) and not other_c:
            return [(path, _("invalid value"))]
        return result + [e for sub in other_c for e in _errors(sub, path)]
    if isinstance(exc, InvalidData):
        return list(exc.prefixed(path).errors)
    if isinstance(exc, _WrongType):
        if isinstance(exc.value, str):
            return [
                (
                    path,
                    _(
                        "{value} is not {expected}",
                        value=repr(exc.value),
                        expected=_(exc.expected),
                    ),
                )
            ]
        return [
            (
                path,
                _(
                    "expected {expected}, got {got}",
                    expected=_(exc.expected),
                    got=json_type_name(exc.value),
                ),
            )
        ]
    if isinstance(exc, KeyError):
        return [(path, _("required field missing"))]
    if isinstance(exc, ForbiddenExtraKeysError):
        # Escaped: a key is input, and may hold a line break that would forge a line.
        names = ", ".join(shown(n) for n in sorted(exc.extra_fields))
        count = len(exc.extra_fields)
        return [(path, _n("unknown field: {names}", "unknown fields: {names}", count, names=names))]
    if isinstance(exc, (TypeError, AttributeError)) and path:
        return [(path, _("wrong type of value"))]
    if isinstance(exc, RecursionError):
        return list(_too_deep(path).errors)
    if isinstance(exc, ValueError):
        return [(path, _("invalid value: {error}", error=shown(str(exc))))]
    return [(path, _("could not be read: {error}", error=shown(exc)))]


def _indexed(path: str, index: object) -> str:
    # A mapping's key is input: escape it so a path stays one line.
    return f"{path}[{index}]" if isinstance(index, int) else f"{path}[{shown(index)}]"


@attrs.frozen
class Bundle:
    """A set of models to export or import together, one list per kind."""

    organisations: tuple[m.Organisation, ...] = ()
    people: tuple[m.Person, ...] = ()
    colleges: tuple[m.College, ...] = ()
    programmes: tuple[m.Programme, ...] = ()
    interest_registrations: tuple[m.InterestRegistration, ...] = ()
    applications: tuple[m.Application, ...] = ()
    reviewer_pools: tuple[m.ReviewerPool, ...] = ()
    review_visits: tuple[m.ReviewVisit, ...] = ()
    protocols: tuple[m.Protocol, ...] = ()
    supplements: tuple[m.Supplement, ...] = ()
    postponements: tuple[m.Postponement, ...] = ()
    operational_plans: tuple[m.OperationalPlan, ...] = ()
    annual_reports: tuple[m.AnnualReport, ...] = ()
    satisfaction_surveys: tuple[m.SatisfactionSurvey, ...] = ()
    judgements: tuple[m.Judgement, ...] = ()
    cases: tuple[Case, ...] = ()
    history: tuple[TransitionRecord, ...] = ()

    def entities(self) -> tuple[object, ...]:
        """Every stored model in the bundle (not cases or history), organisations first."""
        return tuple(e for k in KINDS if k.cls is not Case for e in getattr(self, k.document_field))

    @classmethod
    def of(cls, entities: Iterable[object]) -> Bundle:
        """Sort models into a bundle by their kind."""
        lists: dict[str, list[object]] = {f.name: [] for f in attrs.fields(Bundle)}
        for entity in entities:
            if isinstance(entity, TransitionRecord):
                lists[HISTORY_FIELD].append(entity)
            else:
                lists[BY_CLASS[type(entity)].document_field].append(entity)
        return cls(**{k: tuple(v) for k, v in lists.items()})  # type: ignore[arg-type]


def export_document(bundle: Bundle) -> dict[str, Any]:
    """A bundle as a JSON-compatible document carrying the schema version."""
    data: dict[str, Any] = {"schema": SCHEMA}
    data.update({k: v for k, v in to_data(bundle).items() if v})
    return data


def import_document(document: object) -> Bundle:
    """Read a document written by :func:`export_document`; checks the schema version."""
    if not isinstance(document, Mapping):
        raise InvalidData(
            [
                (
                    "",
                    _("the document must be a JSON object"),
                )
            ]
        )
    schema = document.get("schema")
    if schema != SCHEMA:
        raise InvalidData(
            [
                (
                    "schema",
                    _(
                        "unknown schema version {schema!r}; this version reads {known!r}",
                        schema=schema,
                        known=SCHEMA,
                    ),
                )
            ]
        )
    body = {k: v for k, v in document.items() if k != "schema"}
    errors = _duplicates(body)
    try:
        bundle = from_data(body, Bundle)
    except InvalidData as error:
        raise InvalidData(list(error.errors) + errors) from None
    if errors:
        raise InvalidData(errors)
    return bundle


def _duplicates(body: Mapping[str, object]) -> list[tuple[str, Text]]:
    """Records of one kind that share an id (history: a case and a number); importing
    them would keep only the last one, silently."""
    keyed: list[tuple[str, Callable[[Mapping[str, object]], object]]] = [
        (name, lambda item: item.get("id")) for name in [k.document_field for k in KINDS]
    ]
    keyed.append(("history", lambda item: (item.get("case_id"), item.get("seq"))))
    problems: list[tuple[str, Text]] = []
    for name, key_of in keyed:
        items = body.get(name)
        if not isinstance(items, list):
            continue
        first: dict[object, int] = {}
        for i, item in enumerate(items):
            key = key_of(item) if isinstance(item, Mapping) else None
            try:
                earlier = first.setdefault(key, i) if key is not None else i
            except TypeError:  # an unhashable id is reported by the model itself
                continue
            if earlier != i:
                problems.append(
                    (
                        f"{name}[{i}]",
                        _(
                            "{key} is already used by {earlier}",
                            key=shown(key),
                            earlier=_indexed(name, earlier),
                        ),
                    )
                )
    return problems


def dumps(bundle: Bundle) -> str:
    """A bundle as JSON text (UTF-8, stable key order)."""
    return json.dumps(export_document(bundle), ensure_ascii=False, indent=2, sort_keys=True)


def loads(text: str | bytes) -> Bundle:
    """Read JSON text written by :func:`dumps`; broken JSON is an :class:`InvalidData` too."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise _too_deep("") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidData([("", _("not valid JSON: {error}", error=error))]) from None
    return import_document(document)
