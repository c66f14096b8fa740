"""Registered through Hypothesis's ``hypothesis`` entry point: ``st.from_type(College)``
works in any project that has teknikcollege installed, with nothing imported first.

Hypothesis calls the hook while it is being imported, possibly from inside the import of
our own strategies module; so each strategy is deferred and looked up on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy


def _models() -> list[type[Any]]:
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


def _strategy_for(cls: type[Any]) -> Callable[[], SearchStrategy[Any]]:
    def lookup() -> SearchStrategy[Any]:
        from .strategies import MODEL_STRATEGIES

        return MODEL_STRATEGIES[cls]

    return lookup


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st

    for cls in _models():
        st.register_type_strategy(cls, st.deferred(_strategy_for(cls)))
