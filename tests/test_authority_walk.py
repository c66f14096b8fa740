"""Random people with random dated, scoped roles walk every workflow (issue #14).

Two colleges (Stockholm and a second one, Norr, with the same providers) and their
providers and programmes are walked through the Teknikcollege workflows and, in a second
world, through the Vård- och omsorgscollege plug-in's: ``fire`` by people drawn from a
pool (process leaders of one college or the other, steering-group members and chairs,
reviewers in and out of the pool, the national office, administrators and people with no
role at all; some of them working for a partner of a college or for a provider, some
holding a role only for dated appointments), the sweep, judgements, appointments ended
on the day, and export and import round trips: into the store itself, into a fresh store
(and the walk goes on there), an older export into the store, and an older export
restored into a fresh store as a backup (and the walk goes on from there). The clock
moves forwards by random days to random times of day, some after midnight in Stockholm
while it is still the day before in UTC.

The test keeps its own model, computed without the library's authority, status or sweep
code: which transitions committed, by whom, on which Stockholm day, each case's state
and time-rule deadlines, what the sweep must fire and how the college lifecycle follows
the college's certification, and from those alone whether a unit is certified on a day,
in which period and by which decision. After every step the store must hold exactly what
the model expects (so ``system`` records come only from the sweep, or from a policy in
the transaction of the change that called for it), every refusal must be the one the
model predicts from the stored people, and at the end

- every committed transition was allowed by the stored roles on its Stockholm day
  (national roles from the person's record, college roles from the college's records,
  both narrowed by appointments; impartial roles withheld on a conflict of interest);
- every history replays to its stored state, and every chain verifies;
- ``status(unit, on=day)`` equals the model for every unit on the days of the walk:
  every day on which any answer could change (each record's day, each period's first
  day and the day after its last) and the day before each, and every
  ``CHECK_EVERY``-th day besides; ``TEKNIKCOLLEGE_WALK_EVERY_DAY=1`` checks every day.

Some walks begin with colleges and providers certified on the first day (by the
administrator, through the same checks), so that more of them reach renewals.
``TEKNIKCOLLEGE_WALK_EXAMPLES`` sets the number of walks per world (default 20).

What the walk found is shown on its own below, each by a small test.
"""

from __future__ import annotations

import calendar
import contextlib
import copy
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import attrs
import pytest
import walks
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

import teknikcollege as tc
from teknikcollege.examples import REVIEWER_POOL, stockholm_pilot
from teknikcollege.models import ObligationKind, OperationalPlan, obligations
from teknikcollege.services.trust import verify_document
from teknikcollege.storage.memory import MemoryStorage
from teknikcollege.testing import seed
from teknikcollege_vo_college import CONCEPT as VO_CONCEPT
from teknikcollege_vo_college import VO_BRANCH_AREA
from teknikcollege_vo_college import plugin as vo_plugin

Role, Kind = tc.Role, tc.UnitKind
PL, CHAIR, MEMBER = Role.PROCESS_LEADER, Role.CHAIR, Role.MEMBER
OFFICE, REVIEWER, ADMIN_ROLE, SYSTEM = (
    Role.NATIONAL_OFFICE,
    Role.REVIEWER,
    Role.ADMIN,
    Role.SYSTEM,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
START = datetime(2022, 6, 1, 9, 0, tzinfo=timezone.utc)
EPOCH = date(2000, 1, 1)
ADMIN = tc.Actor.of("admin")
A, B = "stockholm", "norr"
POOL_2 = "review-committee-2"

EXAMPLES = int(os.environ.get("TEKNIKCOLLEGE_WALK_EXAMPLES", "20"))
EVERY_DAY = os.environ.get("TEKNIKCOLLEGE_WALK_EVERY_DAY", "") not in ("", "0")
CHECK_EVERY = 91
"""Besides the days an answer can change on, status is compared on every 91st day."""

# -- the documented rules, written out independently of the library ----------------------

NATIONAL = frozenset({OFFICE, REVIEWER, ADMIN_ROLE})
IMPARTIAL = frozenset({OFFICE, REVIEWER, ADMIN_ROLE})
GRACE = frozenset(
    {
        "application_submitted",
        "in_review",
        "visited",
        "protocol_issued",
        "awaiting_supplements",
        "postponed",
        "supplements_received",
    }
)
"""docs/workflows.md: a recertification handed in keeps the unit certified through
review, supplements and granted postponements."""
ENDING = frozenset({"decertified"})
"""docs/authority.md: a decertified unit's certificate no longer counts."""
TIMED = ("supplements_due", "recertification_opens", "valid_until")
"""The deadlines the certification workflows' time rules read."""
FIRST_MONTHS, RENEWAL_MONTHS, LEAD_MONTHS, SUPPLEMENT_MONTHS = 36, 60, 6, 3
"""docs/workflows.md: 36 months the first time, 60 at each renewal, a renewal starting
the day after the old period; recertification opens six months before expiry;
supplements are due three months after the protocol asking for them."""
TIME_RULES = (
    ("lapse", "supplements_due", frozenset({"awaiting_supplements", "postponed"}), 1),
    ("open_recertification", "recertification_opens", frozenset({"certified"}), 0),
    ("expire", "valid_until", frozenset({"certified", "recertification_open"}), 1),
)
"""docs/workflows.md and docs/data.md: the sweep's time rules ``(trigger, deadline, states,
days after the deadline)``: supplements lapse and a certification expires the day after
their last day; recertification opens on its day."""
ENDED_BY = frozenset({"lapse", "expire"})
"""Time rules that end a case; once one has come, no one may fire anything else on it
(the outcome must not depend on the day the sweep runs)."""
CLEARS = {
    "submit_supplements": ("supplements_due",),
    "lapse": ("supplements_due",),
    "withdraw": ("supplements_due",),
    "open_recertification": ("recertification_opens",),
    "expire": ("valid_until", "recertification_opens", "supplements_due"),
    "decertify": ("valid_until", "recertification_opens"),
}
"""The time-rule deadlines a step ends (the others it sets are in ``Model.commit``)."""


def stockholm_day(at: datetime) -> date:
    return at.astimezone(STOCKHOLM).date()


def plus_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def dated(person: tc.Person, role: tc.Role, day: date, college_id: str | None) -> bool:
    """Whether the person's appointments let them hold `role` on `day` (always, if
    none dates it)."""
    own = [a for a in person.appointments if a.role is role and a.college_id == college_id]
    return not own or any(
        a.period.start <= day and (a.period.end is None or day <= a.period.end) for a in own
    )


def college_roles(person_id: str, college: tc.College) -> set[tc.Role]:
    """The roles a college's own records give a person (on any day)."""
    roles = set()
    if person_id in college.process_leaders:
        roles.add(PL)
    for group in college.steering_groups():
        if any(m.person_id == person_id for m in group.members):
            roles.add(MEMBER)
        if group.chair == person_id:
            roles.add(CHAIR)
    return roles


def partners(college: tc.College) -> set[str]:
    """docs/authority.md: a steering-group member's organisation, a local college's
    provider, a party to one of its agreements."""
    found = {m.organisation_id for g in college.steering_groups() for m in g.members}
    found |= {p for lc in college.local_colleges for p in lc.provider_ids}
    found |= {p for a in college.agreements for p in a.parties}
    return {o for o in found if o is not None}


def conflicted(person: tc.Person, college: tc.College | None, subject: tc.UnitRef | None) -> bool:
    """docs/authority.md: leads the college or sits in one of its steering groups, works
    for one of its partners, or for the provider under review."""
    org = person.organisation_id
    if subject is not None and subject.kind is Kind.PROVIDER and subject.id == org:
        return True
    if college is None:
        return False
    return bool(college_roles(person.id, college)) or (org is not None and org in partners(college))


def held(
    people: dict[str, tc.Person],
    colleges: dict[str, tc.College],
    person_id: str,
    college_id: str | None,
    subject: tc.UnitRef | None,
    day: date,
) -> set[tc.Role]:
    """The roles `person_id` may use on `day` on a matter of `college_id`, by the stored
    records alone."""
    person = people.get(person_id)
    if person is None:
        return set()
    college = colleges.get(college_id) if college_id else None
    roles = {r for r in person.roles & NATIONAL if dated(person, r, day, None)}
    if college is not None:
        roles |= {r for r in college_roles(person_id, college) if dated(person, r, day, college.id)}
    if roles & IMPARTIAL and conflicted(person, college, subject):
        roles -= IMPARTIAL
    return roles


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, object]]:
    """What differs between two export documents: ``(field, id)`` of each record."""
    found: list[tuple[str, object]] = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if not isinstance(old, list) or not isinstance(new, list):
            found.append((name, None))
            continue
        keyed = [
            {(r.get("id"), r.get("case_id"), r.get("seq")): r for r in rows} for rows in (old, new)
        ]
        found += [
            (name, key)
            for key in sorted(set(keyed[0]) | set(keyed[1]), key=repr)
            if keyed[0].get(key) != keyed[1].get(key)
        ]
    return found


