"""The eight national Teknikcollege quality criteria (rule set ``teknikcollege-national``).

Checks what data can settle; where only a reviewer can decide, the finding is
``needs_judgement`` until a :class:`~teknikcollege.models.Judgement` is recorded.
Parameters that the sources do not fix for ever are configuration, not constants.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attrs

from ..._text import N_, Text, _, _n
from ...models import (
    AgreementKind,
    AnnualReport,
    College,
    ContributionKind,
    Organisation,
    OrganisationKind,
    Programme,
    ProgrammeForm,
    ReportLevel,
    SatisfactionSurvey,
    Sector,
)
from ...models.common import local_day
from ..base import Context, FunctionRule

RULE_SET = "teknikcollege-national"


@attrs.frozen
class CriteriaConfig:
    """The figures the national criteria check against."""

    version: str = "2016"
    min_municipalities: int = 3
    min_weeks: int = 40
    certifiable_forms: frozenset[ProgrammeForm] = frozenset(
        {
            ProgrammeForm.UPPER_SECONDARY,
            ProgrammeForm.VOCATIONAL_ADULT,
            ProgrammeForm.HIGHER_VOCATIONAL,
        }
    )
    majority_sector: Sector = Sector.COMPANY


Result = tuple[bool | None, Text, dict[str, Any]]


def local_today(context: Context) -> date:
    """The Swedish day of the context's time (see :func:`teknikcollege.models.local_day`)."""
    return local_day(context.now)


def _programmes(college: College, context: Context) -> list[Programme]:
    return sorted(context.lookup.find(Programme, college_id=college.id), key=lambda p: p.id)


def regional_collaboration(cfg: CriteriaConfig) -> Callable[[College, Context], Result]:
    def check(college: College, context: Context) -> Result:
        today = local_today(context)
        gaps: list[Text] = []
        count = len(college.municipalities)
        if count < cfg.min_municipalities:
            gaps.append(
                _n(
                    "{n} municipality; at least {min} needed",
                    "{n} municipalities; at least {min} needed",
                    count,
                    min=cfg.min_municipalities,
                )
            )
        valid = [a for a in college.agreements if a.period.contains(today)]
        covered = {
            m
            for a in valid
            if a.kind in (AgreementKind.COLLABORATION, AgreementKind.ATTACHED)
            for m in a.municipalities
        }
        uncovered = [m for m in college.municipalities if m not in covered]
        if uncovered:
            gaps.append(
                _n(
                    "no collaboration agreement covers {uncovered} of {n} municipality ({codes})",
                    "no collaboration agreement covers {uncovered} of {n} municipalities ({codes})",
                    count,
                    uncovered=len(uncovered),
                    codes=", ".join(uncovered),
                )
            )
        letters = [a for a in valid if a.kind is AgreementKind.LETTER_OF_INTENT]
        bound = [a for a in letters if _company_and_provider(a.parties, context)]
        if not bound:
            gaps.append(_("no valid letter of intent between a company and a provider"))
        data = {"municipalities": count, "uncovered": uncovered, "letters_of_intent": len(bound)}
        if gaps:
            return False, Text.join(gaps), data
        return (
            True,
            _(
                "{municipalities}, all under a collaboration agreement; {letters}",
                municipalities=_n("{n} municipality", "{n} municipalities", count),
                letters=_n("{n} letter of intent", "{n} letters of intent", len(bound)),
            ),
            data,
        )

    return check


def _company_and_provider(parties: tuple[str, ...], context: Context) -> bool:
    kinds = set()
    for party in parties:
        org = context.lookup.get(Organisation, party)
        if org is not None:
            kinds.add(org.kind)
    return {OrganisationKind.COMPANY, OrganisationKind.EDUCATION_PROVIDER} <= kinds


