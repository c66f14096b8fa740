"""Records of the certification process: interest, application, visit, protocol, ..."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from enum import Enum
from typing import Annotated

import attrs

from .._text import N_, _
from ..clock import add_months
from ._validation import Problems, Validated, check_unique
from .common import Period
from .programme import ContributionKind
from .syntax import FreeText, Id, Name, Slug, TextRule


class UnitKind(str, Enum):
    """The four kinds of unit that can be certified."""

    COLLEGE = "college"
    PROVIDER = "provider"
    PROGRAMME = "programme"
    ORIENTATION = "orientation"


@attrs.frozen
class UnitRef(Validated):
    """A reference to a certifiable unit; an orientation names its programme as `parent`."""

    kind: UnitKind
    id: Id
    parent: Id | None = None

    def _problems(self) -> Problems:
        if self.kind is UnitKind.ORIENTATION and self.parent is None:
            yield (
                "parent",
                _("an orientation must name its programme"),
            )

    def __str__(self) -> str:
        # ``_value_``: the member's value without the ``value`` property's lookup (this
        # is every case's index key and open-case key).
        return f"{self.kind._value_}:{self.id}"


class InterestOutcome(str, Enum):
    """What came of an interest registration."""

    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class InterestKind(str, Enum):
    """A partner's wish to take part, or the formal registration opening a certification."""

    PARTICIPATION = "participation"
    CERTIFICATION = "certification"


@attrs.frozen
class InterestRegistration(Validated):
    """An interest registration (intresseanmälan).

    The formal one (`kind` certification) names the units to certify, the expected
    application date, a contact person, and whether the regional steering group
    approved sending it. A company's or provider's (`kind` participation) says what it
    offers: `branch_areas`, `contributions` (APL places, supervisors, internships,
    summer jobs) and the programmes it wants to take part in. `outcome` is what came of
    it, decided on `decided`.
    """

    id: Id
    kind: InterestKind
    college_id: Id
    registrant_id: Id
    registered: date
    units: tuple[UnitRef, ...] = ()
    contact_person_id: Id | None = None
    expected_application: date | None = None
    steering_group_approved: bool = False
    note: FreeText = ""
    branch_areas: tuple[Slug, ...] = ()
    contributions: tuple[ContributionKind, ...] = ()
    programme_ids: tuple[Id, ...] = ()
    outcome: InterestOutcome | None = None
    decided: date | None = None

    def _problems(self) -> Problems:
        if (self.outcome is None) != (self.decided is None):
            yield "decided", _("an outcome and the day it was decided go together")
        if self.decided is not None and self.decided < self.registered:
            yield "decided", _("the decision lies before the registration")
        yield from check_unique(
            "contributions", self.contributions, N_("contribution {value!r} is listed twice")
        )
        yield from check_unique(
            "programme_ids", self.programme_ids, N_("programme {value!r} is listed twice")
        )
        yield from check_unique(
            "branch_areas", self.branch_areas, N_("branch area {value!r} is listed twice")
        )
        if self.kind is InterestKind.PARTICIPATION:
            # A partner's wish to take part names no units and needs no steering group.
            if self.units:
                yield "units", _("a participation interest registration names no units")
            if self.steering_group_approved:
                yield (
                    "steering_group_approved",
                    _("a participation interest registration is not the steering group's"),
                )
        if self.kind is InterestKind.CERTIFICATION:
            if not self.units:
                yield (
                    "units",
                    _("a certification interest registration must name at least one unit"),
                )
            if self.contact_person_id is None:
                yield (
                    "contact_person_id",
                    _("a contact person is required"),
                )
        if self.expected_application is not None and self.expected_application < self.registered:
            yield (
                "expected_application",
                _("the expected application date is before the registration"),
            )
        yield from check_unique("units", self.units, N_("unit {value!r} is listed twice"))


class DocumentKind(str, Enum):
    """The documents an application holds."""

    SELF_ASSESSMENT_REGIONAL = "self_assessment_regional"
    SELF_ASSESSMENT_LOCAL = "self_assessment_local"
    ACTION_PLAN_REGIONAL = "action_plan_regional"
    ACTION_PLAN_LOCAL = "action_plan_local"
    OPERATIONAL_PLAN = "operational_plan"
    CONTACT_LISTS = "contact_lists"
    COLLABORATION_AGREEMENT = "collaboration_agreement"
    FINANCING = "financing"
    OTHER = "other"


