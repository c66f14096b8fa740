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


def _not_applicable() -> Text:
    return _("not applicable: not the Stockholm pilot")


def _is_pilot(college: College | None) -> bool:
    return (
        college is not None
        and college.county_code == STOCKHOLM_COUNTY
        and college.pilot is not None
    )


def _meta(title: Text, description: Text, kinds: set[str]) -> dict[str, Any]:
    return {
        "rule_set": RULE_SET,
        "version": VERSION,
        "title": title,
        "description": description,
        "applies_to": kinds,
    }


@rule(
    "stockholm-pilot-length",
    **_meta(
        _("Length of the pilot"),
        _n(
            "The pilot lasts {n} year from its start.",
            "The pilot lasts {n} years from its start.",
            PILOT_YEARS,
        ),
        {"college"},
    ),
)
def pilot_length(college: College, context: Context) -> tuple[bool, Text]:
    if not _is_pilot(college):
        return True, _not_applicable()
    assert college.pilot is not None
    expected = add_months(college.pilot.start, 12 * PILOT_YEARS) - timedelta(days=1)
    if college.pilot.end == expected:
        return True, _("the pilot runs {start} – {end}", start=college.pilot.start, end=expected)
    if college.pilot.end is None:
        return False, _n(
            "the pilot should end on {expected} ({n} year), but has no end",
            "the pilot should end on {expected} ({n} years), but has no end",
            PILOT_YEARS,
            expected=expected,
        )
    return False, _n(
        "the pilot should end on {expected} ({n} year), but ends on {end}",
        "the pilot should end on {expected} ({n} years), but ends on {end}",
        PILOT_YEARS,
        expected=expected,
        end=college.pilot.end,
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
        _("Funders of the pilot"),
        _("Region Stockholm, Huddinge and Södertälje fund the pilot."),
        {"college"},
    ),
)
def pilot_funders(college: College, context: Context) -> tuple[bool, Text, dict[str, Any]]:
    if not _is_pilot(college):
        return True, _not_applicable(), {}
    assert college.pilot is not None
    funding = [f for f in college.funding if f.period.overlaps(college.pilot)]
    found = {_funder_key(context.lookup.get(Organisation, f.funder_id)) for f in funding}
    missing = sorted(set(FUNDERS) - found)
    names = {"region": "Region Stockholm", "huddinge": "Huddinge", "sodertalje": "Södertälje"}
    if missing:
        listed = ", ".join(names[m] for m in missing)
        return (
            False,
            _("no funding from {funders}", funders=listed),
            {"missing": missing},
        )
    return (
        True,
        _("Region Stockholm, Huddinge and Södertälje fund the pilot"),
        {},
    )


@rule(
    "stockholm-labour-market-training",
    **_meta(
        _("Labour-market training in the pilot"),
        _("Allowed during the pilot, but not certifiable."),
        {"programme"},
    ),
)
def labour_market_training(programme: Programme, context: Context) -> tuple[bool, Text]:
    college = context.lookup.get(College, programme.college_id)
    if not _is_pilot(college) or programme.form is not ProgrammeForm.LABOUR_MARKET_TRAINING:
        return True, _not_applicable()
    assert college is not None and college.pilot is not None
    if college.pilot.contains(context.now.date()):
        return True, _(
            "{title}: labour-market training is allowed during the pilot but cannot be certified",
            title=programme.title,
        )
    return False, _(
        "{title}: the pilot is over and labour-market training cannot be certified",
        title=programme.title,
    )


STOCKHOLM_RULES = (pilot_length, pilot_funders, labour_market_training)
