"""Cases that agree: the lifecycle follows the certification; a recertification in review
keeps the unit certified and continues its period."""

from __future__ import annotations

from datetime import date

import pytest

import teknikcollege as tc
from teknikcollege.demo import run_demo

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes

COLLEGE = tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm")
LEADER = tc.Actor.of("p-leader")
OFFICE = tc.Actor.of("p-office")
REVIEWER = tc.Actor.of("p-reviewer")


@pytest.fixture
def demo() -> tuple[tc.Registry, tc.FixedClock]:
    clock = tc.FixedClock(date(2021, 10, 1))
    registry = tc.Registry.open("memory:", clock=clock, config={})
    assert run_demo(registry, clock, lambda step: None) == "ordinary_operation"
    return registry, clock


def _case(registry: tc.Registry, workflow: str) -> tc.Case:
    (case,) = registry.cases(subject=COLLEGE, workflow=workflow)
    return case


def test_the_lifecycle_follows_the_certification_when_it_expires(
    demo: tuple[tc.Registry, tc.FixedClock],
) -> None:
    registry, clock = demo
    certification = _case(registry, "certification")
    valid_until = certification.certifications[-1].valid_until  # 2031-02-14
    clock.set(date(valid_until.year, valid_until.month, valid_until.day + 1))
    report = registry.tick()
    assert (certification.id, "expire") in report.fired
    life = _case(registry, "college-lifecycle")
    assert life.state == "certification_ended"
    last = registry.history(life.id)[-1]
    assert (last.trigger, last.actor_id) == ("lose_certification", "system")
    assert certification.id in last.note  # the cause
    assert registry.status(COLLEGE).certified is False
    assert all(chain.ok for chain in registry.verify())


def test_decertifying_needs_the_role_and_moves_the_lifecycle(
    demo: tuple[tc.Registry, tc.FixedClock],
) -> None:
    registry, _ = demo
    certification = _case(registry, "certification")
    with pytest.raises(tc.PermissionDenied):
        registry.fire(certification.id, "decertify", actor=LEADER, note="no")
    with pytest.raises(tc.InvalidData, match="needs its reason"):
        registry.fire(certification.id, "decertify", actor=OFFICE, note="  ")
    registry.fire(certification.id, "decertify", actor=OFFICE,
                  note="the steering group no longer has a company majority")
    assert _case(registry, "college-lifecycle").state == "certification_ended"
    assert registry.status(COLLEGE).certified is False


def test_a_recertification_in_review_keeps_the_unit_certified_and_continues_the_period(
    demo: tuple[tc.Registry, tc.FixedClock],
) -> None:
    registry, clock = demo
    certification = _case(registry, "certification")
    period = certification.certifications[-1]  # period 2: 2026-02-15 .. 2031-02-14
    clock.set(date(2030, 8, 15))
    assert (certification.id, "open_recertification") in registry.tick().fired
    documents = tuple(tc.Document(k, k.value, date(2030, 9, 1)) for k in tc.DocumentKind)
    clock.set(date(2030, 9, 1))
    registry.add(tc.Application("app-3", certification.id, date(2030, 9, 1), documents,
                                steering_group_approved_on=date(2030, 9, 1)),
                                actor=ADMIN)
    registry.fire(certification.id, "submit_application", actor=LEADER)
    registry.fire(certification.id, "start_review", actor=OFFICE)
    # The old period ends while the review goes on; the sweep runs on every day after.
    for day in (date(2031, 2, 15), date(2031, 2, 16), date(2031, 6, 1)):
        clock.set(day)
        registry.tick()
    assert registry.case(certification.id).state == "in_review"
    status = registry.status(COLLEGE, on=date(2031, 6, 1))
    assert status.certified and status.grace and status.period == period
    assert _case(registry, "college-lifecycle").state == "ordinary_operation"
    # Approved long after the old period ended: the next period follows the old one
    # without a gap (the engine's own step, guards aside: they are tested elsewhere).
    flow = registry.workflows["certification"]
    case = registry.case(certification.id)
    case.state = "protocol_issued"
    flow.move(case, "approve", clock.now(), {"decided_on": "2031-06-01"})
    renewed = case.certifications[-1]
    assert (renewed.number, renewed.valid_from) == (3, date(2031, 2, 15))
    assert renewed.valid_until == date(2036, 2, 14)  # five years
