"""Registered through Hypothesis's ``hypothesis`` entry point, so that in any project
with teknikcollege installed, with nothing imported first:

- ``st.from_type(Model)`` draws valid, realistic objects for every public model;
- ``st.builds(Model, one_field=...)`` infers valid values for the other fields: each
  model's string annotations are resolved and its constrained fields (ids, names, codes,
  dates...) get the markers of :mod:`teknikcollege.testing.field_types`, whose
  strategies are registered here.

Hypothesis calls the hook while it is being imported, possibly from inside the import of
our own strategies module; so each strategy is deferred and looked up on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy


def _models() -> list[type[Any]]:
    """The stored models, each with a strategy of its own (strategies.MODEL_STRATEGIES)."""
    from .. import models as m
    from ..codes import OrganisationNumber
    from ..serialization import Bundle

    return [
        m.Period,
        OrganisationNumber,
        m.Organisation,
        m.Person,
        m.SteeringGroup,
        m.Programme,
        m.College,
        m.UnitRef,
        m.InterestRegistration,
        m.Application,
        m.Document,
        m.ReviewVisit,
        m.Protocol,
        m.Supplement,
        m.Postponement,
        m.Certification,
        m.AnnualReport,
        m.SatisfactionSurvey,
        m.Judgement,
        m.Funding,
        Bundle,
    ]


def _values() -> list[Any]:
    """Other public values with a strategy of their own (strategies.VALUE_STRATEGIES)."""
    from .._text import Text
    from ..models import Agreement, Appointment, Council, Obligation, YearFigures
    from ..notify.port import Notification
    from ..rules.base import Context, Lookup
    from ..workflow.definition import WorkflowDefinition

    return [
        Agreement,
        Appointment,
        Text,
        WorkflowDefinition,
        Lookup,
        Context,
        Notification,
        YearFigures,
        Council,
        Obligation,
    ]


def _model_strategy(cls: Any) -> Callable[[], SearchStrategy[Any]]:
    def lookup() -> SearchStrategy[Any]:
        from .strategies import MODEL_STRATEGIES, VALUE_STRATEGIES

        return {**MODEL_STRATEGIES, **VALUE_STRATEGIES}[cls]

    return lookup


def _marker_strategy(marker: Any) -> Callable[[], SearchStrategy[Any]]:
    def lookup() -> SearchStrategy[Any]:
        from .strategies import MARKER_STRATEGIES

        return MARKER_STRATEGIES[marker]()

    return lookup


def _inferred(cls: Any) -> Callable[[], SearchStrategy[Any]]:
    def lookup() -> SearchStrategy[Any]:
        from .strategies import inferred

        return inferred(cls)

    return lookup


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st

    from .field_types import MARKERS, annotate_models

    for marker in MARKERS:
        st.register_type_strategy(marker, st.deferred(_marker_strategy(marker)))
    own = [*_models(), *_values()]
    for cls in own:
        st.register_type_strategy(cls, st.deferred(_model_strategy(cls)))
    for cls in annotate_models():
        if cls not in own:
            st.register_type_strategy(cls, st.deferred(_inferred(cls)))