def follow_up(registry: tc.Registry, college_id: str, year: int) -> list[object]:
    """Everything the yearly follow-up of `year` asks of a college (the plan on 15 January,
    the reports and surveys on 15 February of the next year): a renewal asks for all of
    its period's."""
    college = registry.get(tc.College, college_id)
    filed = date(year + 1, 2, 15)
    records: list[object] = []
    for item in obligations(college, year, registry):
        key = f"{item.kind.value}-{college_id}-{year}-{item.unit}"
        if item.kind is ObligationKind.OPERATIONAL_PLAN:
            records.append(OperationalPlan(key, college_id, year, date(year, 1, 15)))
        elif item.kind in (ObligationKind.REGIONAL_REPORT, ObligationKind.NATIONAL_REPORT):
            level = (
                tc.ReportLevel.REGIONAL
                if item.kind is ObligationKind.REGIONAL_REPORT
                else tc.ReportLevel.NATIONAL
            )
            records.append(tc.AnnualReport(key, college_id, year, level, filed))
        elif item.kind is ObligationKind.LOCAL_REPORT:
            records.append(
                tc.AnnualReport(
                    key, college_id, year, tc.ReportLevel.LOCAL, filed, local_college_id=item.unit
                )
            )
        elif item.kind is ObligationKind.PROVIDER_SURVEY:
            records.append(
                tc.SatisfactionSurvey(
                    key,
                    college_id,
                    year,
                    5,
                    2,
                    20,
                    75.0,
                    level=tc.ReportLevel.PROVIDER,
                    provider_id=item.unit,
                )
            )
        else:
            records.append(tc.SatisfactionSurvey(key, college_id, year, 10, 4, 40, 75.0))
    return records


def in_pool(pools: Iterable[tc.ReviewerPool], person_id: str, day: date) -> bool:
    return any(person_id in p.members and p.period.contains(day) for p in pools)


# -- bugs the walk found, each shown on its own ------------------------------------------


def assert_imports_unchanged(registry: tc.Registry, clock: tc.FixedClock) -> None:
    """`registry`'s export imports into a fresh store and exports again the same."""
    document = registry.export_document()
    fresh = tc.Registry(
        MemoryStorage(),
        clock=clock,
        config={},
        plugin_manager=tc.make_plugin_manager(entry_points=False),
    )
    fresh.import_document(document, actor=ADMIN)
    assert fresh.export_document() == document


def test_an_older_export_does_not_bring_back_an_ended_appointment(
    tc_stockholm: tc.Registry, tc_clock: tc.FixedClock
) -> None:
    older = tc_stockholm.export_document()
    leader = tc_stockholm.get(tc.Person, "p-leader")
    ended = tc.Appointment(PL, tc.Period(EPOCH, stockholm_day(tc_clock.now())), A)
    tc_stockholm.save(attrs.evolve(leader, appointments=(ended,)), actor=ADMIN)
    with contextlib.suppress(tc.InvalidData):  # refused: as good as ignored
        tc_stockholm.import_document(older, actor=ADMIN)
    assert tc_stockholm.get(tc.Person, "p-leader").appointments == (ended,)


def test_a_case_with_a_granted_postponement_replays_into_a_fresh_store() -> None:
    registry, clock = walks.stockholm(date(2024, 9, 1))
    case = walks.in_review(registry)
    walks.visit(registry, case, "visit-1", date(2024, 9, 1))
    registry.fire(case, "hold_visit", actor=walks.REVIEWER)
    registry.fire(case, "request_supplements", actor=walks.REVIEWER)
    registry.fire(case, "grant_postponement", actor=walks.OFFICE, params={"new_due": "2025-03-01"})
    assert_imports_unchanged(registry, clock)


@pytest.mark.parametrize("decided", [date(2024, 10, 1), date(2024, 9, 30)])
def test_a_judgement_of_a_decided_round_is_refused_so_the_decision_replays(decided: date) -> None:
    """A judgement carries a day, not an instant: recorded after the approval (at
    midnight) but dated on its day or before, it would count for the approval on import
    although the approval was taken without it. The decided round takes no more."""
    registry, clock = walks.stockholm(date(2024, 9, 1))
    case = walks.certified(registry, clock)  # approved at midnight (UTC) on 2024-10-01
    clock.set(datetime(2024, 10, 1, 12, 0, tzinfo=timezone.utc))
    before = registry.export_document()
    with pytest.raises(tc.InvalidData, match=r"round 1 of case .* has been decided"):
        registry.record_judgement(
            tc.Judgement(
                "j-later",
                "learning-environment",
                "stockholm",
                "p-reviewer",
                decided,
                tc.Outcome.FAILED,
                "seen again",
                visit_id="visit-1",
            ),
            actor=walks.REVIEWER,
        )
    assert registry.export_document() == before
    assert registry.case(case).state == "certified"
    assert_imports_unchanged(registry, clock)


def test_a_visit_recorded_after_the_step_does_not_undo_it_on_import() -> None:
    registry, clock = walks.stockholm(date(2024, 9, 1))
    case = walks.in_review(registry)
    walks.visit(registry, case, "visit-1", date(2024, 9, 1))
    registry.fire(case, "hold_visit", actor=walks.REVIEWER)
    clock.set(date(2024, 9, 5))
    # Another record of the round's visit, held and stored after the step.
    late = tc.ReviewVisit(
        "visit-1b",
        case,
        date(2024, 9, 5),
        ("p-reviewer",),
        national_office_id="p-office",
        pool_id=REVIEWER_POOL,
    )
    registry.add(late, actor=ADMIN)
    assert_imports_unchanged(registry, clock)


def test_records_of_the_same_instant_replay_in_the_order_they_were_made() -> None:
    day = date(2024, 9, 10)
    registry, clock = walks.stockholm(day)
    lernia_unit = walks.PROVIDERS[0]
    registry.add(
        tc.InterestRegistration(
            "ir",
            tc.InterestKind.CERTIFICATION,
            A,
            "region-stockholm",
            day,
            units=(walks.COLLEGE, lernia_unit),
            contact_person_id="p-leader",
            steering_group_approved=True,
        ),
        actor=ADMIN,
    )
    # The college's case comes first in the document: its records are tried first.
    college, lernia = "case-a-college", "case-b-lernia"
    for unit, case in ((walks.COLLEGE, college), (lernia_unit, lernia)):
        registry.open_case("certification", unit, actor=walks.LEADER, college_id=A, case_id=case)
        walks.to_review(registry, case, unit, day, application=f"app-{case}")
    walks.judge(registry, "j", day, visit_id=f"visit-{A}")
    walks.judge_provider(registry, lernia_unit, day)
    for case in (college, lernia):
        registry.fire(case, "hold_visit", actor=walks.REVIEWER)
        registry.fire(case, "issue_protocol", actor=walks.REVIEWER)
    registry.fire(college, "approve", actor=walks.OFFICE)
    registry.fire(lernia, "approve", actor=walks.OFFICE)
    registry.fire(college, "decertify", actor=walks.OFFICE, note="at once")  # the same instant
    assert_imports_unchanged(registry, clock)


@pytest.mark.parametrize(
    ("trigger", "deadline"),
    [("submit_application", "valid_until"), ("submit_supplements", "supplements_due")],
)
def test_nothing_happens_to_a_case_a_time_rule_has_ended_before_the_sweep_ran(
    trigger: str, deadline: str
) -> None:
    """Handed in the day after the period ended (or the supplements' last day), before
    the sweep ran: refused, as it would have been had the sweep run that morning. (The
    walk's model found a recertification handed in late kept the unit certified in
    grace, and never expiring.)"""
    registry, clock = walks.stockholm(date(2024, 9, 1))
    if trigger == "submit_application":
        case = walks.certified(registry, clock)  # 2024-10-01 - 2027-09-30
        clock.set(date(2027, 4, 1))
        registry.tick()  # recertification opens
    else:
        case = walks.in_review(registry)
        walks.visit(registry, case, "visit-1", date(2024, 9, 1))
        registry.fire(case, "hold_visit", actor=walks.REVIEWER)
        registry.fire(case, "request_supplements", actor=walks.REVIEWER)
    last = registry.case(case).deadlines[deadline]
    clock.set(last)
    before = registry.export_document()
    assert any(o.trigger == trigger for o in registry.available(case, walks.LEADER))
    clock.set(last + timedelta(days=1))
    assert registry.available(case, walks.LEADER) == []
    with pytest.raises(tc.TransitionNotAllowed, match="has been due since"):
        registry.fire(case, trigger, actor=walks.LEADER)
    assert registry.export_document() == before
    registry.tick()
    assert registry.case(case).state in ("expired", "lapsed")
    assert not registry.status(walks.COLLEGE, on=last + timedelta(days=1)).certified
    assert registry.status(walks.COLLEGE, on=last).certified is (trigger == "submit_application")


@pytest.mark.parametrize(
    ("employer", "visit_id", "why"),
    [
        # Scania sits in Stockholm's steering group: judging Lernia in Stockholm's review
        # (the visit of Stockholm's case for Lernia) is acting on Stockholm.
        ("scania", "visit-lernia", "a partner of the college"),
        # Working for the provider judged is a conflict in any college, visit or not.
        ("lernia", None, "the provider under review"),
    ],
)
def test_a_reviewer_with_a_conflict_cannot_judge_a_provider(
    employer: str, visit_id: str | None, why: str
) -> None:
    registry, clock = walks.stockholm(date(2024, 9, 1))
    walks.certify_tree(registry, clock, date(2024, 9, 10))
    pool = registry.get(tc.ReviewerPool, REVIEWER_POOL)
    registry.add(
        tc.Person("p-judge", "Jo Domare", frozenset({REVIEWER}), organisation_id=employer),
        actor=ADMIN,
    )
    registry.save(attrs.evolve(pool, members=(*pool.members, "p-judge")), actor=ADMIN)
    judgement = tc.Judgement(
        "j-conflict",
        "provider-quality-work",
        "lernia",
        "p-judge",
        date(2024, 9, 10),
        tc.Outcome.FAILED,
        "not good enough",
        visit_id=visit_id,
    )
    before = registry.export_document()
    with pytest.raises(tc.PermissionDenied, match=why):
        registry.record_judgement(judgement, actor=tc.Actor.of("p-judge"))
    assert registry.export_document() == before
    # Stored another way, it does not count either.
    registry.add(judgement, actor=ADMIN)
    lernia = tc.Provider(registry.get(tc.Organisation, "lernia"), A)
    (finding,) = [f for f in registry.assess(lernia).findings if f.rule_id == judgement.rule_id]
    assert finding.passed


