"""Who holds which role, from the registry's own people — never from what a caller claims.

The application authenticates a person (an id); the library decides what that person
may do from what it has stored:

- national roles from the person's record: ``national_office``, ``reviewer`` (the
  national reviewer pool) and ``admin``;
- roles scoped to a college, from the college itself: ``process_leader`` (listed among
  its process leaders), ``chair`` and ``member`` (of one of its steering groups);
- ``system`` is held by no one: only the sweep acts as the system.

A person has a *conflict of interest* with a college when they lead it, sit in any of
its steering groups, or work for one of its partner organisations (a steering-group
member's organisation, a local college's provider, a party to one of its agreements) or
for the provider under review. Such a person cannot act on that college as a reviewer or
as the national office, on any path (firing, judgements, judgements counted by an
assessment).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, TypeVar

from ._text import Text, _
from .models import College, Person, ReviewerPool, Role, UnitKind, UnitRef

T = TypeVar("T")

NATIONAL_ROLES = frozenset({Role.NATIONAL_OFFICE, Role.REVIEWER, Role.ADMIN})
"""Roles a person holds across the country, from their own record."""
IMPARTIAL_ROLES = frozenset({Role.NATIONAL_OFFICE, Role.REVIEWER, Role.ADMIN})
"""Roles a person may not use on a college they have a conflict of interest with: an
administrator who sits in a college's steering group does not decide its cases either
(the registry's own data, which belongs to no college's matter, they still change)."""


class Reader(Protocol):
    """What authority reads: stored entities by class and id."""

    def get(self, cls: type[T], id: str) -> T | None: ...


class Finder(Reader, Protocol):
    """What authority reads, and stored entities by their fields."""

    def find(self, cls: type[T], **where: object) -> list[T]: ...


def partner_organisations(college: College) -> frozenset[str]:
    """The organisations taking part in `college`."""
    found = {
        m.organisation_id
        for g in college.steering_groups()
        for m in g.members
        if m.organisation_id is not None
    }
    for local in college.local_colleges:
        found.update(local.provider_ids)
    for agreement in college.agreements:
        found.update(getattr(agreement, "parties", ()))
    return frozenset(found)


def scoped_roles(person_id: str, college: College | None) -> frozenset[Role]:
    """The roles `person_id` holds in `college` by its own records (on any day)."""
    if college is None:
        return frozenset()
    held: set[Role] = set()
    if person_id in college.process_leaders:
        held.add(Role.PROCESS_LEADER)
    for group in college.steering_groups():
        if group.member(person_id) is not None:
            held.add(Role.MEMBER)
        if group.chair == person_id:
            held.add(Role.CHAIR)
    return frozenset(held)


def roles_on(person: Person, college: College | None, day: date) -> frozenset[Role]:
    """The roles `person` holds on `day`: national roles from their record and roles of
    `college` from its records, each narrowed to the dates of the person's
    :class:`~teknikcollege.Appointment` for it, if they have one."""
    college_id = college.id if college is not None else None
    national = {r for r in person.roles & NATIONAL_ROLES if person.holds_on(r, day)}
    scoped = {r for r in scoped_roles(person.id, college) if person.holds_on(r, day, college_id)}
    return frozenset(national | scoped)


def conflict(
    person: Person, college: College | None, subject: UnitRef | None = None
) -> Text | None:
    """Why `person` has a conflict of interest with `college` (and the unit under
    review), or None."""
    employer = person.organisation_id
    if (
        employer is not None
        and subject is not None
        and subject.kind is UnitKind.PROVIDER
        and subject.id == employer
    ):
        # In any college: a provider judged outside a visit is reviewed all the same.
        return _("the person works for the provider under review")
    if college is None:
        return None
    if scoped_roles(person.id, college):
        return _("the person leads the college or sits in one of its steering groups")
    if employer is not None and employer in partner_organisations(college):
        return _("the person works for {employer!r}, a partner of the college", employer=employer)
    return None


def held_roles(
    reader: Reader,
    person_id: str,
    college_id: str | None,
    subject: UnitRef | None = None,
    *,
    on: date,
    past: bool = False,
) -> tuple[frozenset[Role], Text | None]:
    """The roles `person_id` may use on `on` on a matter of `college_id`, and, if
    impartial roles were withheld for a conflict of interest, why.

    A conflict of interest is not dated: having led or sat in the college's steering
    groups at any time, as its records list, is enough (the conservative reading)."""
    person = reader.get(Person, person_id)
    college = reader.get(College, college_id) if college_id and person is not None else None
    return judge_roles(person, college, subject, on=on, past=past)


def judge_roles(
    person: Person | None,
    college: College | None,
    subject: UnitRef | None = None,
    *,
    on: date,
    past: bool = False,
) -> tuple[frozenset[Role], Text | None]:
    """:func:`held_roles` of records already read: `person` and the matter's `college`.
    A function of those two records, `subject`, `on` and `past` alone (the registry
    keeps its answers by the records' versions)."""
    # An erased person acts no more; what they did before stays judged by the roles
    # their record keeps (`past`: a replayed record, a judgement made then).
    if person is None or (person.is_erased and not past):
        return frozenset(), None
    held = set(roles_on(person, college, on))
    reason = None
    if held & IMPARTIAL_ROLES:
        reason = conflict(person, college, subject)
        if reason is not None:
            held -= IMPARTIAL_ROLES
    return frozenset(held), reason


def judge_is_impartial(
    reader: Reader,
    reviewer_id: str,
    college_id: str | None,
    *,
    on: date,
    subject: UnitRef | None = None,
) -> bool:
    """Whether a judgement by `reviewer_id` may count for `college_id` (and the unit
    `subject`): on `on` the reviewer is in the national pool and has no conflict of
    interest with the college, nor works for the provider judged."""
    held, _ = held_roles(reader, reviewer_id, college_id, subject, on=on, past=True)
    return Role.REVIEWER in held


def in_reviewer_pool(finder: Finder, reviewer_id: str, day: date) -> bool:
    """Whether `reviewer_id` is a member of a :class:`~teknikcollege.models.ReviewerPool`
    valid on `day` (the review committee's pool a reviewer is drawn from)."""
    return any(
        reviewer_id in pool.members and pool.period.contains(day)
        for pool in finder.find(ReviewerPool)
    )
