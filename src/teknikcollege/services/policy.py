"""Authorization: who may do what, refused attempts logged and kept."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from .._text import Text
from ..errors import PermissionDenied
from ..models import College, Programme, Role
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
    return person_id in college.process_leaders or any(
        g.member(person_id) is not None for g in college.steering_groups()
    )


def case_denial(uow: UnitOfWork, case: Case, allowed: frozenset[Role], actor: Actor) -> Text | None:
    """Why `actor` may not act with a role in `allowed` on `case`, or None if they may."""
    held = actor.roles & allowed
    if not held:
        return Text("rollen tillåter det inte", "the role does not allow it")
    if held == {Role.REVIEWER}:
        college = uow.entities.get(College, case.college_id)
        if college is not None and belongs_to(actor.id, college):
            return Text(
                "granskaren tillhör colleget som granskas",
                "the reviewer belongs to the college under review",
            )
    return None


def permit_case(
    uow: UnitOfWork,
    case: Case,
    allowed: frozenset[Role],
    action: str,
    actor: Actor,
    now: datetime,
) -> None:
    """Raise :class:`PermissionDenied` unless `actor` may do `action` on `case`."""
    reason = case_denial(uow, case, allowed, actor)
    if reason is not None:
        held = actor.roles & allowed
        raise refuse(actor, action, case.id, allowed, now, reason if held else None)


def college_of_subject(uow: UnitOfWork, subject_id: str) -> College | None:
    """The college a judged subject (a college or a programme) belongs to."""
    college = uow.entities.get(College, subject_id)
    if college is None:
        programme = uow.entities.get(Programme, subject_id)
        college = uow.entities.get(College, programme.college_id) if programme else None
    return college
