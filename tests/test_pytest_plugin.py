"""The pytest plug-in, tested with pytester, and a downstream project run for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent


def test_fixtures_are_offered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        from datetime import datetime, timezone
        import teknikcollege as tc

        def test_clock(tc_clock):
            assert tc_clock.now() == datetime(2024, 1, 1, 9, tzinfo=timezone.utc)

        def test_registry(tc_registry):
            assert tc_registry.find(tc.College) == []
            assert {p.name for p in tc_registry.plugin_manager.info()} >= {
                "teknikcollege.criteria"}

        def test_stockholm(tc_stockholm):
            assert tc_stockholm.get(tc.College, "stockholm").name == "Teknikcollege Stockholm"

        def test_sqlite(tc_sqlite_registry, tmp_path):
            assert (tmp_path / "teknikcollege.db").exists()
    """)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_plugin_manager_fixture_registers_for_one_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import teknikcollege as tc

        class Extra:
            @tc.hookimpl
            def teknikcollege_rules(self):
                return []

        KEEP = []

        def test_register(tc_plugin_manager):
            pm = tc_plugin_manager(Extra())
            KEEP.append(pm)
            assert any("Extra" in p.name for p in pm.info())

        def test_removed_afterwards():
            assert KEEP[0].list_name_plugin() == []
    """)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_the_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_uses_fixture(tc_clock):
            pass
    """)
    result = pytester.runpytest("-p", "no:teknikcollege", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'tc_clock' not found*"])


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = ("import sys; import teknikcollege.testing.pytest_plugin; "
            "print(sorted(m for m in sys.modules if m.startswith('teknikcollege')))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env)
    loaded = eval(done.stdout)  # a printed list of module names
    assert "teknikcollege.registry" not in loaded
    assert "teknikcollege.models" not in loaded


def test_a_downstream_project_runs_its_own_suite(tmp_path: Path) -> None:
    """examples/downstream: its own folder and conftest, only the installed package."""
    project = tmp_path / "downstream"
    subprocess.run(["cp", "-r", str(ROOT / "examples" / "downstream"), str(project)],
                   check=True)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=project,
                          capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "14 passed" in done.stdout
