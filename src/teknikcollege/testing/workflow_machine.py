"""``WorkflowStateMachine``: a Hypothesis stateful test of the engine's invariants.

It fires random triggers with random actors and random clock jumps against the Stockholm
pilot, and checks after every step that the engine's promises hold. Plug-in authors
subclass it with their plug-ins to check their rules or workflow extensions::

    class MyMachine(WorkflowStateMachine):
        plugins = (MyRulesPlugin(),)

    TestMyMachine = MyMachine.TestCase
"""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ..clock import FixedClock, add_months
from ..errors import CaseExists, InvalidData, PermissionDenied, TransitionNotAllowed
from ..examples import PILOT_START, stockholm_pilot
from ..models import (
    AnnualReport,
    Application,
    Document,
    DocumentKind,
    InterestKind,
    InterestRegistration,
    Judgement,
    Outcome,
    Programme,
    ReportLevel,
    ReviewVisit,
    Role,
    SatisfactionSurvey,
    UnitKind,
    UnitRef,
)
from ..plugins import make_plugin_manager
from ..registry import Registry
from ..rules.criteria.teknikcollege import CRITERION_IDS
from ..storage.memory import MemoryStorage
from ..workflow.case import Actor, Case

ACTORS = (
    Actor.of("p-leader", Role.PROCESS_LEADER),
    Actor.of("p-chair", Role.CHAIR, Role.MEMBER),
    Actor.of("p-office", Role.NATIONAL_OFFICE),
    Actor.of("p-reviewer", Role.REVIEWER),
    Actor.of("p-chair", Role.REVIEWER),  # a reviewer who sits in the steering group
    Actor.of("admin", Role.ADMIN),
    Actor.of("p-co2", Role.MEMBER),
)
CONFLICTED = ACTORS[4]
"""A reviewer who sits in the college's steering group: always refused."""


_ENDINGS = frozenset({"discontinue", "withdraw", "decertify", "reject"})


