"""The front of the library: a :class:`Registry` opens a unit of work and calls a service.

Every change runs as *load → judge → fire → save*, with the audit record and the outbox
entries in the same transaction; notifiers and observers run only after it committed.
The services (:mod:`teknikcollege.services`) hold the logic; this class holds the
storage and the dependencies built once by :func:`~teknikcollege.bootstrap.bootstrap`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime, timedelta
from typing import IO, Any, TypeVar

import attrs

from ._text import _
from .authority import in_reviewer_pool
from .bootstrap import Dependencies, RetryPolicy, bootstrap
from .clock import Clock, as_datetime
from .errors import ConcurrentUpdate, InvalidData, NotFound, PermissionDenied
from .kinds import kind_of
from .models import College, Judgement, Person, Role, UnitKind, UnitRef, local_day
from .models.followup import FollowUpConfig, Obligation
from .notify.port import Notification, Notifier
from .plugins import Hooks, PluginManager, make_plugin_manager, open_storage
from .rules.assessment import assess
from .rules.base import DEFAULT_CONCEPT, Context, Rule
from .rules.findings import Assessment
from .serialization import Bundle, export_document
from .services import cases as case_service
from .services import exchange, followup, maintenance, records, trust
from .services import status as status_service
from .services.cases import Option
from .services.delivery import DeliveryReport, deliver
from .services.policy import (
    _one_line,
    change_denial,
    denial,
    judgement_scope,
    refuse,
    roles_for,
)
from .services.references import reference_problems
from .services.status import UnitStatus
from .services.sweep import TickReport, tick
from .services.trust import ChainReport
from .storage.port import Storage
from .unit_of_work import UnitOfWork, unit_of_work
from .workflow.case import Actor, Case, Refusal, TransitionRecord
from .workflow.engine import Workflow

__all__ = [
    "DEFAULT_STORAGE",
    "ChainReport",
    "DeliveryReport",
    "Option",
    "Registry",
    "TickReport",
    "UnitStatus",
]

T = TypeVar("T")

audit_log = logging.getLogger("teknikcollege.audit")

DEFAULT_STORAGE = "sqlite:///teknikcollege.db"


class Registry:
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
        self.plugin_manager = plugin_manager or make_plugin_manager()
        self.deps: Dependencies = bootstrap(
            self.plugin_manager,
            clock=clock,
            config=config,
            criteria_sets=criteria_sets,
            concept=concept,
            retry=RetryPolicy(max_attempts, retry_base, retry_cap),
        )
        self._bring_index_up_to_date()

    def _bring_index_up_to_date(self) -> None:
        # A store written by 0.1 (or an older index version) gets its index keys once.
        with self._uow(write=False) as uow:
            if maintenance.index_is_current(uow):
                return
        if getattr(self.storage, "read_only", False):
            return
        with self._uow() as uow:
            if not maintenance.index_is_current(uow):
                count = maintenance.reindex(self.deps, uow)
                audit_log.info("index keys written for %d stored records", count)

    @classmethod
    def open(cls, url: str | None = None, **options: Any) -> Registry:
        """Open the storage at `url`, else ``TEKNIKCOLLEGE_STORAGE``, else
        ``sqlite:///teknikcollege.db``; `options` go to the constructor."""
        pm = options.pop("plugin_manager", None) or make_plugin_manager()
        target = url or os.environ.get("TEKNIKCOLLEGE_STORAGE") or DEFAULT_STORAGE
        storage = open_storage(target, Hooks(pm).storage_backends())
        return cls(storage, plugin_manager=pm, **options)

    # -- what was built once -----------------------------------------------------------

    @property
    def clock(self) -> Clock:
        """The registry's clock."""
        return self.deps.clock

    @property
    def hooks(self) -> Hooks:
        """The plug-in façade."""
        return self.deps.hooks

    @property
    def rules(self) -> Mapping[str, Rule]:
        """Every rule by id (criteria and guards)."""
        return self.deps.rules

    @property
    def criteria(self) -> tuple[Rule, ...]:
        """The quality criteria in force (this registry's concept and rule sets)."""
        return self.deps.criteria

    @property
    def workflows(self) -> Mapping[str, Workflow]:
        """The workflows by name."""
        return self.deps.workflows

    @property
    def notifiers(self) -> tuple[Notifier, ...]:
        """The notifiers, in name order."""
        return self.deps.notifiers

    @property
    def concept(self) -> str:
        """The college concept whose criteria this registry assesses with."""
        return self.deps.concept

    def close(self) -> None:
        """Close the storage."""
        self.storage.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> datetime:
        """The current time of the registry's clock."""
        return as_datetime(self.deps.clock.now())

    # -- units of work ---------------------------------------------------------------

    def _uow(self, *, write: bool = True) -> AbstractContextManager[UnitOfWork]:
        return unit_of_work(self.storage, self.deps.cache, write=write)

    def _change(self) -> AbstractContextManager[UnitOfWork]:
        """A writing unit of work whose refusals are stored after it rolled back."""
        return unit_of_work(self.storage, self.deps.cache, after_error=self._refused)

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, PermissionDenied):
            self._store_refusal(error)

    def _store_refusal(self, denied: PermissionDenied) -> None:
        refusal: Refusal | None = getattr(denied, "refusal", None)
        if refusal is None:
            return
        try:
            with self._uow() as uow:
                uow.refusals.add(refusal)
        except Exception as error:  # the refusal itself must still reach the caller
            audit_log.error("could not store a refusal: %r", error)

    def refusals(self, *, after: int = 0, limit: int | None = None) -> list[Refusal]:
        """Refused attempts (who, what, on what, when, why), oldest first.

        They are numbered from 1 in the order they were stored, and never removed: the
        first one returned is number ``after + 1``, so the next page starts after
        ``after + len(page)`` (the command line prints the numbers)."""
        with self._uow(write=False) as uow:
            return uow.refusals.all(after=after, limit=limit)

    # -- entities --------------------------------------------------------------------

    def create_admin(self, person: Person) -> Person:
        """Make `person` the store's first administrator (stored with the ``admin`` role).

        Done once, explicitly, when a store is initialised: with an administrator already
        stored it raises :class:`PermissionDenied`, and later administrators are named by
        an administrator.
        """
        with self._change() as uow:
            if next(uow.entities.with_key(Person, "roles", Role.ADMIN.value), None) is not None:
                raise refuse(
                    Actor(person.id, frozenset()),
                    "create_admin",
                    person.id,
                    {Role.ADMIN},
                    self.now(),
                    _("the store already has an administrator"),
                )
            found = uow.entities.get_versioned(Person, person.id)
            base = found[0] if found else person
            admin = attrs.evolve(base, roles=base.roles | {Role.ADMIN})
            uow.entities.write(admin, expected_version=found[1] if found else 0)
        audit_log.info("first administrator: %s", person.id)
        return admin

    def add(self, *entities: object, actor: Actor) -> None:
        """Store new entities in one transaction, as `actor` (see :doc:`authority`).

        An id already taken raises :class:`ConcurrentUpdate`, a missing reference
        :class:`InvalidData`, an entity the actor may not write :class:`PermissionDenied`
        (and nothing is stored but the refusal). Cases change only through
        :meth:`open_case` and :meth:`fire`."""
        now = self.now()
        with self._change() as uow:
            for entity in entities:
                _authorize_change(uow, actor, entity, now)
                _check_references(self, uow, entity, entities, now)
                uow.entities.add(entity)
        _audit_change("added", entities, actor)

    def save(self, entity: object, *, actor: Actor, expected_version: int | None = None) -> int:
        """Create or replace `entity` as `actor`; returns its new version. With
        `expected_version`, a stale write raises :class:`ConcurrentUpdate` and changes
        nothing; who may write what is as for :meth:`add`."""
        now = self.now()
        with self._change() as uow:
            _authorize_change(uow, actor, entity, now)
            _check_references(self, uow, entity, (entity,), now)
            if expected_version is None:
                expected_version = uow.entities.version(type(entity), entity.id) or 0  # type: ignore[attr-defined]
            version = uow.entities.write(entity, expected_version=expected_version)
        _audit_change("saved", (entity,), actor)
        return version

    def get(self, cls: type[T], id: str) -> T:
        """The entity of `cls` with `id`; :class:`NotFound` if there is none."""
        with self._uow(write=False) as uow:
            found = uow.entities.get(cls, id)
        if found is None:
            raise NotFound(kind_of(cls), id)
        return found

    def version(self, cls: type[Any], id: str) -> int:
        """The stored version of an entity (for :meth:`save`'s `expected_version`)."""
        with self._uow(write=False) as uow:
            found = uow.entities.version(cls, id)
        if found is None:
            raise NotFound(kind_of(cls), id)
        return found

    def find(self, cls: type[T], **where: object) -> list[T]:
        """Entities of `cls` whose fields equal `where`, ordered by id."""
        with self._uow(write=False) as uow:
            return uow.entities.find(cls, **where)

    def stream(self, cls: type[T], **where: object) -> Iterator[T]:
        """Like :meth:`find`, a page at a time: memory stays bounded for any store size.
        Each page is read in its own short read transaction, so streams may nest and a
        writer is never held up by a slow reader."""
        after: str | None = None
        while True:
            with self._uow(write=False) as uow:
                found, after = uow.entities.page(cls, where, after=after)
            yield from found
            if after is None:
                return

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
        it, or given as `college_id` for a provider). One open case per subject and
        workflow: a second raises :class:`CaseExists`."""
        with self._change() as uow:
            return case_service.open_case(
                self.deps,
                uow,
                workflow,
                subject,
                actor=actor,
                now=self.now(),
                college_id=college_id,
                case_id=case_id,
                note=note,
            )

    def case(self, case_id: str) -> Case:
        """The case with `case_id`."""
        return self.get(Case, case_id)

    def cases(self, **where: object) -> list[Case]:
        """Cases whose fields equal `where`; ``workflow=``, ``subject=``, ``state=`` and
        ``college_id=`` are found through the storage's index."""
        return self.find(Case, **where)

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

        Raises :class:`PermissionDenied` (role; the refusal is stored),
        :class:`TransitionNotAllowed` (state or guards, with every failing finding),
        :class:`ConcurrentUpdate` (stale version), and changes nothing in those cases.
        """
        with self._change() as uow:
            record, case = case_service.fire(
                self.deps,
                uow,
                case_id,
                trigger,
                actor=actor,
                now=self.now(),
                note=note,
                params=params,
                expected_version=expected_version,
            )
        self._observe(case, record)
        return record

    def batch(self) -> AbstractContextManager[Batch]:
        """Many changes in one transaction, all or nothing: ``with registry.batch() as b:``
        then ``b.add(...)``, ``b.open_case(...)``, ``b.fire(...)``; observers hear of the
        transitions once it has committed."""
        return _batch(self)

    def _observe(self, case: Case, record: TransitionRecord) -> None:
        for error in self.deps.hooks.transition_committed(case, record):
            audit_log.error(
                "observer failed after %s on %s: %s", record.trigger, record.case_id, error
            )

    def available(self, case_id: str, actor: Actor) -> list[Option]:
        """What `actor` could fire on the case now, each with its guards judged (nothing,
        once a time rule has ended the case, before the sweep records it)."""
        with self._uow(write=False) as uow:
            return case_service.available(self.deps, uow, case_id, actor, self.now())

    def history(self, case_id: str) -> list[TransitionRecord]:
        """The audit records of a case, oldest first."""
        with self._uow(write=False) as uow:
            return uow.history.of(case_id)

    def replay(self, case_id: str) -> Case:
        """The case rebuilt from its history alone."""
        case = self.case(case_id)
        records = [r for r in self.history(case_id) if r.trigger != "open"]
        return case_service.workflow(self.deps, case.workflow).replay(case, records)

    # -- rules -----------------------------------------------------------------------

    def assess(self, subject: object, *, rule_set: str = "") -> Assessment:
        """Assess a college, programme or other subject against the criteria in force."""
        now = self.now()
        with self._uow(write=False) as uow:
            return assess(
                subject, self.criteria, Context(now, uow, self.criteria), rule_set=rule_set
            )

    def record_judgement(self, judgement: Judgement, *, actor: Actor) -> None:
        """Store a reviewer's judgement; the actor must be that reviewer, in a reviewer
        pool valid on the day of the judgement, without a conflict of interest with the
        college judged (the college of the case whose visit the judgement names) or with
        the provider under review.

        The judgement may not lie after today; a visit it names must exist, be of the
        same unit and round, and be held by the day of the judgement. Without a round it
        is stored with its visit's, else with the current review round of its college's
        or programme's certification case (see :doc:`rules`)."""
        now = self.now()
        with self._change() as uow:
            # The conflicts of interest of the college and unit it is made in (a visit's
            # case; a provider judged outside a visit is still the provider under review).
            college_id, unit = judgement_scope(uow, judgement)
            roles, conflict = roles_for(uow, actor, college_id, unit, now=now)
            reason = denial(frozenset({Role.REVIEWER}), roles, conflict)
            if reason is None and actor.id != judgement.reviewer_id:
                reason = _("only the reviewer may record their own judgement")
            if reason is None and not in_reviewer_pool(uow, actor.id, judgement.decided):
                reason = _(
                    "the reviewer is in no reviewer pool valid on {day}",
                    day=judgement.decided.isoformat(),
                )
            if reason is not None:
                raise refuse(
                    actor, "record_judgement", judgement.subject_id, {Role.REVIEWER}, now, reason
                )
            if judgement.rule_id not in self.rules:
                raise InvalidData.at("rule_id", _("unknown rule {id!r}", id=judgement.rule_id))
            records.raise_problems(records.record_problems(uow, judgement, local_day(now)))
            uow.entities.add(records.with_round(uow, judgement))

    # -- time ------------------------------------------------------------------------

    def tick(self, now: datetime | date | None = None, *, batch: int = 500) -> TickReport:
        """Fire the time-based transitions that are due and enqueue due reminders.

        Only cases whose stored due time has come are read (an index, not a scan); one
        case that cannot be processed is skipped and reported, the rest go on.
        """
        clock = self.now()
        when = as_datetime(now) if now is not None else clock
        if when > clock:
            # Time rules fire only once their date has come by the registry's own clock:
            # a sweep "in the future" would expire what is still valid.
            # No role may: the refusal names the time asked for and the clock, not roles,
            # to the second (finer where that would print them alike).
            spec = "seconds" if when.replace(microsecond=0) > clock else "microseconds"
            error = refuse(
                Actor("system", frozenset()),
                "tick",
                when.isoformat(),
                (),
                clock,
                _(
                    "that is later than the registry's clock ({clock})",
                    clock=clock.isoformat(timespec=spec),
                ),
                what=_("run the sweep at {at}", at=when.isoformat(timespec=spec)),
            )
            self._store_refusal(error)
            raise error
        return tick(self.deps, self._uow, when, batch=batch, committed=self._observe)

    # -- notifications ---------------------------------------------------------------

    def deliver(
        self, now: datetime | date | None = None, *, limit: int | None = None
    ) -> DeliveryReport:
        """Send what the outbox holds to each notifier until it is empty (or `limit`
        deliveries per notifier: then ``remaining`` says how many wait); failures are
        retried with exponential backoff, then kept as dead letters."""
        when = as_datetime(now) if now is not None else self.now()
        return deliver(self.deps, self._uow, when, limit=limit)

    def outbox(self, status: str | None = None) -> list[tuple[Notification, str, str, int]]:
        """Outbox entries as ``(notification, notifier, status, attempts)``."""
        with self._uow(write=False) as uow:
            return [(n, d.notifier, d.status, d.attempts) for n, d in uow.outbox.stream(status)]

    def retry_dead(self, notification_id: str | None = None) -> int:
        """Make dead letters pending again (all, or one notification's); returns how many."""
        now = self.now()
        with self._uow() as uow:
            dead = [d for _, d in uow.outbox.stream("dead")]
            return sum(
                uow.tx.revive(d.notification_id, d.notifier, now)
                for d in dead
                if notification_id in (None, d.notification_id)
            )

    # -- exchange and personal data --------------------------------------------------

    def export_bundle(self) -> Bundle:
        """Everything stored (entities, cases, history) as a :class:`Bundle`."""
        with self._uow(write=False) as uow:
            return exchange.export_bundle(uow)

    def export_document(self) -> dict[str, Any]:
        """Everything stored as a JSON-compatible document with a schema version."""
        return export_document(self.export_bundle())

    def write_document(self, out: IO[str]) -> int:
        """Write the export document to `out` record by record (bounded memory);
        returns the number of records. A backend that keeps each record's JSON text
        (SQLite) has it written as it is, unread: :meth:`verify` the store first to be
        sure of what it holds."""
        with self._uow(write=False) as uow:
            return exchange.write_document(uow, out)

    def import_document(
        self,
        document: object,
        *,
        actor: Actor,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Import a document all or nothing, as `actor`; returns how many records were
        written.

        The actor must be an administrator, except in a store that has none yet: that is
        how a backup is restored into a new store (the trusted bulk load; logged to the
        ``teknikcollege.audit`` logger with the actor's id). Every case is replayed
        through its workflow (see :doc:`trust`). Bad input raises :class:`InvalidData`
        listing every error, and nothing changes; an actor who is not an administrator
        gets :class:`PermissionDenied`. `progress(done, total)` is called as records are
        written.
        """
        now = self.now()
        try:
            with self._change() as uow:
                admin = next(uow.entities.with_key(Person, "roles", Role.ADMIN.value), None)
                if admin is not None and Role.ADMIN not in roles_for(uow, actor, None, now=now)[0]:
                    raise refuse(
                        actor, "import", "document", {Role.ADMIN}, now, what=_("import a document")
                    )
                count = exchange.import_bundle(self.deps, uow, document, now, progress)
            audit_log.info("imported %d records by %s", count, _one_line(actor.id))
            return count
        except ConcurrentUpdate as clash:
            # A second open case for a subject and workflow (in the document, or beside
            # one stored) meets the store's unique key: bad data, not a race.
            if clash.kind != "case":
                raise
            raise InvalidData.at(
                "cases",
                _(
                    "case {id!r} is already the open case for the same subject and workflow",
                    id=clash.id,
                ),
            ) from None

    def erase_person(self, person_id: str, *, actor: Actor) -> Person:
        """Remove a person's name and contact data everywhere; their id stays in history
        as a pseudonym, so history still replays."""
        now = self.now()
        with self._change() as uow:
            roles, _ = roles_for(uow, actor, None, now=now)
            if Role.ADMIN not in roles:
                raise refuse(actor, "erase_person", person_id, {Role.ADMIN}, now)
            erased = exchange.erase_person(uow, person_id)
        audit_log.info("erased person %s by %s", person_id, actor.id)
        return erased

    def status(
        self, unit: UnitRef, *, on: date | None = None, college_id: str | None = None
    ) -> UnitStatus:
        """Whether `unit` is certified on `on` (default: today in Stockholm), in which
        period, by which decision, what is open and what is due next and for whom —
        computed from history, so it is right for past days too. A unit counts as
        certified only while a parent of it does (its college, one of its providers, its
        programme: see :doc:`authority`). A provider is certified per college: give
        `college_id` to ask about one; a provider with cases in more than one college on
        `on` needs it (:class:`~teknikcollege.CollegeRequired` names the colleges)."""
        day = on or local_day(self.now())
        with self._uow(write=False) as uow:
            return status_service.unit_status(self.deps, uow, unit, day, college_id)

    def follow_up(self, college_id: str, *, on: date | None = None) -> tuple[Obligation, ...]:
        """What the yearly follow-up of college `college_id` asks that is due by `on`
        (default: today in Stockholm) and not on record, earliest first: the obligations
        of every year of its certification periods. What a
        follow-up reminder names."""
        day = on or local_day(self.now())
        with self._uow(write=False) as uow:
            college = uow.entities.get(College, college_id)
            if college is None:
                raise NotFound(kind_of(College), college_id)
            cases = uow.entities.find(Case, subject=UnitRef(UnitKind.COLLEGE, college_id))
            flows = [self.workflows[c.workflow] for c in cases if c.workflow in self.workflows]
            validity = next(
                (f.definition.validity for f in flows if f.definition.validity.follow_up_due),
                None,
            )
            config = FollowUpConfig.of(validity) if validity is not None else FollowUpConfig()
            return followup.unmet(uow, college, cases, day, config)

    def migrate(self, *, actor: Actor) -> int:
        """Chain the history of a store written by version 0.1 (its records have no
        hashes), once, recording the migration with `actor` and the time. The actor must
        be an administrator (or anyone, while the store has none). Returns how many
        records were chained (0 when there was nothing to do)."""
        now = self.now()
        with self._change() as uow:
            roles, _ = roles_for(uow, actor, None, now=now)
            has_admin = next(uow.entities.with_key(Person, "roles", Role.ADMIN.value), None)
            if has_admin is not None and Role.ADMIN not in roles:
                raise refuse(actor, "migrate", "history", {Role.ADMIN}, now)
            count = maintenance.chain_history(uow, actor.id, now.isoformat())
        audit_log.info("history chained: %d records by %s", count, actor.id)
        return count

    def verify(self) -> list[ChainReport]:
        """Check every case's hash chain; each report names its head hash (keep it
        elsewhere to prove the chain later) and the first record that does not match."""
        with self._uow(write=False) as uow:
            return trust.verify_store(uow)

    def export_person(self, person_id: str) -> dict[str, Any]:
        """Everything stored about one person, as JSON-compatible data."""
        with self._uow(write=False) as uow:
            return exchange.export_person(uow, person_id)


class Batch:
    """Changes collected in one unit of work (see :meth:`Registry.batch`)."""

    def __init__(self, registry: Registry, uow: UnitOfWork) -> None:
        self._registry = registry
        self._uow = uow
        self.records: list[tuple[Case, TransitionRecord]] = []

    def add(self, *entities: object, actor: Actor) -> None:
        """Store new entities as `actor` (as :meth:`Registry.add`)."""
        now = self._registry.now()
        for entity in entities:
            _authorize_change(self._uow, actor, entity, now)
            _check_references(self._registry, self._uow, entity, entities, now)
            self._uow.entities.add(entity)
        _audit_change("added", entities, actor)

    def open_case(self, workflow: str, subject: UnitRef, *, actor: Actor, **options: Any) -> Case:
        """Open a case (as :meth:`Registry.open_case`)."""
        return case_service.open_case(
            self._registry.deps,
            self._uow,
            workflow,
            subject,
            actor=actor,
            now=self._registry.now(),
            **options,
        )

    def fire(self, case_id: str, trigger: str, *, actor: Actor, **options: Any) -> TransitionRecord:
        """Fire a trigger (as :meth:`Registry.fire`); observers hear of it after commit."""
        record, case = case_service.fire(
            self._registry.deps,
            self._uow,
            case_id,
            trigger,
            actor=actor,
            now=self._registry.now(),
            **options,
        )
        self.records.append((case, record))
        return record


@contextmanager
def _batch(registry: Registry) -> Iterator[Batch]:
    with registry._change() as uow:
        batch = Batch(registry, uow)
        yield batch
    for case, record in batch.records:
        registry._observe(case, record)


def _check_references(
    registry: Registry, uow: UnitOfWork, entity: object, pending: Iterable[object], now: datetime
) -> None:
    problems = reference_problems(registry.deps, uow, entity, pending)
    problems += records.record_problems(uow, entity, local_day(now))
    if problems:
        raise InvalidData(problems)


def _authorize_change(uow: UnitOfWork, actor: Actor, entity: object, now: datetime) -> None:
    if isinstance(entity, (Case, TransitionRecord)):
        raise InvalidData.at("", _("a case changes only through its workflow (open_case, fire)"))
    reason = change_denial(uow, actor, entity, now)
    if reason is not None:
        target = f"{kind_of(type(entity))}:{getattr(entity, 'id', '?')}"
        raise refuse(
            actor,
            "change",
            target,
            {Role.ADMIN, Role.PROCESS_LEADER},
            now,
            reason,
            what=_("change {target!r}", target=target),
        )


def _audit_change(verb: str, entities: Iterable[object], actor: Actor) -> None:
    for entity in entities:
        audit_log.info(
            "%s %s %s by %s",
            verb,
            kind_of(type(entity)),
            _one_line(str(getattr(entity, "id", "?"))),
            _one_line(actor.id),
        )