def organisation_governance(cfg: CriteriaConfig) -> Callable[[College, Context], Result]:
    sector = cfg.majority_sector

    def check(college: College, context: Context) -> Result:
        gaps: list[Text] = []
        if college.steering_group is None:
            gaps.append(_("no regional steering group"))
        for local in college.local_colleges:
            if local.steering_group is None:
                gaps.append(_("{name} has no local steering group", name=local.name))
        groups = college.steering_groups()
        for group in groups:
            total, count = len(group.members), group.count(sector)
            needed = total // 2 + 1
            if count < needed:
                gaps.append(
                    _n(
                        "{group}: {count} of {n} member represents {sector}; "
                        "a majority needs {needed}",
                        "{group}: {count} of {n} members represent {sector}; "
                        "a majority needs {needed}",
                        total,
                        group=group.name,
                        sector=_sector(sector),
                        count=count,
                        needed=needed,
                    )
                )
            chair = group.member(group.chair) if group.chair else None
            if chair is None:
                gaps.append(_("{group}: no chair", group=group.name))
            elif chair.sector is not sector:
                gaps.append(
                    _(
                        "{group}: the chair does not represent {sector}",
                        group=group.name,
                        sector=_sector(sector),
                    )
                )
        if not college.process_leaders:
            gaps.append(_("no regional process leader"))
        data = {"steering_groups": len(groups), "process_leaders": len(college.process_leaders)}
        if gaps:
            return False, Text.join(gaps), data
        return (
            True,
            _n(
                "{n} steering group with {sector} in majority and in the chair; "
                "a process leader named",
                "{n} steering groups with {sector} in majority and in the chair; "
                "a process leader named",
                len(groups),
                sector=_sector(sector),
            ),
            data,
        )

    return check


_SECTORS = {
    Sector.COMPANY: N_("companies"),
    Sector.MUNICIPALITY: N_("municipalities"),
    Sector.EDUCATION_PROVIDER: N_("education providers"),
    Sector.UNION: N_("unions"),
    Sector.AUTHORITY: N_("authorities"),
    Sector.REGION: N_("regions"),
    Sector.EMPLOYER: N_("employers"),
    Sector.OTHER: N_("other sectors"),
}


def _sector(sector: Sector) -> Text:
    """The members of `sector`, in the plural (``företag``, ``companies``)."""
    return _(_SECTORS[sector])


def _judgement(what: str) -> Callable[[Any, Context], Result]:
    def check(subject: Any, context: Context) -> Result:
        return None, _("a reviewer must judge {what}", what=_(what)), {}

    return check


def programmes_dimensioning(cfg: CriteriaConfig) -> Callable[[Any, Context], Result]:
    forms = ", ".join(sorted(f.value for f in cfg.certifiable_forms))

    def problems(p: Programme) -> list[Text]:
        found = []
        if p.form not in cfg.certifiable_forms:
            found.append(
                _(
                    "{title}: the form {form} is not certifiable ({forms})",
                    title=p.title,
                    form=p.form.value,
                    forms=forms,
                )
            )
        if p.weeks < cfg.min_weeks:
            found.append(
                _n(
                    "{title}: {n} week, at least {min} needed",
                    "{title}: {n} weeks, at least {min} needed",
                    p.weeks,
                    title=p.title,
                    min=cfg.min_weeks,
                )
            )
        return found

    def check(subject: Any, context: Context) -> Result:
        programmes = [subject] if isinstance(subject, Programme) else _programmes(subject, context)
        if not programmes:
            return False, _("no programmes recorded"), {}
        gaps = [t for p in programmes for t in problems(p)]
        data = {"programmes": len(programmes)}
        if gaps:
            return False, Text.join(gaps), data
        return (
            True,
            _n(
                "{n} programme of certifiable form and length",
                "{n} programmes of certifiable form and length",
                len(programmes),
            ),
            data,
        )

    return check


def working_life_participation(cfg: CriteriaConfig) -> Callable[[Any, Context], Result]:
    def check(subject: Any, context: Context) -> Result:
        programmes = [subject] if isinstance(subject, Programme) else _programmes(subject, context)
        if not programmes:
            return False, _("no programmes recorded"), {}
        gaps = []
        for p in programmes:
            apl, sup = (
                p.contributed(ContributionKind.APL_PLACES),
                p.contributed(ContributionKind.SUPERVISORS),
            )
            if apl == 0 or sup == 0:
                gaps.append(
                    _(
                        "{title}: {places} and {supervisors} from companies",
                        title=p.title,
                        places=_n("{n} APL place", "{n} APL places", apl),
                        supervisors=_n("{n} supervisor", "{n} supervisors", sup),
                    )
                )
        data = {"programmes": len(programmes), "without_companies": len(gaps)}
        if gaps:
            return False, Text.join(gaps), data
        return (
            True,
            _n(
                "companies take part in the programme",
                "companies take part in all {n} programmes",
                len(programmes),
            ),
            data,
        )

    return check


