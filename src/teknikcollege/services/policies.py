"""Cases that agree: policies run in the transaction of the change that triggers them.

The college lifecycle follows the college's certification: when a certification case of
a college ends its certification (expiry, decertification), every open case of the same
college that can ``lose_certification`` does so; when a certification is granted, every
one that can ``regain_certification`` does. Both are fired by the registry itself (the
system), with the cause in the note, and go into the same history and hash chain as any
other transition.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from ..bootstrap import Dependencies
from ..errors import TransitionNotAllowed
from ..models import UnitKind
from ..unit_of_work import UnitOfWork
from ..workflow.case import SYSTEM, Case, TransitionRecord
from ..workflow.definition import Transition

ENDS_CERTIFICATION = frozenset({"expire", "decertify"})
"""Triggers of a certification case that end the unit's certification."""


Fire = Callable[..., tuple[TransitionRecord, Case]]
"""How a policy fires a transition: :func:`teknikcollege.services.cases.fire`, passed in so
that the policies never import the service that calls them."""


_CAUSE = re.compile(r"(?P<case>\S+): (?P<trigger>\S+) \((?P<seq>[0-9]+)\)")


def cause_note(record: TransitionRecord) -> str:
    """The note of a transition a policy fires: the record that caused it."""
    return f"{record.case_id}: {record.trigger} ({record.seq})"


def cause_of(record: TransitionRecord) -> tuple[str, int] | None:
    """``(case id, number)`` of the record that caused `record`, if a policy fired it
    (the system's record, noted by :func:`cause_note`); an import replays it right after
    its cause, as it was made."""
    if record.actor_id != SYSTEM.id:
        return None
    found = _CAUSE.fullmatch(record.note)
    return None if found is None else (found["case"], int(found["seq"]))


def follow(
    deps: Dependencies,
    uow: UnitOfWork,
    case: Case,
    spec: Transition,
    record: TransitionRecord,
    now: datetime,
    fire: Fire,
) -> list[tuple[Case, TransitionRecord]]:
    """Apply the policies a transition of `case` calls for, in its unit of work; returns
    the transitions they fired."""
    if case.subject.kind is not UnitKind.COLLEGE:
        return []
    ends_case = deps.workflows[case.workflow].definition.state(spec.dest).final
    if spec.certifies:
        wanted = "regain_certification"
    elif (spec.trigger in ENDS_CERTIFICATION or ends_case) and case.certifications:
        # Also a recertification withdrawn, rejected or lapsed after its period ran out
        # (in grace): the guard of lose_certification decides whether it has ended.
        wanted = "lose_certification"
    else:
        return []
    fired = []
    note = cause_note(record)
    for other in uow.entities.find(Case, subject=case.subject, college_id=case.college_id):
        if other.id == case.id:
            continue
        flow = deps.workflows.get(other.workflow)
        if flow is None or wanted not in {t.trigger for t in flow.triggers_from(other.state)}:
            continue
        try:
            done, moved = fire(
                deps, uow, other.id, wanted, actor=SYSTEM, now=now, note=note, by_sweep=True
            )
        except TransitionNotAllowed:
            continue  # its own guards say no (regain needs a valid certification)
        fired.append((moved, done))
    return fired
