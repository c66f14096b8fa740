"""Authorization: who may do what, refused attempts logged and kept."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from .._text import Text
from ..authority import IMPARTIAL_ROLES, held_roles, scoped_roles
from ..errors import PermissionDenied
from ..models import College, Programme, Role, UnitRef, local_day
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
) -> PermissionDenied:
    """The error for a refused attempt, carrying the :class:`Refusal` to store."""
    audit_log.warning(
        "refused: actor=%s roles=%s action=%s target=%s",
        _one_line(actor.id),
        ",".join(sorted(r.value for r in actor.roles)),
        _one_line(action),
        _one_line(target),
    )
    error = PermissionDenied(actor.id, action, (r.value for r in allowed), reason)
    error.refusal = Refusal(  # type: ignore[attr-defined]
        now,
        actor.id,
        action,
        target,
        reason or Text("rollen tillåter det inte", "the role does not allow it"),
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
) -> tuple[frozenset[Role], Text | None]:
    """The roles `actor` may use at `now`, from stored people, their scoped roles and the
    dates of their appointments (the Stockholm day of `now`). The roles an actor names
    can narrow these, never widen them; only the sweep is the system. Also: why
    impartial roles were withheld, if they were."""
    if by_sweep:
        return frozenset({Role.SYSTEM}), None
    held, reason = held_roles(uow, actor.id, college_id, subject, on=local_day(now))
    return (held & actor.roles if actor.roles else held), reason


def denial(allowed: frozenset[Role], roles: frozenset[Role], conflict: Text | None) -> Text | None:
    """Why `roles` do not allow an action open to `allowed`, or None if they do."""
    if roles & allowed:
        return None
    if conflict is not None and allowed & IMPARTIAL_ROLES:
        return conflict
    return Text(
        "personen har ingen roll som tillåter det här",
        "the person holds no role that allows this",
    )


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
