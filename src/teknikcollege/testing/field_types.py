"""The constrained field types of the public models, as Hypothesis sees them.

The models annotate ids, names, codes and dates as plain ``str``, ``int`` and ``date``
(so that callers never wrap a value), but a random ``str`` is almost never a valid id.
To let ``st.builds(Model, one_field=...)`` infer valid values for every other field, the
Hypothesis setup hook (run through Hypothesis's ``hypothesis`` entry point, so only where
Hypothesis is imported) resolves each model's string annotations with
:func:`attrs.resolve_types` and then gives each constrained field one of the
:func:`~typing.NewType` markers below, which have strategies registered with
:func:`hypothesis.strategies.register_type_strategy`. A marker is its base type at
run time: cattrs structures and unstructures it as the base type, and values stay plain
``str``, ``int`` and ``date``.

This module imports nothing but the library: importing it never imports Hypothesis.
"""

from __future__ import annotations

import collections.abc
import importlib
import types
import typing
from collections.abc import Iterator
from datetime import date, datetime
from enum import Enum
from typing import Any, NewType

import attrs

from ..models import InterestKind, OrganisationKind, UnitKind

EntityId = NewType("EntityId", str)
"""An id in the documented syntax: a letter or digit, then letters, digits, ``_.:@-``."""
Slug = NewType("Slug", str)
"""A lower-case name: triggers, states, workflows, rule sets, notifier names."""
Name = NewType("Name", str)
"""A single-line name or title with printable characters, not blank."""
Prose = NewType("Prose", str)
"""Free text (a description, evidence, a note): printable, single-line, not blank."""
Email = NewType("Email", str)
"""A bare e-mail address (addr-spec)."""
MunicipalityCode = NewType("MunicipalityCode", str)
"""A real four-digit municipality code."""
CountyCode = NewType("CountyCode", str)
"""A real two-digit county code."""
MunicipalityCodes = NewType("MunicipalityCodes", tuple[str, ...])
"""Distinct real municipality codes of one county, at least one."""
EntityIds = NewType("EntityIds", tuple[str, ...])
"""Distinct ids."""
Slugs = NewType("Slugs", tuple[str, ...])
"""Distinct lower-case names."""
Day = NewType("Day", date)
"""A day within the documented calendar, 1900-01-01 to 2199-12-31 (realistic by
default: 2015-2035)."""
Moment = NewType("Moment", datetime)
"""A timezone-aware UTC time within the documented calendar."""
Year = NewType("Year", int)
"""A plausible reporting year."""
Weeks = NewType("Weeks", int)
"""A programme's length in weeks, 1-520."""
Count = NewType("Count", int)
"""A non-negative count or amount."""
PositiveCount = NewType("PositiveCount", int)
"""A count of at least 1 (contributions, certification periods, sequence numbers)."""
Percent = NewType("Percent", float)
"""A number from 0 to 100."""
Version = NewType("Version", str)
"""A version such as ``1.2``."""
UnitText = NewType("UnitText", str)
"""A unit reference written as text: ``college:stockholm``."""
OrgNumberDigits = NewType("OrgNumberDigits", str)
"""The ten digits of a valid organisation number."""
NotificationKind = NewType("NotificationKind", str)
"""``transition`` or ``reminder``."""
PluginStatus = NewType("PluginStatus", str)
"""A plug-in's status as ``teknikcollege plugins`` shows it."""
StorageFactory = NewType("StorageFactory", object)
"""A storage backend's factory (takes the URL, returns a storage)."""
StandaloneOrganisationKind = NewType("StandaloneOrganisationKind", OrganisationKind)
"""The organisation kinds that need no other field (not a provider, municipality or
region, which need ``provider_kind``, ``municipality_code`` or ``county_code``)."""
StandaloneUnitKind = NewType("StandaloneUnitKind", UnitKind)
"""The unit kinds that need no ``parent`` (every kind but an orientation)."""
StandaloneInterestKind = NewType("StandaloneInterestKind", InterestKind)
"""An interest registration kind that needs no units or contact (participation)."""

