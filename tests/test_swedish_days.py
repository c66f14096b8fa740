"""Days are Swedish days everywhere, not only in the workflow engine: a step at
2025-01-31 23:30 UTC is on 1 February in Stockholm (review of issue 16, gap 4)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from walks import ADMIN, COLLEGE, REVIEWER, in_review, stockholm, visit

import teknikcollege as tc
import teknikcollege.clock
from teknikcollege.cli import build_cli
from teknikcollege.examples import stockholm_pilot
from teknikcollege.rules import Context, national_criteria
from teknikcollege.testing.strategies import EntityLookup
from teknikcollege_vo_college import VO_RULES

STEP = datetime(2025, 1, 31, 23, 30, tzinfo=timezone.utc)
"""00:30 on 1 February 2025 in Stockholm."""
ROOT = Path(__file__).resolve().parents[1]


def test_status_counts_a_step_on_its_swedish_day() -> None:
    registry, clock = stockholm(date(2024, 9, 1))
    case = in_review(registry)
    visit(registry, case, "v1", date(2025, 2, 1))
    clock.set(STEP)
    registry.fire(case, "hold_visit", actor=REVIEWER)
    assert registry.case(case).deadlines["protocol_due"] == date(2025, 3, 1)
    on_31st = registry.status(COLLEGE, on=date(2025, 1, 31))
    assert [(o.case_id, o.state) for o in on_31st.open_cases] == [(case, "in_review")]
    assert registry.status(COLLEGE).on == date(2025, 2, 1)  # today, in Stockholm
    assert [o.state for o in registry.status(COLLEGE).open_cases] == ["visited"]
    registry.fire(case, "request_supplements", actor=REVIEWER)
    notification = [n for n, *_ in registry.outbox() if n.data.get("to") == "Awaiting supplements"]
    assert notification[-1].data["at"] == "2025-02-01"
    report = registry.assess(registry.get(tc.College, "stockholm")).report("en")
    assert "(2025-02-01)" in report.splitlines()[0]


def test_a_judgement_expires_at_midnight_in_stockholm() -> None:
    registry, clock = stockholm(date(2022, 1, 1))
    registry.record_judgement(
        tc.Judgement("j", "industry-skills-needs", "stockholm", "p-reviewer", date(2022, 1, 1),
                     tc.Outcome.PASSED, "seen", valid_until=date(2025, 1, 31)),
        actor=REVIEWER,
    )
    college = registry.get(tc.College, "stockholm")
    clock.set(datetime(2025, 1, 31, 22, 30, tzinfo=timezone.utc))  # 23:30 on the 31st
    found = {f.rule_id: f for f in registry.assess(college).findings}
    assert found["industry-skills-needs"].passed
    clock.set(STEP)
    found = {f.rule_id: f for f in registry.assess(college).findings}
    assert found["industry-skills-needs"].status is tc.Status.NEEDS_JUDGEMENT


def test_the_vo_rule_reads_the_swedish_day() -> None:
    bundle = stockholm_pilot()
    college = bundle.colleges[0]
    ending = tuple(attrs.evolve(a, period=tc.Period(a.period.start, date(2025, 1, 31)))
                   for a in college.agreements)
    college = attrs.evolve(college, agreements=ending)
    context = Context(STEP, EntityLookup(list(bundle.entities())))
    vo = next(r for r in VO_RULES if r.id == "vo-regional-collaboration")
    national = next(r for r in national_criteria() if r.id == "regional-collaboration")
    assert national.check(college, context).status is tc.Status.FAILED
    assert vo.check(college, context).status is tc.Status.FAILED


def test_the_command_line_dates_records_on_the_swedish_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(teknikcollege.clock.SystemClock, "now", lambda self: STEP)
    monkeypatch.delenv("TEKNIKCOLLEGE_TODAY", raising=False)
    db = str(tmp_path / "t.db")
    cli = build_cli("en")
    run = CliRunner().invoke
    registry = tc.Registry.open(f"sqlite:///{db}", clock=tc.FixedClock(date(2025, 1, 2)))
    with registry:
        tc.testing.seed(registry, *stockholm_pilot().entities())
        case = in_review(registry, date(2025, 1, 2))
    done = run(cli, ["--db", db, "--actor", ADMIN.id, "--json", "record", "protocol", "pr1", case,
                     "--supplement", "plan"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["issued"] == "2025-02-01"


FORBIDDEN = re.compile(r"\b(?:now\(\)|now|at|opened)\.date\(\)")
"""An instant's UTC day: ``now().date()``, ``context.now.date()``, ``record.at.date()``."""


def test_no_code_takes_the_utc_day_of_an_instant() -> None:
    sources = [*ROOT.glob("src/teknikcollege/**/*.py"), *ROOT.glob("plugins/*/src/**/*.py")]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if FORBIDDEN.search(line)
    ]
    assert found == [], "use models.local_day(...) for the Swedish day"
