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
CONCEPT = "vard-och-omsorgscollege"
"""The concept a registry names to assess with these rules: ``Registry(concept=CONCEPT)``."""

VO_CERTIFICATION: WorkflowDefinition = attrs.evolve(
    CERTIFICATION,
    name="vo-certification",
    title=Text(
        "Certifieringsärende (Vård- och omsorgscollege)",
        "Certification case (Vård- och omsorgscollege)",
    ),
    validity=Validity(first_months=36, renewal_months=60, recertification_lead_months=3),
)
"""The certification case with re-application due three months before expiry."""


@rule(
    "vo-regional-collaboration",
    rule_set=RULE_SET,
    version=VERSION,
    title=Text("Regional samverkan", "Regional collaboration"),
    description=Text(
        "Minst tre kommuner och en region är bundna av samverkansavtal.",
        "At least three municipalities and one region are bound by collaboration agreements.",
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
    gaps_sv, gaps_en = [], []
    if len(municipalities) < 3:
        gaps_sv.append(f"{len(municipalities)} kommuner med avtal; minst 3 krävs")
        gaps_en.append(f"{len(municipalities)} municipalities under agreement; at least 3 needed")
    if not regions:
        gaps_sv.append("ingen region är part i samverkansavtalet")
        gaps_en.append("no region is a party to the collaboration agreement")
    if gaps_en:
        return False, Text("; ".join(gaps_sv), "; ".join(gaps_en)), data
    return (
        True,
        Text(
            f"{len(municipalities)} kommuner och {len(regions)} region med avtal",
            f"{len(municipalities)} municipalities and {len(regions)} region under agreement",
        ),
        data,
    )


@rule(
    "vo-collective-agreements",
    rule_set=RULE_SET,
    version=VERSION,
    title=Text("Kollektivavtal", "Collective agreements"),
    description=Text(
        "Alla aktörer är bundna av kollektivavtal.",
        "All actors are bound by collective agreements.",
    ),
    applies_to=["college"],
    priority=80,
    concept=CONCEPT,
)
def collective_agreements(college: College, context: Context) -> tuple[None, Text]:
    return None, Text(
        "en granskare måste bedöma kollektivavtalen",
        "a reviewer must judge the collective agreements",
    )


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
