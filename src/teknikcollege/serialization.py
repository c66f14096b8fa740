"""JSON-compatible data for every model, through one cattrs converter.

Every error in the input is reported at once, as one :class:`InvalidData` whose
``errors`` name the JSON path of each bad field (``colleges[0].municipalities[2]``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from . import models as m
from ._text import Text
from .codes import OrganisationNumber
from .errors import InvalidData, join_path
from .kinds import BY_CLASS, HISTORY_FIELD, KINDS
from .kinds import ENTITY_KINDS as ENTITY_KINDS  # the kind table lives in kinds.py
from .kinds import kind_of as kind_of
from .workflow.case import Case, TransitionRecord

T = TypeVar("T")

SCHEMA = "teknikcollege/1"
"""The schema version written into every exported document."""


class _WrongType(Exception):
    def __init__(self, expected: Text, value: object) -> None:
        self.expected, self.value = expected, value


def _strict(typ: type[Any], name: Text) -> Callable[[object, type[Any]], Any]:
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
        return value

    return structure


def _structure_date(value: object, _: type[Any]) -> date:
    if not isinstance(value, str):
        raise _WrongType(Text("ett datum (ÅÅÅÅ-MM-DD)", "a date (YYYY-MM-DD)"), value)
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise _WrongType(Text("ett datum (ÅÅÅÅ-MM-DD)", "a date (YYYY-MM-DD)"), value) from None


def _structure_datetime(value: object, _: type[Any]) -> datetime:
    expected = Text("en tidpunkt med tidszon (ISO 8601)", "a time with time zone (ISO 8601)")
    if not isinstance(value, str):
        raise _WrongType(expected, value)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _WrongType(expected, value) from None
    if parsed.tzinfo is None:
        raise _WrongType(expected, value)
    return parsed


def _structure_org_number(value: object, _: type[Any]) -> OrganisationNumber:
    if not isinstance(value, str):
        raise _WrongType(Text("ett organisationsnummer", "an organisation number"), value)
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
                    Text(
                        f"okänt värde {value!r} (tillåtna: {allowed})",
                        f"unknown value {value!r} (allowed: {allowed})",
                    ),
                )
            ]
        ) from None


def _enum_value(member: Enum) -> Any:
    return member.value


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


def make_converter() -> cattrs.Converter:
    """A new converter configured for every model; :data:`converter` is the shared one."""
    c = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    for typ, name in (
        (str, Text("en sträng", "a string")),
        (int, Text("ett heltal", "an integer")),
        (float, Text("ett tal", "a number")),
        (bool, Text("true eller false", "true or false")),
    ):
        c.register_structure_hook(typ, _strict(typ, name))
    c.register_structure_hook(date, _structure_date)
    c.register_unstructure_hook(date, date.isoformat)
    c.register_structure_hook(datetime, _structure_datetime)
    c.register_unstructure_hook(datetime, datetime.isoformat)
    c.register_structure_hook(OrganisationNumber, _structure_org_number)
    c.register_unstructure_hook(OrganisationNumber, str)
    c.register_structure_hook(Enum, lambda v, t: _structure_enum(v, t))
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


def to_data(obj: object) -> Any:
    """A model as JSON-compatible data (dicts, lists, strings, numbers, booleans)."""
    return converter.unstructure(obj)


def from_data(data: object, cls: type[T], *, path: str = "") -> T:
    """Build `cls` from JSON-compatible `data`; raises :class:`InvalidData` with every error."""
    try:
        return converter.structure(data, cls)
    except InvalidData as error:
        raise error.prefixed(path) from None
    except Exception as error:  # cattrs wraps everything; turn it into paths.
        raise InvalidData(_errors(error, path)) from None


_JSON_TYPES = {
    type(None): "null",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "an object",
}


def _errors(exc: BaseException, path: str) -> list[tuple[str, Text]]:
    if isinstance(exc, IterableValidationError):
        found, other = exc.group_exceptions()
        result = [e for sub, note in found for e in _errors(sub, f"{path}[{note.index}]")]
        return result + [e for sub in other for e in _errors(sub, path)]
    if isinstance(exc, ClassValidationError):
        found_c, other_c = exc.group_exceptions()
        result = [e for sub, note in found_c for e in _errors(sub, join_path(path, note.name))]
        if isinstance(exc.cl, type) and not any(True for _ in found_c) and not other_c:
            return [(path, Text("ogiltigt värde", "invalid value"))]
        return result + [e for sub in other_c for e in _errors(sub, path)]
    if isinstance(exc, InvalidData):
        return list(exc.prefixed(path).errors)
    if isinstance(exc, _WrongType):
        if isinstance(exc.value, str):
            return [
                (
                    path,
                    Text(
                        f"{exc.value!r} är inte {exc.expected.sv}",
                        f"{exc.value!r} is not {exc.expected.en}",
                    ),
                )
            ]
        got = _JSON_TYPES.get(type(exc.value), type(exc.value).__name__)
        return [
            (
                path,
                Text(
                    f"väntade {exc.expected.sv}, fick {got}",
                    f"expected {exc.expected.en}, got {got}",
                ),
            )
        ]
    if isinstance(exc, KeyError):
        return [(path, Text("obligatoriskt fält saknas", "required field missing"))]
    if isinstance(exc, ForbiddenExtraKeysError):
        names = ", ".join(sorted(exc.extra_fields))
        return [(path, Text(f"okända fält: {names}", f"unknown fields: {names}"))]
    if isinstance(exc, (TypeError, AttributeError)) and path:
        return [(path, Text("fel typ av värde", "wrong type of value"))]
    if isinstance(exc, ValueError):
        return [(path, Text(f"ogiltigt värde: {exc}", f"invalid value: {exc}"))]
    return [(path, Text(f"kunde inte läsas: {exc!r}", f"could not be read: {exc!r}"))]


@attrs.frozen
class Bundle:
    """A set of models to export or import together, one list per kind."""

    organisations: tuple[m.Organisation, ...] = ()
    people: tuple[m.Person, ...] = ()
    colleges: tuple[m.College, ...] = ()
    programmes: tuple[m.Programme, ...] = ()
    interest_registrations: tuple[m.InterestRegistration, ...] = ()
    applications: tuple[m.Application, ...] = ()
    review_visits: tuple[m.ReviewVisit, ...] = ()
    protocols: tuple[m.Protocol, ...] = ()
    supplements: tuple[m.Supplement, ...] = ()
    postponements: tuple[m.Postponement, ...] = ()
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
                    Text(
                        "dokumentet måste vara ett JSON-objekt",
                        "the document must be a JSON object",
                    ),
                )
            ]
        )
    schema = document.get("schema")
    if schema != SCHEMA:
        raise InvalidData(
            [
                (
                    "schema",
                    Text(
                        f"okänd schemaversion {schema!r}; den här versionen läser {SCHEMA!r}",
                        f"unknown schema version {schema!r}; this version reads {SCHEMA!r}",
                    ),
                )
            ]
        )
    body = {k: v for k, v in document.items() if k != "schema"}
    return from_data(body, Bundle)


def dumps(bundle: Bundle) -> str:
    """A bundle as JSON text (UTF-8, stable key order)."""
    return json.dumps(export_document(bundle), ensure_ascii=False, indent=2, sort_keys=True)


def loads(text: str | bytes) -> Bundle:
    """Read JSON text written by :func:`dumps`; broken JSON is an :class:`InvalidData` too."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidData(
            [("", Text(f"ingen giltig JSON: {error}", f"not valid JSON: {error}"))]
        ) from None
    return import_document(document)