def recertification_in_review() -> tuple[tc.Registry, tc.FixedClock, str]:
    """Stockholm certified for 2024-10-01 – 2027-09-30, its recertification handed in and
    in review on 2027-04-01; the registry, its clock and the college's case."""
    registry, clock = walks.stockholm(date(2024, 9, 1))
    college = walks.certified(registry, clock)
    clock.set(date(2027, 4, 1))
    registry.tick()  # the recertification opens
    documents = tuple(tc.Document(k, k.value, date(2027, 4, 1)) for k in tc.DocumentKind)
    registry.add(
        tc.Application("app-again", college, date(2027, 4, 1), documents, date(2027, 4, 1)),
        actor=ADMIN,
    )
    registry.fire(college, "submit_application", actor=walks.LEADER)
    registry.fire(college, "start_review", actor=walks.OFFICE)
    return registry, clock, college


def test_status_after_a_time_rule_came_says_the_case_ended_before_the_sweep_ran() -> None:
    """A recertification in review keeps the college certified in grace; once its
    supplements' last day has passed, it has ended (nothing may be fired on it), so
    ``status`` of that day no longer counts the grace, and says what the sweep will
    record and since when. The same answer after the sweep ran."""
    registry, clock, college = recertification_in_review()
    walks.visit(registry, college, "visit-2", date(2027, 9, 1), round=2)
    clock.set(date(2027, 9, 1))
    registry.fire(college, "hold_visit", actor=walks.REVIEWER)
    registry.fire(college, "request_supplements", actor=walks.REVIEWER)
    last = registry.case(college).deadlines["supplements_due"]
    assert last > date(2027, 9, 30)
    assert registry.status(walks.COLLEGE, on=last).grace
    clock.set(last + timedelta(days=1))
    ahead = registry.status(walks.COLLEGE, on=last + timedelta(days=1))
    assert not ahead.certified and not ahead.grace
    assert [(d.case_id, d.what) for d in ahead.overdue] == [(college, "lapse")]
    assert ahead.overdue[0].on == last + timedelta(days=1)
    registry.tick()
    after = registry.status(walks.COLLEGE, on=last + timedelta(days=1))
    assert not after.certified and not after.grace and after.overdue == ()
    assert registry.case(college).state == "lapsed"


def test_an_administrator_with_a_conflict_does_not_decide_the_colleges_case() -> None:
    """An administrator who works for one of Stockholm's partners (Scania, in its
    steering group) is refused Stockholm's approval, as the national office would be; the
    registry's own data they still change."""
    registry, _clock = walks.stockholm(date(2024, 9, 1))
    case = walks.in_review(registry)
    walks.visit(registry, case, "visit-1", date(2024, 9, 1))
    walks.judge(registry, "j", date(2024, 9, 1), visit_id="visit-1")
    registry.fire(case, "hold_visit", actor=walks.REVIEWER)
    registry.fire(case, "issue_protocol", actor=walks.REVIEWER)
    registry.add(
        tc.Person("p-boss", "Bo Admin", frozenset({tc.Role.ADMIN}), organisation_id="scania"),
        actor=ADMIN,
    )
    boss = tc.Actor.of("p-boss")
    before = registry.export_document()
    with pytest.raises(tc.PermissionDenied, match="a partner of the college"):
        registry.fire(case, "approve", actor=boss)
    assert registry.export_document() == before
    assert [r.actor_id for r in registry.refusals()][-1:] == ["p-boss"]
    registry.save(attrs.evolve(registry.get(tc.College, A), name="TC Stockholm"), actor=boss)
    registry.fire(case, "approve", actor=walks.OFFICE)
    assert registry.case(case).state == "certified"


# -- the world -----------------------------------------------------------------------------


def _b(person_id: str | None) -> str | None:
    """Norr's copy of one of Stockholm's people."""
    return "b-" + person_id[2:] if person_id and person_id.startswith("p-") else person_id


def _group(group: tc.SteeringGroup, vo: bool) -> tc.SteeringGroup:
    # Vård- och omsorgscollege wants employers in the majority, where Teknikcollege wants
    # companies.
    members = tuple(
        attrs.evolve(m, sector=tc.Sector.EMPLOYER) if vo and m.sector is tc.Sector.COMPANY else m
        for m in group.members
    )
    return attrs.evolve(group, members=members)


def _norr(group: tc.SteeringGroup) -> tc.SteeringGroup:
    return attrs.evolve(
        group,
        id=f"b-{group.id}",
        members=tuple(attrs.evolve(m, person_id=_b(m.person_id)) for m in group.members),
        chair=_b(group.chair),
    )


@dataclass
class World:
    entities: list[object]
    units: dict[str, list[tc.UnitRef]]
    programmes: dict[str, tc.Programme]
    certification: str
    judged: dict[Kind, tuple[str, ...]]


def world(
    vo: bool,
    extras: list[tc.Person],
    scoped: list[tuple[str, str, tc.Role]],
    pooled: dict[str, str],
    pool_2_end: date,
) -> World:
    """Stockholm and Norr, the example's people (and Norr's copies of them), `extras`,
    who hold `scoped` roles ``(person, college, role)``, and two reviewer pools: the
    example's, open-ended, and a second one ending on `pool_2_end`; `pooled` puts extras
    in one of them."""
    bundle = stockholm_pilot()
    stockholm = bundle.colleges[0]
    # Agreements without an end, so that a walk through the years can still certify.
    agreements = tuple(
        attrs.evolve(a, period=tc.Period(a.period.start)) for a in stockholm.agreements
    )
    stockholm = attrs.evolve(
        stockholm,
        agreements=agreements,
        steering_group=_group(stockholm.steering_group, vo),
        local_colleges=tuple(
            attrs.evolve(lc, steering_group=_group(lc.steering_group, vo))
            for lc in stockholm.local_colleges
        ),
    )
    norr = attrs.evolve(
        stockholm,
        id=B,
        name="Teknikcollege Norr",
        process_leaders=("b-leader",),
        steering_group=_norr(stockholm.steering_group),
        local_colleges=tuple(
            attrs.evolve(lc, id=f"b-{lc.id}", steering_group=_norr(lc.steering_group))
            for lc in stockholm.local_colleges
        ),
        councils=(),
    )
    colleges = {A: stockholm, B: norr}
    for person_id, college_id, role in scoped:
        college = colleges[college_id]
        if role is PL:
            college = attrs.evolve(college, process_leaders=(*college.process_leaders, person_id))
        else:
            group = college.steering_group
            assert group is not None
            sector = tc.Sector.EMPLOYER if vo else tc.Sector.COMPANY
            member = tc.Member(person_id, sector, None)
            college = attrs.evolve(
                college, steering_group=attrs.evolve(group, members=(*group.members, member))
            )
        colleges[college_id] = college
    branch = {"branch_areas": (VO_BRANCH_AREA,)} if vo else {}
    programmes = [attrs.evolve(p, **branch) for p in bundle.programmes]
    programmes += [
        attrs.evolve(p, id=f"b-{p.id}", college_id=B, local_college_id=f"b-{p.local_college_id}")
        for p in programmes
    ]
    in_norr = {m.person_id for g in norr.steering_groups() for m in g.members} | {"b-leader"}
    people = [*bundle.people]
    people += [
        attrs.evolve(p, id=_b(p.id), email=None) for p in bundle.people if _b(p.id) in in_norr
    ]
    people += extras
    pools = (
        tc.ReviewerPool(
            REVIEWER_POOL,
            "Granskningskommittén",
            tc.Period(date(2021, 1, 1)),
            (
                "p-reviewer",
                "p-reviewer-2",
                *(p for p, pool in pooled.items() if pool == REVIEWER_POOL),
            ),
        ),
        tc.ReviewerPool(
            POOL_2,
            "Granskningskommittén, andra",
            tc.Period(date(2022, 1, 1), pool_2_end),
            tuple(p for p, pool in pooled.items() if pool == POOL_2),
        ),
    )
    units = {
        college_id: [
            tc.UnitRef(Kind.COLLEGE, college_id),
            tc.UnitRef(Kind.PROVIDER, "lernia"),
            tc.UnitRef(Kind.PROVIDER, "mtk"),
            *(tc.UnitRef(Kind.PROGRAMME, p.id) for p in programmes if p.college_id == college_id),
        ]
        for college_id in (A, B)
    }
    registrations = [
        tc.InterestRegistration(
            f"ir-{college_id}",
            tc.InterestKind.CERTIFICATION,
            college_id,
            "region-stockholm",
            START.date(),
            units=tuple(units[college_id]),
            contact_person_id=colleges[college_id].process_leaders[0],
            steering_group_approved=True,
        )
        for college_id in (A, B)
    ]
    judged: dict[Kind, tuple[str, ...]] = (
        {Kind.COLLEGE: ("vo-collective-agreements",), Kind.PROVIDER: ("vo-provider-quality-work",)}
        if vo
        else {
            Kind.COLLEGE: ("industry-skills-needs", "learning-environment", "education-within-tc"),
            Kind.PROVIDER: ("provider-quality-work",),
        }
    )
    return World(
        [
            *bundle.organisations,
            *people,
            *colleges.values(),
            *programmes,
            *pools,
            *registrations,
        ],
        units,
        {p.id: p for p in programmes},
        "vo-certification" if vo else "certification",
        judged,
    )


# -- the model -----------------------------------------------------------------------------


@dataclass
class Step:
    """A committed transition as the walk saw it."""

    seq: int
    trigger: str
    source: str
    dest: str
    actor: str
    at: datetime
    event_day: date
    by: str
    """What made it: ``open``, ``fire``, ``sweep`` or ``policy`` (in the transaction of
    the change that called for it)."""
    order: int = 0
    """Its place among everything the walk did (steps and judgements)."""

    @property
    def day(self) -> date:
        return stockholm_day(self.at)


