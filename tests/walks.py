"""Walks of the Stockholm example through the certification process, shared by tests.

The college's first certification: interest, application and review on 2024-09-01, the
visit held on 2024-09-10 with the three judgements a reviewer makes, the protocol and
the decision on 2024-10-01 (certified 2024-10-01 – 2027-09-30).
"""

from __future__ import annotations

from datetime import date

import attrs

import teknikcollege as tc
from teknikcollege.examples import REVIEWER_POOL, stockholm_pilot
from teknikcollege.models import (
    ObligationKind,
    OperationalPlan,
    ReportLevel,
    obligations,
)
from teknikcollege.testing import seed

ADMIN = tc.Actor.of("admin")
LEADER = tc.Actor.of("p-leader", tc.Role.PROCESS_LEADER)
OFFICE = tc.Actor.of("p-office", tc.Role.NATIONAL_OFFICE)
REVIEWER = tc.Actor.of("p-reviewer", tc.Role.REVIEWER)
COLLEGE = tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm")
JUDGED = ("industry-skills-needs", "learning-environment", "education-within-tc")
"""The criteria of a college only a reviewer decides."""


def stockholm(day: date, *plugins: object) -> tuple[tc.Registry, tc.FixedClock]:
    """A memory registry holding the Stockholm example, its clock at `day`."""
    clock = tc.FixedClock(day)
    pm = tc.make_plugin_manager(plugins=list(plugins), entry_points=False)
    registry = tc.Registry.open("memory:", clock=clock, config={}, plugin_manager=pm)
    seed(registry, *stockholm_pilot().entities())
    return registry, clock


def in_review(registry: tc.Registry, day: date = date(2024, 9, 1)) -> str:
    """The college's certification case, opened and in review on `day` (the clock's)."""
    registry.add(
        tc.InterestRegistration(
            "ir", tc.InterestKind.CERTIFICATION, "stockholm", "region-stockholm", day,
            units=(COLLEGE,), contact_person_id="p-leader", steering_group_approved=True,
        ),
        actor=ADMIN,
    )
    case = registry.open_case("certification", COLLEGE, actor=LEADER).id
    documents = tuple(tc.Document(k, k.value, day) for k in tc.DocumentKind)
    registry.add(tc.Application("app", case, day, documents, day), actor=ADMIN)
    for trigger, actor in [
        ("approve_interest", OFFICE),
        ("submit_application", LEADER),
        ("start_review", OFFICE),
    ]:
        registry.fire(case, trigger, actor=actor)
    return case


def visit(registry: tc.Registry, case: str, id: str, held: date, round: int = 1) -> None:
    """A visit of two reviewers of the example's pool and the national office."""
    registry.add(
        tc.ReviewVisit(
            id, case, held, ("p-reviewer", "p-reviewer-2"), national_office_id="p-office",
            pool_id=REVIEWER_POOL, round=round,
        ),
        actor=ADMIN,
    )


def judge(registry: tc.Registry, prefix: str, day: date, **tied: object) -> None:
    """The reviewer's three judgements on the college, passed on `day`."""
    for rule_id in JUDGED:
        registry.record_judgement(
            tc.Judgement(
                f"{prefix}-{rule_id}", rule_id, "stockholm", "p-reviewer", day,
                tc.Outcome.PASSED, "seen during the visit", **tied,  # type: ignore[arg-type]
            ),
            actor=REVIEWER,
        )


def certified(registry: tc.Registry, clock: tc.FixedClock) -> str:
    """The college certified on 2024-10-01 (for 2024-10-01 – 2027-09-30)."""
    clock.set(date(2024, 9, 1))
    case = in_review(registry)
    clock.set(date(2024, 9, 10))
    visit(registry, case, "visit-1", date(2024, 9, 10))
    judge(registry, "j1", date(2024, 9, 10), visit_id="visit-1")
    registry.fire(case, "hold_visit", actor=REVIEWER)
    clock.set(date(2024, 10, 1))
    registry.fire(case, "issue_protocol", actor=REVIEWER)
    registry.fire(case, "approve", actor=OFFICE)
    return case


