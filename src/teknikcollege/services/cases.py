"""Cases: open one, fire a trigger, list what an actor could fire."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import date, datetime, timedelta

import attrs

from .._text import Text, _
from ..bootstrap import Dependencies
from ..errors import CaseExists, ConcurrentUpdate, InvalidData, NotFound, TransitionNotAllowed
from ..models import College, Person, Programme, Role, UnitKind, UnitRef
from ..models.common import local_day
from ..models.syntax import FREE_TEXT, ID
from ..rules.base import Context, Lookup, run_rule
from ..rules.findings import Finding
from ..unit_of_work import UnitOfWork
from ..workflow.case import Actor, Case, TransitionRecord
from ..workflow.definition import Transition
from ..workflow.engine import Workflow
from . import policies, records
from .as_of import OnDay
from .notifications import enqueue, new_id
from .policy import case_denial, denial, refuse, roles_for

audit_log = logging.getLogger("teknikcollege.audit")


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


def workflow(deps: Dependencies, name: str, path: str = "workflow") -> Workflow:
    """The workflow called `name`; :class:`InvalidData` naming the known ones if none."""
    try:
        return deps.workflows[name]
    except KeyError:
        known = ", ".join(sorted(deps.workflows))
        raise InvalidData.at(
            path, _("unknown workflow {name!r} (known: {known})", name=name, known=known)
        ) from None


def open_key(case: Case, flow: Workflow) -> str | None:
    """The key only one open case may hold: its workflow and subject (a provider's
    subject includes its college). None once the case is in a final state."""
    if flow.state(case.state).final:
        return None
    scope = f"@{case.college_id}" if case.subject.kind is UnitKind.PROVIDER else ""
    return f"{case.workflow}|{case.subject}{scope}"


def store_case(uow: UnitOfWork, case: Case, flow: Workflow, version: int) -> int:
    """Write `case` under the version check, indexed, with when the sweep next needs it."""
    try:
        return uow.entities.write(
            case,
            expected_version=version,
            due_at=flow.next_due(case),
            unique=open_key(case, flow),
        )
    except ConcurrentUpdate as clash:
        if version == 0 and clash.id != case.id:
            raise CaseExists(case.workflow, str(case.subject), clash.id) from None
        raise


def college_of(uow: UnitOfWork, subject: UnitRef) -> str:
    """The college a subject belongs to (a provider's must be named)."""
    if subject.kind is UnitKind.COLLEGE:
        return subject.id
    if subject.kind in (UnitKind.PROGRAMME, UnitKind.ORIENTATION):
        programme_id = subject.parent if subject.kind is UnitKind.ORIENTATION else subject.id
        programme = uow.entities.get(Programme, programme_id or "")
        if programme is None:
            raise InvalidData.at("subject", _("programme {id!r} does not exist", id=programme_id))
        return programme.college_id
    raise InvalidData.at("college_id", _("name the college for a provider"))


def open_case(
    deps: Dependencies,
    uow: UnitOfWork,
    name: str,
    subject: UnitRef,
    *,
    actor: Actor,
    now: datetime,
    college_id: str | None = None,
    case_id: str | None = None,
    note: str = "",
    recorded: TransitionRecord | None = None,
) -> Case:
    """Open a case of workflow `name` for `subject`; one open case per subject and
    workflow is kept by the storage's unique key."""
    FREE_TEXT.check(note, "note")
    if case_id is not None:
        ID.check(case_id, "case_id")
    flow = workflow(deps, name)
    kinds = flow.definition.subject_kinds
    if kinds and subject.kind.value not in kinds:
        allowed = ", ".join(sorted(kinds))
        raise InvalidData.at(
            "subject",
            _(
                "{name!r} does not apply to a unit of kind {kind!r} (only {allowed})",
                name=name,
                kind=subject.kind.value,
                allowed=allowed,
            ),
        )
    records.raise_problems(records.subject_problems(uow, subject))
    college = college_id or college_of(uow, subject)
    if subject.kind is not UnitKind.PROVIDER and college != college_of(uow, subject):
        # Only a provider is certified within a college it names: another unit's case
        # is its own college's (and judged by that college's people).
        raise InvalidData.at(
            "college_id",
            _(
                "{subject} belongs to college {college!r}, not {given!r}",
                subject=str(subject),
                college=college_of(uow, subject),
                given=college,
            ),
        )
    if uow.entities.get(College, college) is None:
        raise InvalidData.at("college_id", _("college {id!r} does not exist", id=college))
    roles, conflict = roles_for(uow, actor, college, subject, now=now, past=recorded is not None)
    reason = denial(flow.definition.opened_by, roles, conflict)
    if reason is not None:
        raise refuse(actor, "open", f"{name}:{subject}", flow.definition.opened_by, now, reason)
    case = flow.new_case(case_id or new_id("case"), subject, college, now)
    used = roles & flow.definition.opened_by
    if recorded is not None:
        records.raise_problems(_disagreements(recorded, "", case.state, used, (), ()))
    store_case(uow, case, flow, 0)
    if recorded is not None:
        uow.history.append_recorded(recorded)
    else:
        uow.history.append(
            TransitionRecord(case.id, 1, "open", "", case.state, actor.id, used, now, note)
        )
    return case


def guards(
    deps: Dependencies,
    uow: UnitOfWork,
    case: Case,
    spec: Transition,
    now: datetime,
    lookup: Lookup | None = None,
) -> tuple[Finding, ...]:
    """Judge the transition's guard rules on `case` by what the store held on the day of
    `now` (`lookup`, for a replayed step: what it held at `now`; see
    :mod:`teknikcollege.services.as_of`)."""
    if not spec.guards:
        return ()
    context = Context(now, lookup or OnDay(uow, local_day(now)), deps.criteria)
    return tuple(run_rule(deps.rules[g], case, context) for g in spec.guards)


def fire(
    deps: Dependencies,
    uow: UnitOfWork,
    case_id: str,
    trigger: str,
    *,
    actor: Actor,
    now: datetime,
    note: str = "",
    params: Mapping[str, str] | None = None,
    expected_version: int | None = None,
    by_sweep: bool = False,
    notify: bool = True,
    recorded: TransitionRecord | None = None,
    follow: bool = True,
    lookup: Lookup | None = None,
) -> tuple[TransitionRecord, Case]:
    """Fire `trigger` on a case: permission, parameters, guards, then the machine moves
    the case; history and notifications are written in the same unit of work. A replay
    passes the `recorded` record and the `lookup` its guards read (the store as it was
    then)."""
    if note != "":  # the empty note (the usual one) is valid
        FREE_TEXT.check(note, "note")
    found = uow.entities.get_versioned(Case, case_id)
    if found is None:
        raise NotFound("case", case_id)
    case, version = found
    if expected_version is not None and version != expected_version:
        raise ConcurrentUpdate("case", case_id, expected_version, version)
    flow = deps.workflows.get(case.workflow) or workflow(deps, case.workflow, "case.workflow")
    spec = flow.spec(trigger)
    if not by_sweep:  # the permission check reads these two: one round trip for both
        uow.entities.prefetch((Person, actor.id), (College, case.college_id))
    roles, conflict = roles_for(
        uow,
        actor,
        case.college_id,
        case.subject,
        now=now,
        by_sweep=by_sweep,
        past=recorded is not None,
    )
    reason = denial(spec.roles, roles, conflict)
    if reason is not None:
        raise refuse(actor, trigger, case.id, spec.roles, now, reason)
    flow.check_source(case, spec)
    if not by_sweep and recorded is None:
        _refuse_if_ended(flow, case, trigger, now)
    params = dict(params) if params else {}
    if spec.needs_reason and not note.strip():
        raise InvalidData.at(
            "note",
            _(
                "{trigger!r} is a decision that needs its reason: write it in the note",
                trigger=trigger,
            ),
        )
    if spec.event_date is not None or spec.sets or params:  # else nothing to fill or check
        if recorded is None:  # a record of the past (an import) replays as recorded
            params = records.step_params(uow, case, flow, spec, params, now)
        flow.check_params(case, spec, params, now)  # the day in the workflow's time zone
    findings = guards(deps, uow, case, spec, now, lookup)
    failing = [f for f in findings if f.status.blocks] if findings else None
    if failing:
        audit_log.info(
            "guards refused %s on %s: %s", trigger, case_id, ", ".join(f.rule_id for f in failing)
        )
        raise TransitionNotAllowed(case_id, trigger, case.state, failing)
    # The record names the roles the person was judged by: those they held, not claimed.
    used = roles & spec.roles
    source, dest = flow.move(case, trigger, now, params)  # the case is stored below
    if recorded is not None:  # a record of the past must say what the step does
        records.raise_problems(_disagreements(recorded, source, dest, used, findings, spec.guards))
        record = uow.history.append_recorded(recorded)
    else:
        record = uow.history.add(
            case_id, trigger, source, dest, actor.id, used, now, note, params, findings
        )
    store_case(uow, case, flow, version)
    # Records the step itself creates (a granted postponement), in the same unit of work.
    if spec.creates is not None:
        for entity in flow.created(case, record):
            if recorded is not None and uow.entities.get(type(entity), entity.id) is not None:
                # A replay: the document brought the record the step made, perhaps
                # corrected since (see Registry.save); it is that record (services.replay
                # checks).
                continue
            uow.entities.add(entity)
    # Cases that depend on this one follow it in the same transaction.
    if follow:  # a replay carries the policies' own records: it must not add them again
        policies.follow(deps, uow, case, spec, record, now, fire)
    if spec.notify and notify:
        state_from, state_to = flow.state(source), flow.state(dest)
        enqueue(
            deps,
            uow,
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
                "at": local_day(now).isoformat(),
                "note": note,
                **_dates_set(spec, case),
            },
        )
    return record, case