FIRST_CERTIFICATION_DOCUMENTS = frozenset(
    {
        DocumentKind.SELF_ASSESSMENT_REGIONAL,
        DocumentKind.SELF_ASSESSMENT_LOCAL,
        DocumentKind.ACTION_PLAN_REGIONAL,
        DocumentKind.ACTION_PLAN_LOCAL,
        DocumentKind.OPERATIONAL_PLAN,
    }
)
"""What a new region shows instead of annual reports: self-assessments, action plans
and an operational plan (DOMAIN.md, "A first certification is not a recertification")."""


@attrs.frozen
class Document(Validated):
    """A document handed in: its kind, a title, the day it was received, and its
    evidence: the `content` itself or a `reference` to where it is kept (a URL or an
    archive id), the `sha256` checksum of the content (hex) and its `version` (from 1).

    A document with content carries the checksum of that content (see :meth:`of`); a
    referenced one carries the checksum of what it refers to, so a changed file shows.
    """

    kind: DocumentKind
    title: Name
    received: date
    content: FreeText | None = None
    reference: Annotated[str, TextRule("name", 2000)] | None = None
    sha256: Annotated[str, TextRule("id", 64)] | None = None
    version: int = 1

    def _problems(self) -> Problems:
        if self.version < 1:
            yield "version", _("versions are numbered from 1")
        if self.content is not None and self.reference is not None:
            yield "reference", _("a document holds its content or a reference, not both")
        if self.sha256 is not None and not _SHA256.fullmatch(self.sha256):
            yield "sha256", _("a SHA-256 checksum is 64 lower-case hex digits")
        elif self.content is not None and self.sha256 != checksum(self.content):
            yield "sha256", _("the checksum does not match the content")
        elif self.reference is not None and self.sha256 is None:
            yield "sha256", _("a referenced document needs the checksum of what it refers to")
        elif self.sha256 is not None and self.content is None and self.reference is None:
            yield "sha256", _("a checksum of nothing: give the content or a reference")

    @classmethod
    def of(
        cls, kind: DocumentKind, title: str, received: date, content: str, version: int = 1
    ) -> Document:
        """A document holding `content`, with its checksum computed."""
        return cls(kind, title, received, content, None, checksum(content), version)

    def verifies(self, content: str | bytes) -> bool:
        """Whether `content` is what the document's checksum was taken of."""
        return self.sha256 is not None and checksum(content) == self.sha256


_SHA256 = re.compile(r"[0-9a-f]{64}")