MARKERS: tuple[Any, ...] = (
    EntityId,
    Slug,
    Name,
    Prose,
    Email,
    MunicipalityCode,
    CountyCode,
    MunicipalityCodes,
    EntityIds,
    Slugs,
    Day,
    Moment,
    Year,
    Weeks,
    Count,
    PositiveCount,
    Percent,
    Version,
    UnitText,
    OrgNumberDigits,
    NotificationKind,
    PluginStatus,
    StorageFactory,
    StandaloneOrganisationKind,
    StandaloneUnitKind,
    StandaloneInterestKind,
)
"""Every marker; the setup hook registers a strategy for each."""

_MODULES = (
    "teknikcollege._text",
    "teknikcollege.codes",
    "teknikcollege.models.common",
    "teknikcollege.models.organisations",
    "teknikcollege.models.college",
    "teknikcollege.models.programme",
    "teknikcollege.models.process",
    "teknikcollege.models.followup",
    "teknikcollege.serialization",
    "teknikcollege.rules.findings",
    "teknikcollege.rules.base",
    "teknikcollege.notify.port",
    "teknikcollege.workflow.definition",
    "teknikcollege.workflow.case",
    "teknikcollege.plugins",
    "teknikcollege.registry",
    "teknikcollege.services.cases",
    "teknikcollege.services.delivery",
    "teknikcollege.services.sweep",
    "teknikcollege.storage.port",
    "teknikcollege.services.trust",
    "teknikcollege.services.status",
)
"""Modules whose attrs classes are public models or nested in one."""

# Fields whose marker does not follow from the name and type alone.
_BY_FIELD: dict[tuple[str, str], Any] = {
    ("Organisation", "kind"): StandaloneOrganisationKind,
    ("TransitionRecord", "hash"): EntityId,
    ("ChainReport", "head"): EntityId,
    ("Obligation", "unit"): EntityId,
    ("Refusal", "action"): Slug,
    ("Refusal", "target"): EntityId,
    ("Due", "what"): Slug,
    ("OpenCase", "state"): Slug,
    ("TransitionRecord", "prev_hash"): EntityId,
    ("TickReport", "skipped"): tuple[tuple[EntityId, Prose], ...],
    ("UnitRef", "kind"): StandaloneUnitKind,
    ("InterestRegistration", "kind"): StandaloneInterestKind,
    ("County", "code"): CountyCode,
    ("Municipality", "code"): MunicipalityCode,
    ("OrganisationNumber", "digits"): OrgNumberDigits,
    ("Notification", "kind"): NotificationKind,
    ("Notification", "subject"): UnitText,
    ("Assessment", "subject"): UnitText,
    ("PluginInfo", "status"): PluginStatus,
    ("PluginInfo", "version"): Version,
    ("PluginInfo", "name"): Name,
    ("PluginInfo", "distribution"): Name,
    ("WorkflowDefinition", "name"): Slug,
    ("State", "name"): Slug,
    ("SetDeadline", "name"): Slug,
    ("Reminder", "name"): Slug,
    ("PluginInfo", "error"): Prose | None,
    ("WorkflowDefinition", "version"): Version,
    ("FunctionRule", "version"): Version,
    ("StorageBackend", "factory"): StorageFactory,
    ("TickReport", "fired"): tuple[tuple[EntityId, Slug], ...],
    ("Judgement", "rule_id"): Slug,
    ("Finding", "rule_id"): Slug,
    ("Text", "sv"): Name,
    ("Text", "en"): Name,
    ("ReviewVisit", "reviewer_ids"): EntityIds,
    ("Protocol", "supplements_requested"): tuple[Prose, ...],
}

_SLUG_FIELDS = frozenset(
    {
        "trigger",
        "source",
        "dest",
        "state",
        "initial",
        "workflow",
        "template",
        "rule_set",
        "scheme",
        "deadline",
        "concept",
        "param",
        "event_date",
        "creates",
        "reads",
    }
)
_NAME_FIELDS = frozenset({"name", "title"})
_PROSE_FIELDS = frozenset({"description", "evidence", "reason", "note"})
_COUNT_FIELDS = frozenset(
    {
        "men",
        "women",
        "unspecified",
        "length",
        "places",
        "intake",
        "enrolled",
        "completed",
        "amount_sek",
        "companies",
        "teachers",
        "students",
        "delivered",
        "retrying",
        "dead",
        "reminders",
        "examined",
        "months",
        "days",
        "offset_days",
        "months_before",
        "days_before",
        "priority",
    }
)
_POSITIVE_FIELDS = frozenset(
    {
        "count",
        "number",
        "seq",
        "first_months",
        "renewal_months",
        "recertification_lead_months",
        "round",
        "version",
    }
)


