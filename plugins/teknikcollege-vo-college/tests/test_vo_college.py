from __future__ import annotations

from datetime import date

import attrs
import pytest

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.storage import MemoryStorage
from teknikcollege.testing import seed
from teknikcollege_vo_college import CONCEPT, VO_BRANCH_AREA, VO_CERTIFICATION, plugin

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes

DAY = date(2024, 1, 1)


@pytest.fixture
def registry() -> tc.Registry:
    pm = tc.make_plugin_manager(plugins=[plugin], entry_points=False)
    reg = tc.Registry(
        MemoryStorage(), clock=tc.FixedClock(DAY), plugin_manager=pm, config={}, concept=CONCEPT
    )
    bundle = stockholm_pilot()
    college = bundle.colleges[0]
    employers = tc.SteeringGroup(
        "vo",
        "Styrgrupp VO",
        tc.GroupLevel.REGIONAL,
        (
            tc.Member("e1", tc.Sector.EMPLOYER),
            tc.Member("e2", tc.Sector.EMPLOYER),
            tc.Member("u1", tc.Sector.UNION),
        ),
        chair="e1",
    )
    collab = attrs.evolve(college.agreements[0], parties=("region-stockholm",))
    college = attrs.evolve(
        college,
        steering_group=employers,
        local_colleges=(),
        agreements=(collab, *college.agreements[1:]),
    )
    care = tuple(attrs.evolve(p, branch_areas=(VO_BRANCH_AREA,)) for p in bundle.programmes)
    seed(reg, *bundle.organisations, *bundle.people, college, *care)
    return reg


def findings(registry: tc.Registry) -> dict[str, tc.Finding]:
    college = registry.get(tc.College, "stockholm")
    return {f.rule_id: f for f in registry.assess(college).findings}


def test_the_vo_rule_set_replaces_the_national_one(registry: tc.Registry) -> None:
    found = findings(registry)
    assert list(found) == [
        "vo-regional-collaboration",
        "vo-organisation-governance",
        "vo-programmes",
        "vo-workplace-learning",
        "vo-collective-agreements",
    ]
    assert all(f.passed for k, f in found.items() if k != "vo-collective-agreements")
    assert found["vo-collective-agreements"].status is tc.Status.NEEDS_JUDGEMENT
    assert "employers in majority" in found["vo-organisation-governance"].message.en


def test_company_majority_is_not_enough_for_vo(registry: tc.Registry) -> None:
    college = registry.get(tc.College, "stockholm")
    companies = tc.SteeringGroup(
        "c",
        "Styrgrupp",
        tc.GroupLevel.REGIONAL,
        (
            tc.Member("c1", tc.Sector.COMPANY),
            tc.Member("c2", tc.Sector.COMPANY),
            tc.Member("e1", tc.Sector.EMPLOYER),
        ),
        chair="c1",
    )
    registry.save(attrs.evolve(college, steering_group=companies), actor=ADMIN)
    finding = findings(registry)["vo-organisation-governance"]
    assert not finding.passed
    assert "1 of 3 members represent employers; a majority needs 2" in finding.message.en


def test_a_region_must_be_party(registry: tc.Registry) -> None:
    college = registry.get(tc.College, "stockholm")
    collab = attrs.evolve(college.agreements[0], parties=())
    registry.save(attrs.evolve(college, agreements=(collab, *college.agreements[1:])), actor=ADMIN)
    finding = findings(registry)["vo-regional-collaboration"]
    assert finding.message.en == "no region is a party to the collaboration agreement"


def test_the_reapplication_is_due_three_months_before_expiry() -> None:
    flow = tc.workflow.Workflow(VO_CERTIFICATION)
    at = tc.clock.as_datetime
    case = flow.new_case("c", tc.UnitRef(tc.UnitKind.COLLEGE, "c"), "c", at(DAY))
    for trigger in (
        "approve_interest",
        "submit_application",
        "start_review",
        "hold_visit",
        "issue_protocol",
        "approve",
    ):
        flow.apply(case, trigger, at(DAY))
    assert case.deadlines["valid_until"] == date(2026, 12, 31)
    # A deadline, not an opening date: recertification opens before it.
    assert case.deadlines["reapplication_due"] == date(2026, 10, 1)
    assert case.deadlines["recertification_opens"] == date(2026, 7, 1)
    reminded = [
        key
        for r, key in flow.due_reminders(case, at(date(2026, 9, 1)))
        if r.name == "reapplication_due"
    ]
    assert reminded == ["reapplication_due:2026-10-01"]
    case.reminders_sent.extend(reminded)
    late = [r.name for r, _ in flow.due_reminders(case, at(date(2026, 10, 2)))]
    assert "reapplication_overdue" in late
    flow.apply(case, "open_recertification", at(date(2026, 7, 1)))
    flow.apply(case, "submit_application", at(date(2026, 9, 15)))
    assert "reapplication_due" not in case.deadlines


def test_programmes_are_judged_by_vo_rules_not_the_40_week_rule(registry: tc.Registry) -> None:
    short = tc.Programme(
        "usk",
        "Undersköterska",
        tc.ProgrammeForm.VOCATIONAL_ADULT,
        30,
        "lernia",
        "stockholm",
        branch_areas=(VO_BRANCH_AREA,),
    )
    welding = tc.Programme(
        "svets",
        "Svetsare",
        tc.ProgrammeForm.VOCATIONAL_ADULT,
        40,
        "lernia",
        "stockholm",
        branch_areas=("industry",),
    )
    found = {
        p.id: next(f for f in registry.assess(p).findings if f.rule_id == "vo-programmes")
        for p in (short, welding)
    }
    assert found["usk"].passed  # 30 weeks is no obstacle here
    assert not found["svets"].passed
    assert "not a health and social care programme" in found["svets"].message.en


def test_installed_beside_teknikcollege_it_judges_nothing_of_teknikcollege() -> None:
    pm = tc.make_plugin_manager(plugins=[plugin], entry_points=False)
    reg = tc.Registry(MemoryStorage(), clock=tc.FixedClock(DAY), plugin_manager=pm, config={})
    seed(reg, *stockholm_pilot().entities())
    ids = [f.rule_id for f in reg.assess(reg.get(tc.College, "stockholm")).findings]
    assert len(ids) == 8 and not any(i.startswith("vo-") for i in ids)


def test_discovered_through_its_entry_point() -> None:
    info = {p.name: p for p in tc.make_plugin_manager().info()}
    assert info["vo-college"].distribution == "teknikcollege-vo-college"
