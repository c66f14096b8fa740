"""teknikcollege-vo-college: Vård- och omsorgscollege's criteria and workflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from teknikcollege import (
    AgreementKind,
    Catalog,
    College,
    Context,
    Organisation,
    OrganisationKind,
    Programme,
    ProgrammeForm,
    Role,
    Rule,
    Sector,
    Text,
    WorkflowDefinition,
    hookimpl,
    rule,
)
from teknikcollege.models import local_day
from teknikcollege.rules import CriteriaConfig, national_criteria
from teknikcollege.rules.criteria.provider import unit_criteria
from teknikcollege.workflow import CERTIFICATION, Validity
from teknikcollege.workflow.definition import Reminder

__all__ = [
    "CONCEPT",
    "REAPPLICATION_DUE_MONTHS",
    "RULE_SET",
    "VO_BRANCH_AREA",
    "VO_CERTIFICATION",
    "VO_FORMS",
    "VO_RULES",
    "plugin",
]

CATALOG = Catalog("teknikcollege_vo_college", Path(__file__).parent / "locale")
"""This plug-in's messages: English ids, Swedish from its own gettext catalog."""
_, _n = CATALOG.text, CATALOG.plural

RULE_SET, VERSION = "vo-college", "2021"
MIN_MUNICIPALITIES = 3
CONCEPT = "vard-och-omsorgscollege"
"""The concept a registry names to assess with these rules: ``Registry(concept=CONCEPT)``."""

REAPPLICATION_DUE_MONTHS = 3
"""The re-application is *due* this many months before the certification expires."""
RECERTIFICATION_LEAD_MONTHS = 6
"""Recertification opens this many months before expiry: no source states it (an
assumption, as for Teknikcollege), so that the region has three months before the
re-application is due."""


def _vo_certification() -> WorkflowDefinition:
    submit = CERTIFICATION.transition("submit_application")
    assert submit is not None
    # Handing in the re-application meets its deadline.
    handed_in = attrs.evolve(submit, clears=(*submit.clears, "reapplication_due"))
    definition = attrs.evolve(
        CERTIFICATION,
        name="vo-certification",
        title=_("Certification case (Vård- och omsorgscollege)"),
        transitions=tuple(
            handed_in if t.trigger == "submit_application" else t for t in CERTIFICATION.transitions
        ),
        validity=Validity(
            first_months=36,
            renewal_months=60,
            recertification_lead_months=RECERTIFICATION_LEAD_MONTHS,
            reapplication_due_months=REAPPLICATION_DUE_MONTHS,
        ),
    )
    return definition.extended(
        reminders=[
            Reminder(
                "reapplication_due",
                "reapplication_due",
                ("certified", "recertification_open"),
                (Role.PROCESS_LEADER, Role.CHAIR),
                months_before=1,
            ),
            Reminder(
                "reapplication_overdue",
                "reapplication_due",
                ("certified", "recertification_open"),
                (Role.PROCESS_LEADER, Role.CHAIR, Role.NATIONAL_OFFICE),
                days_before=1,
                after=True,
            ),
        ]
    )


VO_CERTIFICATION: WorkflowDefinition = _vo_certification()
"""The certification case with the re-application *due* three months before expiry (a
deadline ``reapplication_due``, reminded of a month before and the day after)."""

VO_FORMS = frozenset(
    {ProgrammeForm.UPPER_SECONDARY, ProgrammeForm.VOCATIONAL_ADULT, ProgrammeForm.HIGHER_VOCATIONAL}
)
"""Forms of the health and social care programmes Vård- och omsorgscollege certifies."""
VO_BRANCH_AREA = "health_and_social_care"
"""The branch area a Vård- och omsorgscollege programme belongs to."""


@rule(
    "vo-regional-collaboration",
    rule_set=RULE_SET,
    version=VERSION,
    title=_("Regional collaboration"),
    description=_n(
        "At least {n} municipality and one region are bound by collaboration agreements.",
        "At least {n} municipalities and one region are bound by collaboration agreements.",
        MIN_MUNICIPALITIES,
    ),
    applies_to=["college"],
    priority=10,
    concept=CONCEPT,
)
def regional_collaboration(college: College, context: Context) -> tuple[bool, Text, dict[str, Any]]:
    today = local_day(context.now)
    valid = [
        a
        for a in college.agreements
        if a.kind is AgreementKind.COLLABORATION and a.period.contains(today)
    ]
    covered = {m for a in valid for m in a.municipalities}
    regions = {
        p
        for a in valid
        for p in a.parties
        if (org := context.lookup.get(Organisation, p)) is not None
        and org.kind is OrganisationKind.REGION
    }
    municipalities = [m for m in college.municipalities if m in covered]
    data = {"municipalities": len(municipalities), "regions": len(regions)}
    gaps = []
    if len(municipalities) < MIN_MUNICIPALITIES:
        gaps.append(
            _n(
                "{n} municipality under agreement; at least {min} needed",
                "{n} municipalities under agreement; at least {min} needed",
                len(municipalities),
                min=MIN_MUNICIPALITIES,
            )
        )
    if not regions:
        gaps.append(_("no region is a party to the collaboration agreement"))
    if gaps:
        return False, Text.join(gaps), data
    return (
        True,
        _(
            "{municipalities} and {regions} under agreement",
            municipalities=_n("{n} municipality", "{n} municipalities", len(municipalities)),
            regions=_n("{n} region", "{n} regions", len(regions)),
        ),
        data,
    )


