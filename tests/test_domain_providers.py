"""Providers as units of their own: their criteria, one open case per provider and
college, programmes run by several providers in a local college (issue 16)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

import teknikcollege as tc
from teknikcollege.examples import REVIEWER_POOL, stockholm_pilot
from teknikcollege.models import Provider
from teknikcollege.rules.criteria.provider import CRITERION_IDS, unit_criteria
from teknikcollege.testing import seed

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes

LEADER = tc.Actor.of("p-leader", tc.Role.PROCESS_LEADER)
OFFICE = tc.Actor.of("p-office", tc.Role.NATIONAL_OFFICE)
REVIEWER = tc.Actor.of("p-reviewer", tc.Role.REVIEWER)
LERNIA = tc.UnitRef(tc.UnitKind.PROVIDER, "lernia")


def uppsala() -> tc.College:
    """A second region where Lernia works too."""
    return tc.College(
        "uppsala",
        "Teknikcollege Uppsala län",
        "03",
        ("0380", "0381", "0382"),
        process_leaders=("p-upp",),
        local_colleges=(
            tc.LocalCollege("enkoping", "Enköping", ("0381",), provider_ids=("lernia",)),
        ),
    )


@pytest.fixture
def registry() -> Iterator[tc.Registry]:
    clock = tc.FixedClock(date(2024, 3, 1))
    with tc.Registry.open("memory:", clock=clock, config={}) as registry:
        seed(registry, *stockholm_pilot().entities(), tc.Person("p-upp", "Uma Uppsala"), uppsala())
        yield registry


def test_lernia_has_an_open_case_in_each_of_two_regions(registry: tc.Registry) -> None:
    stockholm = registry.open_case("certification", LERNIA, actor=LEADER, college_id="stockholm")
    uppsala_case = registry.open_case(
        "certification", LERNIA, actor=tc.Actor.of("p-upp"), college_id="uppsala"
    )
    assert (stockholm.college_id, uppsala_case.college_id) == ("stockholm", "uppsala")
    with pytest.raises(tc.CaseExists):
        registry.open_case("certification", LERNIA, actor=LEADER, college_id="stockholm")


def test_a_provider_is_judged_by_criteria_of_its_own(registry: tc.Registry) -> None:
    lernia = registry.get(tc.Organisation, "lernia")
    in_stockholm = registry.assess(Provider(lernia, "stockholm"))
    assert [f.rule_id for f in in_stockholm.findings] == [
        "provider-local-college",
        "provider-letters-of-intent",
        "provider-programmes",
        "provider-quality-work",
    ]
    statuses = {f.rule_id: f.status.value for f in in_stockholm.findings}
    assert statuses == {
        "provider-local-college": "passed",
        "provider-letters-of-intent": "passed",
        "provider-programmes": "passed",
        "provider-quality-work": "needs_judgement",
    }
    # In Uppsala Lernia has a local college but no letter of intent and no programme.
    in_uppsala = {
        f.rule_id: f.status.value for f in registry.assess(Provider(lernia, "uppsala")).findings
    }
    assert in_uppsala["provider-local-college"] == "passed"
    assert in_uppsala["provider-letters-of-intent"] == "failed"
    assert in_uppsala["provider-programmes"] == "failed"


def test_a_provider_is_never_certified_against_zero_criteria() -> None:
    clock = tc.FixedClock(date(2024, 3, 1))
    with tc.Registry.open(
        "memory:", clock=clock, config={}, criteria_sets=["teknikcollege-national"]
    ) as registry:
        seed(registry, *stockholm_pilot().entities())
        case = _provider_reaches_decision(registry)
        with pytest.raises(
            tc.TransitionNotAllowed, match="no criteria in force apply to provider:lernia"
        ):
            registry.fire(case, "approve", actor=OFFICE)


def _to_decision(registry: tc.Registry, case: str) -> None:
    """Walk a case from its interest registration to the protocol: the decision is next."""
    for trigger, actor in [("approve_interest", OFFICE), ("submit_application", LEADER),
                           ("start_review", OFFICE), ("hold_visit", REVIEWER),
                           ("issue_protocol", REVIEWER)]:
        registry.fire(case, trigger, actor=actor)


def _certify_college(registry: tc.Registry) -> None:
    """Stockholm's own first certification, the parent a provider is certified within."""
    college = tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm")
    case = registry.open_case("certification", college, actor=LEADER).id
    day = date(2024, 1, 10)
    registry.add(tc.InterestRegistration("ir-stockholm", tc.InterestKind.CERTIFICATION,
                                         "stockholm", "region-stockholm", day, units=(college,),
                                         contact_person_id="p-leader",
                                         steering_group_approved=True), actor=ADMIN)
    documents = tuple(tc.Document(k, k.value, day) for k in tc.DocumentKind)
    registry.add(tc.Application("app-stockholm", case, day, documents, day),
                 tc.ReviewVisit("visit-stockholm", case, date(2024, 3, 1),
                                ("p-reviewer", "p-reviewer-2"), national_office_id="p-office",
                                pool_id=REVIEWER_POOL),
                 actor=ADMIN)
    for rule in ("industry-skills-needs", "learning-environment", "education-within-tc"):
        registry.record_judgement(
            tc.Judgement(f"j-{rule}", rule, "stockholm", "p-reviewer", date(2024, 3, 1),
                         tc.Outcome.PASSED, "seen on the visit"), actor=REVIEWER)
    _to_decision(registry, case)
    registry.fire(case, "approve", actor=OFFICE)