_KEY: dict[Any, Any] = {str: Slug, date: Day, datetime: Moment}
_ELEMENT: dict[Any, Any] = {str: Name, date: Day, datetime: Moment}


def _plain(kind: Any) -> Any:
    """`kind` without ``Annotated`` text rules (the markers stand for them here)."""
    if typing.get_origin(kind) is typing.Annotated:
        return _plain(typing.get_args(kind)[0])
    args = typing.get_args(kind)
    origin = typing.get_origin(kind)
    if not args or origin is None:
        return kind
    plain = tuple(a if a is Ellipsis else _plain(a) for a in args)
    if plain == args:
        return kind
    if origin in (typing.Union, types.UnionType):
        return typing.Union[plain]  # noqa: UP007 - built from a tuple of types
    return origin[plain]


def _marker(owner: str, name: str, kind: Any) -> Any:
    """The marker for field `name` of class `owner`, whose resolved type is `kind`."""
    special = _BY_FIELD.get((owner, name))
    if special is not None:
        return special
    kind = _plain(kind)
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        if len(args) == 2 and type(None) in args:
            inner = next(a for a in args if a is not type(None))
            marked = _marker(owner, name, inner)
            return kind if marked is inner else marked | None
        return kind
    if kind is str:
        if name == "id" or name.endswith("_id"):
            return EntityId
        if name in _SLUG_FIELDS:
            return Slug
        if name in _NAME_FIELDS:
            return Name
        if name in _PROSE_FIELDS:
            return Prose
        if name == "email":
            return Email
        if name == "county_code":
            return CountyCode
        if name == "municipality_code":
            return MunicipalityCode
        return kind
    if kind is date:
        return Day
    if kind is datetime:
        return Moment
    if kind is int:
        if name == "year":
            return Year
        if name == "weeks":
            return Weeks
        if name in _POSITIVE_FIELDS:
            return PositiveCount
        if name in _COUNT_FIELDS:
            return Count
        return kind
    if kind is float and name == "index":
        return Percent
    if typing.get_origin(kind) in (dict, list, collections.abc.Mapping) and args:
        # Keys and list items are names (deadlines, reminders, parameters); dates and
        # times inside stay within the calendar too.
        marked_args = tuple(
            _ELEMENT.get(arg, arg) if i == len(args) - 1 and len(args) > 1 else _KEY.get(arg, arg)
            for i, arg in enumerate(args)
        )
        return kind if marked_args == args else typing.get_origin(kind)[marked_args]
    if typing.get_origin(kind) is tuple and args == (str, ...):
        if name == "municipalities":
            return MunicipalityCodes
        if name in {"hooks", "sources", "states", "clears", "guards", "branch_areas"}:
            return Slugs
        return EntityIds
    return kind


def model_classes() -> Iterator[type[Any]]:
    """Every attrs class of the modules holding public models and what they nest."""
    for module_name in _MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and attrs.has(value)
                and value.__module__ == module_name
                and not value.__name__.startswith("_")
                and not issubclass(value, Enum)
            ):
                yield value


_DONE: set[type[Any]] = set()


def annotate_models(extra_names: dict[str, Any] | None = None) -> list[type[Any]]:
    """Resolve every model's field types and give constrained fields their markers.

    Idempotent. Returns the classes handled.
    """
    from ..rules.base import Lookup, Rule
    from ..storage.port import Storage

    names: dict[str, Any] = {"Storage": Storage, "Lookup": Lookup, "Rule": Rule}
    names.update(extra_names or {})
    handled = []
    for cls in model_classes():
        handled.append(cls)
        if cls in _DONE:
            continue
        attrs.resolve_types(cls, localns=names)
        for field in attrs.fields(cls):
            marked = _marker(cls.__name__, field.name, field.type)
            if marked is not field.type:
                # Attribute is frozen; attrs.resolve_types sets the type the same way.
                object.__setattr__(field, "type", marked)
        _DONE.add(cls)
    return handled