@rule(
    "vo-programmes",
    rule_set=RULE_SET,
    version=VERSION,
    title=_("Health and social care programmes"),
    description=_(
        "Programmes in health and social care, upper-secondary, adult or higher vocational "
        "education; no minimum length is asked."
    ),
    applies_to=["college", "programme"],
    priority=30,
    concept=CONCEPT,
)
def programmes(subject: College | Programme, context: Context) -> tuple[bool, Text, dict[str, Any]]:
    if isinstance(subject, Programme):
        found = [subject]
    else:
        found = sorted(context.lookup.find(Programme, college_id=subject.id), key=lambda p: p.id)
    if not found:
        return False, _("no programmes recorded"), {}
    gaps = []
    for p in found:
        if p.form not in VO_FORMS:
            gaps.append(
                _("{title}: the form {form} is not certifiable", title=p.title, form=p.form.value)
            )
        if VO_BRANCH_AREA not in p.branch_areas:
            gaps.append(_("{title}: not a health and social care programme", title=p.title))
    data = {"programmes": len(found)}
    if gaps:
        return False, Text.join(gaps), data
    return (
        True,
        _n(
            "{n} health and social care programme of a certifiable form",
            "{n} health and social care programmes of a certifiable form",
            len(found),
        ),
        data,
    )


@rule(
    "vo-collective-agreements",
    rule_set=RULE_SET,
    version=VERSION,
    title=_("Collective agreements"),
    description=_("All actors are bound by collective agreements."),
    applies_to=["college"],
    priority=80,
    concept=CONCEPT,
)
def collective_agreements(college: College, context: Context) -> tuple[None, Text]:
    return None, _("a reviewer must judge the collective agreements")


def _from_national(rule_id: str, new_id: str, priority: int) -> Rule:
    """A national criterion re-parameterised for employers, under this rule set."""
    config = CriteriaConfig(version=VERSION, majority_sector=Sector.EMPLOYER)
    base = next(r for r in national_criteria(config) if r.id == rule_id)
    return attrs.evolve(
        base,
        id=new_id,
        rule_set=RULE_SET,
        priority=priority,
        concept=CONCEPT,
        function=_renamed(base.function, new_id),
    )


def _renamed(function: Any, new_id: str) -> Any:
    def check(subject: Any, context: Context) -> Any:
        return function(subject, context)

    check.__name__ = new_id
    return check


def _provider_criteria() -> tuple[Rule, ...]:
    """The national criteria for an education provider, under this rule set: a programme
    is certified only at a certified provider (the tree of units), and the sources of
    Vård- och omsorgscollege publish no provider criteria of their own (an assumption,
    see the README)."""
    config = CriteriaConfig(version=VERSION, majority_sector=Sector.EMPLOYER)
    return tuple(
        attrs.evolve(
            rule,
            id=f"vo-{rule.id}",
            rule_set=RULE_SET,
            concept=CONCEPT,
            function=_renamed(rule.function, f"vo-{rule.id}"),
        )
        for rule in unit_criteria(config)
        if rule.applies_to == frozenset({"provider"})
    )


VO_RULES: tuple[Rule, ...] = (
    regional_collaboration,
    _from_national("organisation-governance", "vo-organisation-governance", 20),
    programmes,
    _from_national("working-life-participation", "vo-workplace-learning", 40),
    collective_agreements,
    *_provider_criteria(),
)
"""The Vård- och omsorgscollege rule set."""


class _Plugin:
    @hookimpl
    def teknikcollege_rules(self) -> list[Rule]:
        return list(VO_RULES)

    @hookimpl
    def teknikcollege_workflows(self) -> list[WorkflowDefinition]:
        return [VO_CERTIFICATION]


plugin = _Plugin()
"""The plug-in object named by the ``teknikcollege`` entry point."""