def file_follow_up(registry: tc.Registry, year: int, index: float = 75.0) -> None:
    """Everything the yearly follow-up of `year` asks of the college, filed on 15 January
    (the plan) and 15 February (the rest) of the next year; `index` is the region's."""
    college = registry.get(tc.College, "stockholm")
    filed = date(year + 1, 2, 15)
    records: list[object] = []
    for item in obligations(college, year, registry):
        if item.met:
            continue
        key = f"{item.kind.value}-{year}-{item.unit}"
        if item.kind is ObligationKind.OPERATIONAL_PLAN:
            records.append(OperationalPlan(key, "stockholm", year, date(year, 1, 15)))
        elif item.kind is ObligationKind.REGIONAL_REPORT:
            records.append(tc.AnnualReport(key, "stockholm", year, ReportLevel.REGIONAL, filed))
        elif item.kind is ObligationKind.NATIONAL_REPORT:
            records.append(tc.AnnualReport(key, "stockholm", year, ReportLevel.NATIONAL, filed))
        elif item.kind is ObligationKind.LOCAL_REPORT:
            records.append(
                tc.AnnualReport(
                    key, "stockholm", year, ReportLevel.LOCAL, filed, local_college_id=item.unit
                )
            )
        elif item.kind is ObligationKind.PROVIDER_SURVEY:
            records.append(
                tc.SatisfactionSurvey(
                    key, "stockholm", year, 5, 2, 20, index, level=ReportLevel.PROVIDER,
                    provider_id=item.unit,
                )
            )
        else:
            records.append(tc.SatisfactionSurvey(key, "stockholm", year, 10, 4, 40, index))
    # The next year's plan is adopted as the year's reports are written.
    if not any(p.year == year + 1 for p in registry.find(OperationalPlan, college_id="stockholm")):
        records.append(OperationalPlan(f"plan-{year + 1}", "stockholm", year + 1, filed))
    registry.add(*records, actor=ADMIN)


PROVIDERS = (tc.UnitRef(tc.UnitKind.PROVIDER, "lernia"), tc.UnitRef(tc.UnitKind.PROVIDER, "mtk"))
PROGRAMMES = (
    tc.UnitRef(tc.UnitKind.PROGRAMME, "industriteknik-bas"),
    tc.UnitRef(tc.UnitKind.PROGRAMME, "cnc-operator"),
)


def to_review(
    registry: tc.Registry, case: str, unit: tc.UnitRef, day: date, *, application: str
) -> None:
    """`case`, of `unit`, from its interest into review on `day`: its application (id
    `application`), the visit ``visit-<unit id>`` held that day, and the steps there."""
    documents = tuple(tc.Document(k, k.value, day) for k in tc.DocumentKind)
    registry.add(tc.Application(application, case, day, documents, day), actor=ADMIN)
    visit(registry, case, f"visit-{unit.id}", day)
    for trigger, actor in [
        ("approve_interest", OFFICE),
        ("submit_application", LEADER),
        ("start_review", OFFICE),
    ]:
        registry.fire(case, trigger, actor=actor)


def judge_provider(registry: tc.Registry, provider: tc.UnitRef, day: date) -> None:
    """The reviewer's passed judgement of `provider` on its visit (``visit-<id>``)."""
    registry.record_judgement(
        tc.Judgement(
            f"j-{provider.id}", "provider-quality-work", provider.id, "p-reviewer", day,
            tc.Outcome.PASSED, "quality work with the steering group",
            visit_id=f"visit-{provider.id}",
        ),
        actor=REVIEWER,
    )


def certify_tree(registry: tc.Registry, clock: tc.FixedClock, day: date) -> dict[tc.UnitRef, str]:
    """The college, its providers and its two pilot programmes, each through interest,
    application, a visit held on `day`, judgements and the protocol, then approved down
    the tree the same day; returns each unit's case."""
    clock.set(day)
    units = (COLLEGE, *PROVIDERS, *PROGRAMMES)
    registry.add(
        tc.InterestRegistration(
            "ir-tree", tc.InterestKind.CERTIFICATION, "stockholm", "region-stockholm", day,
            units=units, contact_person_id="p-leader", steering_group_approved=True,
        ),
        actor=ADMIN,
    )
    cases = {
        unit: registry.open_case("certification", unit, actor=LEADER, college_id="stockholm").id
        for unit in units
    }
    for unit, case in cases.items():
        to_review(registry, case, unit, day, application=f"app-{unit.id}")
    judge(registry, "j-college", day, visit_id=f"visit-{COLLEGE.id}")
    for provider in PROVIDERS:
        judge_provider(registry, provider, day)
    for case in cases.values():
        registry.fire(case, "hold_visit", actor=REVIEWER)
        registry.fire(case, "issue_protocol", actor=REVIEWER)
    return cases


def uppsala() -> tc.College:
    """A second, bare college: Teknikcollege Uppsala, led by ``p-upp`` (add that person
    beside it), with no steering group, agreements or pilot of its own."""
    return attrs.evolve(
        stockholm_pilot().colleges[0],
        id="uppsala",
        name="Teknikcollege Uppsala",
        county_code="03",
        municipalities=("0380",),
        process_leaders=("p-upp",),
        steering_group=None,
        local_colleges=(),
        agreements=(),
        funding=(),
        pilot=None,
    )
