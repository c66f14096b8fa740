"""Cases (running workflow instances), actors, and the audit records of transitions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import attrs

from .._text import Text, _
from ..errors import InvalidData
from ..models import Certification, Role, UnitRef
from ..models.syntax import ID
from ..rules.findings import Finding


@attrs.frozen
class Actor:
    """Who fires a trigger: an id (a person's id, kept pseudonymous in history) and roles."""

    id: str
    roles: frozenset[Role]

    def __attrs_post_init__(self) -> None:
        # An actor's id reaches the audit log and history: it must be a plain id.
        ID.check(self.id, "actor.id")
        if not isinstance(self.roles, frozenset) or not all(
            isinstance(r, Role) for r in self.roles
        ):
            raise InvalidData([("actor.roles", _("roles must be Role"))])

    @classmethod
    def of(cls, id: str, *roles: Role | str) -> Actor:
        """``Actor.of("p-leader", "process_leader")``; an unknown role is
        :class:`~teknikcollege.InvalidData`."""
        found = []
        for i, r in enumerate(roles):
            try:
                found.append(Role(r))
            except ValueError:
                allowed = ", ".join(x.value for x in Role)
                raise InvalidData(
                    [
                        (
                            f"actor.roles[{i}]",
                            _(
                                "unknown role {role!r} (allowed: {allowed})",
                                role=r,
                                allowed=allowed,
                            ),
                        )
                    ]
                ) from None
        return cls(id, frozenset(found))


SYSTEM = Actor("system", frozenset({Role.SYSTEM}))
"""The actor of time-based transitions fired by the sweep."""


@attrs.define
class Case:
    """One running workflow for one subject: the mutable object the shared machine moves.

    `subject` is the unit the case is about (a college for the lifecycle; a college,
    provider, programme or orientation for certification) and `college_id` the college
    it belongs to.
    """

    id: str
    workflow: str
    subject: UnitRef
    college_id: str
    state: str
    opened: datetime
    deadlines: dict[str, date] = attrs.field(factory=dict)
    certifications: list[Certification] = attrs.field(factory=list)
    reminders_sent: list[str] = attrs.field(factory=list)

    def certification_on(self, day: date) -> Certification | None:
        """The certification valid on `day`, if any (ended certifications do not count)."""
        return next((c for c in reversed(self.certifications) if c.is_valid_on(day)), None)


@attrs.frozen
class TransitionRecord:
    """The audit record of one transition, stored in the same transaction as the change."""

    case_id: str
    seq: int
    trigger: str
    source: str
    dest: str
    actor_id: str
    actor_roles: frozenset[Role]
    at: datetime
    note: str = ""
    params: Mapping[str, str] = attrs.field(factory=dict)
    findings: tuple[Finding, ...] = ()
    prev_hash: str = ""
    """The SHA-256 of the record before it in the case's history ("" for the first)."""
    hash: str = ""
    """The SHA-256 of this record's canonical content, `prev_hash` included."""


@attrs.frozen
class Refusal:
    """A refused attempt, stored so it can be queried: who, what, on what, when, why."""

    at: datetime
    actor_id: str
    action: str
    target: str
    reason: Text
