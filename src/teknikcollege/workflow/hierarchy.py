"""The units form a tree: region → provider → programme → orientation.

A provider is certified within a certified college (its region), a programme only at a
certified provider, an orientation only within a certified programme. The same tree
decides what "certified" means on a day: a unit counts as certified only while each of
its parents does, so the end of a parent's certification reaches its children at once,
without a transition of theirs (their own certificates stay in their history, and count
again should the parent be certified again). See ``docs/authority.md``, "The tree of
units".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, Protocol, TypeVar

from .._text import N_, _
from ..models import Certification, Programme, UnitKind, UnitRef
from ..models.common import local_day
from ..rules.base import Context, rule
from .case import Case
from .core import GRACE_STATES
from .definition import deferred

T = TypeVar("T")

ENDING_STATES = frozenset({"decertified"})
"""States in which a case's certification no longer counts, before its validity ends."""


class _Lookup(Protocol):
    def find(self, cls: type[T], **where: object) -> list[T]: ...

    def get(self, cls: type[T], id: str) -> T | None: ...


def parents(lookup: _Lookup, unit: UnitRef, college_id: str) -> Iterator[tuple[UnitRef, str]]:
    """The units whose certification `unit` (in college `college_id`) needs, each with the
    college it is held in: any one of them is enough (a programme needs one of its
    providers). A college has none."""
    if unit.kind is UnitKind.PROVIDER:
        yield UnitRef(UnitKind.COLLEGE, college_id), college_id
    elif unit.kind is UnitKind.PROGRAMME:
        programme = lookup.get(Programme, unit.id)
        if programme is not None:
            for provider in (programme.provider_id, *programme.other_provider_ids):
                yield UnitRef(UnitKind.PROVIDER, provider), programme.college_id
    elif unit.kind is UnitKind.ORIENTATION and unit.parent is not None:
        yield UnitRef(UnitKind.PROGRAMME, unit.parent), college_id


def certified_in_tree(
    lookup: _Lookup,
    unit: UnitRef,
    college_id: str,
    day: date,
    own: Callable[[UnitRef, str, date], bool],
) -> bool:
    """Whether `unit` is certified on `day` by `own` (its own cases) and, up the tree, one
    certified parent at every level."""
    if not own(unit, college_id, day):
        return False
    found = list(parents(lookup, unit, college_id))
    return not found or any(
        certified_in_tree(lookup, parent, college, day, own) for parent, college in found
    )


def held_certification(case: Case, day: date) -> tuple[Certification | None, bool]:
    """The certification `case` holds on `day`, and whether it holds it in grace: its
    period has ended, but the recertification handed in before the end is still under
    review (supplements, a granted postponement), so the unit counts as certified.
    The one answer for the guards of the tree, the lifecycle's and ``status``; a
    decertified case holds none."""
    if case.state in ENDING_STATES:
        return None, False
    valid = case.certification_on(day)
    if valid is not None or not case.certifications:
        return valid, False
    last = case.certifications[-1]
    if case.state in GRACE_STATES and last.valid_until < day:
        return last, True
    return None, False


def own_certification(lookup: _Lookup) -> Callable[[UnitRef, str, date], bool]:
    def own(unit: UnitRef, college_id: str, day: date) -> bool:
        """Whether `unit` holds a certification of its own on `day`, in grace too (a
        provider's in `college_id`, if one is given)."""
        return any(
            held_certification(c, day)[0] is not None
            for c in lookup.find(Case, subject=unit)
            if unit.kind is not UnitKind.PROVIDER or not college_id or c.college_id == college_id
        )

    return own


@rule(
    "parent-certified",
    rule_set="teknikcollege-process",
    version="1",
    title=deferred(N_("The unit's parent is certified")),
    description=deferred(
        N_(
            "A provider is certified within a certified college, a programme at a certified "
            "provider, an orientation within a certified programme."
        )
    ),
    applies_to=("case",),
)
def parent_certified(case: Any, context: Context) -> tuple[bool, Any]:
    subject: UnitRef = case.subject
    found = list(parents(context.lookup, subject, case.college_id))
    if subject.kind is UnitKind.COLLEGE:
        return True, _("a college is the top of the tree")
    today = local_day(context.now)
    own = own_certification(context.lookup)
    if any(certified_in_tree(context.lookup, p, c, today, own) for p, c in found):
        return True, _("the parent unit is certified")
    names = ", ".join(str(p) for p, _c in found) or "-"
    return False, _(
        "no certified parent unit ({parents}) on {day}", parents=names, day=today.isoformat()
    )
