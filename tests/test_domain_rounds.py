"""Review rounds: a recertification is reviewed with a visit of its own, and only the
judgements of its own round count (review of issue 16, gap 1)."""

from __future__ import annotations

from datetime import date

import pytest
from walks import (
    ADMIN,
    LEADER,
    OFFICE,
    REVIEWER,
    certified,
    file_follow_up,
    judge,
    stockholm,
    visit,
)

import teknikcollege as tc
from teknikcollege.workflow.core import review_round


@pytest.fixture
def recertification() -> tuple[tc.Registry, tc.FixedClock, str]:
    """The college certified on 2024-10-01, its follow-up of 2024–2026 on record, and
    its recertification handed in and in review on 2027-06-01."""
    registry, clock = stockholm(date(2024, 9, 1))
    case = certified(registry, clock)
    for year in (2024, 2025, 2026):
        clock.set(date(year + 1, 2, 15))
        file_follow_up(registry, year)
    clock.set(date(2027, 4, 1))
    registry.tick()
    assert registry.case(case).state == "recertification_open"
    clock.set(date(2027, 6, 1))
    documents = tuple(tc.Document(k, k.value, date(2027, 6, 1)) for k in tc.DocumentKind)
    registry.add(
        tc.Application("app-2", case, date(2027, 6, 1), documents, date(2027, 6, 1)), actor=ADMIN
    )
    registry.fire(case, "submit_application", actor=LEADER)
    registry.fire(case, "start_review", actor=OFFICE)
    return registry, clock, case


def test_the_round_is_counted_from_the_certifications() -> None:
    registry, clock = stockholm(date(2024, 9, 1))
    case = certified(registry, clock)
    assert review_round(registry.case(case)) == 1  # certified: the round it went through
    college = registry.get(tc.College, "stockholm")
    found = {f.rule_id: f for f in registry.assess(college).findings}
    assert found["industry-skills-needs"].data["judgement"] == "j1-industry-skills-needs"
    clock.set(date(2027, 4, 1))
    registry.tick()
    assert review_round(registry.case(case)) == 1  # open, not yet handed in


def test_a_recertification_needs_a_visit_of_its_own_round(
    recertification: tuple[tc.Registry, tc.FixedClock, str],
) -> None:
    registry, clock, case = recertification
    assert review_round(registry.case(case)) == 2
    clock.set(date(2027, 6, 20))
    with pytest.raises(tc.TransitionNotAllowed) as refused:
        registry.fire(case, "hold_visit", actor=REVIEWER)
    assert "no review visit of review round 2 is recorded (recorded: visit-1 (1))" in str(
        refused.value
    )
    visit(registry, case, "visit-2", date(2027, 6, 20), round=2)
    record = registry.fire(case, "hold_visit", actor=REVIEWER)
    assert record.findings[0].data["visit"] == "visit-2"
    assert registry.case(case).deadlines["protocol_due"] == date(2027, 7, 20)


def test_round_1_judgements_do_not_count_in_round_2(
    recertification: tuple[tc.Registry, tc.FixedClock, str],
) -> None:
    registry, clock, case = recertification
    clock.set(date(2027, 6, 20))
    visit(registry, case, "visit-2", date(2027, 6, 20), round=2)
    registry.fire(case, "hold_visit", actor=REVIEWER)
    clock.set(date(2027, 7, 1))
    registry.fire(case, "issue_protocol", actor=REVIEWER)
    # The round-1 judgements of 2024-09-10 are valid for 36 months, to 2027-09-09: still
    # valid on 2027-07-01, but of the first round.
    college = registry.get(tc.College, "stockholm")
    assert registry.get(tc.Judgement, "j1-industry-skills-needs").is_valid_on(date(2027, 7, 1))
    with pytest.raises(tc.TransitionNotAllowed) as refused:
        registry.fire(case, "approve", actor=OFFICE)
    assert "industry-skills-needs" in str(refused.value)
    assessment = {f.rule_id: f for f in registry.assess(college).findings}
    assert assessment["industry-skills-needs"].status is tc.Status.NEEDS_JUDGEMENT
    assert assessment["industry-skills-needs"].data["not_counted"] == [
        "j1-industry-skills-needs"]
    # A judgement recorded without a round gets the case's current one (2).
    judge(registry, "j2", date(2027, 7, 1))
    stored = registry.get(tc.Judgement, "j2-industry-skills-needs")
    assert stored.round == 2
    record = registry.fire(case, "approve", actor=OFFICE)
    assert record.dest == "certified"
    second = registry.case(case).certifications[-1]
    assert (second.number, second.valid_from, second.valid_until) == (
        2, date(2027, 10, 1), date(2032, 9, 30))


def test_a_judgement_must_fit_its_visit_and_its_day() -> None:
    registry, clock = stockholm(date(2024, 9, 1))
    case = certified(registry, clock)
    clock.set(date(2024, 10, 12))

    def record(**changes: object) -> None:
        fields: dict[str, object] = {
            "id": "j", "rule_id": "industry-skills-needs", "subject_id": "stockholm",
            "reviewer_id": "p-reviewer", "decided": date(2024, 10, 12),
            "outcome": tc.Outcome.PASSED, "evidence": "seen", **changes,
        }
        registry.record_judgement(tc.Judgement(**fields), actor=REVIEWER)  # type: ignore[arg-type]

    with pytest.raises(tc.InvalidData, match="review visit 'no-such-visit' does not exist"):
        record(visit_id="no-such-visit", round=7)
    with pytest.raises(tc.InvalidData, match="visit 'visit-1' belongs to review round 1"):
        record(visit_id="visit-1", round=7)
    with pytest.raises(tc.InvalidData, match=r"decided: 2030-01-01 lies after the day it is "
                                             r"recorded \(2024-10-12\)"):
        record(decided=date(2030, 1, 1))
    with pytest.raises(tc.InvalidData, match="lies before visit 'visit-1' was held"):
        record(visit_id="visit-1", decided=date(2024, 9, 9))
    with pytest.raises(tc.InvalidData, match=r"visit 'visit-1' reviewed college:stockholm, "
                                             r"not 'cnc-operator'"):
        record(visit_id="visit-1", subject_id="cnc-operator", rule_id="programmes-dimensioning")
    assert registry.find(tc.Judgement, id="j") == []
    assert case


def test_a_reviewer_outside_every_pool_is_refused_and_never_counts() -> None:
    registry, _clock = stockholm(date(2024, 9, 1))
    registry.add(tc.Person("p-outsider", "Ut Sider", frozenset({tc.Role.REVIEWER})),
                 actor=ADMIN)
    outsider = tc.Actor.of("p-outsider", tc.Role.REVIEWER)
    judgement = tc.Judgement("j-out", "learning-environment", "stockholm", "p-outsider",
                             date(2024, 9, 1), tc.Outcome.PASSED, "seen")
    with pytest.raises(tc.PermissionDenied,
                       match="the reviewer is in no reviewer pool valid on 2024-09-01"):
        registry.record_judgement(judgement, actor=outsider)
    # Stored another way (by the administrator), it is not counted.
    registry.add(judgement, actor=ADMIN)
    found = {f.rule_id: f for f in registry.assess(registry.get(tc.College, "stockholm")).findings}
    assert found["learning-environment"].status is tc.Status.NEEDS_JUDGEMENT
    assert found["learning-environment"].data["not_counted"] == ["j-out"]
    assert "not counted: j-out" in found["learning-environment"].message.en