@dataclass
class Period:
    start: date
    until: date
    number: int
    decision: Step
    case_id: str


@dataclass
class CaseModel:
    id: str
    workflow: str
    subject: tc.UnitRef
    college: str
    steps: list[Step]
    deadlines: dict[str, date] = field(default_factory=dict)
    periods: list[Period] = field(default_factory=list)
    visits: list[tc.ReviewVisit] = field(default_factory=list)
    checked: int = 0
    """How many of its records the store was compared with already."""

    @property
    def state(self) -> str:
        return self.steps[-1].dest

    def state_on(self, day: date) -> str | None:
        """Its state at the end of `day` (None before it was opened)."""
        done = [s for s in self.steps if s.day <= day]
        return done[-1].dest if done else None

    def periods_on(self, day: date) -> list[Period]:
        return [p for p in self.periods if p.decision.day <= day]

    @property
    def round(self) -> int:
        """The review round: a round begins with each application handed in."""
        return max(1, sum(s.trigger == "submit_application" for s in self.steps))


@dataclass
class Answer:
    certified: bool
    period: tuple[date, date, int] | None
    decision: tuple[str, int] | None
    grace: bool
    open_cases: frozenset[tuple[str, str]]
    uncertified_parents: frozenset[tc.UnitRef]


class Model:
    """What the walk knows happened, and what follows from it by the documented rules."""

    def __init__(
        self,
        programmes: dict[str, tc.Programme],
        certification: str,
        final: dict[str, frozenset[str]],
    ) -> None:
        self.cases: dict[str, CaseModel] = {}
        self.programmes = programmes
        self.certification = certification
        self.final = final
        self.opened = 0
        self.done = 0
        """How many steps and judgements the walk has seen committed."""
        self.judgements: list[
            tuple[tc.Judgement, datetime, str | None, tc.UnitRef | None, int]
        ] = []
        """Judgements recorded: each with when, the college and the unit it was judged
        by, and its place among everything the walk did."""

    def next_id(self, kind: str = "case") -> str:
        """Ids in the walk's order (the walk draws by them: they must not be random)."""
        self.opened += 1
        return f"{kind}-{self.opened:03d}"

    def of(self, unit: tc.UnitRef, college: str, workflow: str | None = None) -> list[CaseModel]:
        return [
            c
            for c in self.cases.values()
            if c.subject == unit
            and (unit.kind is not Kind.PROVIDER or c.college == college)
            and (workflow is None or c.workflow == workflow)
        ]

    def own(self, unit: tc.UnitRef, college: str, day: date, *, grace: bool) -> bool:
        """Whether the unit holds a certificate of its own at the end of `day`, as the
        cases stand at the end of that day (in grace too, if `grace`)."""
        return any(
            self._valid(case, day, grace=grace) is not None
            for case in self.of(unit, college, self.certification)
        )

    def _valid(self, case: CaseModel, day: date, *, grace: bool) -> Period | None:
        state = case.state_on(day)
        periods = case.periods_on(day)
        if state is None or state in ENDING or not periods:
            return None
        valid = next((p for p in reversed(periods) if p.start <= day <= p.until), None)
        if valid is None and grace and state in GRACE and periods[-1].until < day:
            # docs: in grace while the recertification handed in before the period ended
            # is still in review.
            last = periods[-1]
            handed_in = [
                s
                for s in case.steps
                if s.trigger == "submit_application" and last.decision.at < s.at and s.day <= day
            ]
            if handed_in and handed_in[-1].day <= last.until:
                valid = last
        return valid

    def ended_by_time(self, case: CaseModel, day: date) -> bool:
        """Whether a time rule that ends the case (a lapse, an expiry) has come on `day`,
        though the sweep has not run: nothing else may happen to the case then."""
        return any(
            trigger in ENDED_BY
            and case.state in states
            and deadline in case.deadlines
            and day >= case.deadlines[deadline] + timedelta(days=offset)
            for trigger, deadline, states, offset in TIME_RULES
        )

    def parents(self, unit: tc.UnitRef, college: str) -> list[tuple[tc.UnitRef, str]]:
        if unit.kind is Kind.PROVIDER:
            return [(tc.UnitRef(Kind.COLLEGE, college), college)]
        if unit.kind is Kind.PROGRAMME:
            programme = self.programmes[unit.id]
            return [
                (tc.UnitRef(Kind.PROVIDER, p), programme.college_id)
                for p in (programme.provider_id, *programme.other_provider_ids)
            ]
        return []

    def in_tree(self, unit: tc.UnitRef, college: str, day: date) -> bool:
        """The guard ``parent-certified``'s reading: certified (in grace too, as
        ``status`` counts it), one parent at every level."""
        if not self.own(unit, college, day, grace=True):
            return False
        found = self.parents(unit, college)
        return not found or any(self.in_tree(p, c, day) for p, c in found)

    def status(self, unit: tc.UnitRef, college: str, day: date) -> Answer:
        best: Period | None = None
        in_grace = False
        opened = set()
        for case in self.of(unit, college):
            state = case.state_on(day)
            if state is None:
                continue
            if state not in self.final[case.workflow]:
                opened.add((case.id, state))
            if case.workflow != self.certification:
                continue
            valid = self._valid(case, day, grace=True)
            if valid is not None and not (valid.start <= day <= valid.until):
                in_grace = True
            if valid is not None and (best is None or valid.start > best.start):
                best = valid
        missing: frozenset[tc.UnitRef] = frozenset()
        if best is not None:
            found = self.parents(unit, college)
            if found and not any(self.status(p, c, day).certified for p, c in found):
                missing = frozenset(p for p, _c in found)
        return Answer(
            best is not None and not missing,
            (best.start, best.until, best.number) if best else None,
            (best.case_id, best.decision.seq) if best else None,
            in_grace,
            frozenset(opened),
            missing,
        )

    # -- what a committed transition does, and what must follow it --------------------

    def commit(
        self,
        case: CaseModel,
        spec: Any,
        actor: str,
        at: datetime,
        params: dict[str, str],
        by: str,
    ) -> Step:
        """Record a transition the walk expects to be committed, with its effects on the
        time-rule deadlines and the certification periods."""
        day = stockholm_day(at)
        happened = (
            date.fromisoformat(params[spec.event_date])
            if spec.event_date is not None and spec.event_date in params
            else day
        )
        self.done += 1
        step = Step(
            len(case.steps) + 1,
            spec.trigger,
            case.state,
            spec.dest,
            actor,
            at,
            happened,
            by,
            self.done,
        )
        for name in CLEARS.get(spec.trigger, ()):
            case.deadlines.pop(name, None)
        if spec.trigger == "request_supplements":
            given = params.get("supplements_due")
            case.deadlines["supplements_due"] = (
                date.fromisoformat(given) if given else plus_months(happened, SUPPLEMENT_MONTHS)
            )
        elif spec.trigger == "grant_postponement":
            case.deadlines["supplements_due"] = date.fromisoformat(params["new_due"])
        case.steps.append(step)
        event(f"{by}: {case.workflow} {spec.trigger}")
        if spec.trigger == "approve":
            number = len(case.periods) + 1
            start = happened if number == 1 else case.periods[-1].until + timedelta(days=1)
            months = FIRST_MONTHS if number == 1 else RENEWAL_MONTHS
            until = plus_months(start, months) - timedelta(days=1)
            case.periods.append(Period(start, until, number, step, case.id))
            event(f"{case.subject.kind.value} certified, period {number}")
            case.deadlines["valid_until"] = until
            case.deadlines["recertification_opens"] = plus_months(
                until + timedelta(days=1), -LEAD_MONTHS
            )
        return step

    def follow(self, case: CaseModel, step: Step, flows: dict[str, Any], by: str) -> None:
        """docs/workflows.md: the college lifecycle follows the college's certification,
        in the same transaction: it loses it when the college holds none (nor one in
        grace) after an expiry, a decertification or the end of a case that certified;
        a new certification brings it back."""
        if case.subject.kind is not Kind.COLLEGE or case.workflow != self.certification:
            return
        day = step.day
        if step.trigger == "approve":
            wanted, sources = "regain_certification", {"certification_ended"}
            go = self.own(case.subject, case.college, day, grace=False)
        elif case.periods and (
            step.trigger in ("expire", "decertify") or step.dest in self.final[case.workflow]
        ):
            wanted, sources = "lose_certification", {"certified", "ordinary_operation"}
            go = not self.own(case.subject, case.college, day, grace=True)
        else:
            return
        if not go:
            return
        for other in self.of(case.subject, case.college, LIFECYCLE):
            if other.state in sources:
                spec = flows[LIFECYCLE].spec(wanted)
                self.commit(other, spec, "system", step.at, {}, by)

    def sweep(self, at: datetime, flows: dict[str, Any]) -> None:
        """What the sweep must fire at `at`: each case's due time rules one at a time,
        earliest deadline first (and what follows them), then the lifecycles of colleges
        whose certification ran out without a transition of its own."""
        day = stockholm_day(at)
        for case in list(self.cases.values()):
            if case.workflow != self.certification:
                continue
            for _ in range(len(TIME_RULES) + 1):
                due = sorted(
                    (case.deadlines[deadline] + timedelta(days=offset), trigger)
                    for trigger, deadline, states, offset in TIME_RULES
                    if case.state in states
                    and deadline in case.deadlines
                    and day >= case.deadlines[deadline] + timedelta(days=offset)
                )
                if not due:
                    break
                spec = flows[case.workflow].spec(due[0][1])
                self.follow(
                    case, self.commit(case, spec, "system", at, {}, "sweep"), flows, "sweep"
                )
        for case in list(self.cases.values()):
            if (
                case.workflow == LIFECYCLE
                and case.state in ("certified", "ordinary_operation")
                and not self.own(case.subject, case.college, day, grace=True)
            ):
                self.commit(
                    case, flows[LIFECYCLE].spec("lose_certification"), "system", at, {}, "sweep"
                )


