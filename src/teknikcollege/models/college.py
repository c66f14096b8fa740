"""A college (regional or sub-regional), its steering groups, agreements and funding."""

from __future__ import annotations

from datetime import date
from enum import Enum

import attrs

from .._text import N_, _
from ..codes import county, municipality
from ..errors import InvalidData
from ._validation import (
    Problems,
    Validated,
    check_municipalities,
    check_non_negative,
    check_unique,
)
from .common import Period, Sector
from .syntax import Code, Id, Name, Slug


@attrs.frozen
class Member(Validated):
    """A steering-group member: a person, the organisation they come from, their sector."""

    person_id: Id
    sector: Sector
    organisation_id: Id | None = None


class GroupLevel(str, Enum):
    """Whether a steering group governs the whole college or one local college."""

    REGIONAL = "regional"
    LOCAL = "local"


@attrs.frozen
class SteeringGroup(Validated):
    """A regional or local steering group; the chair must be one of its members."""

    id: Id
    name: Name
    level: GroupLevel
    members: tuple[Member, ...] = ()
    chair: Id | None = None

    def _problems(self) -> Problems:
        yield from check_unique(
            "members", (m.person_id for m in self.members), N_("member {value!r} is listed twice")
        )
        if self.chair is not None and self.chair not in {m.person_id for m in self.members}:
            yield (
                "chair",
                _("the chair {chair!r} is not a member of the group", chair=self.chair),
            )

    def count(self, sector: Sector) -> int:
        """How many members represent `sector`."""
        return sum(1 for m in self.members if m.sector is sector)

    def member(self, person_id: str) -> Member | None:
        """The member who is `person_id`, if any."""
        return next((m for m in self.members if m.person_id == person_id), None)


@attrs.frozen
class LocalCollege(Validated):
    """A local college: nearby providers, companies and municipalities."""

    id: Id
    name: Name
    municipalities: tuple[Code, ...]
    steering_group: SteeringGroup | None = None
    provider_ids: tuple[Id, ...] = ()

    def _problems(self) -> Problems:
        yield from check_municipalities("municipalities", self.municipalities)
        yield from check_unique(
            "municipalities", self.municipalities, N_("the municipality {value!r} is listed twice")
        )
        if self.steering_group is not None and self.steering_group.level is not GroupLevel.LOCAL:
            yield (
                "steering_group.level",
                _("a local steering group has level 'local'"),
            )


class AgreementKind(str, Enum):
    """Collaboration agreement, letter of intent, or attached agreement (hängavtal)."""

    COLLABORATION = "collaboration"
    LETTER_OF_INTENT = "letter_of_intent"
    ATTACHED = "attached"


@attrs.frozen
class Agreement(Validated):
    """An agreement with its period.

    A collaboration agreement names the municipalities it covers (and private operators
    among `parties`); a letter of intent binds one company and one provider (`parties`);
    an attached agreement brings in one municipality and needs a political decision.
    """

    id: Id
    kind: AgreementKind
    period: Period
    municipalities: tuple[Code, ...] = ()
    parties: tuple[Id, ...] = ()
    political_decision: bool = False

    def _problems(self) -> Problems:
        yield from check_municipalities("municipalities", self.municipalities)
        yield from check_unique(
            "municipalities", self.municipalities, N_("the municipality {value!r} is listed twice")
        )
        yield from check_unique("parties", self.parties, N_("the party {value!r} is listed twice"))
        if self.kind is AgreementKind.COLLABORATION and not self.municipalities:
            yield (
                "municipalities",
                _("a collaboration agreement must cover at least one municipality"),
            )
        if self.kind is AgreementKind.LETTER_OF_INTENT and len(self.parties) != 2:
            yield (
                "parties",
                _("a letter of intent has two parties: a company and a provider"),
            )
        if self.kind is AgreementKind.ATTACHED:
            if len(self.municipalities) != 1:
                yield (
                    "municipalities",
                    _("an attached agreement covers exactly one municipality"),
                )
            if not self.political_decision:
                yield (
                    "political_decision",
                    _("an attached agreement needs a political decision"),
                )


@attrs.frozen
class Funding(Validated):
    """Money from a funder (an organisation id) for a period, in whole kronor."""

    funder_id: Id
    amount_sek: int
    period: Period

    def _problems(self) -> Problems:
        yield from check_non_negative("amount_sek", self.amount_sek)


class CouncilKind(str, Enum):
    """A council that joins companies and providers around programmes."""

    BRANCH_COUNCIL = "branch_council"
    """Branschråd: the region's council of a branch."""
    VOCATIONAL_COUNCIL = "vocational_council"
    """Yrkesråd: a branch council in adult education."""
    PROGRAMME_COUNCIL = "programme_council"
    """Programråd: a branch council in upper-secondary school."""
    COMPETENCE_COUNCIL = "competence_council"
    """Kompetensråd: e.g. Kompetensarena Stockholm's council for industry and technology."""


