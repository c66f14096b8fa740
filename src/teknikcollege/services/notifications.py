"""Queue notifications in the transaction of the change that causes them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from ..bootstrap import Dependencies
from ..models import College, Person, Role
from ..notify.port import Notification
from ..unit_of_work import UnitOfWork
from ..workflow.case import Case


def new_id(prefix: str) -> str:
    """A fresh random id with a readable prefix."""
    import uuid  # deferred: it pulls in platform and socket modules at import

    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def recipients(uow: UnitOfWork, roles: Iterable[Role], college_id: str) -> list[str]:
    """The ids of the people in `roles` for a case of `college_id`: the college's own
    process leaders and chairs, and everyone else holding the role (through the index)."""
    college: College | None = None
    found: list[str] = []
    for role in roles:
        if role in (Role.PROCESS_LEADER, Role.CHAIR):
            college = college or uow.entities.get(College, college_id)
            if college is None:
                continue
            if role is Role.PROCESS_LEADER:
                found += college.process_leaders
            else:
                found += [g.chair for g in college.steering_groups() if g.chair]
        else:
            found += [p.id for p in uow.entities.with_key(Person, "roles", role.value)]
    return list(dict.fromkeys(found))


def enqueue(
    deps: Dependencies,
    uow: UnitOfWork,
    case: Case,
    kind: str,
    template: str,
    roles: Sequence[Role],
    now: datetime,
    data: dict[str, str],
    id: str | None = None,
) -> None:
    """Queue a notification about `case` for every notifier (none: nothing queued)."""
    if not deps.notifiers:
        return
    notification = Notification(
        id or new_id("n"),
        kind,
        template,
        case.id,
        case.workflow,
        str(case.subject),
        case.college_id,
        now,
        tuple(roles),
        tuple(recipients(uow, roles, case.college_id)),
        {k: v for k, v in data.items() if v},
    )
    uow.outbox.enqueue(notification, [n.name for n in deps.notifiers])
