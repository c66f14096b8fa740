"""The Stockholm pilot's rules (rule set ``stockholm-pilot``)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from teknikcollege import (
    Catalog,
    College,
    Context,
    Organisation,
    OrganisationKind,
    Programme,
    ProgrammeForm,
    Text,
    add_months,
    rule,
)

CATALOG = Catalog("teknikcollege_stockholm", Path(__file__).parent / "locale")
"""This plug-in's messages: English ids, Swedish from its own gettext catalog."""
_, _n = CATALOG.text, CATALOG.plural

RULE_SET, VERSION = "stockholm-pilot", "1"
PILOT_YEARS = 3
STOCKHOLM_COUNTY = "01"
FUNDERS = {"region": STOCKHOLM_COUNTY, "huddinge": "0126", "sodertalje": "0181"}
NOT_APPLICABLE = Text(
    "gäller inte: inte Stockholmspiloten", "not applicable: not the Stockholm pilot"
)


def _is_pilot(college: College | None) -> bool:
    return (
        college is not None
        and college.county_code == STOCKHOLM_COUNTY
        and college.pilot is not None
    )


def _meta(sv: str, en: str, desc_sv: str, desc_en: str, kinds: set[str]) -> dict[str, Any]:
    return {
        "rule_set": RULE_SET,
        "version": VERSION,
        "title": Text(sv, en),
        "description": Text(desc_sv, desc_en),
        "applies_to": kinds,
    }


@rule(
    "stockholm-pilot-length",
    **_meta(
        "Pilotens längd",
        "Length of the pilot",
        "Piloten pågår i tre år från starten.",
        "The pilot lasts three years from its start.",
        {"college"},
    ),
)
def pilot_length(college: College, context: Context) -> tuple[bool, Text]:
    if not _is_pilot(college):
        return True, NOT_APPLICABLE
    assert college.pilot is not None
    expected = add_months(college.pilot.start, 12 * PILOT_YEARS) - timedelta(days=1)
    if college.pilot.end == expected:
        return True, Text(
            f"piloten pågår {college.pilot.start} – {expected}",
            f"the pilot runs {college.pilot.start} – {expected}",
        )
    return False, Text(
        f"piloten ska sluta {expected} (tre år), men slutar {college.pilot.end or 'aldrig'}",
        f"the pilot should end on {expected} (three years), but ends "
        f"{college.pilot.end or 'never'}",
    )


def _funder_key(org: Organisation | None) -> str | None:
    if org is None:
        return None
    if org.kind is OrganisationKind.REGION and org.county_code == STOCKHOLM_COUNTY:
        return "region"
    for key, code in FUNDERS.items():
        if org.kind is OrganisationKind.MUNICIPALITY and org.municipality_code == code:
            return key
    return None


@rule(
    "stockholm-pilot-funders",
    **_meta(
        "Pilotens finansiärer",
        "Funders of the pilot",
        "Region Stockholm, Huddinge och Södertälje finansierar piloten.",
        "Region Stockholm, Huddinge and Södertälje fund the pilot.",
        {"college"},
    ),
)
def pilot_funders(college: College, context: Context) -> tuple[bool, Text, dict[str, Any]]:
    if not _is_pilot(college):
        return True, NOT_APPLICABLE, {}
    assert college.pilot is not None
    funding = [f for f in college.funding if f.period.overlaps(college.pilot)]
    found = {_funder_key(context.lookup.get(Organisation, f.funder_id)) for f in funding}
    missing = sorted(set(FUNDERS) - found)
    names = {"region": "Region Stockholm", "huddinge": "Huddinge", "sodertalje": "Södertälje"}
    if missing:
        listed = ", ".join(names[m] for m in missing)
        return (
            False,
            Text(f"finansiering saknas från {listed}", f"no funding from {listed}"),
            {"missing": missing},
        )
    return (
        True,
        Text(
            "Region Stockholm, Huddinge och Södertälje finansierar piloten",
            "Region Stockholm, Huddinge and Södertälje fund the pilot",
        ),
        {},
    )


@rule(
    "stockholm-labour-market-training",
    **_meta(
        "Arbetsmarknadsutbildning i piloten",
        "Labour-market training in the pilot",
        "Tillåten under piloten men inte certifierbar.",
        "Allowed during the pilot, but not certifiable.",
        {"programme"},
    ),
)
def labour_market_training(programme: Programme, context: Context) -> tuple[bool, Text]:
    college = context.lookup.get(College, programme.college_id)
    if not _is_pilot(college) or programme.form is not ProgrammeForm.LABOUR_MARKET_TRAINING:
        return True, NOT_APPLICABLE
    assert college is not None and college.pilot is not None
    if college.pilot.contains(context.now.date()):
        return True, Text(
            f"{programme.title}: arbetsmarknadsutbildning är tillåten under piloten men "
            "kan inte certifieras",
            f"{programme.title}: labour-market training is allowed during the pilot but "
            "cannot be certified",
        )
    return False, Text(
        f"{programme.title}: piloten är slut och arbetsmarknadsutbildning kan inte certifieras",
        f"{programme.title}: the pilot is over and labour-market training cannot be certified",
    )


STOCKHOLM_RULES = (pilot_length, pilot_funders, labour_market_training)
