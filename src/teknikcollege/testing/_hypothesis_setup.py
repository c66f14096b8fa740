"""Registered through Hypothesis's ``hypothesis`` entry point: ``st.from_type(College)``
works in any project that has teknikcollege installed, with nothing imported first."""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    from hypothesis import strategies as st

    from .strategies import MODEL_STRATEGIES

    for cls, strategy in MODEL_STRATEGIES.items():
        st.register_type_strategy(cls, strategy)
