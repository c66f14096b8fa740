from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import attrs
import pytest

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.storage import MemoryStorage
from teknikcollege.testing import seed
from teknikcollege_stockholm import plugin


def registry(day: date) -> tc.Registry:
    pm = tc.make_plugin_manager(plugins=[plugin], entry_points=False)
    reg = tc.Registry(MemoryStorage(), clock=tc.FixedClock(day), plugin_manager=pm, config={})
    seed(reg, *stockholm_pilot().entities())
    return reg


def findings(reg: tc.Registry, subject: object) -> dict[str, tc.Finding]:
    return {
        f.rule_id: f for f in reg.assess(subject).findings if f.rule_id.startswith("stockholm-")
    }


def test_discovered_through_its_entry_point() -> None:
    info = {p.name: p for p in tc.make_plugin_manager().info()}
    assert info["stockholm"].distribution == "teknikcollege-stockholm"
    assert "teknikcollege_rules" in info["stockholm"].hooks


def test_the_example_pilot_passes_its_own_rules() -> None:
    reg = registry(date(2022, 6, 1))
    found = findings(reg, reg.get(tc.College, "stockholm"))
    assert {k: f.status for k, f in found.items()} == {
        "stockholm-pilot-length": tc.Status.PASSED,
        "stockholm-pilot-funders": tc.Status.PASSED,
        "stockholm-labour-market-training": tc.Status.PASSED,
    }
    assert "2021-10-01 – 2024-09-30" in found["stockholm-pilot-length"].message.en


def test_a_four_year_pilot_is_flagged_a_shorter_one_and_missing_funders_fail() -> None:
    reg = registry(date(2022, 6, 1))
    college = reg.get(tc.College, "stockholm")
    assert college.pilot is not None
    longer = attrs.evolve(
        college,
        pilot=tc.Period(college.pilot.start, date(2025, 9, 30)),
        funding=college.funding[:1],
    )
    found = findings(reg, longer)
    assert found["stockholm-pilot-length"].status is tc.Status.FLAGGED
    assert "extended" in found["stockholm-pilot-length"].message.en
    shorter = attrs.evolve(college, pilot=tc.Period(college.pilot.start, date(2023, 9, 30)))
    found_short = findings(reg, shorter)
    assert found_short["stockholm-pilot-length"].status is tc.Status.FAILED
    assert "should end on 2024-09-30" in found_short["stockholm-pilot-length"].message.en
    assert found["stockholm-pilot-funders"].message.en == "no funding from Huddinge, Södertälje"


def test_labour_market_training_is_allowed_in_the_pilot_but_not_certifiable() -> None:
    svets = tc.Programme(
        "svets",
        "Svetsare",
        tc.ProgrammeForm.LABOUR_MARKET_TRAINING,
        20,
        "lernia",
        "stockholm",
        start=date(2022, 8, 1),
    )
    during = registry(date(2022, 6, 1))
    found = findings(during, svets)["stockholm-labour-market-training"]
    assert found.status is tc.Status.FLAGGED
    assert "allowed in the pilot but cannot be certified" in found.message.en
    national = {f.rule_id: f for f in during.assess(svets).findings}
    assert national["programmes-dimensioning"].status is tc.Status.FAILED
    # Begun in the pilot it stays allowed; begun after the pilot it is not.
    after = registry(date(2025, 1, 1))
    assert findings(after, svets)["stockholm-labour-market-training"].status is tc.Status.FLAGGED
    late = attrs.evolve(svets, start=date(2024, 11, 1))
    assert findings(after, late)["stockholm-labour-market-training"].status is tc.Status.FAILED


def test_other_colleges_are_not_judged() -> None:
    reg = registry(date(2022, 6, 1))
    college = attrs.evolve(reg.get(tc.College, "stockholm"), pilot=None)
    assert all(f.message.en.startswith("not applicable") for f in findings(reg, college).values())


def test_the_cli_command_writes_the_example(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "stockholm.json"
    done = subprocess.run(
        [sys.executable, "-m", "teknikcollege", "stockholm-example", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert tc.loads(out.read_text()) == stockholm_pilot()
    assert json.loads(out.read_text())["schema"] == tc.SCHEMA


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_messages_exist_in_both_languages(lang: str) -> None:
    reg = registry(date(2022, 6, 1))
    for finding in findings(reg, reg.get(tc.College, "stockholm")).values():
        assert finding.message.get(lang)  # type: ignore[arg-type]
        assert finding.message.sv != finding.message.en
