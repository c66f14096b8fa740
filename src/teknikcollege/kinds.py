"""The one table of stored kinds: every lookup of kind names, classes, document fields and
index keys is derived from :data:`KINDS`."""

from __future__ import annotations

from enum import Enum
from typing import Any

import attrs

from . import models as m
from .workflow.case import Case


def _key_value(value: Any) -> str:
    return str(value.value if isinstance(value, Enum) else value)


@attrs.frozen
class Kind:
    """One stored kind: its name in storage, its class, its list in an export document,
    and the index keys it is found by."""

    name: str
    cls: type[Any]
    document_field: str
    index: tuple[str, ...] = ()
    """Fields found through the storage's key index; a collection gives a key per item."""

    def keys(self, obj: Any) -> list[tuple[str, str]]:
        """The index keys of `obj`: ``(field, value)`` for each indexed field."""
        if type(obj) is Case:  # every transition writes these: no walk over the fields
            return [
                ("workflow", obj.workflow),
                ("subject", str(obj.subject)),
                ("state", obj.state),
                ("college_id", obj.college_id),
            ]
        return self.field_keys(obj)

    def field_keys(self, obj: Any) -> list[tuple[str, str]]:
        """:meth:`keys`, worked out field by field from :attr:`index`."""
        found = []
        for name in self.index:
            value = getattr(obj, name)
            if type(value) is str:  # the usual key: as it is
                found.append((name, value))
            elif isinstance(value, (frozenset, set, tuple, list)):
                found += [(name, _key_value(v)) for v in value]
            elif value is not None:
                found.append((name, _key_value(value)))
        return found


KINDS: tuple[Kind, ...] = (
    Kind("organisation", m.Organisation, "organisations"),
    Kind("person", m.Person, "people", ("roles",)),
    Kind("college", m.College, "colleges"),
    Kind("programme", m.Programme, "programmes", ("college_id",)),
    Kind("interest_registration", m.InterestRegistration, "interest_registrations"),
    Kind("application", m.Application, "applications", ("case_id",)),
    Kind("reviewer_pool", m.ReviewerPool, "reviewer_pools"),
    Kind("review_visit", m.ReviewVisit, "review_visits", ("case_id",)),
    Kind("protocol", m.Protocol, "protocols", ("case_id",)),
    Kind("supplement", m.Supplement, "supplements", ("case_id",)),
    Kind("postponement", m.Postponement, "postponements", ("case_id",)),
    Kind("operational_plan", m.OperationalPlan, "operational_plans"),
    Kind("annual_report", m.AnnualReport, "annual_reports"),
    Kind("satisfaction_survey", m.SatisfactionSurvey, "satisfaction_surveys"),
    Kind("judgement", m.Judgement, "judgements", ("reviewer_id", "subject_id")),
    Kind("case", Case, "cases", ("workflow", "subject", "state", "college_id")),
)
"""Every stored kind, in the order an import writes them (references first)."""

HISTORY_FIELD = "history"
"""The export document's list of transition records (history is not an entity)."""

BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
BY_CLASS: dict[type[Any], Kind] = {k.cls: k for k in KINDS}
ENTITY_KINDS: dict[str, type[Any]] = {k.name: k.cls for k in KINDS if k.cls is not Case}
"""Storage kind name of every model stored on its own by its ``id`` (cases aside)."""


def kind_for(cls_or_obj: type[Any] | object) -> Kind:
    """The :class:`Kind` of a stored class or instance; TypeError for anything else."""
    cls = cls_or_obj if isinstance(cls_or_obj, type) else type(cls_or_obj)
    try:
        return BY_CLASS[cls]
    except KeyError:
        raise TypeError(f"{cls.__name__} is not a stored model") from None


def kind_of(cls_or_obj: type[Any] | object) -> str:
    """The storage kind name of a stored class or instance (``"college"``)."""
    return kind_for(cls_or_obj).name


__all__ = [
    "BY_CLASS",
    "BY_NAME",
    "ENTITY_KINDS",
    "HISTORY_FIELD",
    "KINDS",
    "Kind",
    "kind_for",
    "kind_of",
]