def _provider_reaches_decision(registry: tc.Registry) -> str:
    registry.add(
        tc.InterestRegistration(
            "ir-lernia",
            tc.InterestKind.CERTIFICATION,
            "stockholm",
            "lernia",
            date(2024, 1, 10),
            units=(LERNIA,),
            contact_person_id="p-lernia",
            steering_group_approved=True,
        ),
        actor=ADMIN,
    )
    case = registry.open_case("certification", LERNIA, actor=LEADER, college_id="stockholm").id
    registry.add(
        tc.Application(
            "app-lernia",
            case,
            date(2024, 2, 1),
            (
                tc.Document(
                    tc.DocumentKind.SELF_ASSESSMENT_LOCAL, "Självskattning Lernia", date(2024, 2, 1)
                ),
            ),
            date(2024, 2, 1),
        ),
        tc.ReviewVisit(
            "visit-lernia",
            case,
            date(2024, 3, 1),
            ("p-reviewer", "p-reviewer-2"),
            national_office_id="p-office",
            pool_id=REVIEWER_POOL,
        ),
        actor=ADMIN,
    )
    _to_decision(registry, case)
    return case


def test_a_provider_is_certified_once_its_criteria_pass(registry: tc.Registry) -> None:
    case = _provider_reaches_decision(registry)
    with pytest.raises(tc.TransitionNotAllowed, match="provider-quality-work"):
        registry.fire(case, "approve", actor=OFFICE)
    registry.record_judgement(
        tc.Judgement(
            "j-lernia",
            "provider-quality-work",
            "lernia",
            "p-reviewer",
            date(2024, 3, 1),
            tc.Outcome.PASSED,
            "self-assessment discussed with the local steering group",
        ),
        actor=REVIEWER,
    )
    # Its criteria pass, but a provider is certified only within a certified college.
    with pytest.raises(tc.TransitionNotAllowed, match=r"no certified parent unit \(college"):
        registry.fire(case, "approve", actor=OFFICE)
    _certify_college(registry)
    record = registry.fire(case, "approve", actor=OFFICE)
    assert record.dest == "certified"
    assert record.findings[0].message.en == "all 4 criteria passed"
    lernia = registry.status(LERNIA, college_id="stockholm")
    assert lernia.certified and lernia.uncertified_parents == ()


