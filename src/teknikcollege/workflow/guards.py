"""Rules that guard the workflows (rule set ``teknikcollege-process``).

They live with the workflows they guard: rules know nothing of workflows, and
workflows build on rules.
"""

from __future__ import annotations

from typing import Any

from .._text import Text
from ..models import (
    Application,
    College,
    DocumentKind,
    InterestKind,
    InterestRegistration,
    Organisation,
    Programme,
    ReviewVisit,
    UnitKind,
    UnitRef,
)
from ..rules.assessment import assess
from ..rules.base import Context, FunctionRule, rule
from ..rules.findings import Finding, Status
from .case import Case

RULE_SET, VERSION = "teknikcollege-process", "1"

REQUIRED_DOCUMENTS: dict[UnitKind, frozenset[DocumentKind]] = {
    UnitKind.COLLEGE: frozenset(
        {
            DocumentKind.SELF_ASSESSMENT_REGIONAL,
            DocumentKind.SELF_ASSESSMENT_LOCAL,
            DocumentKind.ACTION_PLAN_REGIONAL,
            DocumentKind.ACTION_PLAN_LOCAL,
            DocumentKind.OPERATIONAL_PLAN,
            DocumentKind.CONTACT_LISTS,
            DocumentKind.COLLABORATION_AGREEMENT,
            DocumentKind.FINANCING,
        }
    ),
    UnitKind.PROVIDER: frozenset({DocumentKind.SELF_ASSESSMENT_LOCAL}),
    UnitKind.PROGRAMME: frozenset(
        {DocumentKind.SELF_ASSESSMENT_LOCAL, DocumentKind.ACTION_PLAN_LOCAL}
    ),
    UnitKind.ORIENTATION: frozenset({DocumentKind.SELF_ASSESSMENT_LOCAL}),
}
"""The documents an application must hold, by unit kind."""


def _meta(sv: str, en: str) -> dict[str, Any]:
    return {
        "rule_set": RULE_SET,
        "version": VERSION,
        "title": Text(sv, en),
        "description": Text(sv, en),
        "applies_to": ("case",),
    }


@rule(
    "interest-registration-approved",
    **_meta(
        "Intresseanmälan godkänd av regional styrgrupp",
        "Interest registration approved by the regional steering group",
    ),
)
def interest_registration_approved(case: Any, context: Context) -> tuple[bool, Text]:
    found = [
        r
        for r in context.lookup.find(InterestRegistration, college_id=case.college_id)
        if r.kind is InterestKind.CERTIFICATION and case.subject in r.units
    ]
    approved = [r for r in found if r.steering_group_approved]
    if approved:
        return True, Text(
            f"intresseanmälan {approved[0].id} är godkänd",
            f"interest registration {approved[0].id} is approved",
        )
    if found:
        return False, Text(
            "intresseanmälan saknar styrgruppens godkännande",
            "the interest registration lacks the steering group's approval",
        )
    return False, Text(
        f"ingen intresseanmälan nämner {case.subject}",
        f"no interest registration names {case.subject}",
    )


@rule("application-complete", **_meta("Ansökan komplett", "Application complete"))
def application_complete(case: Any, context: Context) -> tuple[bool, Text, dict[str, Any]]:
    applications = context.lookup.find(Application, case_id=case.id)
    if not applications:
        return (
            False,
            Text(
                "ingen ansökan är registrerad för ärendet",
                "no application is recorded for the case",
            ),
            {},
        )
    application = max(applications, key=lambda a: (a.prepared, a.id))
    needed = REQUIRED_DOCUMENTS[case.subject.kind]
    missing = sorted(k.value for k in needed - application.document_kinds())
    problems_sv, problems_en = [], []
    if missing:
        problems_sv.append(f"dokument saknas: {', '.join(missing)}")
        problems_en.append(f"documents missing: {', '.join(missing)}")
    if application.steering_group_approved_on is None:
        problems_sv.append("regionala styrgruppen har inte godkänt ansökan")
        problems_en.append("the regional steering group has not approved the application")
    data = {"missing": missing, "application": application.id}
    if problems_en:
        return False, Text("; ".join(problems_sv), "; ".join(problems_en)), data
    return (
        True,
        Text(
            f"ansökan {application.id} är komplett och godkänd",
            f"application {application.id} is complete and approved",
        ),
        data,
    )