class WorkflowStateMachine(RuleBasedStateMachine):
    """Random walks through the core workflows with invariants checked at every step."""

    plugins: ClassVar[tuple[object, ...]] = ()
    """Plug-ins to register besides the built-ins (override in a subclass)."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(PILOT_START)
        self.registry = Registry(
            MemoryStorage(),
            clock=self.clock,
            config={},
            plugin_manager=make_plugin_manager(plugins=self.plugins, entry_points=False),
        )
        bundle = stockholm_pilot()
        self.registry.add(*bundle.entities())
        self.programmes = [p.id for p in bundle.programmes]
        self.subjects = [UnitRef(UnitKind.COLLEGE, "stockholm")] + [
            UnitRef(UnitKind.PROGRAMME, p) for p in self.programmes
        ]
        self.registry.add(
            InterestRegistration(
                "ir",
                InterestKind.CERTIFICATION,
                "stockholm",
                "region-stockholm",
                PILOT_START,
                units=tuple(self.subjects),
                contact_person_id="p-leader",
                steering_group_approved=True,
            )
        )
        for rule_id in CRITERION_IDS:
            self.registry.record_judgement(
                Judgement(
                    f"j-{rule_id}",
                    rule_id,
                    "stockholm",
                    "p-reviewer",
                    PILOT_START,
                    Outcome.PASSED,
                    "observed on site",
                ),
                actor=Actor.of("p-reviewer", Role.REVIEWER),
            )
        for year in range(2020, 2040):
            self.registry.add(
                AnnualReport(
                    f"ar-{year}",
                    "stockholm",
                    year,
                    ReportLevel.REGIONAL,
                    date(year + 1, 1, 31) if year < 2039 else date(year, 12, 31),
                ),
                SatisfactionSurvey(f"s-{year}", "stockholm", year, 10, 5, 50, 80.0),
            )
        leader = ACTORS[0]
        self.lifecycle = self.registry.open_case(
            "college-lifecycle", self.subjects[0], actor=leader, case_id="life"
        ).id
        self.cases: list[str] = [self.lifecycle]
        for subject in self.subjects:
            self._open(subject)

    def _open(self, subject: UnitRef) -> None:
        case_id = f"cert-{subject.id}-{len(self.cases)}"
        self.registry.open_case("certification", subject, actor=ACTORS[0], case_id=case_id)
        needed = list(DocumentKind)
        today = self.clock.now().date()
        self.registry.add(
            Application(
                f"app-{case_id}",
                case_id,
                today,
                tuple(Document(k, k.value, today) for k in needed),
                today,
            ),
            ReviewVisit(f"visit-{case_id}", case_id, today, ("r1", "r2")),
        )
        self.cases.append(case_id)

    @rule(data=st.data(), actor=st.sampled_from(ACTORS))
    def fire(self, data: Any, actor: Actor) -> None:
        """Fire a random trigger; a refusal must change nothing and leave no record."""
        case_id = data.draw(st.sampled_from(self.cases))
        case = self.registry.case(case_id)
        flow = self.registry.workflows[case.workflow]
        # Mostly walk forwards (a trigger leaving the current state, by a permitted actor),
        # sometimes anything at all, so that refusals are exercised too.
        leaving = [t for t in flow.triggers_from(case.state) if t.trigger not in _ENDINGS]
        if leaving and data.draw(st.integers(0, 9)) < 8:
            spec = data.draw(st.sampled_from(leaving))
            permitted = [a for a in ACTORS if a.roles & spec.roles] or list(ACTORS)
            actor = data.draw(st.sampled_from(permitted))
            trigger = spec.trigger
        else:
            trigger = data.draw(st.sampled_from([t.trigger for t in flow.definition.transitions]))
        params = {}
        if trigger == "grant_postponement":
            due = case.deadlines.get("supplements_due", self.clock.now().date())
            params["new_due"] = (due + timedelta(days=data.draw(st.integers(-5, 120)))).isoformat()
        before = (case, len(self.registry.history(case_id)))
        try:
            record = self.registry.fire(case_id, trigger, actor=actor, params=params)
        except (PermissionDenied, TransitionNotAllowed, InvalidData):
            assert (self.registry.case(case_id), len(self.registry.history(case_id))) == before
            return
        assert actor.roles & flow.spec(trigger).roles
        assert record.source == before[0].state
        self._check_ordinary(trigger)

    @rule(index=st.integers(0, 11))
    def push_forward(self, index: int) -> None:
        """Fire the first forward trigger of a case with a permitted actor: fast progress,
        so that walks reach certification and the lifecycle's end, not just the start."""
        case_id = self.cases[index % len(self.cases)]
        case = self.registry.case(case_id)
        flow = self.registry.workflows[case.workflow]
        leaving = [
            t
            for t in flow.triggers_from(case.state)
            if t.trigger not in _ENDINGS
            and Role.SYSTEM not in t.roles
            and t.trigger != "grant_postponement"
        ]
        if not leaving:
            return
        spec = leaving[0]
        actor = next(a for a in ACTORS if a.roles & spec.roles and a is not CONFLICTED)
        before = (case, len(self.registry.history(case_id)))
        try:
            self.registry.fire(case_id, spec.trigger, actor=actor)
        except (PermissionDenied, TransitionNotAllowed, InvalidData):
            assert (self.registry.case(case_id), len(self.registry.history(case_id))) == before
            return
        self._check_ordinary(spec.trigger)

    def _check_ordinary(self, trigger: str) -> None:
        if trigger == "enter_ordinary_operation":
            today = self.clock.now().date()
            for programme in self.registry.find(Programme, college_id="stockholm"):
                if programme.created_in_pilot:
                    assert self._certified(UnitRef(UnitKind.PROGRAMME, programme.id), today)

    def _certified(self, ref: UnitRef, day: date) -> bool:
        return any(c.certification_on(day) for c in self.registry.cases(subject=ref))

    @rule(days=st.integers(1, 90) | st.integers(91, 2000))
    def time_passes(self, days: int) -> None:
        """Move the clock and sweep."""
        self.clock.advance(days=days)
        self.registry.tick()

    @precondition(lambda self: len(self.cases) < 12)
    @rule(index=st.integers(0, 2))
    def reopen(self, index: int) -> None:
        """Open a new certification case for a subject whose last case has ended."""
        subject = self.subjects[index % len(self.subjects)]
        with contextlib.suppress(CaseExists):
            self._open(subject)

    @invariant()
    def states_are_known_and_history_replays(self) -> None:
        for case_id in self.cases:
            case = self.registry.case(case_id)
            flow = self.registry.workflows[case.workflow]
            assert case.state in {s.name for s in flow.definition.states}
            replayed = self.registry.replay(case_id)
            assert (replayed.state, replayed.deadlines, replayed.certifications) == (
                case.state,
                case.deadlines,
                case.certifications,
            )

    @invariant()
    def certification_periods_run_three_then_five_years_without_overlap(self) -> None:
        for case_id in self.cases:
            case: Case = self.registry.case(case_id)
            previous = None
            for n, cert in enumerate(case.certifications, start=1):
                assert cert.number == n
                months = 36 if n == 1 else 60
                assert cert.valid_until == add_months(cert.valid_from, months) - timedelta(days=1)
                if previous is not None:
                    assert cert.valid_from > previous.valid_until
                previous = cert