def checksum(content: str | bytes) -> str:
    """The SHA-256 of `content` (text is taken as UTF-8), in lower-case hex."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    return hashlib.sha256(data).hexdigest()


@attrs.frozen
class Application(Validated):
    """An application for a certification case, with its documents."""

    id: Id
    case_id: Id
    prepared: date
    documents: tuple[Document, ...] = ()
    steering_group_approved_on: date | None = None

    def _problems(self) -> Problems:
        if (
            self.steering_group_approved_on is not None
            and self.steering_group_approved_on < self.prepared
        ):
            yield (
                "steering_group_approved_on",
                _("the application is approved before it was prepared"),
            )
        for i, document in enumerate(self.documents):
            if document.received > self.prepared:
                yield (
                    f"documents[{i}].received",
                    _(
                        "received {day}, after the application was prepared ({prepared})",
                        day=document.received.isoformat(),
                        prepared=self.prepared.isoformat(),
                    ),
                )
        yield from check_unique(
            "documents",
            (f"{d.kind.value} v{d.version}" for d in self.documents),
            N_("document {value!r} is listed twice (give each version its number)"),
        )

    def document_kinds(self) -> frozenset[DocumentKind]:
        """The kinds of document handed in."""
        return frozenset(d.kind for d in self.documents)


@attrs.frozen
class ReviewerPool(Validated):
    """The review committee's pool of reviewers (granskningskommitté) for a period.

    A visit's reviewers are drawn from the pool valid on the day of the visit.
    """

    id: Id
    name: Name
    period: Period
    members: tuple[Id, ...] = ()

    def _problems(self) -> Problems:
        yield from check_unique("members", self.members, N_("reviewer {value!r} is listed twice"))


@attrs.frozen
class ReviewVisit(Validated):
    """A review visit (granskningsbesök): the day it was `held`, the reviewers assigned
    from the pool `pool_id`, the national office's representative, and the local
    colleges sampled. `round` counts the review rounds of the case from 1."""

    id: Id
    case_id: Id
    held: date
    reviewer_ids: tuple[Id, ...] = ()
    sampled_local_colleges: tuple[Id, ...] = ()
    national_office_id: Id | None = None
    pool_id: Id | None = None
    round: int = 1

    def _problems(self) -> Problems:
        yield from check_unique(
            "reviewer_ids", self.reviewer_ids, N_("reviewer {value!r} is listed twice")
        )
        if self.national_office_id is not None and self.national_office_id in self.reviewer_ids:
            yield (
                "national_office_id",
                _("the national office's representative is not one of the reviewers"),
            )
        if self.round < 1:
            yield "round", _("review rounds are numbered from 1")


@attrs.frozen
class Protocol(Validated):
    """The protocol after a visit, with the supplements it asks for.

    The supplements are due three months after `issued` "unless stated otherwise":
    `supplements_due` is the other date the protocol may state. `round` is the round of
    supplements the protocol opens (1 for the protocol after the visit).
    """

    id: Id
    case_id: Id
    issued: date
    supplements_requested: tuple[Name, ...] = ()
    supplements_due: date | None = None
    round: int = 1

    def _problems(self) -> Problems:
        if self.supplements_due is not None and self.supplements_due <= self.issued:
            yield "supplements_due", _("the supplements are due after the protocol is issued")
        if self.supplements_due is not None and not self.supplements_requested:
            yield "supplements_due", _("a deadline for supplements, but none are requested")
        if self.round < 1:
            yield "round", _("rounds of supplements are numbered from 1")


@attrs.frozen
class Supplement(Validated):
    """A supplement (komplettering) sent after the protocol."""

    id: Id
    case_id: Id
    received: date
    description: Annotated[str, TextRule("text", 2000)]
    round: int = 1

    def _problems(self) -> Problems:
        if self.round < 1:
            yield "round", _("rounds of supplements are numbered from 1")


@attrs.frozen
class Postponement(Validated):
    """A postponement (uppskov): a decision, on `granted`, with its own new due date.

    The workflow creates one for every granted postponement (see
    :meth:`teknikcollege.workflow.Workflow.created`)."""

    id: Id
    case_id: Id
    granted: date
    new_due: date
    reason: FreeText = ""

    def _problems(self) -> Problems:
        if self.new_due <= self.granted:
            yield (
                "new_due",
                _("the new due date must lie after the decision"),
            )


@attrs.frozen
class Certification(Validated):
    """A unit's certification for one period; `number` 1 is the first period."""

    unit: UnitRef
    valid_from: date
    valid_until: date
    number: int = 1

    def _problems(self) -> Problems:
        if self.valid_until < self.valid_from:
            yield (
                "valid_until",
                _("the certification ends before it starts"),
            )
        if self.number < 1:
            yield "number", _("periods are numbered from 1")

    def is_valid_on(self, day: date) -> bool:
        """Whether the certification covers `day`."""
        return self.valid_from <= day <= self.valid_until


class ReportLevel(str, Enum):
    """Who wrote a report or compiled a survey: a provider, a local steering group, the
    regional steering group, or the region for the nation (national reporting)."""

    REGIONAL = "regional"
    LOCAL = "local"
    PROVIDER = "provider"
    NATIONAL = "national"


@attrs.frozen
class AnnualReport(Validated):
    """An annual report (årlig rapport) of a steering group for one year."""

    id: Id
    college_id: Id
    year: int
    level: ReportLevel
    submitted: date
    local_college_id: Id | None = None

    def _problems(self) -> Problems:
        if not 1990 <= self.year <= 2200:
            yield "year", _("implausible year {year}", year=self.year)
        elif self.submitted < date(self.year, 1, 1):
            yield (
                "submitted",
                _(
                    "submitted {day}, before the year {year} began",
                    day=self.submitted,
                    year=self.year,
                ),
            )
        if self.level is ReportLevel.PROVIDER:
            yield "level", _("annual reports are the steering groups' (regional, local, national)")
        if self.level is ReportLevel.LOCAL and self.local_college_id is None:
            yield "local_college_id", _("a local steering group's report names its local college")
        if self.level is not ReportLevel.LOCAL and self.local_college_id is not None:
            yield (
                "local_college_id",
                _("only a local steering group's report names a local college"),
            )


