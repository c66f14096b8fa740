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
    Rule,
    Sector,
    Text,
    WorkflowDefinition,
    hookimpl,
    rule,
)
from teknikcollege.rules import CriteriaConfig, national_criteria
from teknikcollege.workflow import CERTIFICATION, Validity

__all__ = ["CONCEPT", "RULE_SET", "VO_CERTIFICATION", "VO_RULES", "plugin"]

CATALOG = Catalog("teknikcollege_vo_college", Path(__file__).parent / "locale")
"""This plug-in's messages: English ids, Swedish from its own gettext catalog."""
_, _n = CATALOG.text, CATALOG.plural

RULE_SET, VERSION = "vo-college", "2021"
MIN_MUNICIPALITIES = 3
CONCEPT = "vard-och-omsorgscollege"
"""The concept a registry names to assess with these rules: ``Registry(concept=CONCEPT)``."""

VO_CERTIFICATION: WorkflowDefinition = attrs.evolve(
    CERTIFICATION,
    name="vo-certification",
    title=_("Certification case (Vård- och omsorgscollege)"),
    validity=Validity(first_months=36, renewal_months=60, recertification_lead_months=3),
)
"""The certification case with re-application due three months before expiry."""


@rule(
    "vo-regional-collaboration",
    rule_set=RULE_SET,
    version=VERSION,
    title=_("Regional collaboration"),
    description=_(
        "At least {min} municipalities and one region are bound by collaboration agreements.",
        min=MIN_MUNICIPALITIES,
    ),
    applies_to=["college"],
    priority=10,
    concept=CONCEPT,
)
def regional_collaboration(college: College, context: Context) -> tuple[bool, Text, dict[str, Any]]:
    today = context.now.date()
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


VO_RULES: tuple[Rule, ...] = (
    regional_collaboration,
    _from_national("organisation-governance", "vo-organisation-governance", 20),
    _from_national("programmes-dimensioning", "vo-programmes", 30),
    _from_national("working-life-participation", "vo-workplace-learning", 40),
    collective_agreements,
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
