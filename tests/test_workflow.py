from __future__ import annotations

import gc
import tracemalloc
from datetime import date, datetime, timedelta, timezone

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege.clock import add_months
from teknikcollege.workflow import (
    CERTIFICATION,
    COLLEGE_LIFECYCLE,
    State,
    Transition,
    Workflow,
    problems,
)
from teknikcollege.workflow.definition import WorkflowDefinition

T = tc.Text("t", "t")


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2023, 1, 31), 1, date(2023, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2022, 11, 7), 3, date(2023, 2, 7)),
    (date(2022, 11, 30), 3, date(2023, 2, 28)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),
    (date(2023, 3, 31), -1, date(2023, 2, 28)),
    (date(2023, 2, 15), 36, date(2026, 2, 15)),
])
def test_calendar_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


@given(st.dates(), st.integers(-600, 600))
def test_month_arithmetic_properties(day: date, months: int) -> None:
    try:
        moved = add_months(day, months)
    except (ValueError, OverflowError):
        return
    assert (moved.year * 12 + moved.month) - (day.year * 12 + day.month) == months
    assert moved.day <= day.day


def small(**changes: object) -> WorkflowDefinition:
    base = WorkflowDefinition(
        "small", "1", T,
        states=(State("a", T), State("b", T), State("end", T, final=True)),
        initial="a",
        transitions=(
            Transition("go", ("a",), "b", frozenset({tc.Role.ADMIN}), T),
            Transition("stop", ("b",), "end", frozenset({tc.Role.ADMIN}), T),
        ),
    )
    return attrs.evolve(base, **changes)


def test_core_definitions_are_sound() -> None:
    for definition in (COLLEGE_LIFECYCLE, CERTIFICATION):
        assert problems(definition) == []


def test_invalid_definitions_report_every_problem() -> None:
    bad = small(
        initial="nowhere",
        states=(State("a", T), State("a", T), State("b", T), State("end", T, final=True),
                State("island", T)),
        transitions=(
            Transition("go", ("a",), "missing", frozenset({tc.Role.ADMIN}), T,
                       guards=("no-such-rule",)),
            Transition("go", ("b",), "end", frozenset(), T),
            Transition("back", ("end",), "a", frozenset({tc.Role.ADMIN}), T),
        ),
    )
    with pytest.raises(tc.InvalidDefinition) as info:
        Workflow(bad, rule_ids=set())
    text = str(info.value)
    for expected in ("state 'a' is defined twice", "initial state 'nowhere'",
                     "trigger 'go' is defined twice", "unknown state 'missing'",
                     "leaves the final state 'end'", "names no role",
                     "unknown rule 'no-such-rule'", "'island' cannot be reached"):
        assert expected in text
    assert len(info.value.problems) >= 8
    assert "arbetsflödet" in info.value.message("sv")


def test_one_shared_machine_whatever_the_number_of_cases() -> None:
    flow = Workflow(small())
    subject = tc.UnitRef(tc.UnitKind.COLLEGE, "c")
    now = tc.clock.as_datetime(date(2024, 1, 1))
    gc.collect()
    tracemalloc.start()
    cases = [flow.new_case(f"c{i}", subject, "c", now) for i in range(2000)]
    for case in cases:
        flow.apply(case, "go", now)
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert all(c.state == "b" for c in cases)
    assert flow.machine.models == []  # nothing bound to the shared machine
    assert size / len(cases) < 4096  # a Machine per case would cost ~49 KiB each


def test_wrong_state_and_unknown_trigger() -> None:
    flow = Workflow(small())
    case = flow.new_case("c", tc.UnitRef(tc.UnitKind.COLLEGE, "c"), "c",
                         tc.clock.as_datetime(date(2024, 1, 1)))
    with pytest.raises(tc.TransitionNotAllowed, match="only possible from b"):
        flow.apply(case, "stop", tc.clock.as_datetime(date(2024, 1, 1)))
    with pytest.raises(tc.UnknownTrigger, match="known: go, stop"):
        flow.apply(case, "fly", tc.clock.as_datetime(date(2024, 1, 1)))
    assert case.state == "a"


