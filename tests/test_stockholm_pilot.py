"""The Stockholm pilot walked end to end with real dates (see teknikcollege.demo)."""

from __future__ import annotations

from datetime import date

import pytest

import teknikcollege as tc
from teknikcollege.demo import COLLEGE, LEADER, OFFICE, PROGRAMMES, REVIEWER, Step, run_demo

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes


@pytest.fixture(params=["memory", "sqlite"])
def walked(request: pytest.FixtureRequest, tmp_path) -> tuple[tc.Registry, list[Step]]:  # type: ignore[no-untyped-def]
    clock = tc.FixedClock(date(2021, 10, 1))
    url = "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'tc.db'}"
    registry = tc.Registry.open(url, clock=clock, config={})
    steps: list[Step] = []
    assert run_demo(registry, clock, steps.append) == "ordinary_operation"
    yield registry, steps
    registry.close()


def test_the_pilot_reaches_ordinary_operation(walked) -> None:  # type: ignore[no-untyped-def]
    registry, steps = walked
    (life,) = registry.cases(workflow="college-lifecycle")
    assert [(r.trigger, r.dest, r.at.date()) for r in registry.history(life.id)] == [
        ("open", "pilot", date(2021, 10, 1)),
        ("certify", "certified", date(2023, 2, 20)),
        ("enter_ordinary_operation", "ordinary_operation", date(2024, 10, 1)),
    ]
    assert steps[0].day == date(2021, 10, 1) and steps[-1].day == date(2026, 2, 16)


def test_the_college_is_certified_three_then_five_years(walked) -> None:  # type: ignore[no-untyped-def]
    registry, _ = walked
    (case,) = registry.cases(subject=COLLEGE, workflow="certification")
    assert [(c.number, c.valid_from, c.valid_until) for c in case.certifications] == [
        (1, date(2023, 2, 15), date(2026, 2, 14)),
        (2, date(2026, 2, 15), date(2031, 2, 14)),
    ]
    triggers = [r.trigger for r in registry.history(case.id)]
    assert triggers == [
        "open", "approve_interest", "submit_application", "start_review", "hold_visit",
        "request_supplements", "submit_supplements", "approve", "open_recertification",
        "submit_application", "start_review", "hold_visit", "issue_protocol", "approve",
    ]
    assert registry.replay(case.id).certifications == case.certifications


def test_programmes_expire_when_nobody_renews(walked) -> None:  # type: ignore[no-untyped-def]
    registry, _ = walked
    for unit in PROGRAMMES:
        (case,) = registry.cases(subject=unit)
        assert case.state == "expired"
        assert registry.history(case.id)[-1].actor_id == "system"
    registry.clock.set(date(2031, 2, 16))  # type: ignore[attr-defined]
    report = registry.tick()
    (college_case,) = registry.cases(subject=COLLEGE, workflow="certification")
    assert (college_case.id, "expire") in report.fired
    assert registry.case(college_case.id).state == "expired"


def test_reminders_reach_the_people_in_the_roles(walked) -> None:  # type: ignore[no-untyped-def]
    registry, _ = walked
    reminders = [n for n, _, _, _ in registry.outbox() if n.kind == "reminder"]
    supplements = [n for n in reminders if n.template == "supplements_due"]
    assert len(supplements) == 1
    assert set(supplements[0].recipient_ids) == {"p-leader", "p-chair", "p-local-chair"}
    assert supplements[0].data["due"] == "2023-02-07"


def test_ordinary_operation_is_refused_while_a_pilot_programme_is_uncertified(
    tc_stockholm: tc.Registry, tc_clock: tc.FixedClock,
) -> None:
    registry = tc_stockholm
    tc_clock.set(date(2022, 7, 1))
    life = registry.open_case("college-lifecycle", COLLEGE, actor=LEADER).id
    registry.add(tc.InterestRegistration(
        "ir", tc.InterestKind.CERTIFICATION, "stockholm", "region-stockholm", date(2022, 7, 1),
        units=(COLLEGE,), contact_person_id="p-leader", steering_group_approved=True),
        actor=ADMIN)
    case = registry.open_case("certification", COLLEGE, actor=LEADER).id
    registry.add(
        tc.Application("app", case, date(2022, 7, 1),
                       tuple(tc.Document(k, k.value, date(2022, 7, 1)) for k in tc.DocumentKind),
                       date(2022, 7, 1)),
        tc.ReviewVisit("visit", case, date(2022, 7, 1), ("p-reviewer", "p-reviewer-2"),
                                 national_office_id="p-office", pool_id="review-committee"),
        actor=ADMIN,
    )
    for rule_id in ("industry-skills-needs", "learning-environment", "education-within-tc"):
        registry.record_judgement(tc.Judgement(f"j-{rule_id}", rule_id, "stockholm",
                                               "p-reviewer", date(2022, 7, 1), tc.Outcome.PASSED,
                                               "seen"), actor=REVIEWER)
    for trigger, actor in [("approve_interest", OFFICE), ("submit_application", LEADER),
                           ("start_review", OFFICE), ("hold_visit", REVIEWER),
                           ("issue_protocol", REVIEWER), ("approve", OFFICE)]:
        registry.fire(case, trigger, actor=actor)
    registry.fire(life, "certify", actor=OFFICE)
    with pytest.raises(tc.TransitionNotAllowed) as info:
        registry.fire(life, "enter_ordinary_operation", actor=LEADER)
    (finding,) = info.value.findings
    assert finding.rule_id == "pilot-programmes-certified"
    assert "2 of 2 programmes from the pilot are not certified" in finding.message.en
    assert registry.case(life).state == "certified"
    assert [r.trigger for r in registry.history(life)] == ["open", "certify"]