def quality_assured_process(cfg: CriteriaConfig) -> Callable[[College, Context], Result]:
    def check(college: College, context: Context) -> Result:
        year = context.now.year - 1
        reports = [
            r
            for r in context.lookup.find(AnnualReport, college_id=college.id)
            if r.year == year and r.level is ReportLevel.REGIONAL
        ]
        surveys = [
            s
            for s in context.lookup.find(SatisfactionSurvey, college_id=college.id)
            if s.year == year
        ]
        gaps = []
        if not reports:
            gaps.append(_("no annual report for {year}", year=year))
        if not surveys:
            gaps.append(_("no satisfaction survey for {year}", year=year))
        data = {"year": year, "annual_reports": len(reports), "surveys": len(surveys)}
        if gaps:
            return False, Text.join(gaps), data
        return (
            True,
            _("annual report and satisfaction survey present for {year}", year=year),
            data,
        )

    return check


_CRITERIA: tuple[tuple[str, str, str, frozenset[str], Any], ...] = (
    (
        "regional-collaboration",
        N_("Regional collaboration"),
        N_(
            "Municipalities and companies collaborate: at least three municipalities, a "
            "collaboration agreement, letters of intent."
        ),
        frozenset({"college"}),
        regional_collaboration,
    ),
    (
        "organisation-governance",
        N_("Organisation and governance"),
        N_(
            "Regional and local steering groups with a company majority and chair; "
            "a process leader."
        ),
        frozenset({"college"}),
        organisation_governance,
    ),
    (
        "industry-skills-needs",
        N_("Industry's skills needs"),
        N_("The steering group inventories skills needs and matches the supply to them."),
        frozenset({"college"}),
        lambda cfg: _judgement(N_("the skills inventory")),
    ),
    (
        "programmes-dimensioning",
        N_("Programmes and dimensioning"),
        N_("The programmes have a certifiable form and length."),
        frozenset({"college", "programme"}),
        programmes_dimensioning,
    ),
    (
        "learning-environment",
        N_("Creative and stimulating learning environment"),
        N_("A modern, realistic environment that attracts all genders."),
        frozenset({"college"}),
        lambda cfg: _judgement(N_("the learning environment")),
    ),
    (
        "education-within-tc",
        N_("Education within Teknikcollege"),
        N_("Teaching organised with industry; diploma and certificate rules."),
        frozenset({"college"}),
        lambda cfg: _judgement(N_("how teaching is organised")),
    ),
    (
        "working-life-participation",
        N_("Working life's participation in education"),
        N_("Companies take part in every programme: APL places and supervisors."),
        frozenset({"college", "programme"}),
        working_life_participation,
    ),
    (
        "quality-assured-process",
        N_("Quality-assured process"),
        N_("Annual reports and a satisfaction survey for the past year."),
        frozenset({"college"}),
        quality_assured_process,
    ),
)
"""Each criterion: id, title and description (English ids of the catalog), kinds, check."""

CRITERION_IDS: tuple[str, ...] = tuple(c[0] for c in _CRITERIA)
"""The stable ids of the eight criteria, in their usual order."""


def national_criteria(config: CriteriaConfig | None = None) -> tuple[FunctionRule, ...]:
    """The eight criteria as rules, checked against `config` (defaults as of Dec 2023)."""
    cfg = config or CriteriaConfig()
    rules = []
    for priority, (rid, title, description, kinds, make) in enumerate(_CRITERIA, start=1):
        rules.append(
            FunctionRule(
                rid,
                RULE_SET,
                cfg.version,
                _(title),
                _(description),
                kinds,
                make(cfg),
                priority=priority * 10,
            )
        )
    return tuple(rules)