@attrs.frozen
class Council(Validated):
    """A council (råd) of the college, of one local college, or of some programmes."""

    id: Id
    name: Name
    kind: CouncilKind
    members: tuple[Member, ...] = ()
    local_college_id: Id | None = None
    programme_ids: tuple[Id, ...] = ()

    def _problems(self) -> Problems:
        yield from check_unique(
            "members", (m.person_id for m in self.members), N_("member {value!r} is listed twice")
        )
        yield from check_unique(
            "programme_ids", self.programme_ids, N_("programme {value!r} is listed twice")
        )


@attrs.frozen
class Membership(Validated):
    """The region's membership of the national association (Riksföreningen Teknikcollege
    Sverige), which begins when its interest registration is approved."""

    association_id: Id
    period: Period
    interest_registration_id: Id | None = None


class CollegeKind(str, Enum):
    """A regional college, or a sub-regional one such as the Stockholm pilot."""

    REGIONAL = "regional"
    SUB_REGIONAL = "sub_regional"


@attrs.frozen
class College(Validated):
    """A Teknikcollege: member municipalities of one county, steering groups, agreements.

    `pilot` is the pilot period, if the college started as a pilot; `councils` its
    branch, vocational, programme and competence councils; `memberships` its membership
    of the national association.
    """

    id: Id
    name: Name
    county_code: Code
    municipalities: tuple[Code, ...]
    kind: CollegeKind = CollegeKind.REGIONAL
    process_leaders: tuple[Id, ...] = ()
    steering_group: SteeringGroup | None = None
    local_colleges: tuple[LocalCollege, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    funding: tuple[Funding, ...] = ()
    branch_areas: tuple[Slug, ...] = ()
    pilot: Period | None = None
    councils: tuple[Council, ...] = ()
    memberships: tuple[Membership, ...] = ()

    def _problems(self) -> Problems:
        yield from check_unique(
            "councils", (c.id for c in self.councils), N_("council {value!r} is listed twice")
        )
        local_ids = {lc.id for lc in self.local_colleges}
        for i, council in enumerate(self.councils):
            if council.local_college_id is not None and council.local_college_id not in local_ids:
                yield (
                    f"councils[{i}].local_college_id",
                    _("{id!r} is not a local college of the college", id=council.local_college_id),
                )
        try:
            county(self.county_code)
        except InvalidData as error:
            yield from error.prefixed("county_code").errors
        yield from check_municipalities("municipalities", self.municipalities)
        yield from check_unique(
            "municipalities", self.municipalities, N_("the municipality {value!r} is listed twice")
        )
        for i, code in enumerate(self.municipalities):
            if code[:2] != self.county_code and _known(code):
                name = municipality(code).name
                yield (
                    f"municipalities[{i}]",
                    _(
                        "{name} ({code}) is not in county {county}",
                        name=name,
                        code=code,
                        county=self.county_code,
                    ),
                )
        yield from check_unique(
            "process_leaders", self.process_leaders, N_("process leader {value!r} is listed twice")
        )
        if self.steering_group is not None and self.steering_group.level is not GroupLevel.REGIONAL:
            yield (
                "steering_group.level",
                _("the regional steering group has level 'regional'"),
            )
        members = set(self.municipalities)
        for i, local in enumerate(self.local_colleges):
            for j, code in enumerate(local.municipalities):
                if code not in members:
                    yield (
                        f"local_colleges[{i}].municipalities[{j}]",
                        _("municipality {code} is not a member of the college", code=code),
                    )
        yield from check_unique(
            "local_colleges",
            (lc.id for lc in self.local_colleges),
            N_("local college {value!r} is listed twice"),
        )
        yield from check_unique(
            "agreements", (a.id for a in self.agreements), N_("agreement {value!r} is listed twice")
        )
        yield from check_unique(
            "branch_areas", self.branch_areas, N_("branch area {value!r} is listed twice")
        )
        for i, membership in enumerate(self.memberships):
            # One membership of an association at a time: a second that overlaps the
            # first would leave no day on which the region joined or left.
            for earlier in self.memberships[:i]:
                if earlier.association_id == membership.association_id and (
                    earlier.period.overlaps(membership.period)
                ):
                    yield (
                        f"memberships[{i}]",
                        _(
                            "overlaps the membership of {association!r} from {start}",
                            association=earlier.association_id,
                            start=earlier.period.start.isoformat(),
                        ),
                    )
                    break

    def member_of(self, association_id: str, day: date) -> bool:
        """Whether the college is a member of `association_id` on `day`."""
        return any(
            m.association_id == association_id and m.period.contains(day) for m in self.memberships
        )

    def local_college(self, id: str) -> LocalCollege | None:
        """The local college `id`, if it is one of this college's."""
        return next((lc for lc in self.local_colleges if lc.id == id), None)

    def steering_groups(self) -> tuple[SteeringGroup, ...]:
        """The regional steering group first, then each local college's."""
        groups = [self.steering_group] if self.steering_group else []
        groups += [lc.steering_group for lc in self.local_colleges if lc.steering_group]
        return tuple(groups)


def _known(code: str) -> bool:
    try:
        municipality(code)
    except InvalidData:
        return False
    return True
