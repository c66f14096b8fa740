"""Rules that guard the workflows (rule set ``teknikcollege-process``).

They live with the workflows they guard: rules know nothing of workflows, and
workflows build on rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from .._text import N_, Text, _, _n
from ..models import (
    Application,
    College,
    DocumentKind,
    InterestKind,
    InterestRegistration,
    Organisation,
    OrganisationKind,
    Person,
    Programme,
    Provider,
    ReviewerPool,
    ReviewVisit,
    Role,
    UnitKind,
    UnitRef,
)
from ..models.common import local_day
from ..models.process import FIRST_CERTIFICATION_DOCUMENTS
from ..rules.assessment import assess
from ..rules.base import Context, FunctionRule, excuse, rule, run_rule
from ..rules.findings import Finding, Status
from .case import Case
from .core import review_round
from .definition import deferred
from .hierarchy import held_certification, own_certification

RULE_SET, VERSION = "teknikcollege-process", "1"

REQUIRED_DOCUMENTS: dict[UnitKind, frozenset[DocumentKind]] = {
    UnitKind.COLLEGE: FIRST_CERTIFICATION_DOCUMENTS
    | {DocumentKind.CONTACT_LISTS, DocumentKind.COLLABORATION_AGREEMENT, DocumentKind.FINANCING},
    UnitKind.PROVIDER: frozenset({DocumentKind.SELF_ASSESSMENT_LOCAL}),
    UnitKind.PROGRAMME: frozenset(
        {DocumentKind.SELF_ASSESSMENT_LOCAL, DocumentKind.ACTION_PLAN_LOCAL}
    ),
    UnitKind.ORIENTATION: frozenset({DocumentKind.SELF_ASSESSMENT_LOCAL}),
}
"""The documents an application must hold, by unit kind."""


def _meta(title: str) -> dict[str, Any]:
    """A guard's rule set, kinds and `title` (an English id of the catalog), which is
    its description too; deferred, as the rules are made on import."""
    return {
        "rule_set": RULE_SET,
        "version": VERSION,
        "title": deferred(title),
        "description": deferred(title),
        "applies_to": ("case",),
    }


@rule(
    "interest-registration-approved",
    **_meta(N_("Interest registration approved by the regional steering group")),
)
def interest_registration_approved(case: Any, context: Context) -> tuple[bool, Text]:
    found = [
        r
        for r in context.lookup.find(InterestRegistration, college_id=case.college_id)
        if r.kind is InterestKind.CERTIFICATION and case.subject in r.units
    ]
    approved = [r for r in found if r.steering_group_approved]
    if approved:
        return True, _("interest registration {id!r} is approved", id=approved[0].id)
    if found:
        return False, _("the interest registration lacks the steering group's approval")
    return False, _("no interest registration names {subject}", subject=str(case.subject))


@rule("application-complete", **_meta(N_("Application complete")))
def application_complete(case: Any, context: Context) -> tuple[bool, Text, dict[str, Any]]:
    applications = context.lookup.find(Application, case_id=case.id)
    if not applications:
        return (
            False,
            _("no application is recorded for the case"),
            {},
        )
    application = max(applications, key=lambda a: (a.prepared, a.id))
    needed = REQUIRED_DOCUMENTS[case.subject.kind]
    missing = sorted(k.value for k in needed - application.document_kinds())
    problems: list[Text] = []
    if missing:
        problems.append(
            _n(
                "document missing: {documents}",
                "documents missing: {documents}",
                len(missing),
                documents=", ".join(missing),
            )
        )
    if application.steering_group_approved_on is None:
        problems.append(_("the regional steering group has not approved the application"))
    data = {"missing": missing, "application": application.id}
    if problems:
        return False, Text.join(problems), data
    return True, _("application {id!r} is complete and approved", id=application.id), data


REVIEWERS_PER_VISIT = 2
"""Members of the review committee on a visit, besides the national office's
representative (DOMAIN: "two committee members and one RTS representative")."""


@rule("review-visit-recorded", **_meta(N_("Review visit recorded")))
def review_visit_recorded(case: Any, context: Context) -> tuple[bool, Text, dict[str, Any]]:
    visits = context.lookup.find(ReviewVisit, case_id=case.id)
    if not visits:
        return (
            False,
            _("no review visit is recorded"),
            {},
        )
    # A recertification is reviewed with a visit of its own: an earlier round's visit
    # does not hold this one.
    round = review_round(case)
    of_round = [v for v in visits if v.round == round]
    if not of_round:
        earlier = sorted(f"{v.id} ({v.round})" for v in visits)
        return (
            False,
            _(
                "no review visit of review round {round} is recorded (recorded: {visits})",
                round=round,
                visits=", ".join(earlier),
            ),
            {"round": round},
        )
    visit = max(of_round, key=lambda v: (v.held, v.id))
    gaps = list(_panel_problems(visit, case, context))
    data = {"visit": visit.id, "reviewers": list(visit.reviewer_ids)}
    if gaps:
        return False, Text.join(gaps), data
    return (
        True,
        _n(
            "visit {visit} with {n} reviewer from the pool and the national office's "
            "representative",
            "visit {visit} with {n} reviewers from the pool and the national office's "
            "representative",
            len(visit.reviewer_ids),
            visit=visit.id,
        ),
        data,
    )


def _panel_problems(visit: ReviewVisit, case: Any, context: Context) -> Iterator[Text]:
    """Why the visit's people are not a proper review panel: two committee members from
    the pool, one national-office representative apart, none tied to the unit."""
    if len(visit.reviewer_ids) < REVIEWERS_PER_VISIT:
        yield _n(
            "the visit has {n} reviewer; {needed} are needed",
            "the visit has {n} reviewers; {needed} are needed",
            len(visit.reviewer_ids),
            needed=REVIEWERS_PER_VISIT,
        )
    pool = context.lookup.get(ReviewerPool, visit.pool_id) if visit.pool_id else None
    if visit.pool_id is None:
        yield _("the visit names no reviewer pool")
    elif pool is None:
        yield _("reviewer pool {pool!r} does not exist", pool=visit.pool_id)
    elif not pool.period.contains(visit.held):
        yield _("reviewer pool {pool!r} is not valid on {day}", pool=pool.id, day=visit.held)
    college = context.lookup.get(College, case.college_id)
    partners = _partners(college, context) if college is not None else set()
    for reviewer_id in visit.reviewer_ids:
        person = context.lookup.get(Person, reviewer_id)
        if person is None:
            yield _("reviewer {id!r} is not a known person", id=reviewer_id)
            continue
        if Role.REVIEWER not in person.roles:
            yield _("{id!r} does not hold the reviewer role", id=reviewer_id)
        if pool is not None and reviewer_id not in pool.members:
            yield _("{id!r} is not in reviewer pool {pool!r}", id=reviewer_id, pool=pool.id)
        yield from _ties(person, college, partners)
    office_id = visit.national_office_id
    office = context.lookup.get(Person, office_id) if office_id else None
    if office_id is None:
        yield _("the visit names no representative of the national office")
    elif office is None:
        yield _("the national office's representative {id!r} is not a known person", id=office_id)
    elif Role.NATIONAL_OFFICE not in office.roles:
        yield _("{id!r} does not represent the national office", id=office_id)


def _partners(college: College, context: Context) -> set[str]:
    """The organisations working in `college`: its steering groups' and councils'
    members' employers, the parties to its agreements, the providers of its programmes."""
    found = {m.organisation_id for g in college.steering_groups() for m in g.members}
    found |= {m.organisation_id for c in college.councils for m in c.members}
    found |= {p for a in college.agreements for p in a.parties}
    found |= {f.funder_id for f in college.funding}
    found |= {i for lc in college.local_colleges for i in lc.provider_ids}
    for programme in context.lookup.find(Programme, college_id=college.id):
        found |= set(programme.providers())
    return {o for o in found if o is not None}


