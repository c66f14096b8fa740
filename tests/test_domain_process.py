"""Process records drive the workflow: deadlines from the event, Swedish days, the
protocol's own supplement deadline, rounds of supplements, postponement records, and a
visit's reviewers checked as people (issue 16, first bullet)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import attrs
import pytest
import walks
from hypothesis import given
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege.clock import add_months
from teknikcollege.examples import REVIEWER_POOL, stockholm_pilot
from teknikcollege.models import ReviewerPool
from teknikcollege.testing import seed
from teknikcollege.workflow.case import Case, TransitionRecord
from teknikcollege.workflow.core import CERTIFICATION
from teknikcollege.workflow.engine import Workflow, local_day

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes

FLOW = Workflow(CERTIFICATION)
COLLEGE = tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm")
UTC = timezone.utc


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def in_review(day: date = date(2024, 9, 1)) -> Case:
    case = FLOW.new_case("c-1", COLLEGE, "stockholm", at(day))
    for trigger in ("approve_interest", "submit_application", "start_review"):
        FLOW.apply(case, trigger, at(day))
    return case


def test_the_protocol_is_due_a_month_after_the_visit_was_held_not_recorded() -> None:
    case = in_review()
    FLOW.apply(case, "hold_visit", at(date(2025, 1, 10)), {"held_on": "2024-12-31"})
    assert case.deadlines["protocol_due"] == date(2025, 1, 31)
    # Without the day it was held, the day of the step is the day of the event.
    late = in_review()
    FLOW.apply(late, "hold_visit", at(date(2025, 1, 10)))
    assert late.deadlines["protocol_due"] == date(2025, 2, 10)


def test_an_event_cannot_lie_after_the_day_it_is_recorded() -> None:
    case = in_review()
    with pytest.raises(tc.InvalidData, match=r"params\.held_on"):
        FLOW.apply(case, "hold_visit", at(date(2025, 1, 10)), {"held_on": "2025-01-11"})
    assert case.state == "in_review"


def test_a_step_at_half_past_midnight_in_stockholm_counts_as_that_day() -> None:
    # 2025-01-31 23:30 UTC is 2025-02-01 00:30 in Stockholm (CET, UTC+1).
    step = datetime(2025, 1, 31, 23, 30, tzinfo=UTC)
    assert local_day(step) == date(2025, 2, 1)
    case = in_review()
    FLOW.apply(case, "hold_visit", step)
    assert case.deadlines["protocol_due"] == date(2025, 3, 1)  # not 2025-02-28
    # Summer time: 22:30 UTC on 30 June is 00:30 on 1 July (CEST, UTC+2).
    assert local_day(datetime(2025, 6, 30, 22, 30, tzinfo=UTC)) == date(2025, 7, 1)


def test_the_sweep_fires_at_the_start_of_the_swedish_day() -> None:
    case = in_review()
    FLOW.apply(case, "hold_visit", at(date(2025, 1, 31)))
    FLOW.apply(case, "request_supplements", at(date(2025, 2, 3)), {"issued_on": "2025-02-03"})
    assert case.deadlines["supplements_due"] == date(2025, 5, 3)
    # lapse fires the day after the deadline: from 00:00 Stockholm time on 4 May.
    assert FLOW.due_triggers(case, datetime(2025, 5, 3, 21, 59, tzinfo=UTC)) == []
    assert FLOW.due_triggers(case, datetime(2025, 5, 3, 22, 0, tzinfo=UTC)) == ["lapse"]


def test_supplements_are_due_three_months_after_the_protocol_unless_it_says_otherwise() -> None:
    default = in_review()
    FLOW.apply(default, "hold_visit", at(date(2025, 1, 10)), {"held_on": "2024-12-31"})
    FLOW.apply(default, "request_supplements", at(date(2025, 1, 24)), {"issued_on": "2025-01-20"})
    assert default.deadlines == {"supplements_due": date(2025, 4, 20)}

    two_months = in_review()
    FLOW.apply(two_months, "hold_visit", at(date(2025, 1, 10)), {"held_on": "2024-12-31"})
    FLOW.apply(
        two_months,
        "request_supplements",
        at(date(2025, 1, 24)),
        {"issued_on": "2025-01-20", "supplements_due": "2025-03-20"},
    )
    assert two_months.deadlines == {"supplements_due": date(2025, 3, 20)}
    with pytest.raises(tc.InvalidData, match=r"params\.supplements_due"):
        FLOW.check_params(
            two_months,
            FLOW.spec("request_supplements"),
            {"issued_on": "2025-01-20", "supplements_due": "2025-01-20"},
            date(2025, 1, 24),
        )


def test_protocol_records_state_their_own_supplement_deadline() -> None:
    protocol = tc.Protocol("p", "c-1", date(2025, 1, 20), ("plan",), date(2025, 3, 20))
    assert protocol.supplements_due == date(2025, 3, 20)
    with pytest.raises(tc.InvalidData, match="supplements_due"):
        tc.Protocol("p", "c-1", date(2025, 1, 20), supplements_due=date(2025, 1, 20))


def test_two_rounds_of_supplements() -> None:
    case = in_review()
    FLOW.apply(case, "hold_visit", at(date(2025, 1, 10)), {"held_on": "2024-12-31"})
    FLOW.apply(case, "request_supplements", at(date(2025, 1, 20)))
    FLOW.apply(case, "submit_supplements", at(date(2025, 3, 1)))
    assert case.state == "supplements_received" and "supplements_due" not in case.deadlines
    # The committee is not satisfied: a second round, one month this time.
    FLOW.apply(
        case,
        "request_supplements",
        at(date(2025, 3, 14)),
        {"issued_on": "2025-03-14", "supplements_due": "2025-04-14"},
    )
    assert case.state == "awaiting_supplements"
    assert case.deadlines == {"supplements_due": date(2025, 4, 14)}
    FLOW.apply(case, "submit_supplements", at(date(2025, 4, 10)))
    FLOW.apply(case, "approve", at(date(2025, 5, 5)))
    assert case.certifications[0].valid_from == date(2025, 5, 5)
    second = tc.Supplement("s-2", "c-1", date(2025, 4, 10), "revised action plan", round=2)
    assert second.round == 2


def test_a_granted_postponement_creates_its_record() -> None:
    case = in_review()
    FLOW.apply(case, "hold_visit", at(date(2025, 1, 10)), {"held_on": "2024-12-31"})
    FLOW.apply(case, "request_supplements", at(date(2025, 1, 20)))
    params = {"granted_on": "2025-04-01", "new_due": "2025-06-30"}
    FLOW.apply(case, "grant_postponement", at(date(2025, 4, 3)), params)
    record = TransitionRecord(
        case.id,
        7,
        "grant_postponement",
        "awaiting_supplements",
        "postponed",
        "p-office",
        frozenset({tc.Role.NATIONAL_OFFICE}),
        at(date(2025, 4, 3)),
        "new timetable",
        params,
    )
    (postponement,) = FLOW.created(case, record)
    assert postponement == tc.Postponement(
        "c-1-postponement-7", "c-1", date(2025, 4, 1), date(2025, 6, 30), "new timetable"
    )
    assert (
        FLOW.created(
            case,
            TransitionRecord(
                case.id,
                8,
                "submit_supplements",
                "postponed",
                "supplements_received",
                "p-leader",
                frozenset({tc.Role.PROCESS_LEADER}),
                at(date(2025, 5, 1)),
            ),
        )
        == ()
    )


@given(
    held=st.dates(min_value=date(2000, 1, 1), max_value=date(2150, 12, 31)),
    delay=st.integers(min_value=0, max_value=60),
    hour=st.integers(min_value=0, max_value=23),
)
def test_the_protocol_deadline_never_depends_on_when_the_visit_is_recorded(
    held: date, delay: int, hour: int
) -> None:
    case = in_review(date(1999, 1, 1))
    recorded = datetime.combine(held + timedelta(days=delay), datetime.min.time(), UTC)
    recorded += timedelta(hours=hour)
    if local_day(recorded) < held:
        return  # 00:00-01:00 UTC on the day itself is still the day before in Stockholm
    FLOW.apply(case, "hold_visit", recorded, {"held_on": held.isoformat()})
    assert case.deadlines["protocol_due"] == add_months(held, 1)


# --- the people of a visit ----------------------------------------------------------------

LEADER = tc.Actor.of("p-leader", tc.Role.PROCESS_LEADER)
OFFICE = tc.Actor.of("p-office", tc.Role.NATIONAL_OFFICE)
REVIEWER = tc.Actor.of("p-reviewer", tc.Role.REVIEWER)


@pytest.fixture
def registry() -> Iterator[tc.Registry]:
    clock = tc.FixedClock(date(2024, 1, 1))
    with tc.Registry.open("memory:", clock=clock, config={}) as registry:
        seed(registry, *stockholm_pilot().entities())
        registry.add(
            tc.Person("p-outsider", "Ut Sider", frozenset({tc.Role.REVIEWER})),
            tc.Person(
                "p-scania-reviewer",
                "Sca Nia",
                frozenset({tc.Role.REVIEWER}),
                organisation_id="scania",
            ),
            ReviewerPool(
                "old-pool",
                "Old pool",
                tc.Period(date(2015, 1, 1), date(2019, 12, 31)),
                ("p-reviewer", "p-reviewer-2"),
            ),
            actor=ADMIN,
        )
        yield registry


def _in_review(registry: tc.Registry) -> str:
    registry.add(
        tc.InterestRegistration(
            "ir",
            tc.InterestKind.CERTIFICATION,
            "stockholm",
            "region-stockholm",
            date(2024, 1, 1),
            units=(COLLEGE,),
            contact_person_id="p-leader",
            steering_group_approved=True,
        ),
        actor=ADMIN,
    )
    case = registry.open_case("certification", COLLEGE, actor=LEADER).id
    registry.add(
        tc.Application(
            "app",
            case,
            date(2024, 1, 1),
            tuple(tc.Document(k, k.value, date(2024, 1, 1)) for k in tc.DocumentKind),
            date(2024, 1, 1),
        ),
        actor=ADMIN,
    )
    for trigger, actor in [
        ("approve_interest", OFFICE),
        ("submit_application", LEADER),
        ("start_review", OFFICE),
    ]:
        registry.fire(case, trigger, actor=actor)
    return case


@pytest.mark.parametrize(
    ("reviewers", "office", "pool", "problem"),
    [
        (
            ("p-reviewer", "reviewer-2"),
            "p-office",
            REVIEWER_POOL,
            "reviewer 'reviewer-2' is not a known person",
        ),
        (("p-reviewer",), "p-office", REVIEWER_POOL, "the visit has 1 reviewer; 2 are needed"),
        (
            ("p-reviewer", "p-outsider"),
            "p-office",
            REVIEWER_POOL,
            "'p-outsider' is not in reviewer pool 'review-committee'",
        ),
        (
            ("p-reviewer", "p-leader"),
            "p-office",
            REVIEWER_POOL,
            "'p-leader' does not hold the reviewer role",
        ),
        (
            ("p-reviewer", "p-scania-reviewer"),
            "p-office",
            None,
            "works for 'scania', a partner of the college under review",
        ),
        (
            ("p-reviewer", "p-reviewer-2"),
            None,
            REVIEWER_POOL,
            "the visit names no representative of the national office",
        ),
        (
            ("p-reviewer", "p-reviewer-2"),
            "p-leader",
            REVIEWER_POOL,
            "'p-leader' does not represent the national office",
        ),
        (
            ("p-reviewer", "p-reviewer-2"),
            "p-office",
            "old-pool",
            "reviewer pool 'old-pool' is not valid on 2024-01-01",
        ),
        (("p-reviewer", "p-reviewer-2"), "p-office", None, "the visit names no reviewer pool"),
    ],
)
def test_a_visit_needs_two_reviewers_from_the_pool_and_the_national_office(
    registry: tc.Registry,
    reviewers: tuple[str, ...],
    office: str | None,
    pool: str | None,
    problem: str,
) -> None:
    case = _in_review(registry)
    registry.add(
        tc.ReviewVisit(
            "v", case, date(2024, 1, 1), reviewers, national_office_id=office, pool_id=pool
        ),
        actor=ADMIN,
    )
    with pytest.raises(tc.TransitionNotAllowed, match="review-visit-recorded") as refused:
        registry.fire(case, "hold_visit", actor=REVIEWER)
    assert problem in str(refused.value)


def test_a_proper_panel_holds_the_visit(registry: tc.Registry) -> None:
    case = _in_review(registry)
    registry.add(
        tc.ReviewVisit(
            "v",
            case,
            date(2024, 1, 1),
            ("p-reviewer", "p-reviewer-2"),
            national_office_id="p-office",
            pool_id=REVIEWER_POOL,
        ),
        actor=ADMIN,
    )
    record = registry.fire(case, "hold_visit", actor=REVIEWER, params={"held_on": "2024-01-01"})
    assert record.dest == "visited"
    assert record.findings[0].message.sv == (
        "besök v med 2 granskare ur poolen och kansliets representant"
    )
    assert registry.case(case).deadlines["protocol_due"] == date(2024, 2, 1)


def test_the_representative_is_not_one_of_the_reviewers() -> None:
    with pytest.raises(tc.InvalidData, match="national_office_id"):
        tc.ReviewVisit("v", "c", date(2024, 1, 1), ("p-a", "p-b"), national_office_id="p-a")


# --- the records drive the registry's steps (review of issue 16, gap 3) --------------------


def _reviewed(held: date = date(2024, 12, 31)) -> tuple[tc.Registry, tc.FixedClock, str]:
    """The college in review since 2024-09-01, its visit held on `held`, recorded later."""
    registry, clock = walks.stockholm(date(2024, 9, 1))
    case = walks.in_review(registry)
    walks.visit(registry, case, "v1", held)
    clock.set(date(2025, 1, 10))
    return registry, clock, case


def test_the_visit_record_gives_the_day_it_was_held() -> None:
    registry, _clock, case = _reviewed()
    record = registry.fire(case, "hold_visit", actor=REVIEWER)
    assert registry.case(case).deadlines["protocol_due"] == date(2025, 1, 31)  # not 02-10
    assert record.params == {"held_on": "2024-12-31"}  # in the history: replays the same
    assert registry.replay(case).deadlines["protocol_due"] == date(2025, 1, 31)


def test_a_day_that_contradicts_the_visit_record_is_refused() -> None:
    registry, _clock, case = _reviewed()
    with pytest.raises(tc.InvalidData) as refused:
        registry.fire(case, "hold_visit", actor=REVIEWER, params={"held_on": "2025-01-08"})
    assert refused.value.errors[0][0] == "params.held_on"
    assert refused.value.message("en").endswith(
        "2025-01-08 contradicts the visit 'v1', which says 2024-12-31")
    assert "motsäger besöket 'v1'" in refused.value.message("sv")
    assert registry.case(case).state == "in_review"


def test_an_event_cannot_lie_before_the_previous_step() -> None:
    registry, clock = walks.stockholm(date(2024, 9, 1))
    case = walks.in_review(registry)  # start_review on 2024-09-01
    walks.visit(registry, case, "v1", date(2024, 12, 31))
    clock.set(date(2025, 1, 10))
    registry.fire(case, "hold_visit", actor=REVIEWER)
    with pytest.raises(tc.InvalidData, match=r"params\.issued_on: 2024-12-01 lies before the "
                                             r"case's previous step, hold_visit on 2024-12-31"):
        registry.fire(case, "request_supplements", actor=REVIEWER,
                      params={"issued_on": "2024-12-01"})
    # A visit recorded as held before the review started does not hold it either.
    other, other_clock = walks.stockholm(date(2024, 9, 1))
    late = walks.in_review(other)
    other_clock.set(date(2024, 11, 1))
    with pytest.raises(tc.InvalidData, match="lies before case"):
        walks.visit(other, late, "v0", date(2024, 8, 1))


def test_unknown_and_missing_parameters_are_refused() -> None:
    registry, _clock, case = _reviewed()
    with pytest.raises(tc.InvalidData, match=r"params\.held: 'hold_visit' takes no parameter "
                                             r"'held' \(it takes: held_on\)"):
        registry.fire(case, "hold_visit", actor=REVIEWER, params={"held": "2024-12-31"})
    registry.fire(case, "hold_visit", actor=REVIEWER)
    registry.fire(case, "request_supplements", actor=REVIEWER)
    with pytest.raises(tc.InvalidData, match=r"params\.new_due: 'grant_postponement' needs "
                                             r"new_due"):
        registry.fire(case, "grant_postponement", actor=OFFICE)


def test_the_protocol_record_states_the_supplement_deadline() -> None:
    registry, clock, case = _reviewed()
    registry.fire(case, "hold_visit", actor=REVIEWER)
    registry.add(tc.Protocol("pr1", case, date(2025, 1, 20), ("updated plan",),
                             supplements_due=date(2025, 3, 20)), actor=ADMIN)
    clock.set(date(2025, 1, 24))
    record = registry.fire(case, "request_supplements", actor=REVIEWER)
    assert registry.case(case).deadlines == {"supplements_due": date(2025, 3, 20)}  # two months
    assert record.params == {"issued_on": "2025-01-20", "supplements_due": "2025-03-20"}
    assert registry.case(case).deadlines["supplements_due"] != date(2025, 4, 20)


def test_the_protocol_record_and_the_trigger_must_agree() -> None:
    registry, clock, case = _reviewed()
    registry.fire(case, "hold_visit", actor=REVIEWER)
    registry.add(tc.Protocol("pr1", case, date(2025, 1, 20), ("updated plan",),
                             supplements_due=date(2025, 3, 20)), actor=ADMIN)
    clock.set(date(2025, 1, 24))
    with pytest.raises(tc.InvalidData, match="contradicts the protocol 'pr1', which says "
                                             "2025-03-20"):
        registry.fire(case, "request_supplements", actor=REVIEWER,
                      params={"supplements_due": "2025-04-20"})
    with pytest.raises(tc.InvalidData, match="protocol 'pr1' asks for supplements"):
        registry.fire(case, "issue_protocol", actor=REVIEWER)


def test_a_postponement_cannot_be_granted_before_the_protocol() -> None:
    registry, clock, case = _reviewed()
    registry.fire(case, "hold_visit", actor=REVIEWER, params={"held_on": "2024-12-31"})
    registry.fire(case, "request_supplements", actor=REVIEWER, params={"issued_on": "2025-01-10"})
    clock.set(date(2025, 3, 10))
    with pytest.raises(tc.InvalidData, match="2024-06-01 lies before the case's previous step, "
                                             "request_supplements on 2025-01-10"):
        registry.fire(case, "grant_postponement", actor=OFFICE,
                      params={"granted_on": "2024-06-01", "new_due": "2025-06-30"})
    assert registry.find(tc.Postponement, case_id=case) == []


def test_a_second_round_cannot_be_dated_before_the_first() -> None:
    registry, clock, case = _reviewed()
    registry.fire(case, "hold_visit", actor=REVIEWER)
    registry.fire(case, "request_supplements", actor=REVIEWER, params={"issued_on": "2025-01-10"})
    clock.set(date(2025, 4, 1))
    registry.fire(case, "submit_supplements", actor=LEADER)
    with pytest.raises(tc.InvalidData, match="2025-01-01 lies before the case's previous step, "
                                             "submit_supplements on 2025-04-01"):
        registry.fire(case, "request_supplements", actor=REVIEWER,
                      params={"issued_on": "2025-01-01"})
    # The second round's protocol is round 2 of supplements; a round 3 is not there yet.
    with pytest.raises(tc.InvalidData, match="round 3 of supplements lies beyond case"):
        registry.add(tc.Protocol("pr3", case, date(2025, 4, 2), ("more",), round=3), actor=ADMIN)
    registry.add(tc.Protocol("pr2", case, date(2025, 4, 2), ("more",), round=2), actor=ADMIN)
    clock.set(date(2025, 4, 3))
    registry.fire(case, "request_supplements", actor=REVIEWER)
    assert registry.case(case).deadlines["supplements_due"] == date(2025, 7, 2)


def test_a_deadline_already_passed_is_refused_not_lapsed() -> None:
    registry, clock, case = _reviewed()
    registry.fire(case, "hold_visit", actor=REVIEWER, params={"held_on": "2024-12-31"})
    clock.set(date(2025, 3, 1))
    with pytest.raises(tc.InvalidData, match=r"params\.supplements_due: 2025-02-01 has passed "
                                             r"on the day of the step \(2025-03-01\)"):
        registry.fire(case, "request_supplements", actor=REVIEWER,
                      params={"issued_on": "2025-01-20", "supplements_due": "2025-02-01"})
    clock.set(date(2025, 3, 2))
    assert not registry.tick().fired
    assert registry.case(case).state == "visited"


@pytest.mark.parametrize(
    "record",
    [
        tc.ReviewVisit("vx", "nope", date(2024, 1, 1)),
        tc.Supplement("sx", "nope", date(2024, 1, 1), "d"),
        tc.Postponement("px", "nope", date(2024, 1, 1), date(2024, 2, 1)),
        tc.Application("ax", "nope", date(2024, 1, 1)),
        tc.Protocol("prx", "nope", date(2025, 1, 20)),
    ],
)
def test_a_process_record_names_a_case_that_exists(record: object) -> None:
    registry, _clock = walks.stockholm(date(2024, 9, 1))
    with pytest.raises(tc.InvalidData, match="case_id: case 'nope' does not exist"):
        registry.add(record, actor=ADMIN)


def test_a_postponement_is_recorded_once_by_the_step_that_grants_it() -> None:
    # (review of issue 16, gap 5): the docs used to add one by hand before granting it.
    registry, clock, case = _reviewed()
    registry.fire(case, "hold_visit", actor=REVIEWER)
    registry.fire(case, "request_supplements", actor=REVIEWER)
    # Before the supplements' deadline (2025-04-10): after it, the case has lapsed.
    clock.set(date(2025, 3, 16))
    by_hand = tc.Postponement("uppskov-1", case, date(2025, 3, 16), date(2025, 8, 29),
                              "waiting for the municipal board")
    with pytest.raises(tc.InvalidData, match="a postponement is recorded by the step that "
                                             "grants it"):
        registry.add(by_hand, actor=ADMIN)
    registry.fire(case, "grant_postponement", actor=OFFICE, params={"new_due": "2025-08-29"},
                  note="waiting for the municipal board")
    (granted,) = registry.find(tc.Postponement, case_id=case)
    assert (granted.granted, granted.new_due, granted.reason) == (
        date(2025, 3, 16), date(2025, 8, 29), "waiting for the municipal board")
    with pytest.raises(tc.InvalidData, match="recorded by the step"):
        registry.add(by_hand, actor=ADMIN)
    # The record itself may be corrected.
    registry.save(attrs.evolve(granted, reason="the board meets in August"), actor=ADMIN)
    assert [p.reason for p in registry.find(tc.Postponement, case_id=case)] == [
        "the board meets in August"]
