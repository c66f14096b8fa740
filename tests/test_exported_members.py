"""``teknikcollege.__all__`` is sorted, complete and documented; import stays light."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys

import teknikcollege


def isort_order(name: str) -> tuple[bool, bool, str]:
    return (not name.isupper(), not name[:1].isupper(), name)


def test_all_is_sorted() -> None:
    assert teknikcollege.__all__ == sorted(teknikcollege.__all__, key=isort_order)


def test_all_is_complete() -> None:
    eager = {name for name, value in vars(teknikcollege).items()
             if not name.startswith("_") and not inspect.ismodule(value)
             and name not in {"annotations", "logging", "TYPE_CHECKING", "Any"}}
    names = eager | set(teknikcollege._LAZY)
    assert names == set(teknikcollege.__all__)
    for name in teknikcollege.__all__:
        assert getattr(teknikcollege, name) is not None
    assert set(dir(teknikcollege)) >= set(teknikcollege.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        teknikcollege.Nope  # type: ignore[attr-defined]  # noqa: B018


def test_every_public_class_and_function_has_a_docstring() -> None:
    for name in teknikcollege.__all__:
        value = getattr(teknikcollege, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__doc__ and value.__doc__.strip(), name


def test_import_loads_no_test_or_cli_libraries_and_opens_nothing() -> None:
    code = ("import sys, teknikcollege; "
            "print(sorted(m for m in ('hypothesis', 'pytest', 'click', 'psycopg', 'jinja2', "
            "'aiosmtpd', 'sqlite3') if m in sys.modules))")
    # Without COVERAGE_* variables: measuring would import sqlite3 into the child.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env)
    assert done.stdout.strip() == "[]"


def test_strategies_import_first_in_a_fresh_process() -> None:
    """Hypothesis runs our entry-point hook while importing; no circular import."""
    code = ("from teknikcollege.testing import strategies as s; "
            "from hypothesis import strategies as st; import teknikcollege as tc; "
            "print(type(st.from_type(tc.College)).__name__, len(s.MODEL_STRATEGIES))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[1] == "21"


def test_every_model_strategy_is_registered_with_hypothesis() -> None:
    from teknikcollege.testing import _hypothesis_setup, strategies

    assert set(_hypothesis_setup._models()) == set(strategies.MODEL_STRATEGIES)
