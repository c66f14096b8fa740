"""The service layer: the one place where storage, rules, workflows and notifiers meet.

Every operation runs as *load → judge → fire → save → dispatch*: state change, audit
record and outbox entries are written in one transaction; notifiers and observers are
called only after it has committed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import attrs

from ._exchange import ExchangeMixin, entity_id, record_data
from ._lookup import CASE, TxLookup, kind_name
from ._outbox import OutboxMixin, new_id
from ._text import Text
from .clock import Clock, SystemClock, as_datetime
from .errors import (
    CaseExists,
    ConcurrentUpdate,
    InvalidData,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
)
from .models import College, Judgement, Person, Programme, Role, UnitKind, UnitRef
from .notify.port import Notifier
from .plugins import Hooks, PluginManager, make_plugin_manager, open_storage
from .rules.assessment import assess
from .rules.base import DEFAULT_CONCEPT, Context, Rule, run_rule
from .rules.findings import Assessment, Finding
from .serialization import (
    from_data,
    kind_of,
    to_data,
)
from .storage.port import Storage, Transaction
from .workflow.case import SYSTEM, Actor, Case, TransitionRecord
from .workflow.definition import Transition
from .workflow.engine import Workflow

T = TypeVar("T")

audit_log = logging.getLogger("teknikcollege.audit")

DEFAULT_STORAGE = "sqlite:///teknikcollege.db"


@attrs.frozen
class Option:
    """A trigger an actor might fire now: whether the role allows it and the guards pass."""

    trigger: str
    title: Text
    dest: str
    permitted: bool
    findings: tuple[Finding, ...]

    @property
    def possible(self) -> bool:
        """Whether firing it now would succeed."""
        return self.permitted and all(f.passed for f in self.findings)


@attrs.frozen
class TickReport:
    """What one sweep did."""

    fired: tuple[tuple[str, str], ...]
    reminders: int
    examined: int


class Registry(OutboxMixin, ExchangeMixin):
    """Colleges, programmes and their certification cases, kept in a storage backend.

    Build one with :meth:`open` (a URL) or directly with a storage object. Every
    operation takes its time from `clock`; every change names its `actor`.
    """

    def __init__(
        self,
        storage: Storage,
        *,
        clock: Clock | None = None,
        plugin_manager: PluginManager | None = None,
        config: Mapping[str, str] | None = None,
        criteria_sets: Iterable[str] | None = None,
        concept: str = DEFAULT_CONCEPT,
        max_attempts: int = 8,
        retry_base: timedelta = timedelta(minutes=1),
        retry_cap: timedelta = timedelta(hours=6),
    ) -> None:
        self.storage = storage
        self.clock: Clock = clock or SystemClock()
        self.plugin_manager = plugin_manager or make_plugin_manager()
        self.hooks = Hooks(self.plugin_manager)
        self.rules: dict[str, Rule] = {r.id: r for r in self.hooks.rules()}
        chosen = set(criteria_sets) if criteria_sets is not None else None
        # Criteria in force: those of this registry's concept (a Vård- och omsorgscollege
        # plug-in installed beside Teknikcollege must not judge Teknikcollege colleges),
        # optionally narrowed to some rule sets. Guards (on cases) always apply.
        self.concept = concept
        self.criteria: tuple[Rule, ...] = tuple(
            r
            for r in self.rules.values()
            if r.applies_to - {"case"}
            and getattr(r, "concept", DEFAULT_CONCEPT) == concept
            and (chosen is None or r.rule_set in chosen)
        )
        self.workflows: dict[str, Workflow] = {
            name: Workflow(definition, self.rules)
            for name, definition in self.hooks.workflows().items()
        }
        self.notifiers: list[Notifier] = self.hooks.notifiers(
            dict(os.environ if config is None else config)
        )
        self.max_attempts, self.retry_base, self.retry_cap = max_attempts, retry_base, retry_cap

    @classmethod
    def open(cls, url: str | None = None, **options: Any) -> Registry:
        """Open the storage at `url`, else ``TEKNIKCOLLEGE_STORAGE``, else
        ``sqlite:///teknikcollege.db``; `options` go to the constructor."""
        pm = options.pop("plugin_manager", None) or make_plugin_manager()
        target = url or os.environ.get("TEKNIKCOLLEGE_STORAGE") or DEFAULT_STORAGE
        storage = open_storage(target, Hooks(pm).storage_backends())
        return cls(storage, plugin_manager=pm, **options)

    def close(self) -> None:
        """Close the storage."""
        self.storage.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> datetime:
        """The current time of the registry's clock."""
        return as_datetime(self.clock.now())

    @contextmanager
    def _tx(self) -> Iterator[tuple[Transaction, TxLookup]]:
        with self.storage.transaction() as tx:
            yield tx, TxLookup(tx)

    # -- entities --------------------------------------------------------------------

    def add(self, *entities: object) -> None:
        """Store new entities in one transaction; an id already taken raises
        :class:`ConcurrentUpdate`, a missing reference :class:`InvalidData`."""
        with self._tx() as (tx, lookup):
            for entity in entities:
                self._check_references(entity, lookup, pending=entities)
                tx.put(kind_of(entity), entity_id(entity), to_data(entity), expected_version=0)

    def save(self, entity: object, *, expected_version: int | None = None) -> int:
        """Create or replace `entity`; returns its new version. With `expected_version`,
        a stale write raises :class:`ConcurrentUpdate` and changes nothing."""
        kind, id = kind_of(entity), entity_id(entity)
        with self._tx() as (tx, lookup):
            self._check_references(entity, lookup, pending=(entity,))
            if expected_version is None:
                current = tx.get(kind, id)
                expected_version = current.version if current else 0
            return tx.put(kind, id, to_data(entity), expected_version=expected_version)

    def get(self, cls: type[T], id: str) -> T:
        """The entity of `cls` with `id`; :class:`NotFound` if there is none."""
        with self._tx() as (_, lookup):
            found = lookup.get(cls, id)
        if found is None:
            raise NotFound(kind_name(cls), id)
        return found

    def version(self, cls: type[Any], id: str) -> int:
        """The stored version of an entity (for :meth:`save`'s `expected_version`)."""
        with self._tx() as (tx, _):
            stored = tx.get(kind_name(cls), id)
        if stored is None:
            raise NotFound(kind_name(cls), id)
        return stored.version

    def find(self, cls: type[T], **where: object) -> list[T]:
        """Entities of `cls` whose fields equal `where`, ordered by id."""
        with self._tx() as (_, lookup):
            return lookup.find(cls, **where)

    def _check_references(
        self, entity: object, lookup: TxLookup, pending: Sequence[object]
    ) -> None:
        refs: list[tuple[str, type[Any], str]] = []
        if isinstance(entity, Programme):
            refs = [("college_id", College, entity.college_id)]
        elif isinstance(entity, Judgement):
            refs = [("reviewer_id", Person, entity.reviewer_id)]
        problems = []
        for path, cls, id in refs:
            in_pending = any(isinstance(p, cls) and getattr(p, "id", None) == id for p in pending)
            if not in_pending and lookup.get(cls, id) is None:
                problems.append(
                    (
                        path,
                        Text(
                            f"{kind_name(cls)} {id!r} finns inte",
                            f"{kind_name(cls)} {id!r} does not exist",
                        ),
                    )
                )
        if problems:
            raise InvalidData(problems)

    # -- cases -----------------------------------------------------------------------

    def open_case(
        self,
        workflow: str,
        subject: UnitRef,
        *,
        actor: Actor,
        college_id: str | None = None,
        case_id: str | None = None,
        note: str = "",
    ) -> Case:
        """Open a case of `workflow` for `subject` (the subject's college is found from
        it, or given as `college_id` for a provider)."""
        flow = self._workflow(workflow)
        kinds = flow.definition.subject_kinds
        if kinds and subject.kind.value not in kinds:
            allowed = ", ".join(sorted(kinds))
            raise InvalidData(
                [
                    (
                        "subject",
                        Text(
                            f"{workflow!r} gäller inte {subject.kind.value} (bara {allowed})",
                            f"{workflow!r} does not apply to a {subject.kind.value} "
                            f"(only {allowed})",
                        ),
                    )
                ]
            )
        spec_roles = flow.definition.opened_by
        if not actor.roles & spec_roles:
            self._refused(actor, "open", f"{workflow}:{subject}")
            raise PermissionDenied(actor.id, "open", (r.value for r in spec_roles))
        now = self.now()
        with self._tx() as (tx, lookup):
            college = college_id or self._college_of(subject, lookup)
            if lookup.get(College, college) is None:
                raise InvalidData(
                    [
                        (
                            "college_id",
                            Text(
                                f"colleget {college!r} finns inte",
                                f"college {college!r} does not exist",
                            ),
                        )
                    ]
                )
            for other in lookup.find(Case, workflow=workflow, subject=subject):
                if not self.workflows[workflow].definition.state(other.state).final:
                    raise CaseExists(workflow, str(subject), other.id)
            case = flow.new_case(case_id or new_id("case"), subject, college, now)
            tx.put(CASE, case.id, to_data(case), expected_version=0, due_at=flow.next_due(case))
            record = TransitionRecord(
                case.id, 1, "open", "", case.state, actor.id, actor.roles, now, note
            )
            tx.append_history(case.id, record_data(record))
        return case

    def _college_of(self, subject: UnitRef, lookup: TxLookup) -> str:
        if subject.kind is UnitKind.COLLEGE:
            return subject.id
        programme_id = subject.parent if subject.kind is UnitKind.ORIENTATION else subject.id
        if subject.kind in (UnitKind.PROGRAMME, UnitKind.ORIENTATION):
            programme = lookup.get(Programme, programme_id or "")
            if programme is None:
                raise InvalidData(
                    [
                        (
                            "subject",
                            Text(
                                f"utbildningen {programme_id!r} finns inte",
                                f"programme {programme_id!r} does not exist",
                            ),
                        )
                    ]
                )
            return programme.college_id
        raise InvalidData(
            [
                (
                    "college_id",
                    Text("ange colleget för en anordnare", "name the college for a provider"),
                )
            ]
        )

    def _workflow(self, name: str) -> Workflow:
        try:
            return self.workflows[name]
        except KeyError:
            known = ", ".join(sorted(self.workflows))
            raise InvalidData(
                [
                    (
                        "workflow",
                        Text(
                            f"okänt arbetsflöde {name!r} (finns: {known})",
                            f"unknown workflow {name!r} (known: {known})",
                        ),
                    )
                ]
            ) from None

    def case(self, case_id: str) -> Case:
        """The case with `case_id`."""
        return self.get(Case, case_id)

    def cases(self, **where: object) -> list[Case]:
        """Cases whose fields equal `where` (``workflow=``, ``subject=``, ``state=``, ...)."""
        return self.find(Case, **where)

    def _permit(
        self, case: Case, spec_roles: frozenset[Role], trigger: str, actor: Actor, lookup: TxLookup
    ) -> None:
        allowed = actor.roles & spec_roles
        if not allowed:
            self._refused(actor, trigger, case.id)
            raise PermissionDenied(actor.id, trigger, (r.value for r in spec_roles))
        if allowed == {Role.REVIEWER}:
            college = lookup.get(College, case.college_id)
            if college is not None and _belongs_to(actor.id, college):
                self._refused(actor, trigger, case.id)
                raise PermissionDenied(
                    actor.id,
                    trigger,
                    (r.value for r in spec_roles),
                    Text(
                        "granskaren tillhör colleget som granskas",
                        "the reviewer belongs to the college under review",
                    ),
                )

    def _refused(self, actor: Actor, trigger: str, case_id: str) -> None:
        audit_log.warning(
            "refused: actor=%s roles=%s trigger=%s case=%s",
            actor.id,
            ",".join(sorted(r.value for r in actor.roles)),
            trigger,
            case_id,
        )

    def _guards(
        self, case: Case, guard_ids: Sequence[str], lookup: TxLookup, now: datetime
    ) -> tuple[Finding, ...]:
        context = Context(now, lookup, self.criteria)
        return tuple(run_rule(self.rules[g], case, context) for g in guard_ids)

    def fire(
        self,
        case_id: str,
        trigger: str,
        *,
        actor: Actor,
        note: str = "",
        params: Mapping[str, str] | None = None,
        expected_version: int | None = None,
    ) -> TransitionRecord:
        """Fire `trigger` on a case as `actor`.

        Raises :class:`PermissionDenied` (role), :class:`TransitionNotAllowed` (state or
        guards, with every failing finding), :class:`ConcurrentUpdate` (stale version),
        and changes nothing in those cases.
        """
        now = self.now()
        with self._tx() as (tx, lookup):
            record, case = self._fire(
                tx, lookup, case_id, trigger, actor, note, dict(params or {}), now, expected_version
            )
        self._observe(case, record)
        return record

    def _fire(
        self,
        tx: Transaction,
        lookup: TxLookup,
        case_id: str,
        trigger: str,
        actor: Actor,
        note: str,
        params: dict[str, str],
        now: datetime,
        expected_version: int | None,
    ) -> tuple[TransitionRecord, Case]:
        stored = tx.get(CASE, case_id)
        if stored is None:
            raise NotFound(CASE, case_id)
        if expected_version is not None and stored.version != expected_version:
            raise ConcurrentUpdate(CASE, case_id, expected_version, stored.version)
        case = from_data(stored.data, Case)
        flow = self._workflow(case.workflow)
        spec = flow.spec(trigger)
        self._permit(case, spec.roles, trigger, actor, lookup)
        flow.check_source(case, spec)
        flow.check_params(case, spec, params, now.date())
        findings = self._guards(case, spec.guards, lookup, now)
        failing = [f for f in findings if f.status.blocks]
        if failing:
            audit_log.info(
                "guards refused %s on %s: %s",
                trigger,
                case_id,
                ", ".join(f.rule_id for f in failing),
            )
            raise TransitionNotAllowed(case_id, trigger, case.state, failing)
        source, dest = flow.move(case, trigger, now, params)
        record = TransitionRecord(
            case_id, 0, trigger, source, dest, actor.id, actor.roles, now, note, params, findings
        )
        seq = tx.append_history(case_id, record_data(record))
        record = attrs.evolve(record, seq=seq)
        self._store_case(tx, case, flow, stored.version)
        if spec.notify:
            state_from, state_to = flow.definition.state(source), flow.definition.state(dest)
            self._enqueue(
                tx,
                lookup,
                case,
                "transition",
                trigger,
                spec.notify,
                now,
                {
                    "from": state_from.title.en,
                    "to": state_to.title.en,
                    "from_sv": state_from.title.sv,
                    "to_sv": state_to.title.sv,
                    "at": now.date().isoformat(),
                    "note": note,
                    **_dates_set(spec, case),
                },
            )
        return record, case

    def _observe(self, case: Case, record: TransitionRecord) -> None:
        for error in self.hooks.transition_committed(case, record):
            audit_log.error(
                "observer failed after %s on %s: %s", record.trigger, record.case_id, error
            )

    def available(self, case_id: str, actor: Actor) -> list[Option]:
        """What `actor` could fire on the case now, each with its guards judged."""
        now = self.now()
        with self._tx() as (_, lookup):
            case = lookup.get(Case, case_id)
            if case is None:
                raise NotFound(CASE, case_id)
            flow = self._workflow(case.workflow)
            options = []
            for spec in flow.triggers_from(case.state):
                try:
                    self._permit(case, spec.roles, spec.trigger, actor, lookup)
                    permitted = True
                except PermissionDenied:
                    permitted = False
                findings = self._guards(case, spec.guards, lookup, now)
                options.append(Option(spec.trigger, spec.title, spec.dest, permitted, findings))
            return options

    def history(self, case_id: str) -> list[TransitionRecord]:
        """The audit records of a case, oldest first."""
        with self._tx() as (tx, _):
            return [
                attrs.evolve(from_data(data, TransitionRecord), seq=i)
                for i, data in enumerate(tx.history(case_id), start=1)
            ]

    def replay(self, case_id: str) -> Case:
        """The case rebuilt from its history alone."""
        case = self.case(case_id)
        records = [r for r in self.history(case_id) if r.trigger != "open"]
        return self._workflow(case.workflow).replay(case, records)

    # -- rules -----------------------------------------------------------------------

    def assess(self, subject: object, *, rule_set: str = "") -> Assessment:
        """Assess a college, programme or other subject against the criteria in force."""
        now = self.now()
        with self._tx() as (_, lookup):
            return assess(
                subject, self.criteria, Context(now, lookup, self.criteria), rule_set=rule_set
            )

    def record_judgement(self, judgement: Judgement, *, actor: Actor) -> None:
        """Store a reviewer's judgement; the actor must be that reviewer, not a member of
        the college judged."""
        if Role.REVIEWER not in actor.roles or actor.id != judgement.reviewer_id:
            self._refused(actor, "record_judgement", judgement.subject_id)
            raise PermissionDenied(actor.id, "record_judgement", ["reviewer"])
        with self._tx() as (tx, lookup):
            college = lookup.get(College, judgement.subject_id)
            if college is None:
                programme = lookup.get(Programme, judgement.subject_id)
                college = lookup.get(College, programme.college_id) if programme else None
            if college is not None and _belongs_to(actor.id, college):
                self._refused(actor, "record_judgement", judgement.subject_id)
                raise PermissionDenied(
                    actor.id,
                    "record_judgement",
                    ["reviewer"],
                    Text("granskaren tillhör colleget", "the reviewer belongs to the college"),
                )
            if judgement.rule_id not in self.rules:
                raise InvalidData(
                    [
                        (
                            "rule_id",
                            Text(
                                f"okänd regel {judgement.rule_id!r}",
                                f"unknown rule {judgement.rule_id!r}",
                            ),
                        )
                    ]
                )
            tx.put("judgement", judgement.id, to_data(judgement), expected_version=0)

    # -- time ------------------------------------------------------------------------

    def tick(self, now: datetime | date | None = None, *, batch: int = 500) -> TickReport:
        """Fire the time-based transitions that are due and enqueue due reminders.

        Only cases whose stored due time has come are read (an index, not a scan).
        """
        when = as_datetime(now) if now is not None else self.now()
        fired: list[tuple[str, str]] = []
        reminders = examined = 0
        skip: set[str] = set()
        while True:
            with self._tx() as (tx, _):
                due = [s for s in tx.due(when, batch + len(skip)) if s.id not in skip]
            if not due:
                break
            for stored in due[:batch]:
                skip.add(stored.id)
                examined += 1
                try:
                    with self._tx() as (tx, lookup):
                        done, sent = self._tick_case(tx, lookup, stored.id, when)
                except ConcurrentUpdate:
                    continue  # someone else moved it; the next sweep looks again
                fired += done
                reminders += sent
        return TickReport(tuple(fired), reminders, examined)

    def _tick_case(
        self, tx: Transaction, lookup: TxLookup, case_id: str, when: datetime
    ) -> tuple[list[tuple[str, str]], int]:
        stored = tx.get(CASE, case_id)
        if stored is None or stored.due_at is None or stored.due_at > when:
            return [], 0
        case = from_data(stored.data, Case)
        flow = self._workflow(case.workflow)
        fired = []
        # One at a time, judged again after each: expiring may end the case before its
        # supplements would have lapsed, and a plug-in's guard may refuse a time trigger.
        for _ in range(len(flow.definition.time_rules) + 1):
            due_now = flow.due_triggers(case, when)
            if not due_now:
                break
            try:
                _, case = self._fire(tx, lookup, case_id, due_now[0], SYSTEM, "", {}, when, None)
            except TransitionNotAllowed as refused:
                audit_log.warning("time rule %s refused on %s: %s", due_now[0], case_id, refused)
                break
            fired.append((case_id, due_now[0]))
            stored = tx.get(CASE, case_id)
            assert stored is not None
        sent = 0
        for reminder, key in flow.due_reminders(case, when):
            due = case.deadlines[reminder.deadline]
            self._enqueue(
                tx,
                lookup,
                case,
                "reminder",
                reminder.name,
                reminder.roles,
                when,
                {"due": due.isoformat()},
                id=f"{case.id}:{key}",
            )
            case.reminders_sent.append(key)
            sent += 1
        if sent:
            self._store_case(tx, case, flow, stored.version)
        return fired, sent

    def _store_case(self, tx: Transaction, case: Case, flow: Workflow, version: int) -> None:
        """Write `case` under the version check, with when the sweep next needs it."""
        tx.put(CASE, case.id, to_data(case), expected_version=version, due_at=flow.next_due(case))


def _dates_set(spec: Transition, case: Case) -> dict[str, str]:
    """The deadlines a transition just set, for the notification's text."""
    found = {}
    if spec.sets:
        found["due"] = case.deadlines[spec.sets[-1].name].isoformat()
    if spec.certifies:
        found["valid_until"] = case.certifications[-1].valid_until.isoformat()
    return found


def _belongs_to(person_id: str, college: College) -> bool:
    return person_id in college.process_leaders or any(
        g.member(person_id) is not None for g in college.steering_groups()
    )
