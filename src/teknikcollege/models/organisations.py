"""Partners and people: companies, education providers, municipalities, regions."""

from __future__ import annotations

from datetime import date
from enum import Enum

import attrs

from .._text import _
from ..codes import OrganisationNumber, county, municipality
from ..errors import InvalidData
from ._validation import Problems, Validated
from .common import Period, Role
from .syntax import Code, Email, Id, Name


class OrganisationKind(str, Enum):
    """What kind of partner an organisation is."""

    COMPANY = "company"
    EDUCATION_PROVIDER = "education_provider"
    MUNICIPALITY = "municipality"
    REGION = "region"
    UNION = "union"
    AUTHORITY = "authority"
    NATIONAL_BODY = "national_body"
    OTHER = "other"


class ProviderKind(str, Enum):
    """The kind of an education provider or coordinator."""

    MUNICIPAL_ADULT_EDUCATION = "municipal_adult_education"
    MUNICIPAL_UPPER_SECONDARY = "municipal_upper_secondary"
    PRIVATE_OPERATOR = "private_operator"
    FOLK_HIGH_SCHOOL = "folk_high_school"
    YH_PROVIDER = "yh_provider"
    LABOUR_MARKET_TRAINING = "labour_market_training"
    COORDINATOR = "coordinator"
    OTHER = "other"


@attrs.frozen
class Organisation(Validated):
    """A partner organisation.

    A municipality names its `municipality_code`, a region its `county_code`, an
    education provider its `provider_kind`.
    """

    id: Id
    name: Name
    kind: OrganisationKind
    org_number: OrganisationNumber | None = None
    provider_kind: ProviderKind | None = None
    municipality_code: Code | None = None
    county_code: Code | None = None

    def _problems(self) -> Problems:
        is_provider = self.kind is OrganisationKind.EDUCATION_PROVIDER
        if is_provider and self.provider_kind is None:
            yield (
                "provider_kind",
                _("an education provider needs its kind"),
            )
        if not is_provider and self.provider_kind is not None:
            yield (
                "provider_kind",
                _("only education providers have a provider kind"),
            )
        if self.kind is OrganisationKind.MUNICIPALITY and self.municipality_code is None:
            yield (
                "municipality_code",
                _("a municipality needs its municipality code"),
            )
        if self.municipality_code is not None:
            try:
                municipality(self.municipality_code)
            except InvalidData as error:
                yield from error.prefixed("municipality_code").errors
        if self.kind is OrganisationKind.REGION and self.county_code is None:
            yield (
                "county_code",
                _("a region needs its county code"),
            )
        if self.county_code is not None:
            try:
                county(self.county_code)
            except InvalidData as error:
                yield from error.prefixed("county_code").errors


ERASED_NAME = "[erased]"

SCOPED_ROLES = frozenset({Role.PROCESS_LEADER, Role.CHAIR, Role.MEMBER})
"""Roles held *of a college*: the college's own records say who holds them."""


@attrs.frozen
class Appointment(Validated):
    """The dates a person holds a role: `role` from `period.start` to `period.end`.

    Roles are held as long as the records list them; an appointment narrows that to its
    dates. A national role (``reviewer``, ``national_office``, ``admin``) names no
    college and must also be among the person's ``roles``; a scoped role
    (``process_leader``, ``chair``, ``member``) names its `college_id`, and the college's
    own records must list the person too. A person with appointments for a role holds it
    only on the days one of them covers; see ``docs/authority.md``.
    """

    role: Role
    period: Period
    college_id: Id | None = None

    def _problems(self) -> Problems:
        if self.role is Role.SYSTEM:
            yield "role", _("no one can be appointed to the system role")
        elif self.role in SCOPED_ROLES and self.college_id is None:
            yield "college_id", _("a role held of a college names its college")
        elif self.role not in SCOPED_ROLES and self.college_id is not None:
            yield "college_id", _("a national role names no college")


@attrs.frozen
class Person(Validated):
    """A person in a role: personal data kept to what the work needs, and erasable.

    Only `name` is required; `email` is what notifications need. History refers to
    people by `id` alone, so erasing a person (see :meth:`erased`) keeps history intact.
    """

    id: Id
    name: Name
    roles: frozenset[Role] = frozenset()
    email: Email | None = None
    organisation_id: Id | None = None
    appointments: tuple[Appointment, ...] = ()

    def _problems(self) -> Problems:
        for index, appointment in enumerate(self.appointments):
            if appointment.college_id is None and appointment.role not in self.roles:
                yield (
                    f"appointments[{index}].role",
                    _(
                        "{role!r} is dated but not among the person's roles",
                        role=appointment.role.value,
                    ),
                )

    def holds_on(self, role: Role, day: date, college_id: str | None = None) -> bool:
        """Whether the person's appointments let them hold `role` (of `college_id`) on
        `day`: always, if no appointment dates that role."""
        dated = [a for a in self.appointments if a.role is role and a.college_id == college_id]
        return not dated or any(a.period.contains(day) for a in dated)

    @property
    def is_erased(self) -> bool:
        """Whether the person's contact data has been erased."""
        return self.name == ERASED_NAME and self.email is None

    def erased(self) -> Person:
        """This person with name and contact data removed; the id stays as a pseudonym."""
        return attrs.evolve(self, name=ERASED_NAME, email=None)


@attrs.frozen
class Provider:
    """An education provider as a certifiable unit: the organisation, within one college.

    A provider is certified within a certified region, so the same organisation (Lernia)
    is a different unit in each college it works in. Rules see it as subject kind
    ``provider``; its `id` is the organisation's.
    """

    organisation: Organisation
    college_id: str

    @property
    def id(self) -> str:
        """The organisation's id."""
        return self.organisation.id
