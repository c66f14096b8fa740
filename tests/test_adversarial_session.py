"""Holes found by an adversarial session on the history order, decided rounds and the
answer to a certification interest (see the commit messages)."""

from __future__ import annotations

from datetime import date

import attrs
import pytest
import walks
from walks import ADMIN, COLLEGE, LEADER, OFFICE, REVIEWER

import teknikcollege as tc


def _approved_tree(day: date) -> tuple[tc.Registry, tc.FixedClock]:
    """Stockholm with its college, programmes and providers approved on `day`."""
    registry, clock = walks.stockholm(day)
    for case in walks.certify_tree(registry, clock, day).values():
        registry.fire(case, "approve", actor=OFFICE)
    return registry, clock


def test_a_providers_judgement_without_a_visit_is_refused_once_its_round_is_decided() -> None:
    # Counted in round 1 of the provider's case (it names no visit), dated on the day of
    # the approval, it would decide the approval differently when the export replays.
    day = date(2024, 9, 1)
    registry, _clock = _approved_tree(day)
    late = tc.Judgement(
        "z-late", "provider-quality-work", "lernia", "p-reviewer", day, tc.Outcome.FAILED, "late"
    )
    with pytest.raises(tc.InvalidData, match="has been decided"):
        registry.record_judgement(late, actor=REVIEWER)
    with pytest.raises(tc.InvalidData, match="has been decided"):
        registry.add(late, actor=ADMIN)


def test_a_provider_judgement_for_a_later_case_is_still_taken() -> None:
    registry, clock = _approved_tree(date(2024, 9, 1))
    clock.set(date(2024, 11, 1))  # after the round was decided: it cannot count for it
    later = tc.Judgement(
        "z-later",
        "provider-quality-work",
        "lernia",
        "p-reviewer",
        date(2024, 11, 1),
        tc.Outcome.PASSED,
        "seen again",
    )
    registry.record_judgement(later, actor=REVIEWER)
    assert registry.get(tc.Judgement, "z-later") == later


def test_a_participation_interest_turned_into_certification_brings_no_approval() -> None:
    day = date(2024, 9, 1)
    registry, _clock = walks.stockholm(day)
    participation = tc.InterestRegistration(
        "ir-p",
        tc.InterestKind.PARTICIPATION,
        "stockholm",
        "region-stockholm",
        day,
        outcome=tc.InterestOutcome.APPROVED,
        decided=day,
    )
    registry.add(participation, actor=LEADER)  # its college answers a participation
    certification = attrs.evolve(
        participation,
        kind=tc.InterestKind.CERTIFICATION,
        units=(COLLEGE,),
        contact_person_id="p-leader",
        steering_group_approved=True,
    )
    with pytest.raises(tc.PermissionDenied):
        registry.save(certification, actor=LEADER)
    assert registry.get(tc.InterestRegistration, "ir-p").kind is tc.InterestKind.PARTICIPATION


def test_an_administrator_who_leads_the_college_does_not_answer_its_interest() -> None:
    day = date(2024, 9, 1)
    registry, _clock = walks.stockholm(day)
    leader = registry.get(tc.Person, "p-leader")
    registry.save(attrs.evolve(leader, roles=leader.roles | {tc.Role.ADMIN}), actor=ADMIN)
    both = tc.Actor.of("p-leader", tc.Role.ADMIN)
    interest = tc.InterestRegistration(
        "ir",
        tc.InterestKind.CERTIFICATION,
        "stockholm",
        "region-stockholm",
        day,
        units=(COLLEGE,),
        contact_person_id="p-leader",
        steering_group_approved=True,
    )
    registry.add(interest, actor=both)  # registering it is the college's own
    approved = attrs.evolve(interest, outcome=tc.InterestOutcome.APPROVED, decided=day)
    with pytest.raises(tc.PermissionDenied, match="leads the college"):
        registry.save(approved, actor=both)
    registry.save(approved, actor=ADMIN)  # an impartial administrator may
