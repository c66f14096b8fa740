"""Authorization: who may do what, refused attempts logged and kept."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import attrs

from .._text import Text, _
from ..authority import IMPARTIAL_ROLES, NATIONAL_ROLES, judge_roles, scoped_roles
from ..errors import PermissionDenied
from ..models import (
    AnnualReport,
    Application,
    College,
    InterestKind,
    InterestOutcome,
    InterestRegistration,
    Judgement,
    OperationalPlan,
    Organisation,
    OrganisationKind,
    Person,
    Postponement,
    Programme,
    Protocol,
    ReviewerPool,
    ReviewVisit,
    Role,
    SatisfactionSurvey,
    Supplement,
    UnitKind,
    UnitRef,
    local_day,
)
from ..unit_of_work import UnitOfWork
from ..workflow.case import Actor, Case, Refusal

audit_log = logging.getLogger("teknikcollege.audit")


def _one_line(text: str) -> str:
    # Ids and triggers reach a log line: a newline must not forge another line.
    return text.encode("unicode_escape").decode("ascii")


def refuse(
    actor: Actor,
    action: str,
    target: str,
    allowed: Iterable[Role],
    now: datetime,
    reason: Text | None = None,
    *,
    what: Text | None = None,
) -> PermissionDenied:
    """The error for a refused attempt, carrying the :class:`Refusal` to store."""
    audit_log.warning(
        "refused: actor=%s roles=%s action=%s target=%s",
        _one_line(actor.id),
        ",".join(sorted(r.value for r in actor.roles)),
        _one_line(action),
        _one_line(target),
    )
    error = PermissionDenied(actor.id, action, (r.value for r in allowed), reason, what=what)
    error.refusal = Refusal(  # type: ignore[attr-defined]
        now,
        actor.id,
        action,
        target,
        reason or _("the role does not allow it"),
    )
    return error


def belongs_to(person_id: str, college: College) -> bool:
    """Whether `person_id` leads or sits in a steering group of `college`."""
    return bool(scoped_roles(person_id, college))


def roles_for(
    uow: UnitOfWork,
    actor: Actor,
    college_id: str | None,
    subject: UnitRef | None = None,
    *,
    now: datetime,
    by_sweep: bool = False,
    past: bool = False,
) -> tuple[frozenset[Role], Text | None]:
    """The roles `actor` may use at `now`, from stored people, their scoped roles and the
    dates of their appointments (the Stockholm day of `now`). The roles an actor names
    can narrow these, never widen them; only the sweep is the system. Also: why
    impartial roles were withheld, if they were."""
    if by_sweep:
        return _SYSTEM_ROLES, None
    held, reason = _held_roles(uow, actor.id, college_id, subject, local_day(now), past)
    return (held & actor.roles if actor.roles else held), reason


_SYSTEM_ROLES = frozenset({Role.SYSTEM})


def _held_roles(
    uow: UnitOfWork,
    person_id: str,
    college_id: str | None,
    subject: UnitRef | None,
    day: date,
    past: bool,
) -> tuple[frozenset[Role], Text | None]:
    """:func:`~teknikcollege.authority.held_roles`, read through the unit of work, its
    answer kept by the versions of the two records it judges from: a person acting
    again on the same college the same day is judged once (the records are still read,
    so a changed record is judged anew)."""
    entities = uow.entities
    found = entities.get_versioned(Person, person_id)
    if found is None:
        return frozenset(), None
    person, person_version = found
    college: College | None = None
    college_version = 0
    if college_id:
        of_college = entities.get_versioned(College, college_id)
        if of_college is not None:
            college, college_version = of_college
    # The subject counts only as a provider the person might work for.
    unit = subject.id if subject is not None and subject.kind is UnitKind.PROVIDER else None
    key = ("roles", person_id, person_version, college_id, college_version, day, unit, past)
    cache = entities.cache
    judged: tuple[frozenset[Role], Text | None] | None = cache.derived.get(key)
    if judged is None:
        judged = judge_roles(person, college, subject, on=day, past=past)
        # Kept only when both records are committed: a version this unit of work wrote
        # may yet be rolled back, and another written under the same number.
        if not entities.touched(Person, person_id) and not (
            college_id and entities.touched(College, college_id)
        ):
            cache.put_derived(key, judged)
    return judged


def denial(allowed: frozenset[Role], roles: frozenset[Role], conflict: Text | None) -> Text | None:
    """Why `roles` do not allow an action open to `allowed`, or None if they do."""
    if roles & allowed:
        return None
    if conflict is not None and allowed & IMPARTIAL_ROLES:
        return conflict
    return _("the person holds no role that allows this")


def case_denial(
    uow: UnitOfWork,
    case: Case,
    allowed: frozenset[Role],
    actor: Actor,
    *,
    now: datetime,
    by_sweep: bool = False,
) -> Text | None:
    """Why `actor` may not act with a role in `allowed` on `case` at `now`, or None if
    they may."""
    roles, conflict = roles_for(
        uow, actor, case.college_id, case.subject, now=now, by_sweep=by_sweep
    )
    return denial(allowed, roles, conflict)


def college_of_subject(uow: UnitOfWork, subject_id: str) -> College | None:
    """The college a judged subject (a college or a programme) belongs to."""
    college = uow.entities.get(College, subject_id)
    if college is None:
        programme = uow.entities.get(Programme, subject_id)
        college = uow.entities.get(College, programme.college_id) if programme else None
    return college


def judgement_scope(uow: UnitOfWork, judgement: Judgement) -> tuple[str | None, UnitRef | None]:
    """The college and the unit a judgement is made on, for its reviewer's conflicts of
    interest: those of the case whose review visit it names; else the college judged (or
    the programme's college); a provider judged without a visit is the provider under
    review, in no college in particular."""
    if judgement.visit_id is not None:
        visit = uow.entities.get(ReviewVisit, judgement.visit_id)
        case = uow.entities.get(Case, visit.case_id) if visit is not None else None
        if case is not None:
            return case.college_id, case.subject
    college = college_of_subject(uow, judgement.subject_id)
    if college is not None:
        return college.id, None
    organisation = uow.entities.get(Organisation, judgement.subject_id)
    if organisation is not None and organisation.kind is OrganisationKind.EDUCATION_PROVIDER:
        return None, UnitRef(UnitKind.PROVIDER, organisation.id)
    return None, None


# -- changing the registry's own data ------------------------------------------------------

LEADER_WRITES: tuple[type[Any], ...] = (
    Programme,
    InterestRegistration,
    Application,
    Supplement,
    OperationalPlan,
    AnnualReport,
    SatisfactionSurvey,
)
"""What a college's process leader may write for their own college (besides the college
itself, new organisations and the people of their college)."""
OFFICE_WRITES: tuple[type[Any], ...] = (ReviewerPool, ReviewVisit, Protocol, Postponement)
"""What the national office may write (for a college it has no conflict of interest with)."""


def _college_ids(uow: UnitOfWork, entity: object) -> set[str | None]:
    """The college(s) an entity belongs to, stored and new: moving one needs both."""
    cls = type(entity)
    stored = uow.entities.get(cls, entity.id)  # type: ignore[attr-defined]
    found: set[str | None] = set()
    for version in (entity, stored) if stored is not None else (entity,):
        if isinstance(version, College):
            found.add(version.id)
        elif hasattr(version, "college_id"):
            found.add(version.college_id)
        elif hasattr(version, "case_id"):
            case = uow.entities.get(Case, version.case_id)
            found.add(case.college_id if case is not None else None)
        else:
            found.add(None)
    return found


def _led_by(uow: UnitOfWork, actor: Actor, now: datetime) -> list[College]:
    """The colleges `actor` leads at `now`."""
    return [
        college
        for college in uow.entities.find(College)
        if Role.PROCESS_LEADER in roles_for(uow, actor, college.id, now=now)[0]
    ]


def change_denial(uow: UnitOfWork, actor: Actor, entity: object, now: datetime) -> Text | None:
    """Why `actor` may not add or replace `entity` at `now`, or None if they may.

    An administrator may change anything. A college's process leader may change their
    college (not create one), its programmes, interest registrations, applications,
    supplements, plans, reports and surveys, add organisations, and add or change people
    of their college who hold no national role. The national office may change reviewer
    pools, review visits, protocols and postponements of colleges it is impartial to, and
    a college's membership of the national association (nothing else of the college).
    Judgements are recorded by their reviewer (:meth:`Registry.record_judgement`)."""
    if isinstance(entity, InterestRegistration) and _decides_certification_interest(uow, entity):
        return _answer_denial(uow, actor, entity, now)
    national = roles_for(uow, actor, None, now=now)[0]
    if Role.ADMIN in national:
        return None
    colleges = _college_ids(uow, entity)

    def holds(role: Role) -> bool:
        return None not in colleges and all(
            role in roles_for(uow, actor, c, now=now)[0] for c in colleges
        )

    if isinstance(entity, OFFICE_WRITES) and holds(Role.NATIONAL_OFFICE):
        return None
    if isinstance(entity, College):
        stored = uow.entities.get(College, entity.id)
        if stored is not None and stored.memberships != entity.memberships:
            # Membership of the national association is the association's to grant (it
            # follows the approval of the interest registration): the national office
            # records it, and nothing else of the college with it.
            alone = attrs.evolve(entity, memberships=stored.memberships) == stored
            if alone and holds(Role.NATIONAL_OFFICE):
                return None
            return _(
                "only the national office or an administrator records a college's "
                "membership of the national association"
            )
    creates_college = isinstance(entity, College) and uow.entities.get(College, entity.id) is None
    if (
        isinstance(entity, (*LEADER_WRITES, College))
        and not creates_college
        and holds(Role.PROCESS_LEADER)
    ):
        return None
    if isinstance(entity, Organisation) and uow.entities.get(Organisation, entity.id) is None:
        return (
            None
            if _led_by(uow, actor, now)
            else _("only an administrator or a process leader adds organisations")
        )
    if isinstance(entity, Person):
        return _person_denial(uow, actor, entity, now)
    return _("the person may not change this record")


def _answer_denial(
    uow: UnitOfWork, actor: Actor, entity: InterestRegistration, now: datetime
) -> Text | None:
    """Why `actor` may not give (or change) the answer to a certification interest.

    The national association answers a region's certification interest (approval makes
    the region a member): the national office records that, and nothing else of the
    registration with it, or an administrator; either without a conflict of interest
    with the college, whose matter it is. The college itself may register and withdraw
    it, never answer it."""
    held, conflict = roles_for(uow, actor, entity.college_id, now=now)
    if Role.ADMIN in held:
        return None
    registered = uow.entities.get(InterestRegistration, entity.id)
    alone = registered is not None and registered == attrs.evolve(
        entity, outcome=registered.outcome, decided=registered.decided
    )
    if alone and Role.NATIONAL_OFFICE in held:
        return None
    return conflict or _(
        "only the national office or an administrator approves or declines a "
        "certification interest registration"
    )


def _decides_certification_interest(uow: UnitOfWork, entity: InterestRegistration) -> bool:
    """Whether writing `entity` gives or changes the answer to a certification interest
    (approved or declined, and its day): a new answer, or one stored replaced, cleared,
    or taken away by changing the registration's kind. A withdrawal is no answer."""
    stored = uow.entities.get(InterestRegistration, entity.id)
    return _answer(entity) != (None if stored is None else _answer(stored))


def _answer(registration: InterestRegistration) -> tuple[InterestOutcome, date | None] | None:
    """The national association's answer to a certification interest, if it has one (a
    participation interest's outcome is its college's to set)."""
    if registration.kind is not InterestKind.CERTIFICATION:
        return None
    if registration.outcome not in (InterestOutcome.APPROVED, InterestOutcome.DECLINED):
        return None
    return registration.outcome, registration.decided


def _person_denial(uow: UnitOfWork, actor: Actor, person: Person, now: datetime) -> Text | None:
    stored = uow.entities.get(Person, person.id)
    national = (person.roles | (stored.roles if stored else frozenset())) & NATIONAL_ROLES
    if national or any(a.college_id is None for a in person.appointments):
        return _("only an administrator gives a person a national role")
    led = _led_by(uow, actor, now)
    if not led:
        return _("only an administrator or a process leader adds people")
    if stored is not None and not any(belongs_to(person.id, c) for c in led):
        return _("a process leader changes only the people of their own college")
    return None