def test_extension_adds_states_transitions_and_guards_without_copying() -> None:
    extended = CERTIFICATION.extended(
        states=[State("on_hold", T)],
        transitions=[
            Transition("hold", ("in_review",), "on_hold", frozenset({tc.Role.NATIONAL_OFFICE}), T),
            Transition("resume", ("on_hold",), "in_review",
                       frozenset({tc.Role.NATIONAL_OFFICE}), T),
        ],
        guards={"approve": ["my-extra-rule"]},
    )
    approve = extended.transition("approve")
    assert approve is not None and approve.guards == (
        "unit-meets-criteria", "parent-certified", "my-extra-rule")
    assert CERTIFICATION.transition("approve").guards == ("unit-meets-criteria", "parent-certified")  # type: ignore[union-attr]
    assert problems(extended) == []
    with pytest.raises(tc.InvalidDefinition, match="unknown trigger 'nope'"):
        CERTIFICATION.extended(guards={"nope": ["x"]})


def test_mermaid_and_dot_are_generated_from_the_definition() -> None:
    text = tc.workflow.mermaid(CERTIFICATION)
    assert text.startswith("stateDiagram-v2\n")
    for t in CERTIFICATION.transitions:
        for source in t.sources:
            assert f"    {source} --> {t.dest}: {t.trigger}" in text
    assert "interest_registered: Intresseanmälan registrerad" in \
        tc.workflow.mermaid(CERTIFICATION, "sv")
    dot = tc.workflow.dot(COLLEGE_LIFECYCLE)
    assert dot.startswith('digraph "college-lifecycle"') and "peripheries=2" in dot


def test_certification_deadlines_follow_calendar_months() -> None:
    flow = Workflow(CERTIFICATION)
    subject = tc.UnitRef(tc.UnitKind.COLLEGE, "c")
    at = tc.clock.as_datetime
    case = flow.new_case("c", subject, "c", at(date(2022, 1, 1)))
    for trigger in ("approve_interest", "submit_application", "start_review"):
        flow.apply(case, trigger, at(date(2022, 9, 1)))
    flow.apply(case, "hold_visit", at(date(2022, 10, 31)))
    assert case.deadlines["protocol_due"] == date(2022, 11, 30)
    flow.apply(case, "request_supplements", at(date(2022, 11, 30)))
    assert case.deadlines == {"supplements_due": date(2023, 2, 28)}
    with pytest.raises(tc.InvalidData, match="new_due"):
        flow.apply(case, "grant_postponement", at(date(2023, 2, 1)), {"new_due": "2023-02-01"})
    flow.apply(case, "grant_postponement", at(date(2023, 2, 1)), {"new_due": "2023-05-31"})
    assert case.deadlines["supplements_due"] == date(2023, 5, 31)
    flow.apply(case, "submit_supplements", at(date(2023, 5, 1)))
    flow.apply(case, "approve", at(date(2023, 6, 15)))
    (cert,) = case.certifications
    assert (cert.valid_from, cert.valid_until, cert.number) == (
        date(2023, 6, 15), date(2026, 6, 14), 1)
    assert case.deadlines["recertification_opens"] == date(2025, 12, 15)
    assert flow.due_triggers(case, at(date(2025, 12, 14))) == []
    assert flow.due_triggers(case, at(date(2025, 12, 15))) == ["open_recertification"]
    # The first yearly follow-up (2023) is due 2024-03-31, the 2024 operational plan
    # 2024-01-31; the plan's reminder comes first, a month before it, from midnight in
    # Stockholm (CET, UTC+1), which is 23:00 UTC the day before.
    assert case.deadlines["follow_up_due"] == date(2024, 3, 31)
    assert flow.next_due(case) == datetime(2023, 12, 30, 23, tzinfo=timezone.utc)
    assert [r.name for r, _key in flow.due_reminders(case, at(date(2024, 2, 29)))] == [
        "follow_up_due", "operational_plan_due"]
    flow.apply(case, "open_recertification", at(date(2025, 12, 15)))
    for trigger in ("submit_application", "start_review", "hold_visit", "issue_protocol"):
        flow.apply(case, trigger, at(date(2026, 3, 1)))
    flow.apply(case, "approve", at(date(2026, 4, 1)))
    second = case.certifications[1]
    assert (second.valid_from, second.valid_until, second.number) == (
        date(2026, 6, 15), date(2031, 6, 14), 2)
    assert flow.due_triggers(case, at(date(2031, 6, 15))) == ["open_recertification", "expire"]
    assert second.valid_from - cert.valid_until == timedelta(days=1)


def test_svg_where_graphviz_is_installed() -> None:
    import shutil

    if shutil.which("dot") is None:
        with pytest.raises(RuntimeError, match="apt-get install graphviz"):
            tc.workflow.svg(CERTIFICATION)
        pytest.skip("Graphviz 'dot' is not installed: apt-get install graphviz to draw SVG")
    svg = tc.workflow.svg(CERTIFICATION)
    assert "<svg" in svg and "interest_registered" in svg