def _ties(person: Person, college: College | None, partners: set[str]) -> Iterator[Text]:
    if college is None:
        return
    if person.id in college.process_leaders or any(
        g.member(person.id) for g in college.steering_groups()
    ):
        yield _("reviewer {id!r} belongs to the college under review", id=person.id)
    elif person.organisation_id is not None and person.organisation_id in partners:
        yield _(
            "reviewer {id!r} works for {org!r}, a partner of the college under review",
            id=person.id,
            org=person.organisation_id,
        )


def _unit_subject(case: Any, context: Context) -> Any:
    ref: UnitRef = case.subject
    if ref.kind is UnitKind.COLLEGE:
        return context.lookup.get(College, ref.id)
    if ref.kind is UnitKind.PROGRAMME:
        return context.lookup.get(Programme, ref.id)
    if ref.kind is UnitKind.PROVIDER:
        org = context.lookup.get(Organisation, ref.id)
        if org is None or org.kind is not OrganisationKind.EDUCATION_PROVIDER:
            return None
        return Provider(org, case.college_id)
    return context.lookup.get(Programme, ref.parent or "")


def _certified_units(context: Context, ref: UnitRef) -> bool:
    # The unit's own certification; the parents' are the guard parent-certified's.
    return own_certification(context.lookup)(ref, "", local_day(context.now))  # any college


