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
    Status,
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
            "The pilot lasts at least {n} year from its start; an extension is flagged.",
            "The pilot lasts at least {n} years from its start; an extension is flagged.",
            PILOT_YEARS,
        ),
        {"college"},
    ),
)
def pilot_length(college: College, context: Context) -> Any:
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
    if college.pilot.end > expected:
        return (
            Status.FLAGGED,
            _(
                "the pilot was extended: it runs {start} – {end} instead of ending on {expected}",
                start=college.pilot.start,
                end=college.pilot.end,
                expected=expected,
            ),
            {"extended_until": college.pilot.end.isoformat()},
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


def _training_allowed(programme: Programme, context: Context) -> Text | None:
    """The pilot's one exception, stated here only: labour-market training begun in the
    pilot is allowed outside the certification (the core criteria ask this through
    ``teknikcollege.rules.excuse``); begun after it, or outside the pilot, it is not."""
    if programme.form is not ProgrammeForm.LABOUR_MARKET_TRAINING:
        return None
    college = context.lookup.get(College, programme.college_id)
    if not _is_pilot(college) or _started_after_pilot(programme, college):
        return None
    return _("labour-market training is allowed in the Stockholm pilot but cannot be certified")


def _started_after_pilot(programme: Programme, college: College | None) -> bool:
    pilot = college.pilot if college is not None else None
    return (
        pilot is not None
        and programme.start is not None
        and pilot.end is not None
        and programme.start > pilot.end
    )


@rule(
    "stockholm-labour-market-training",
    **_meta(
        _("Labour-market training in the pilot"),
        _(
            "Allowed in the pilot, flagged, and not certifiable; a labour-market programme "
            "started after the pilot is not allowed."
        ),
        {"college", "programme"},
    ),
    excuses=_training_allowed,
)
def labour_market_training(subject: College | Programme, context: Context) -> Any:
    if isinstance(subject, Programme):
        college = context.lookup.get(College, subject.college_id)
        programmes = [subject]
    else:
        college = subject
        programmes = list(context.lookup.find(Programme, college_id=subject.id))
    if not _is_pilot(college):
        return True, _not_applicable()
    training = sorted(
        (p for p in programmes if p.form is ProgrammeForm.LABOUR_MARKET_TRAINING),
        key=lambda p: p.id,
    )
    if not training:
        return True, _("the pilot runs no labour-market training")
    assert college is not None and college.pilot is not None
    late = [p for p in training if _started_after_pilot(p, college)]
    if late:
        return False, Text.join(
            _(
                "{title}: labour-market training started after the pilot ({end}) is not allowed",
                title=p.title,
                end=college.pilot.end,
            )
            for p in late
        )
    return (
        Status.FLAGGED,
        Text.join(
            _(
                "{title}: labour-market training is allowed in the pilot but cannot be certified",
                title=p.title,
            )
            for p in training
        ),
        {"programmes": [p.id for p in training]},
    )


STOCKHOLM_RULES = (pilot_length, pilot_funders, labour_market_training)