@attrs.frozen
class SatisfactionSurvey(Validated):
    """The yearly satisfaction survey (nöjdhetsindex) of companies, teachers and students.

    `companies`, `teachers` and `students` count the respondents; `index` is the overall
    index and the others each target group's (0–100). A survey is a provider's, a local
    college's or the region's compilation (`level`; see
    :func:`~teknikcollege.models.followup.compile_surveys`).
    """

    id: Id
    college_id: Id
    year: int
    companies: int = 0
    teachers: int = 0
    students: int = 0
    index: float | None = None
    level: ReportLevel = ReportLevel.REGIONAL
    provider_id: Id | None = None
    local_college_id: Id | None = None
    company_index: float | None = None
    teacher_index: float | None = None
    student_index: float | None = None

    def _problems(self) -> Problems:
        for name in ("companies", "teachers", "students"):
            if getattr(self, name) < 0:
                yield name, _("must not be negative")
        for name in ("index", "company_index", "teacher_index", "student_index"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 100:
                yield (
                    name,
                    _("the index lies between 0 and 100"),
                )
        # An index is a mean of answers: without anyone answering there is none.
        for name, count in (
            ("index", self.respondents),
            ("company_index", self.companies),
            ("teacher_index", self.teachers),
            ("student_index", self.students),
        ):
            if getattr(self, name) is not None and count == 0:
                yield name, _("an index without respondents")
        if not 1990 <= self.year <= 2200:
            yield "year", _("implausible year {year}", year=self.year)
        if self.level is ReportLevel.PROVIDER and self.provider_id is None:
            yield "provider_id", _("a provider's survey names its provider")
        if self.level is not ReportLevel.PROVIDER and self.provider_id is not None:
            yield "provider_id", _("only a provider's survey names a provider")
        if self.level is ReportLevel.LOCAL and self.local_college_id is None:
            yield "local_college_id", _("a local college's survey names its local college")
        if self.level in (ReportLevel.REGIONAL, ReportLevel.NATIONAL) and self.local_college_id:
            yield (
                "local_college_id",
                _("a regional or national survey names no local college"),
            )

    @property
    def respondents(self) -> int:
        """How many answered in all."""
        return self.companies + self.teachers + self.students


JUDGEMENT_VALIDITY_MONTHS = 36
"""How long a judgement without its own `valid_until` counts: one first certification
period (an assumption: judgements no longer count for ever, and a recertification's
review round judges again)."""


class Outcome(str, Enum):
    """A reviewer's judgement."""

    PASSED = "passed"
    FAILED = "failed"


@attrs.frozen
class Judgement(Validated):
    """A reviewer's recorded judgement on a criterion that needs one, from the review
    visit `visit_id` of review round `round`.

    Honoured by later assessments of the subject until `valid_until` (inclusive); a
    judgement without one counts for :data:`JUDGEMENT_VALIDITY_MONTHS` months.
    """

    id: Id
    rule_id: Id
    subject_id: Id
    reviewer_id: Id
    decided: date
    outcome: Outcome
    evidence: Annotated[str, TextRule("text", 5000)]
    valid_until: date | None = None
    visit_id: Id | None = None
    round: int | None = None

    def _problems(self) -> Problems:
        if self.valid_until is not None and self.valid_until < self.decided:
            yield (
                "valid_until",
                _("the judgement expires before it was made"),
            )
        if self.round is not None and self.round < 1:
            yield "round", _("review rounds are numbered from 1")

    def expires(self) -> date:
        """The last day the judgement holds."""
        if self.valid_until is not None:
            return self.valid_until
        return add_months(self.decided, JUDGEMENT_VALIDITY_MONTHS) - timedelta(days=1)

    def is_valid_on(self, day: date) -> bool:
        """Whether the judgement still holds on `day`."""
        return self.decided <= day <= self.expires()
