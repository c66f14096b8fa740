"""Issue 18 on PostgreSQL: the scenarios of ``tests/test_hardening_*.py`` against a real
server (skipped, saying how to enable them, without TEKNIKCOLLEGE_TEST_POSTGRES).

On commit f5624f6 eight processes opened two or three cases per round here, a late
failure undid an acknowledgement, NUL and lone surrogates raised ``psycopg.errors.*``,
and a schema holding another program's ``entities`` table gave a traceback.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import teknikcollege as tc
from teknikcollege.cli import build_cli
from teknikcollege.examples import stockholm_pilot
from teknikcollege.testing import seed

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def scenarios() -> Any:
    """The scenarios written once in the core's tests (run from a source checkout)."""
    folder = ROOT / "tests"
    if not (folder / "test_hardening_faults.py").is_file():
        pytest.skip("runs from a source checkout (the scenarios live in tests/)")
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    import test_hardening_faults
    import test_hardening_input

    return test_hardening_faults, test_hardening_input


@pytest.mark.slow
def test_eight_processes_opening_one_case_open_exactly_one(pg_url: str, scenarios: Any) -> None:
    faults, _ = scenarios
    results = faults.race_to_open(pg_url)
    faults.check_one_open_case_per_round(pg_url, results)


def test_a_late_failure_after_the_lease_cannot_undo_an_acknowledgement(
    pg_url: str, scenarios: Any, tc_clock: tc.FixedClock
) -> None:
    faults, _ = scenarios
    first, second = faults.lease_registries(pg_url, tc_clock)
    notifier, notification = faults._lease_scenario(first, second)
    assert notifier.sent == [("first", notification), ("second", notification)]
    first.close()
    second.close()


def test_a_case_of_a_missing_workflow_is_skipped_and_the_rest_lapse(
    pg_url: str, scenarios: Any
) -> None:
    from teknikcollege_postgres import PostgresStorage

    faults, _ = scenarios
    faults.test_a_case_of_a_missing_workflow_is_skipped_and_the_rest_lapse(
        lambda: PostgresStorage(pg_url)
    )


@pytest.fixture
def registry(pg_url: str, tc_clock: tc.FixedClock) -> Iterator[tc.Registry]:
    with tc.Registry.open(pg_url, clock=tc_clock, config={}) as reg:
        seed(reg, *stockholm_pilot().entities())
        yield reg


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b", "\udfff", "a\x1bb"])
def test_nul_and_surrogates_are_refused_before_storage(
    registry: tc.Registry, text: str, scenarios: Any
) -> None:
    _, inputs = scenarios
    inputs.test_nul_and_surrogates_are_refused_before_storage(registry, text)


def test_after_erase_person_no_delivery_error_holds_the_address(
    pg_url: str, scenarios: Any, tc_clock: tc.FixedClock
) -> None:
    import psycopg

    from teknikcollege_postgres.storage import split_url

    _, inputs = scenarios
    with inputs.open_url(pg_url, inputs.MailPlugin(), clock=tc_clock) as registry:
        seed(registry, *stockholm_pilot().entities())
        address = inputs.erase_scenario(registry)
        assert all(address not in e for e in inputs.last_errors(registry))
    server, schema = split_url(pg_url)
    with psycopg.connect(server) as db:
        rows = db.execute(f'SELECT last_error FROM "{schema}".deliveries').fetchall()
    assert rows and all(address not in (r[0] or "") for r in rows)


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "20270201", "2027-W05-1"])
def test_fire_params_outside_the_range_or_format_are_invalid_data(
    registry: tc.Registry, value: str, scenarios: Any
) -> None:
    _, inputs = scenarios
    inputs.test_fire_params_outside_the_range_or_format_are_invalid_data(registry, value)


def test_a_second_open_case_for_one_subject_in_an_import_is_invalid_data(
    registry: tc.Registry, scenarios: Any
) -> None:
    _, inputs = scenarios
    inputs.test_a_second_open_case_for_one_subject_in_an_import_is_invalid_data(registry)


def test_a_schema_holding_another_programs_entities_table_is_one_line(pg_server: str) -> None:
    import psycopg

    schema = f"tc_foreign_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as db:
        db.execute(f'CREATE SCHEMA "{schema}"')
        db.execute(f'CREATE TABLE "{schema}".entities (name TEXT, secret TEXT)')
        db.execute(f"INSERT INTO \"{schema}\".entities VALUES ('mine', 'keep')")
    try:
        url = f"{pg_server}?schema={schema}"
        with pytest.raises(tc.StorageUnavailable):
            tc.Registry.open(url, config={})
        done = CliRunner().invoke(
            build_cli("en"),
            ["--db", url, "list", "cases"],
            env={"TEKNIKCOLLEGE_STORAGE": None, "TEKNIKCOLLEGE_LANG": None},
            catch_exceptions=False,
        )
        assert done.exit_code == 5
        (line,) = done.stderr.splitlines()
        assert line.startswith("error: ") and "Traceback" not in done.stderr
        with psycopg.connect(pg_server) as db:  # and the other program's table is intact
            assert db.execute(f'SELECT * FROM "{schema}".entities').fetchall() == [("mine", "keep")]
    finally:
        with psycopg.connect(pg_server, autocommit=True) as db:
            db.execute(f'DROP SCHEMA "{schema}" CASCADE')