def ended_by_time(flow: Workflow, case: Case, now: datetime) -> tuple[str, date] | None:
    """The time rule that has ended `case` at `now` though the sweep has not recorded it
    yet (its supplements lapsed, its certification expired), and the day it came; None
    if there is none."""
    if not flow.time_rules_in(case.state):  # nothing can end it: no day to work out
        return None
    return ended_on(flow, case, flow.day(now))


def ended_on(flow: Workflow, case: Case, day: date) -> tuple[str, date] | None:
    """:func:`ended_by_time` on the Stockholm day `day`."""
    for rule in flow.time_rules_in(case.state):
        deadline = case.deadlines.get(rule.deadline)
        if deadline is None:
            continue
        if not flow.state(flow.spec(rule.trigger).dest).final:
            continue  # opening the recertification ends nothing
        due = deadline + timedelta(days=rule.offset_days)
        if day >= due:
            return rule.trigger, due
    return None


def _refuse_if_ended(flow: Workflow, case: Case, trigger: str, now: datetime) -> None:
    """Refuse a step on a case that a time rule has ended, though the sweep has not run
    yet: what happens to a case must not depend on the day the sweep runs."""
    ended = ended_by_time(flow, case, now)
    if ended is not None:
        raise TransitionNotAllowed(
            case.id,
            trigger,
            case.state,
            reason=_(
                "{rule!r} has been due since {day}: the case has ended, and the sweep records it",
                rule=ended[0],
                day=ended[1].isoformat(),
            ),
        )