LIFECYCLE = "college-lifecycle"
RARE = {
    "reject": 1,
    "withdraw": 1,
    "decertify": 1,
    "discontinue": 1,
    "grant_postponement": 2,
    "request_supplements": 2,
}
"""How often the walk's forward push picks these (the others: 10)."""


# -- the walk ------------------------------------------------------------------------------


class Walk(RuleBasedStateMachine):
    """One world's walk; `vo` picks the Vård- och omsorgscollege plug-in's."""

    vo: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self.ready = False

    def _registry(self) -> tc.Registry:
        pm = tc.make_plugin_manager(plugins=[vo_plugin] if self.vo else [], entry_points=False)
        return tc.Registry(
            MemoryStorage(),
            clock=self.clock,
            plugin_manager=pm,
            config={},
            concept=VO_CONCEPT if self.vo else "teknikcollege",
        )

    @initialize(data=st.data())
    def build(self, data: st.DataObject) -> None:
        self.clock = tc.FixedClock(START)
        self.registry = self._registry()
        first = START.date()

        def period(role: tc.Role, college_id: str | None) -> tc.Appointment:
            start = first + timedelta(days=data.draw(st.integers(-400, 700), label="from"))
            length = data.draw(st.none() | st.integers(0, 1000), label="days")
            end = None if length is None else start + timedelta(days=length)
            return tc.Appointment(role, tc.Period(start, end), college_id)

        extras: list[tc.Person] = []
        scoped: list[tuple[str, str, tc.Role]] = []
        pooled: dict[str, str] = {}
        for n in range(1, 7):
            person_id = f"x-{n}"
            roles = {
                role
                for role, odds in ((REVIEWER, 2), (OFFICE, 4), (ADMIN_ROLE, 10))
                if data.draw(st.integers(1, odds), label=role.value) == 1
            }
            scope = data.draw(
                st.sampled_from([None, None, (A, PL), (B, PL), (A, MEMBER), (B, MEMBER)]),
                label="scope",
            )
            org = data.draw(
                st.sampled_from([None, "rts", "scania", "lernia", "mtk", "livsmedel-sodra"]),
                label="employer",
            )
            appointments = [period(r, None) for r in roles if data.draw(st.integers(0, 2)) == 0]
            if scope is not None:
                scoped.append((person_id, scope[0], scope[1]))
                if data.draw(st.integers(0, 2)) == 0:
                    appointments.append(period(scope[1], scope[0]))
            if REVIEWER in roles:
                pool = data.draw(st.sampled_from([None, REVIEWER_POOL, REVIEWER_POOL, POOL_2]))
                if pool is not None:
                    pooled[person_id] = pool
            extras.append(
                tc.Person(
                    person_id,
                    f"Person {n}",
                    frozenset(roles),
                    organisation_id=org,
                    appointments=tuple(appointments),
                )
            )
        pool_2_end = first + timedelta(days=data.draw(st.integers(30, 1500), label="pool 2"))
        built = world(self.vo, extras, scoped, pooled, pool_2_end)
        # Some of the example's people hold their roles only for a while.
        terms = {
            person_id: period(role, college_id)
            for person_id, role, college_id in (
                ("p-leader", PL, A),
                ("b-leader", PL, B),
                ("p-office", OFFICE, None),
                ("p-reviewer", REVIEWER, None),
                ("p-chair", CHAIR, A),
            )
            if data.draw(st.integers(0, 3), label=f"{person_id} dated") == 0
        }
        entities = [
            attrs.evolve(e, appointments=(terms[e.id],))
            if isinstance(e, tc.Person) and e.id in terms
            else e
            for e in built.entities
        ]
        seed(self.registry, *entities)
        self.registry.add(
            *(r for c in (A, B) for y in range(2021, 2037) for r in follow_up(self.registry, c, y)),
            actor=ADMIN,
        )
        self.units = built.units
        self.judged = built.judged
        self.certification = built.certification
        self.flows = {
            name: self.registry.workflows[name] for name in (LIFECYCLE, self.certification)
        }
        final = {
            name: frozenset(s.name for s in flow.definition.states if s.final)
            for name, flow in self.flows.items()
        }
        self.model = Model(built.programmes, self.certification, final)
        self.people = sorted(p.id for p in self.registry.find(tc.Person))
        self.snapshots: list[tuple[dict[str, Any], Model]] = []
        self.refusals = len(self.registry.refusals())
        self.ready = True
        # Some walks begin with colleges and providers certified on the first day (by the
        # administrator, through the same checks), so that more of them reach renewals.
        for college in data.draw(st.sampled_from([(A, B), (A,), (B,), ()]), label="certified"):
            for unit in self.units[college][:3]:
                self._certify_at_once(unit, college)

    def _certify_at_once(self, unit: tc.UnitRef, college: str) -> None:
        admin = tc.Actor.of("admin")
        assert self._open(self.certification, unit, college, admin) == "done"
        case = next(
            c
            for c in self.model.of(unit, college, self.certification)
            if c.state not in ("certified",)
        )
        for trigger in ("approve_interest", "submit_application", "start_review"):
            assert self._fire(case.id, trigger, admin, {}, "") == "done"
        visit = tc.ReviewVisit(
            f"v-{case.id}-1-00",
            case.id,
            self.today,
            ("p-reviewer", "p-reviewer-2"),
            national_office_id="p-office",
            pool_id=REVIEWER_POOL,
        )
        self.registry.add(visit, actor=ADMIN)
        case.visits.append(visit)
        assert self._fire(case.id, "hold_visit", admin, {}, "") == "done"
        assert self._fire(case.id, "issue_protocol", admin, {}, "") == "done"
        people = self._people()
        for rule_id in self.judged[unit.kind]:
            judgement = tc.Judgement(
                f"j-{case.id}-{rule_id}",
                rule_id,
                unit.id,
                "p-reviewer-2",
                self.today,
                tc.Outcome.PASSED,
                "seen on the visit",
                visit_id=visit.id,
            )
            assert self._record_judgement(judgement, tc.Actor.of("p-reviewer-2"), case, people)
        assert self._fire(case.id, "approve", admin, {}, "") == "done"

    # -- helpers -----------------------------------------------------------------------

    @property
    def today(self) -> date:
        return stockholm_day(self.clock.now())

    def _people(self) -> dict[str, tc.Person]:
        return {p.id: p for p in self.registry.find(tc.Person)}

    def _colleges(self) -> dict[str, tc.College]:
        return {c.id: c for c in self.registry.find(tc.College)}

    def _may(
        self,
        actor: tc.Actor,
        college_id: str | None,
        subject: tc.UnitRef | None,
        allowed: Iterable[tc.Role],
    ) -> bool:
        roles = held(self._people(), self._colleges(), actor.id, college_id, subject, self.today)
        if actor.roles:
            roles &= actor.roles
        return bool(roles & set(allowed))

    def _actor(
        self,
        data: st.DataObject,
        allowed: Iterable[tc.Role],
        college_id: str,
        subject: tc.UnitRef | None = None,
    ) -> tc.Actor:
        """Mostly someone the stored records allow today, else someone whose records
        name a role that allows it (on some day, maybe with a conflict), sometimes
        anyone; now and then claiming a role."""
        allowed = set(allowed)
        people, colleges = self._people(), self._colleges()
        likely = [
            p
            for p in self.people
            if (people[p].roles | college_roles(p, colleges[college_id])) & allowed
        ]
        today = self.today
        able = [
            p for p in likely if held(people, colleges, p, college_id, subject, today) & allowed
        ]
        choice = data.draw(st.integers(0, 5), label="who")
        if able and choice < 3:
            person_id = data.draw(st.sampled_from(able), label="actor")
        elif likely and choice < 5:
            person_id = data.draw(st.sampled_from(likely), label="actor")
        else:
            person_id = data.draw(st.sampled_from([*self.people, "nobody"]), label="actor")
        if data.draw(st.integers(0, 9), label="claims") == 9:
            return tc.Actor.of(person_id, data.draw(st.sampled_from(list(Role)), label="claim"))
        return tc.Actor.of(person_id)

    def _refused(self, actor_id: str, action: str, target: str) -> None:
        """A refusal is stored: who, what, on what."""
        refusals = self.registry.refusals()
        assert len(refusals) == self.refusals + 1
        last = refusals[-1]
        assert (last.actor_id, last.action, last.target) == (actor_id, action, target)
        assert last.at == self.clock.now()
        self.refusals += 1

    def _check_store(self, touched: Iterable[str] | None = None) -> None:
        """The store holds exactly the cases, states, time-rule deadlines and periods the
        model expects, and the records: of the cases `touched` (every case, if None; a
        step can touch only its case and the lifecycles that follow it, and every
        history is compared at the end)."""
        stored = {c.id: c for c in self.registry.cases()}
        assert stored.keys() == self.model.cases.keys()
        for case_id, model in self.model.cases.items():
            case = stored[case_id]
            assert case.state == model.state, case_id
            assert {k: v for k, v in case.deadlines.items() if k in TIMED} == {
                k: v for k, v in model.deadlines.items() if k in TIMED
            }, case_id
            assert [(c.valid_from, c.valid_until, c.number) for c in case.certifications] == [
                (p.start, p.until, p.number) for p in model.periods
            ], case_id
            if touched is not None and case_id not in touched:
                continue
            history = self.registry.history(case_id)
            assert [r.trigger for r in history] == [s.trigger for s in model.steps], case_id
            for record, step in zip(
                history[model.checked :], model.steps[model.checked :], strict=True
            ):
                assert (record.seq, record.source, record.dest, record.actor_id, record.at) == (
                    step.seq,
                    step.source,
                    step.dest,
                    step.actor,
                    step.at,
                ), (case_id, record, step)
            model.checked = len(history)

    def _switch(self, registry: tc.Registry) -> None:
        """Go on walking in `registry`."""
        self.registry.close()
        self.registry = registry
        for case in self.model.cases.values():
            case.checked = 0
        self.refusals = len(registry.refusals())
        self._check_store()

    # -- firing --------------------------------------------------------------------------

    def _params(
        self, data: st.DataObject, case: CaseModel, spec: Any
    ) -> tuple[dict[str, str], str]:
        today = self.today
        params: dict[str, str] = {}
        if spec.trigger == "grant_postponement":
            due = case.deadlines.get("supplements_due", today)
            moved = due + timedelta(days=data.draw(st.integers(-5, 150), label="new_due"))
            params["new_due"] = moved.isoformat()
        elif spec.trigger == "request_supplements" and data.draw(st.integers(0, 3)) == 3:
            due = today + timedelta(days=data.draw(st.integers(-5, 200), label="supplements_due"))
            params["supplements_due"] = due.isoformat()
        elif spec.trigger == "approve" and data.draw(st.integers(0, 3)) == 3:
            decided = today - timedelta(days=data.draw(st.integers(0, 10), label="decided_on"))
            params["decided_on"] = decided.isoformat()
        return params, "the walk's reason" if spec.needs_reason else ""

    def _expected_params(
        self, case: CaseModel, spec: Any, params: dict[str, str]
    ) -> dict[str, str]:
        """The parameters the record must carry: those given, and the day the visit of
        the round was held (the walk records no protocols)."""
        expected = dict(params)
        if spec.trigger == "hold_visit":
            visits = [v for v in case.visits if v.round == case.round]
            if visits:
                expected["held_on"] = max(visits, key=lambda v: (v.held, v.id)).held.isoformat()
        return expected

    def _fire(
        self,
        case_id: str,
        trigger: str,
        actor: tc.Actor,
        params: dict[str, str],
        note: str,
    ) -> str:
        """Fire as `actor`: ``done``, ``refused`` (not allowed) or ``failed`` (the state,
        a guard or a parameter), each checked against the model."""
        case = self.model.cases[case_id]
        flow = self.flows[case.workflow]
        spec = flow.spec(trigger)
        may = self._may(actor, case.college, case.subject, spec.roles)
        college = tc.UnitRef(Kind.COLLEGE, case.college)
        touched = {case_id, *(c.id for c in self.model.of(college, case.college, LIFECYCLE))}
        try:
            record = self.registry.fire(case_id, trigger, actor=actor, params=params, note=note)
        except tc.PermissionDenied:
            event(f"refused: {trigger}")
            assert not may, f"{actor} was refused {trigger} on {case.subject} in {case.college}"
            self._refused(actor.id, trigger, case_id)
            self._check_store(touched)
            return "refused"
        except (tc.TransitionNotAllowed, tc.InvalidData) as error:
            assert may, f"{actor} may not fire {trigger} on {case.subject}, but got {error!r}"
            # A transition without guards or parameters, from a state it leaves, fired by
            # someone allowed to: nothing can stand in its way.
            plain = not spec.guards and not spec.sets and spec.event_date is None
            ended = self.model.ended_by_time(case, self.today)
            assert not (plain and case.state in spec.sources and not ended), error
            self._check_store(touched)
            return "failed"
        assert may, f"{actor} fired {trigger} on {case.subject} in {case.college}"
        assert case.state in spec.sources
        assert not self.model.ended_by_time(case, self.today), (case.id, trigger)
        assert dict(record.params) == self._expected_params(case, spec, params)
        now = self.clock.now()
        self._guards_held(case, trigger, now)
        step = self.model.commit(case, spec, actor.id, now, dict(record.params), "fire")
        self.model.follow(case, step, self.flows, "policy")
        self._check_store(touched)
        return "done"

    def _guards_held(self, case: CaseModel, trigger: str, now: datetime) -> None:
        """The guards the model can judge by itself held when a transition went through."""
        day = stockholm_day(now)
        college = tc.UnitRef(Kind.COLLEGE, case.college)
        if trigger == "approve":
            parents = self.model.parents(case.subject, case.college)
            assert not parents or any(self.model.in_tree(p, c, day) for p, c in parents)
        if trigger in ("certify", "enter_ordinary_operation"):
            assert self.model.own(college, case.college, day, grace=True)
        if trigger == "enter_ordinary_operation":
            for programme in self.model.programmes.values():
                if programme.college_id == case.college and programme.created_in_pilot:
                    unit = tc.UnitRef(Kind.PROGRAMME, programme.id)
                    assert self.model.own(unit, case.college, day, grace=True)

    def _prepare(self, data: st.DataObject, case: CaseModel, trigger: str) -> None:
        """The records a step reads: the round's visit before ``hold_visit``, the
        reviewer's judgements before ``approve``."""
        if trigger == "hold_visit" and (
            not any(v.round == case.round for v in case.visits)
            or data.draw(st.integers(0, 3), label="another visit") == 3
        ):
            # Mostly before the step; after it too, now and then (a second record of the
            # round's visit, which must not undo the step on an import).
            self._visit(data, case)
        if (
            trigger == "approve"
            and case.subject.kind in self.judged
            and data.draw(st.integers(0, 9), label="judge first") < 7
        ):
            self._judge_unit(data, case)

    def _visit(self, data: st.DataObject, case: CaseModel) -> None:
        """The visit of the case's round, held today: mostly by two reviewers of a pool
        valid today without a conflict of interest, sometimes by anyone."""
        people, colleges = self._people(), self._colleges()
        college = colleges[case.college]

        def fit(pool: tc.ReviewerPool) -> list[str]:
            return [
                p
                for p in pool.members
                if REVIEWER in people[p].roles and not conflicted(people[p], college, case.subject)
            ]

        pools = [p for p in self.registry.find(tc.ReviewerPool) if p.period.contains(self.today)]
        pools = [p for p in pools if len(fit(p)) >= 2] or pools
        pool = (
            self.registry.get(tc.ReviewerPool, data.draw(st.sampled_from([p.id for p in pools])))
            if pools
            else None
        )
        fitting = fit(pool) if pool else []
        if len(fitting) >= 2 and data.draw(st.integers(0, 4), label="improper panel") < 4:
            panel = data.draw(
                st.lists(st.sampled_from(fitting), min_size=2, max_size=2, unique=True)
            )
        else:
            anyone = [p for p in self.people if REVIEWER in people[p].roles] or self.people
            panel = data.draw(
                st.lists(st.sampled_from(anyone), min_size=1, max_size=2, unique=True)
            )
        office = [p for p in self.people if OFFICE in people[p].roles and p not in panel]
        visit = tc.ReviewVisit(
            f"v-{case.id}-{case.round}-{len(case.visits):02d}",
            case.id,
            self.today,
            tuple(panel),
            national_office_id=data.draw(st.sampled_from(office)) if office else None,
            pool_id=pool.id if pool else REVIEWER_POOL,
            round=case.round,
        )
        self.registry.add(visit, actor=ADMIN)
        case.visits.append(visit)

    # -- judgements ------------------------------------------------------------------------

    def _judge_unit(self, data: st.DataObject, case: CaseModel) -> None:
        """A reviewer judges the criteria of the case's unit that need a judgement."""
        people, colleges = self._people(), self._colleges()
        pools = self.registry.find(tc.ReviewerPool)
        fit = sorted(
            m
            for pool in pools
            if pool.period.contains(self.today)
            for m in pool.members
            if REVIEWER in people[m].roles
            and not conflicted(people[m], colleges[case.college], case.subject)
        )
        if fit and data.draw(st.integers(0, 3), label="any reviewer") < 3:
            reviewer = data.draw(st.sampled_from(fit), label="reviewer")
        else:
            reviewer = data.draw(st.sampled_from(self.people), label="reviewer")
        visits = [v for v in case.visits if v.round == case.round]
        visit = (
            max(visits, key=lambda v: (v.held, v.id)).id
            if visits and data.draw(st.integers(0, 3), label="names no visit") < 3
            else None
        )
        actor = tc.Actor.of(reviewer)
        if data.draw(st.integers(0, 9), label="someone else records") == 9:
            actor = tc.Actor.of(data.draw(st.sampled_from(self.people)))
        for rule_id in self.judged[case.subject.kind]:
            outcome = tc.Outcome.FAILED if data.draw(st.integers(0, 9)) == 9 else tc.Outcome.PASSED
            judgement = tc.Judgement(
                self.model.next_id("j"),
                rule_id,
                case.subject.id,
                reviewer,
                self.today,
                outcome,
                "seen on the visit",
                visit_id=visit,
            )
            if not self._record_judgement(judgement, actor, case, people):
                return

    def _record_judgement(
        self,
        judgement: tc.Judgement,
        actor: tc.Actor,
        case: CaseModel,
        people: dict[str, tc.Person],
    ) -> bool:
        # docs/authority.md: a reviewer records their own judgements, from a pool valid on
        # the day of the judgement, without a conflict of interest with the college under
        # review (the college of the case whose visit the judgement names, else of the
        # college or programme judged) or with the provider under review.
        colleges = self._colleges()
        if judgement.visit_id is not None:
            college_id, subject = case.college, case.subject
        elif case.subject.kind is Kind.PROVIDER:
            college_id, subject = None, case.subject
        else:
            college_id, subject = case.college, None
        roles = held(people, colleges, actor.id, college_id, subject, self.today)
        if actor.roles:
            roles &= actor.roles
        pools = self.registry.find(tc.ReviewerPool)
        may = (
            REVIEWER in roles
            and actor.id == judgement.reviewer_id
            and in_pool(pools, actor.id, judgement.decided)
        )
        try:
            self.registry.record_judgement(judgement, actor=actor)
        except tc.PermissionDenied:
            assert not may, f"{actor} was refused judging {case.subject} in {case.college}"
            self._refused(actor.id, "record_judgement", judgement.subject_id)
            return False
        except tc.InvalidData:
            assert may
            return False
        assert may, (actor, people.get(actor.id), judgement, roles, case.college)
        self.model.done += 1
        self.model.judgements.append(
            (judgement, self.clock.now(), college_id, subject, self.model.done)
        )
        return True

    # -- the rules -------------------------------------------------------------------------

    @rule(
        days=st.sampled_from([0, 1, 3, 10, 30, 60]),
        hour=st.sampled_from([6, 12, 22]),
        sweep=st.booleans(),
    )
    def days_pass(self, days: int, hour: int, sweep: bool) -> None:
        """The clock moves forwards, and the sweep may run; at 22:30 UTC it is already
        tomorrow in Stockholm in summer, still today in winter."""
        now = self.clock.now()
        later = datetime.combine(
            now.date() + timedelta(days=days), time(hour, 30), tzinfo=timezone.utc
        )
        self.clock.set(max(later, now + timedelta(minutes=1)))
        if sweep:
            self.sweep()

    @rule(days=st.integers(60, 400), sweep=st.booleans())
    def months_pass(self, days: int, sweep: bool) -> None:
        """Months go by (and periods run out)."""
        self.days_pass(days, 12, sweep)

    @rule(data=st.data())
    def until_a_deadline(self, data: st.DataObject) -> None:
        """The clock moves to about a deadline still ahead (the day before, the day, the
        day after): where an off-by-one would show."""
        today = self.today
        ahead = sorted(
            {
                day
                for case in self.model.cases.values()
                for name, day in case.deadlines.items()
                if name in TIMED and day >= today
            }
        )
        if not ahead:
            return
        day = data.draw(st.sampled_from(ahead), label="deadline")
        moved = (day - today).days + data.draw(st.sampled_from([0, 1, -1, 2]), label="off")
        self.days_pass(
            max(moved, 0),
            data.draw(st.sampled_from([12, 22, 6]), label="hour"),
            data.draw(st.booleans(), label="sweep"),
        )

    @rule(twice=st.booleans())
    def sweep(self, twice: bool = False) -> None:
        """The sweep fires what the model says is due, and a second sweep nothing."""
        self.model.sweep(self.clock.now(), self.flows)
        self.registry.tick()
        self._check_store()
        if twice:
            assert self.registry.tick().fired == ()
            self._check_store()

    # Hypothesis orders rules by their number of arguments, then by name, and its
    # simplest walks repeat the first: let that be a step forwards.

    @rule(data=st.data())
    def advance_either(self, data: st.DataObject) -> None:
        self._push(data, data.draw(st.sampled_from([A, B]), label="college"))

    @rule(data=st.data())
    def advance_norr(self, data: st.DataObject) -> None:
        self._push(data, B)

    @rule(data=st.data())
    def advance_stockholm(self, data: st.DataObject) -> None:
        self._push(data, A)

    def _push(self, data: st.DataObject, college: str) -> None:
        """Take a unit of `college` a few steps forwards: mostly the first of its tree
        that is not certified yet, with mostly plausible people, another one after a
        refusal. (Three rules push, so that most of a walk moves forwards.)"""
        units = self.units[college]
        renewing = GRACE | {"recertification_open"}
        pending = [
            u
            for u in units
            if not self.model.own(u, college, self.today, grace=False)
            or any(c.state in renewing for c in self.model.of(u, college, self.certification))
        ]
        if pending and data.draw(st.integers(0, 3), label="next in the tree") < 3:
            unit = pending[0]
        else:
            unit = data.draw(st.sampled_from(units), label="unit")
        workflow = self.certification
        # The lifecycle too, mostly once the college is certified.
        college_unit = units[0]
        behind = not any(
            c.state in ("certified", "ordinary_operation")
            for c in self.model.of(college_unit, college, LIFECYCLE)
        )
        certified = self.model.own(college_unit, college, self.today, grace=False)
        if data.draw(st.integers(0, 3), label="lifecycle") == 3 or (
            certified and behind and data.draw(st.booleans(), label="the lifecycle")
        ):
            unit, workflow = college_unit, LIFECYCLE
        flow = self.flows[workflow]
        final = self.model.final[workflow]
        for _ in range(8 - data.draw(st.integers(0, 7), label="fewer steps")):
            cases = [c for c in self.model.of(unit, college, workflow) if c.state not in final]
            if not cases:
                for _attempt in range(3):
                    actor = self._actor(data, flow.definition.opened_by, college, unit)
                    outcome = self._open(workflow, unit, college, actor)
                    if outcome != "refused":
                        break
                if outcome != "done":
                    return
                continue
            case = cases[0]
            opens = case.deadlines.get("recertification_opens")
            leaving = [
                t
                for t in flow.triggers_from(case.state)
                if t.roles != {SYSTEM}
                # Recertification is left to the sweep, or opened by hand in its last weeks.
                and not (
                    t.trigger == "open_recertification"
                    and (opens is None or self.today < opens - timedelta(days=30))
                )
            ]
            if not leaving:
                return
            weighted = [t.trigger for t in leaving for _ in range(RARE.get(t.trigger, 10))]
            spec = flow.spec(data.draw(st.sampled_from(weighted), label="trigger"))
            self._prepare(data, case, spec.trigger)
            params, note = self._params(data, case, spec)
            for _attempt in range(3):
                actor = self._actor(data, spec.roles, college, unit)
                outcome = self._fire(case.id, spec.trigger, actor, params, note)
                if outcome != "refused":
                    break
            if outcome != "done":
                return

    @precondition(lambda self: bool(self.model.cases))
    @rule(data=st.data())
    def fire_anything(self, data: st.DataObject) -> None:
        """Any trigger of any case by anyone, ends and time rules included."""
        case = self.model.cases[data.draw(st.sampled_from(sorted(self.model.cases)), label="case")]
        flow = self.flows[case.workflow]
        triggers = [t.trigger for t in flow.definition.transitions]
        spec = flow.spec(data.draw(st.sampled_from(triggers), label="trigger"))
        if data.draw(st.booleans(), label="prepare"):
            self._prepare(data, case, spec.trigger)
        params, note = self._params(data, case, spec)
        actor = self._actor(data, spec.roles, case.college, case.subject)
        self._fire(case.id, spec.trigger, actor, params, note)

    @rule(data=st.data())
    def open_anything(self, data: st.DataObject) -> None:
        college = data.draw(st.sampled_from([A, B]), label="college")
        unit = data.draw(st.sampled_from(self.units[college]), label="unit")
        workflow = data.draw(
            st.sampled_from([self.certification, self.certification, LIFECYCLE]), label="workflow"
        )
        opened_by = self.flows[workflow].definition.opened_by
        self._open(workflow, unit, college, self._actor(data, opened_by, college, unit))

    def _open(self, workflow: str, unit: tc.UnitRef, college: str, actor: tc.Actor) -> str:
        definition = self.flows[workflow].definition
        fits = not definition.subject_kinds or unit.kind.value in definition.subject_kinds
        may = self._may(actor, college, unit, definition.opened_by)
        final = self.model.final[workflow]
        exists = any(c.state not in final for c in self.model.of(unit, college, workflow))
        scope = college if unit.kind is Kind.PROVIDER else None
        try:
            case = self.registry.open_case(
                workflow, unit, actor=actor, college_id=scope, case_id=self.model.next_id()
            )
        except tc.CaseExists:
            assert fits and may and exists
            return "failed"
        except tc.PermissionDenied:
            assert fits and not may, f"{actor} was refused opening {workflow} for {unit}"
            self._refused(actor.id, "open", f"{workflow}:{unit}")
            self._check_store(())
            return "refused"
        except tc.InvalidData:
            assert not fits
            return "failed"
        assert fits and may and not exists, f"{actor} opened {workflow} for {unit}"
        now = self.clock.now()
        step = Step(1, "open", "", case.state, actor.id, now, self.today, "open")
        assert case.state == definition.initial
        self.model.cases[case.id] = CaseModel(case.id, workflow, unit, college, [step])
        if workflow != LIFECYCLE:
            today = self.today
            documents = tuple(tc.Document(k, k.value, today) for k in tc.DocumentKind)
            application = tc.Application(f"app-{case.id}", case.id, today, documents, today)
            self.registry.add(application, actor=ADMIN)
        self._check_store({case.id})
        return "done"

    @precondition(lambda self: bool(self.model.cases))
    @rule(data=st.data())
    def judge(self, data: st.DataObject) -> None:
        judged = [
            c
            for c in self.model.cases.values()
            if c.subject.kind in self.judged and c.workflow == self.certification
        ]
        if judged:
            case_id = data.draw(st.sampled_from([c.id for c in judged]), label="judged case")
            self._judge_unit(data, self.model.cases[case_id])

    @rule(data=st.data())
    def end_an_appointment(self, data: st.DataObject) -> None:
        """A role ends today: the person still holds it today, never again after (what
        they did before stays theirs)."""
        person = self.registry.get(
            tc.Person, data.draw(st.sampled_from([p for p in self.people if p != "admin"]))
        )
        colleges = self._colleges()
        roles = [(r, None) for r in sorted(person.roles & NATIONAL)] + [
            (r, c) for c in sorted(colleges) for r in sorted(college_roles(person.id, colleges[c]))
        ]
        if not roles:
            return
        role, college_id = data.draw(st.sampled_from(roles), label="role")
        today = self.today
        own = [a for a in person.appointments if a.role is role and a.college_id == college_id]
        kept = [a for a in person.appointments if a not in own]
        ended = [
            tc.Appointment(
                role, tc.Period(a.period.start, min(a.period.end or today, today)), college_id
            )
            for a in own
            if a.period.start <= today
        ]
        if not own:
            ended = [tc.Appointment(role, tc.Period(EPOCH, today), college_id)]
        elif not ended:  # appointed only from a later day: never held up to today
            ended = [tc.Appointment(role, tc.Period(EPOCH, EPOCH), college_id)]
        self.registry.save(attrs.evolve(person, appointments=(*kept, *ended)), actor=ADMIN)

    # -- export and import -------------------------------------------------------------

    def _document(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(json.dumps(self.registry.export_document()))
        return document

    @rule(verified=st.booleans())
    def keep_an_export(self, verified: bool) -> None:
        """An export kept for later (an older export), whose chains verify."""
        document = self._document()
        if verified:
            assert all(report.ok for report in verify_document(document))
        self.snapshots.append((document, copy.deepcopy(self.model)))

    @rule(data=st.data())
    def export_and_import(self, data: st.DataObject) -> None:
        """One of the round trips below. (One rule, so that a walk spends most of its
        steps on the workflows.)"""
        choices = [self._import_into_a_fresh_store, self._import_its_own_export]
        if self.snapshots:
            choices += [self._import_an_older_export, self._restore_an_older_export]
        choice = data.draw(st.sampled_from([c.__name__ for c in choices]), label="round trip")
        getattr(self, choice)(data)

    def _import_into_a_fresh_store(self, data: st.DataObject) -> None:
        """The streamed export is the whole export; it replays into an empty store (the
        trusted bulk load) to the same content, and the walk may go on there."""
        out = io.StringIO()
        self.registry.write_document(out)
        document = json.loads(out.getvalue())
        assert document == self._document()
        fresh = self._registry()
        fresh.import_document(document, actor=ADMIN)
        assert json.loads(json.dumps(fresh.export_document())) == document
        if data.draw(st.booleans(), label="go on there"):
            event("the walk went on in a fresh store")
            self._switch(fresh)
        else:
            fresh.close()

    def _import_its_own_export(self, data: st.DataObject) -> None:
        document = self._document()
        self.registry.import_document(copy.deepcopy(document), actor=ADMIN)
        assert self._document() == document
        self._check_store()

    def _import_an_older_export(self, data: st.DataObject) -> None:
        """An older export changes nothing: refused, or a no-op (never backwards)."""
        document, _model = self.snapshots[
            data.draw(st.integers(0, len(self.snapshots) - 1), label="older export")
        ]
        before = self._document()
        try:
            self.registry.import_document(copy.deepcopy(document), actor=ADMIN)
            event("an older export imported (changed nothing)")
        except tc.InvalidData:
            event("an older export refused")
        assert self._document() == before, changes(before, self._document())
        self._check_store()

    def _restore_an_older_export(self, data: st.DataObject) -> None:
        """A backup restored into an empty store: the walk goes on from there."""
        index = data.draw(st.integers(0, len(self.snapshots) - 1), label="backup")
        document, model = self.snapshots[index]
        # The exports kept after it are of a past that no longer happened.
        del self.snapshots[index + 1 :]
        fresh = self._registry()
        fresh.import_document(copy.deepcopy(document), actor=ADMIN)
        assert json.loads(json.dumps(fresh.export_document())) == document
        self.model = copy.deepcopy(model)
        event("the walk went on from a backup")
        self._switch(fresh)

    # -- at the end ----------------------------------------------------------------------

    def teardown(self) -> None:
        if not self.ready:
            return
        try:
            self._check_store()
            self._every_record_was_allowed()
            self._every_judgement_was_allowed()
            self._every_history_replays_and_verifies()
            self._status_is_the_model_on_every_day()
        finally:
            self.registry.close()

    def _every_record_was_allowed(self) -> None:
        people, colleges = self._people(), self._colleges()
        for case in self.registry.cases():
            model = self.model.cases[case.id]
            flow = self.flows[case.workflow]
            timed = {trigger for trigger, *_rest in TIME_RULES}
            for record in self.registry.history(case.id):
                step = model.steps[record.seq - 1]
                if record.actor_id == "system":
                    assert step.by in ("sweep", "policy")
                    assert record.trigger not in timed or step.by == "sweep"
                    assert SYSTEM in flow.spec(record.trigger).roles
                    assert record.actor_roles == {SYSTEM}
                    continue
                assert step.by in ("open", "fire")
                allowed = (
                    flow.definition.opened_by
                    if record.trigger == "open"
                    else flow.spec(record.trigger).roles
                )
                roles = held(
                    people,
                    colleges,
                    record.actor_id,
                    case.college_id,
                    case.subject,
                    stockholm_day(record.at),
                )
                assert roles & allowed, (case.id, record)
                assert record.actor_roles and record.actor_roles <= roles & allowed, record

    def _every_judgement_was_allowed(self) -> None:
        people, colleges = self._people(), self._colleges()
        pools = self.registry.find(tc.ReviewerPool)
        for judgement, at, college_id, subject, _place in self.model.judgements:
            stored = self.registry.get(tc.Judgement, judgement.id)
            assert stored.reviewer_id == judgement.reviewer_id
            roles = held(
                people, colleges, judgement.reviewer_id, college_id, subject, stockholm_day(at)
            )
            assert REVIEWER in roles
            assert in_pool(pools, judgement.reviewer_id, judgement.decided)

    def _every_history_replays_and_verifies(self) -> None:
        chains = {report.case_id: report for report in self.registry.verify()}
        assert chains.keys() == self.model.cases.keys()
        for case in self.registry.cases():
            replayed = self.registry.replay(case.id)
            assert (replayed.state, replayed.deadlines, replayed.certifications) == (
                case.state,
                case.deadlines,
                case.certifications,
            )
            history = self.registry.history(case.id)
            chain = chains[case.id]
            assert chain.ok and chain.length == len(history)
            assert chain.head == history[-1].hash

    def _days(self, unit: tc.UnitRef, college: str) -> list[date]:
        """The days to ask about `unit`: every day of the walk, or those its answer can
        change on (a record of its cases or of its parents', a period's first day and the
        day after its last) and the day before each, and every `CHECK_EVERY`-th day."""
        first, last = START.date(), self.today
        if EVERY_DAY:
            return [first + timedelta(days=n) for n in range((last - first).days + 1)]
        turns = {first, last}
        units = [(unit, college)]
        while units:
            now, scope = units.pop()
            for case in self.model.of(now, scope):
                turns |= {s.day for s in case.steps}
                for period in case.periods:
                    turns |= {period.start, period.until + timedelta(days=1)}
            units += self.model.parents(now, scope)
        turns |= {d - timedelta(days=1) for d in turns}
        turns |= {first + timedelta(days=n) for n in range(0, (last - first).days, CHECK_EVERY)}
        return sorted(d for d in turns if first <= d <= last)

    def _status_is_the_model_on_every_day(self) -> None:
        for college, units in self.units.items():
            for unit in units:
                scope = college if unit.kind is Kind.PROVIDER else None
                for day in self._days(unit, college):
                    found = self.registry.status(unit, on=day, college_id=scope)
                    answer = Answer(
                        found.certified,
                        (found.period.valid_from, found.period.valid_until, found.period.number)
                        if found.period
                        else None,
                        (found.decision.case_id, found.decision.seq) if found.decision else None,
                        found.grace,
                        frozenset((o.case_id, o.state) for o in found.open_cases),
                        frozenset(found.uncertified_parents),
                    )
                    assert answer == self.model.status(unit, college, day), (unit, college, day)


class TeknikcollegeWalk(Walk):
    vo = False


class VoCollegeWalk(Walk):
    vo = True


WALK = settings(
    max_examples=EXAMPLES,
    stateful_step_count=60,
    deadline=None,
    # A walk is long by design, and its simplest one takes steps forwards.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
)

TestTeknikcollegeWalk = TeknikcollegeWalk.TestCase
TestTeknikcollegeWalk.settings = WALK
TestVoCollegeWalk = VoCollegeWalk.TestCase
TestVoCollegeWalk.settings = WALK
# The walks are long property-based suites: CI runs them once, not per Python version.
TestTeknikcollegeWalk.pytestmark = [pytest.mark.slow]  # type: ignore[attr-defined]
TestVoCollegeWalk.pytestmark = [pytest.mark.slow]  # type: ignore[attr-defined]


def test_a_provider_is_approved_under_its_college_certified_in_grace() -> None:
    """The college's period has ended with its recertification in review: ``status``
    counts it certified (in grace), so the tree's guard does too, and a provider is
    approved under it. (The walk found the guard refusing what ``status`` allowed.)"""
    registry, clock, college = recertification_in_review()
    day = date(2027, 10, 5)
    clock.set(day)
    registry.tick()
    assert registry.case(college).state == "in_review"
    status = registry.status(walks.COLLEGE, on=day)
    assert status.certified and status.grace
    lernia = walks.PROVIDERS[0]
    registry.add(
        tc.InterestRegistration(
            "ir-lernia",
            tc.InterestKind.CERTIFICATION,
            A,
            "region-stockholm",
            day,
            units=(lernia,),
            contact_person_id="p-leader",
            steering_group_approved=True,
        ),
        actor=ADMIN,
    )
    case = registry.open_case("certification", lernia, actor=walks.LEADER, college_id=A).id
    walks.to_review(registry, case, lernia, day, application="app-lernia")
    walks.judge_provider(registry, lernia, day)
    registry.fire(case, "hold_visit", actor=walks.REVIEWER)
    registry.fire(case, "issue_protocol", actor=walks.REVIEWER)
    registry.fire(case, "approve", actor=walks.OFFICE)
    assert registry.status(lernia, on=day).certified
    assert_imports_unchanged(registry, clock)
