"""``WorkflowStateMachine``: a Hypothesis stateful test of the engine's invariants.

It fires random triggers with random actors and random clock jumps at the cases of
chosen workflows in a chosen world (by default the core workflows and the Stockholm
pilot), and checks after every step that the engine's promises hold. Plug-in authors
use it to check their rules or workflow extensions::

    MyMachine = WorkflowStateMachine.for_workflow(
        "my-certification", world=my_world, plugins=[my_plugin]
    )
    MyMachine.TestCase.settings = FAST
    TestMyMachine = MyMachine.TestCase
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any, ClassVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from .._text import _, _n
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
from ..models.common import local_day
from ..plugins import make_plugin_manager
from ..registry import Registry
from ..rules.base import DEFAULT_CONCEPT
from ..rules.criteria.teknikcollege import CRITERION_IDS
from ..serialization import Bundle
from ..storage.memory import MemoryStorage
from ..workflow.case import Actor, Case
from ..workflow.core import review_round
from .seeding import seed

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


FAST = settings(
    max_examples=10,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
"""Settings for a quick run (about a second): ``Machine.TestCase.settings = FAST``.
The default (100 examples of up to 50 steps) takes about 15 s; CI may use more."""

_ENDINGS = frozenset({"discontinue", "withdraw", "decertify", "reject"})


class WorkflowStateMachine(RuleBasedStateMachine):
    """Random walks through workflows with invariants checked at every step.

    Configure it with class attributes in a subclass, or with :meth:`for_workflow`:

    - :attr:`workflows` — the workflows whose cases it opens and drives;
    - :meth:`world` — returns the :class:`~teknikcollege.Bundle` it stores
      first (the Stockholm pilot by default); the cases are about its first college and
      that college's programmes;
    - :attr:`plugins`, :attr:`concept` — plug-ins to register and the concept whose
      criteria are in force;
    - :attr:`registry_url` — a storage URL instead of the memory backend;
    - :attr:`start` — the day the clock starts on.

    During a run, ``self.registry`` is the :class:`~teknikcollege.Registry` under test
    (on ``self.clock``, a :class:`~teknikcollege.FixedClock`), ``self.cases`` the ids of
    the cases opened and ``self.subjects`` the units they are about: rules and
    invariants a subclass adds may use all three.
    """

    workflows: ClassVar[tuple[str, ...]] = ("college-lifecycle", "certification")
    """The workflows to open cases of, each for every subject its ``subject_kinds`` allow."""
    plugins: ClassVar[tuple[object, ...]] = ()
    """Plug-ins to register besides the built-ins (installed ones are not loaded)."""
    concept: ClassVar[str] = DEFAULT_CONCEPT
    """The college concept whose criteria are in force (``Registry(concept=...)``)."""
    registry_url: ClassVar[str | None] = None
    """A storage URL; ``{tmp}`` in it becomes a new temporary folder for each run (for
    example ``"sqlite:///{tmp}/store.db"``). None: the memory backend."""
    start: ClassVar[date] = PILOT_START
    """The day the clock stands on when a run begins."""
    actors: ClassVar[tuple[Actor, ...]] = ACTORS
    """Who fires triggers; the reviewer ``p-reviewer`` records the judgements."""

    @classmethod
    def for_workflow(
        cls,
        *workflows: str,
        world: Callable[[], Bundle] | None = None,
        plugins: Iterable[object] = (),
        concept: str | None = None,
        registry_url: str | None = None,
        start: date | None = None,
    ) -> type[WorkflowStateMachine]:
        """A subclass driving `workflows` (default: the class's) on `world`, with
        `plugins` registered; ``Machine.TestCase`` is then a test case for pytest."""
        attributes: dict[str, Any] = {"plugins": tuple(plugins)}
        if workflows:
            attributes["workflows"] = tuple(workflows)
        if world is not None:
            attributes["world"] = staticmethod(world)
        if concept is not None:
            attributes["concept"] = concept
        if registry_url is not None:
            attributes["registry_url"] = registry_url
        if start is not None:
            attributes["start"] = start
        name = "".join(w.title().replace("-", "") for w in workflows or cls.workflows)
        return type(f"{name}Machine", (cls,), attributes)

    def world(self) -> Bundle:
        """The data stored before the first step (the Stockholm pilot unless overridden);
        its first college and that college's programmes are the subjects."""
        return stockholm_pilot()

    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(self.start)
        pm = make_plugin_manager(plugins=self.plugins, entry_points=False)
        options: dict[str, Any] = {
            "clock": self.clock,
            "config": {},
            "plugin_manager": pm,
            "concept": self.concept,
        }
        self._tmp: str | None = None
        if self.registry_url is None:
            self.registry = Registry(MemoryStorage(), **options)
        else:
            url = self.registry_url
            if "{tmp}" in url:
                self._tmp = tempfile.mkdtemp(prefix="teknikcollege-machine-")
                url = url.replace("{tmp}", self._tmp)
            self.registry = Registry.open(url, **options)
        unknown = [w for w in self.workflows if w not in self.registry.workflows]
        if unknown:
            raise InvalidArgument(
                str(
                    _n(
                        "unknown workflow {unknown}; known: {known}",
                        "unknown workflows {unknown}; known: {known}",
                        len(unknown),
                        unknown=unknown,
                        known=sorted(self.registry.workflows),
                    )
                )
            )
        bundle = self.world()
        if not bundle.colleges:
            raise InvalidArgument(str(_("the world holds no college")))
        self.admin = seed(self.registry, *bundle.entities())
        college = bundle.colleges[0]
        self.college_id = college.id
        self.programmes = [p.id for p in bundle.programmes if p.college_id == college.id]
        # The tree of units: the college, the providers of its programmes, the programmes
        # (a programme is certified only at a certified provider).
        providers = sorted(
            {
                provider
                for p in bundle.programmes
                if p.college_id == college.id
                for provider in (p.provider_id, *p.other_provider_ids)
            }
        )
        self.subjects = [
            UnitRef(UnitKind.COLLEGE, college.id),
            *(UnitRef(UnitKind.PROVIDER, p) for p in providers),
            *(UnitRef(UnitKind.PROGRAMME, p) for p in self.programmes),
        ]
        day = self.start
        # The visit's panel comes from the world: two reviewers of its first pool and a
        # person of the national office (without them, hold_visit is refused).
        pool = bundle.reviewer_pools[0] if bundle.reviewer_pools else None
        self.panel = (
            pool.members[:2] if pool else (),
            pool.id if pool else None,
            next((p.id for p in bundle.people if Role.NATIONAL_OFFICE in p.roles), None),
        )
        reviewer = next((a for a in self.actors if a.id == "p-reviewer"), None)
        self.registry.add(
            InterestRegistration(
                "ir",
                InterestKind.CERTIFICATION,
                college.id,
                bundle.organisations[0].id if bundle.organisations else college.id,
                day,
                units=tuple(self.subjects),
                contact_person_id="p-leader",
                steering_group_approved=True,
            ),
            *(
                item
                for year in range(day.year - 4, day.year + 20)
                for item in (
                    AnnualReport(
                        f"ar-{year}", college.id, year, ReportLevel.REGIONAL, date(year + 1, 1, 31)
                    ),
                    SatisfactionSurvey(f"s-{year}", college.id, year, 10, 5, 50, 80.0),
                )
            ),
            actor=self.admin,
        )
        if reviewer is not None and any(p.id == reviewer.id for p in bundle.people):
            # Criteria a reviewer decides pass, so that walks can reach certification.
            rule_ids = sorted({r.id for r in self.registry.criteria} | set(CRITERION_IDS))
            judged = [(college.id, r) for r in rule_ids if r in self.registry.rules]
            for_providers = [r.id for r in self.registry.criteria if "provider" in r.applies_to]
            judged += [(p, r) for p in providers for r in for_providers]
            for subject_id, rule_id in judged:
                if rule_id in self.registry.rules:
                    self.registry.record_judgement(
                        Judgement(
                            f"j-{subject_id}-{rule_id}",
                            rule_id,
                            subject_id,
                            reviewer.id,
                            day,
                            Outcome.PASSED,
                            "observed on site",
                            # Judgements expire; these hold for any walk's clock.
                            valid_until=date(day.year + 30, 12, 31),
                        ),
                        actor=reviewer,
                    )
        self.cases: list[str] = []
        for name in self.workflows:
            for subject in self.subjects:
                if self._allows(name, subject):
                    self._open(name, subject)

    def teardown(self) -> None:
        """Close the registry and remove the temporary folder, if any."""
        self.registry.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def _allows(self, workflow: str, subject: UnitRef) -> bool:
        kinds = self.registry.workflows[workflow].definition.subject_kinds
        if workflow == "college-lifecycle" and not kinds:
            return subject.kind is UnitKind.COLLEGE
        return not kinds or subject.kind.value in kinds

    def _open(self, workflow: str, subject: UnitRef) -> None:
        case_id = f"{workflow}-{subject.id}-{len(self.cases)}"
        leader = self.actors[0]
        self.registry.open_case(
            workflow, subject, actor=leader, case_id=case_id, college_id=self.college_id
        )
        today = local_day(self.clock.now())
        self.registry.add(
            Application(
                f"app-{case_id}",
                case_id,
                today,
                tuple(Document(k, k.value, today) for k in DocumentKind),
                today,
            ),
            actor=self.admin,
        )
        self.cases.append(case_id)

    def _visit(self, case_id: str, trigger: str) -> None:
        """Before ``hold_visit``: the review visit of the case's round, held today (a
        visit is recorded once it is held, in the round it belongs to)."""
        if trigger != "hold_visit":
            return
        case = self.registry.case(case_id)
        if case.state != "in_review":
            return
        round = review_round(case)
        visit_id = f"visit-{case_id}-{round}"
        if self.registry.find(ReviewVisit, id=visit_id):
            return
        self.registry.add(
            ReviewVisit(
                visit_id,
                case_id,
                local_day(self.clock.now()),
                self.panel[0],
                national_office_id=self.panel[2],
                pool_id=self.panel[1],
                round=round,
            ),
            actor=self.admin,
        )

    @rule(data=st.data())
    def fire(self, data: Any) -> None:
        """Fire a random trigger; a refusal must change nothing and leave no record."""
        case_id = data.draw(st.sampled_from(self.cases))
        actor = data.draw(st.sampled_from(self.actors))
        case = self.registry.case(case_id)
        flow = self.registry.workflows[case.workflow]
        # Mostly walk forwards (a trigger leaving the current state, by a permitted actor),
        # sometimes anything at all, so that refusals are exercised too.
        leaving = [t for t in flow.triggers_from(case.state) if t.trigger not in _ENDINGS]
        if leaving and data.draw(st.integers(0, 9)) < 8:
            spec = data.draw(st.sampled_from(leaving))
            permitted = [a for a in self.actors if a.roles & spec.roles] or list(self.actors)
            actor = data.draw(st.sampled_from(permitted))
            trigger = spec.trigger
        else:
            trigger = data.draw(st.sampled_from([t.trigger for t in flow.definition.transitions]))
        params = {}
        self._visit(case_id, trigger)
        if trigger == "grant_postponement":
            due = case.deadlines.get("supplements_due", local_day(self.clock.now()))
            params["new_due"] = (due + timedelta(days=data.draw(st.integers(-5, 120)))).isoformat()
        before = (case, len(self.registry.history(case_id)))
        # A decision that needs its reason (decertification) gets one.
        note = "the walk's reason" if flow.spec(trigger).needs_reason else ""
        try:
            record = self.registry.fire(case_id, trigger, actor=actor, params=params, note=note)
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
        actor = next((a for a in self.actors if a.roles & spec.roles and a is not CONFLICTED), None)
        if actor is None:
            return
        before = (case, len(self.registry.history(case_id)))
        self._visit(case_id, spec.trigger)
        try:
            self.registry.fire(case_id, spec.trigger, actor=actor)
        except (PermissionDenied, TransitionNotAllowed, InvalidData):
            assert (self.registry.case(case_id), len(self.registry.history(case_id))) == before
            return
        self._check_ordinary(spec.trigger)

    def _check_ordinary(self, trigger: str) -> None:
        if trigger == "enter_ordinary_operation":
            today = local_day(self.clock.now())
            for programme in self.registry.find(Programme, college_id=self.college_id):
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
    @rule(index=st.integers(0, 2), which=st.integers(0, 5))
    def reopen(self, index: int, which: int) -> None:
        """Open a new case for a subject whose last case of that workflow has ended."""
        subject = self.subjects[index % len(self.subjects)]
        workflow = self.workflows[which % len(self.workflows)]
        if self._allows(workflow, subject):
            with contextlib.suppress(CaseExists):
                self._open(workflow, subject)

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
    def certification_periods_follow_the_validity_without_overlap(self) -> None:
        """Periods numbered from 1, the first ``first_months`` long (3 years in the core
        workflow), the later ones ``renewal_months`` (5 years), never overlapping."""
        for case_id in self.cases:
            case: Case = self.registry.case(case_id)
            validity = self.registry.workflows[case.workflow].definition.validity
            previous = None
            for n, cert in enumerate(case.certifications, start=1):
                assert cert.number == n
                months = validity.first_months if n == 1 else validity.renewal_months
                assert cert.valid_until == add_months(cert.valid_from, months) - timedelta(days=1)
                if previous is not None:
                    assert cert.valid_from > previous.valid_until
                previous = cert