@rule("unit-meets-criteria", **_meta(N_("The unit meets the criteria")))
def unit_meets_criteria(case: Any, context: Context) -> Finding:
    title = _("The unit meets the criteria")
    subject = _unit_subject(case, context)
    if subject is None:
        return Finding(
            "unit-meets-criteria",
            Status.FAILED,
            _("{subject} does not exist", subject=str(case.subject)),
            title,
        )
    result = assess(subject, context.criteria, attrs.evolve(context, case=case))
    gaps = result.gaps()
    if not result.findings:
        return Finding(
            "unit-meets-criteria",
            Status.FAILED,
            _("no criteria in force apply to {subject}", subject=str(case.subject)),
            title,
        )
    if not gaps:
        passed = _n(
            "the only criterion passed",
            "all {n} criteria passed",
            len(result.findings),
        )
        flags = result.flags()
        if not flags:
            return Finding("unit-meets-criteria", Status.PASSED, passed, title)
        # Flagged findings inform without blocking: the decision's record names them.
        each = [_("{rule}: {message}", rule=f.rule_id, message=f.message) for f in flags]
        return Finding(
            "unit-meets-criteria",
            Status.FLAGGED,
            _n(
                "{passed}; {n} flagged: {flags}",
                "{passed}; {n} flagged: {flags}",
                len(flags),
                passed=passed,
                flags=Text.join(each),
            ),
            title,
            {"flags": [f.rule_id for f in flags]},
        )
    each = [_("{rule}: {message}", rule=g.rule_id, message=g.message) for g in gaps]
    return Finding(
        "unit-meets-criteria",
        Status.FAILED,
        _n(
            "{failed} of {n} criterion not met: {gaps}",
            "{failed} of {n} criteria not met: {gaps}",
            len(result.findings),
            failed=len(gaps),
            gaps=Text.join(each),
        ),
        title,
        {"gaps": [g.rule_id for g in gaps]},
    )


@rule("college-certified", **_meta(N_("The college is certified")))
def college_certified(case: Any, context: Context) -> tuple[bool, Text]:
    ref = UnitRef(UnitKind.COLLEGE, case.college_id)
    if _certified_units(context, ref):
        return True, _("the college holds a valid certification")
    return False, _("the college holds no valid certification")


@rule("college-not-certified", **_meta(N_("The college's certification has ended")))
def college_not_certified(case: Any, context: Context) -> tuple[bool, Text]:
    """Guards ``lose_certification``: on an import too, the system may end the lifecycle's
    certification only when the college holds none (nor one in grace) at that time."""
    today = local_day(context.now)
    ref = UnitRef(UnitKind.COLLEGE, case.college_id)
    for other in context.lookup.find(Case, subject=ref):
        if held_certification(other, today)[0] is not None:
            return False, _("the college still holds a valid certification")
    return True, _("the college holds no valid certification")


@rule(
    "pilot-programmes-certified",
    **_meta(N_("The pilot's programmes are certified")),
)
def pilot_programmes_certified(case: Any, context: Context) -> Finding:
    title = _("The pilot's programmes are certified")
    programmes = [
        p for p in context.lookup.find(Programme, college_id=case.college_id) if p.created_in_pilot
    ]
    # A programme of a form that cannot be certified, which a rule in force allows outside
    # the certification (labour-market training in the Stockholm pilot), cannot be asked
    # to be: it is flagged, and does not block. Without such an excuse it blocks.
    outside = sorted(
        p.id
        for p in programmes
        if not _certifiable_form(p, context) and excuse(p, context) is not None
    )
    missing = sorted(
        p.id
        for p in programmes
        if p.id not in outside and not _certified_units(context, UnitRef(UnitKind.PROGRAMME, p.id))
    )
    data = {"pilot_programmes": len(programmes), "uncertified": missing, "not_certifiable": outside}
    counted = len(programmes) - len(outside)
    if missing:
        of_programmes = _n("of {n} programme", "of {n} programmes", counted)
        return Finding(
            "pilot-programmes-certified",
            Status.FAILED,
            _n(
                "{n} {of_programmes} from the pilot is not certified: {programmes}",
                "{n} {of_programmes} from the pilot are not certified: {programmes}",
                len(missing),
                of_programmes=of_programmes,
                programmes=", ".join(missing),
            ),
            title,
            data,
        )
    message = _n(
        "the only programme from the pilot is certified",
        "all {n} programmes from the pilot are certified",
        counted,
    )
    if outside:
        message = _(
            "{certified}; not certifiable, allowed outside the certification: {programmes}",
            certified=message,
            programmes=", ".join(outside),
        )
        return Finding("pilot-programmes-certified", Status.FLAGGED, message, title, data)
    return Finding("pilot-programmes-certified", Status.PASSED, message, title, data)


def _certifiable_form(programme: Programme, context: Context) -> bool:
    """Whether the criteria in force could certify the programme's form (the
    ``certifiable_form`` the dimensioning criterion reports; True without one)."""
    rule = next((r for r in context.criteria if r.id == "programmes-dimensioning"), None)
    if rule is None or "programme" not in rule.applies_to:
        return True
    return bool(run_rule(rule, programme, context).data.get("certifiable_form", True))


PROCESS_RULES: tuple[FunctionRule, ...] = (
    interest_registration_approved,
    application_complete,
    review_visit_recorded,
    unit_meets_criteria,
    college_certified,
    college_not_certified,
    pilot_programmes_certified,
)
"""The rules that guard the core workflows."""