@rule("review-visit-recorded", **_meta("Granskningsbesök registrerat", "Review visit recorded"))
def review_visit_recorded(case: Any, context: Context) -> tuple[bool, Text]:
    visits = context.lookup.find(ReviewVisit, case_id=case.id)
    staffed = [v for v in visits if len(v.reviewer_ids) >= 2]
    if staffed:
        return True, Text(
            f"besök {staffed[0].id} med {len(staffed[0].reviewer_ids)} granskare",
            f"visit {staffed[0].id} with {len(staffed[0].reviewer_ids)} reviewers",
        )
    if visits:
        return False, Text(
            "besöket har färre än två granskare", "the visit has fewer than two reviewers"
        )
    return False, Text("inget granskningsbesök är registrerat", "no review visit is recorded")


def _unit_subject(case: Any, context: Context) -> Any:
    ref: UnitRef = case.subject
    if ref.kind is UnitKind.COLLEGE:
        return context.lookup.get(College, ref.id)
    if ref.kind is UnitKind.PROGRAMME:
        return context.lookup.get(Programme, ref.id)
    if ref.kind is UnitKind.PROVIDER:
        return context.lookup.get(Organisation, ref.id)
    return context.lookup.get(Programme, ref.parent or "")


def _certified_units(context: Context, ref: UnitRef) -> bool:
    today = context.now.date()
    return any(
        c.certification_on(today) is not None and c.state not in ("decertified",)
        for c in context.lookup.find(Case, subject=ref)
    )


@rule(
    "unit-meets-criteria", **_meta("Enheten uppfyller kriterierna", "The unit meets the criteria")
)
def unit_meets_criteria(case: Any, context: Context) -> Finding:
    title = Text("Enheten uppfyller kriterierna", "The unit meets the criteria")
    subject = _unit_subject(case, context)
    if subject is None:
        return Finding(
            "unit-meets-criteria",
            Status.FAILED,
            Text(f"{case.subject} finns inte", f"{case.subject} does not exist"),
            title,
        )
    result = assess(subject, context.criteria, context)
    gaps = result.gaps()
    if not gaps:
        return Finding(
            "unit-meets-criteria",
            Status.PASSED,
            Text(
                f"alla {len(result.findings)} kriterier uppfyllda",
                f"all {len(result.findings)} criteria passed",
            ),
            title,
        )
    return Finding(
        "unit-meets-criteria",
        Status.FAILED,
        Text(
            f"{len(gaps)} av {len(result.findings)} kriterier ej uppfyllda: "
            + "; ".join(f"{g.rule_id}: {g.message.sv}" for g in gaps),
            f"{len(gaps)} of {len(result.findings)} criteria not met: "
            + "; ".join(f"{g.rule_id}: {g.message.en}" for g in gaps),
        ),
        title,
        {"gaps": [g.rule_id for g in gaps]},
    )


@rule("college-certified", **_meta("Colleget är certifierat", "The college is certified"))
def college_certified(case: Any, context: Context) -> tuple[bool, Text]:
    ref = UnitRef(UnitKind.COLLEGE, case.college_id)
    if _certified_units(context, ref):
        return True, Text(
            "colleget har en giltig certifiering", "the college holds a valid certification"
        )
    return False, Text(
        "colleget har ingen giltig certifiering", "the college holds no valid certification"
    )


@rule(
    "pilot-programmes-certified",
    **_meta("Pilotens utbildningar certifierade", "The pilot's programmes are certified"),
)
def pilot_programmes_certified(case: Any, context: Context) -> tuple[bool, Text, dict[str, Any]]:
    programmes = [
        p for p in context.lookup.find(Programme, college_id=case.college_id) if p.created_in_pilot
    ]
    missing = sorted(
        p.id for p in programmes if not _certified_units(context, UnitRef(UnitKind.PROGRAMME, p.id))
    )
    data = {"pilot_programmes": len(programmes), "uncertified": missing}
    if missing:
        return (
            False,
            Text(
                f"{len(missing)} av {len(programmes)} utbildningar från piloten saknar "
                f"certifiering: {', '.join(missing)}",
                f"{len(missing)} of {len(programmes)} programmes from the pilot are not "
                f"certified: {', '.join(missing)}",
            ),
            data,
        )
    return (
        True,
        Text(
            f"alla {len(programmes)} utbildningar från piloten är certifierade",
            f"all {len(programmes)} programmes from the pilot are certified",
        ),
        data,
    )


PROCESS_RULES: tuple[FunctionRule, ...] = (
    interest_registration_approved,
    application_complete,
    review_visit_recorded,
    unit_meets_criteria,
    college_certified,
    pilot_programmes_certified,
)
"""The rules that guard the core workflows."""