def test_a_programme_run_by_two_providers_of_its_local_college(registry: tc.Registry) -> None:
    joint = tc.Programme(
        "automation",
        "Automationstekniker",
        tc.ProgrammeForm.VOCATIONAL_ADULT,
        40,
        "lernia",
        "stockholm",
        other_provider_ids=("mtk",),
        local_college_id="sodertorn",
    )
    assert joint.providers() == ("lernia", "mtk")
    registry.add(joint, actor=ADMIN)
    finding = next(f for f in registry.assess(joint).findings if f.rule_id == "programme-providers")
    assert finding.passed, finding.message.en
    assert finding.message.en == "run by 2 providers of Teknikcollege Södertörn"
    # MTK does not work in Järfälla's local college.
    north = tc.Programme(
        "automation-north",
        "Automation Järfälla",
        tc.ProgrammeForm.VOCATIONAL_ADULT,
        40,
        "lernia",
        "stockholm",
        other_provider_ids=("mtk",),
        local_college_id="jarfalla",
    )
    registry.add(north, actor=ADMIN)
    finding = next(f for f in registry.assess(north).findings if f.rule_id == "programme-providers")
    assert not finding.passed
    assert "'mtk' does not work in Teknikcollege Järfälla" in finding.message.en
    # Both providers count: MTK runs the joint programme as well as its own.
    mtk = registry.get(tc.Organisation, "mtk")
    data = next(
        f
        for f in registry.assess(Provider(mtk, "stockholm")).findings
        if f.rule_id == "provider-programmes"
    ).data
    assert data["programmes"] == 3


def test_a_programme_lists_each_provider_once() -> None:
    with pytest.raises(tc.InvalidData, match="other_provider_ids"):
        tc.Programme(
            "p",
            "P",
            tc.ProgrammeForm.VOCATIONAL_ADULT,
            40,
            "lernia",
            "stockholm",
            other_provider_ids=("lernia",),
        )


def test_the_unit_criteria_have_stable_ids() -> None:
    assert tuple(r.id for r in unit_criteria()) == CRITERION_IDS
    assert all(r.rule_set == "teknikcollege-units" for r in unit_criteria())