def _disagreements(
    recorded: TransitionRecord,
    source: str,
    dest: str,
    roles: frozenset[Role],
    findings: tuple[Finding, ...],
    guards: tuple[str, ...],
) -> Iterator[tuple[str, Text]]:
    """Where a record of the past (an import) says otherwise than the step it records:
    the states it moves between, the roles its person held and used (a record may name
    fewer than they held, if they acted with fewer: the replay narrows to the record's),
    and the guards it was judged by (none of which can have blocked it)."""
    for field, said, done in (("source", recorded.source, source), ("dest", recorded.dest, dest)):
        if said != done:
            yield field, _("says {said!r}, but the step gives {done!r}", said=said, done=done)
    if recorded.actor_roles != roles:
        yield (
            "actor_roles",
            _(
                "says {said}, but the person held and used {done}",
                said=", ".join(sorted(r.value for r in recorded.actor_roles)) or "-",
                done=", ".join(sorted(r.value for r in roles)) or "-",
            ),
        )
    judged = [f.rule_id for f in recorded.findings]
    if judged != [f.rule_id for f in findings] or len(guards) != len(judged):
        yield (
            "findings",
            _(
                "names the guards {said}, but the step has {done}",
                said=", ".join(judged) or "-",
                done=", ".join(guards) or "-",
            ),
        )
    for i, finding in enumerate(recorded.findings):
        if finding.status.blocks:
            yield (
                f"findings[{i}].status",
                _("guard {rule!r} blocked: the step was not taken", rule=finding.rule_id),
            )


def available(
    deps: Dependencies, uow: UnitOfWork, case_id: str, actor: Actor, now: datetime
) -> list[Option]:
    """What `actor` could fire on the case now, each with its guards judged. Asking is
    not attempting: nothing is logged or stored as refused."""
    case = uow.entities.get(Case, case_id)
    if case is None:
        raise NotFound("case", case_id)
    flow = workflow(deps, case.workflow, "case.workflow")
    if ended_by_time(flow, case, now) is not None:
        return []  # nothing may be fired until the sweep records the end
    options = []
    for spec in flow.triggers_from(case.state):
        permitted = case_denial(uow, case, spec.roles, actor, now=now) is None
        findings = guards(deps, uow, case, spec, now)
        options.append(Option(spec.trigger, spec.title, spec.dest, permitted, findings))
    return options


def _dates_set(spec: Transition, case: Case) -> dict[str, str]:
    """The deadlines a transition just set, for the notification's text."""
    found = {}
    if spec.sets:
        found["due"] = case.deadlines[spec.sets[-1].name].isoformat()
    if spec.certifies:
        found["valid_until"] = case.certifications[-1].valid_until.isoformat()
    return found
