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

# The models that have a strategy of their own (see strategies.MODEL_STRATEGIES and
# VALUE_STRATEGIES); listed
# here by module and name so that registering them imports no strategy code.
_OWN_STRATEGIES = {
    "teknikcollege.models": (
        "Period",
        "Organisation",
        "Person",
        "SteeringGroup",
        "Programme",
        "College",
        "Agreement",
        "UnitRef",
        "InterestRegistration",
        "Application",
        "ReviewVisit",
        "Protocol",
        "Supplement",
        "Postponement",
        "Certification",
        "AnnualReport",
        "SatisfactionSurvey",
        "Judgement",
        "Funding",
    ),
    "teknikcollege.codes": ("OrganisationNumber",),
    "teknikcollege.serialization": ("Bundle",),
    "teknikcollege._text": ("Text",),
    "teknikcollege.workflow.definition": ("WorkflowDefinition",),
    "teknikcollege.rules.base": ("Lookup", "Context"),
    "teknikcollege.notify.port": ("Notification",),
}


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
    from importlib import import_module

    from hypothesis import strategies as st

    from .field_types import MARKERS, annotate_models

    for marker in MARKERS:
        st.register_type_strategy(marker, st.deferred(_marker_strategy(marker)))
    own = set()
    for module, names in _OWN_STRATEGIES.items():
        for name in names:
            cls = getattr(import_module(module), name)
            own.add(cls)
            st.register_type_strategy(cls, st.deferred(_model_strategy(cls)))
    for cls in annotate_models():
        if cls not in own:
            st.register_type_strategy(cls, st.deferred(_inferred(cls)))