def test_a_programme_waits_for_its_provider_and_falls_with_its_college(
    registry: tc.Registry,
) -> None:
    """The tree of units: refused at an uncertified provider; certified under a certified
    one; not counted as certified once the college's certification ends."""
    programme = tc.UnitRef(tc.UnitKind.PROGRAMME, "industriteknik-bas")
    registry.add(tc.InterestRegistration(
        "ir-programme", tc.InterestKind.CERTIFICATION, "stockholm", "lernia", date(2024, 1, 10),
        units=(programme,), contact_person_id="p-leader", steering_group_approved=True),
        actor=ADMIN)
    case = registry.open_case("certification", programme, actor=LEADER).id
    day = date(2024, 2, 1)
    documents = tuple(tc.Document(k, k.value, day) for k in tc.DocumentKind)
    registry.add(tc.Application("app-programme", case, day, documents, day),
                 tc.ReviewVisit("visit-programme", case, date(2024, 3, 1),
                                ("p-reviewer", "p-reviewer-2"), national_office_id="p-office",
                                pool_id=REVIEWER_POOL), actor=ADMIN)
    _to_decision(registry, case)
    before = registry.export_document()
    waiting = r"no certified parent unit \(provider:lernia"
    with pytest.raises(tc.TransitionNotAllowed, match=waiting):
        registry.fire(case, "approve", actor=OFFICE)
    assert registry.export_document() == before

    provider = _provider_reaches_decision(registry)
    registry.record_judgement(tc.Judgement(
        "j-lernia", "provider-quality-work", "lernia", "p-reviewer", date(2024, 3, 1),
        tc.Outcome.PASSED, "seen"), actor=REVIEWER)
    _certify_college(registry)
    registry.fire(provider, "approve", actor=OFFICE)
    assert registry.fire(case, "approve", actor=OFFICE).dest == "certified"
    assert registry.status(programme).certified

    college_case = registry.cases(subject=tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"))[0].id
    registry.clock.set(date(2024, 6, 3))  # type: ignore[attr-defined]
    registry.fire(college_case, "decertify", actor=OFFICE, note="the criteria no longer hold")
    after = registry.status(programme)
    assert not after.certified and after.period is not None
    assert after.uncertified_parents == (LERNIA,)
    lernia = registry.status(LERNIA, college_id="stockholm")
    assert not lernia.certified
    assert lernia.uncertified_parents == (tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"),)
    # Before the decision the answer is as it was: status is computed from history.
    assert registry.status(programme, on=date(2024, 3, 1)).certified


@pytest.mark.parametrize(
    ("organisation", "problem"),
    [("scania", r"organisation 'scania' is not an education provider \(it is company\)"),
     ("nobody", "education provider 'nobody' does not exist")],
)
def test_a_provider_case_is_for_an_education_provider_that_exists(
    registry: tc.Registry, organisation: str, problem: str,
) -> None:
    # (review of issue 16, gap 7): the error used to show only at approval.
    with pytest.raises(tc.InvalidData, match=problem):
        registry.open_case("certification", tc.UnitRef(tc.UnitKind.PROVIDER, organisation),
                           actor=LEADER, college_id="stockholm")
    assert registry.cases(subject=tc.UnitRef(tc.UnitKind.PROVIDER, organisation)) == []


def test_a_providers_status_is_per_college(registry: tc.Registry) -> None:
    # Lernia certified in Stockholm, only registered in Uppsala (the review's a12).
    case = _provider_reaches_decision(registry)
    registry.record_judgement(tc.Judgement(
        "j-l", "provider-quality-work", "lernia", "p-reviewer", date(2024, 3, 1),
        tc.Outcome.PASSED, "ok"), actor=REVIEWER)
    _certify_college(registry)
    registry.fire(case, "approve", actor=OFFICE)
    registry.open_case("certification", LERNIA, actor=tc.Actor.of("p-upp"), college_id="uppsala")
    in_stockholm = registry.status(LERNIA, college_id="stockholm")
    in_uppsala = registry.status(LERNIA, college_id="uppsala")
    assert in_stockholm.certified and in_stockholm.period is not None
    assert (in_stockholm.period.valid_from, in_stockholm.period.valid_until) == (
        date(2024, 3, 1), date(2027, 2, 28))
    assert not in_uppsala.certified
    assert [o.state for o in in_uppsala.open_cases] == ["interest_registered"]


def test_a_providers_status_needs_its_college_once_it_has_cases_in_two(
    registry: tc.Registry,
) -> None:
    # (#16, the review's status gap): Lernia certified in Stockholm and registered in
    # Uppsala is not "certified" without saying where.
    case = _provider_reaches_decision(registry)
    registry.record_judgement(tc.Judgement(
        "j-l", "provider-quality-work", "lernia", "p-reviewer", date(2024, 3, 1),
        tc.Outcome.PASSED, "ok"), actor=REVIEWER)
    _certify_college(registry)
    registry.fire(case, "approve", actor=OFFICE)
    # One college: the answer needs no college.
    alone = registry.status(LERNIA)
    assert alone.certified and [o.state for o in alone.open_cases] == ["certified"]
    registry.clock.set(date(2024, 4, 2))  # type: ignore[attr-defined]
    registry.open_case("certification", LERNIA, actor=tc.Actor.of("p-upp"), college_id="uppsala")
    with pytest.raises(tc.CollegeRequired) as asked:
        registry.status(LERNIA)
    assert asked.value.colleges == ("stockholm", "uppsala")
    assert asked.value.message("en") == (
        "college_id: provider:lernia has cases in more than one college (stockholm, uppsala): "
        "name the college to ask about")
    assert isinstance(asked.value, tc.InvalidData)
    # Before the Uppsala case was opened there was one college, and one answer.
    assert registry.status(LERNIA, on=date(2024, 4, 1)).certified
    assert registry.status(LERNIA, college_id="stockholm").certified
    in_uppsala = registry.status(LERNIA, college_id="uppsala")
    assert not in_uppsala.certified
    assert [o.state for o in in_uppsala.open_cases] == ["interest_registered"]
