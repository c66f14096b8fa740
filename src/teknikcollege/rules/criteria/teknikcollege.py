"""The eight national Teknikcollege quality criteria (rule set ``teknikcollege-national``).

Checks what data can settle; where only a reviewer can decide, the finding is
``needs_judgement`` until a :class:`~teknikcollege.models.Judgement` is recorded.
Parameters that the sources do not fix for ever are configuration, not constants.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from ..._text import Text
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


def _programmes(college: College, context: Context) -> list[Programme]:
    return sorted(context.lookup.find(Programme, college_id=college.id), key=lambda p: p.id)


def _join(parts: list[Text]) -> Text:
    return Text("; ".join(p.sv for p in parts), "; ".join(p.en for p in parts))


def regional_collaboration(cfg: CriteriaConfig) -> Callable[[College, Context], Result]:
    def check(college: College, context: Context) -> Result:
        today = context.now.date()
        gaps: list[Text] = []
        count = len(college.municipalities)
        if count < cfg.min_municipalities:
            gaps.append(
                Text(
                    f"{count} kommuner; minst {cfg.min_municipalities} krävs",
                    f"{count} municipalities; at least {cfg.min_municipalities} needed",
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
                Text(
                    f"samverkansavtal saknas för {len(uncovered)} av {count} kommuner "
                    f"({', '.join(uncovered)})",
                    f"no collaboration agreement covers {len(uncovered)} of {count} "
                    f"municipalities ({', '.join(uncovered)})",
                )
            )
        letters = [a for a in valid if a.kind is AgreementKind.LETTER_OF_INTENT]
        bound = [a for a in letters if _company_and_provider(a.parties, context)]
        if not bound:
            gaps.append(
                Text(
                    "ingen giltig avsiktsförklaring mellan företag och anordnare",
                    "no valid letter of intent between a company and a provider",
                )
            )
        data = {"municipalities": count, "uncovered": uncovered, "letters_of_intent": len(bound)}
        if gaps:
            return False, _join(gaps), data
        return (
            True,
            Text(
                f"{count} kommuner, alla med samverkansavtal; {len(bound)} avsiktsförklaringar",
                f"{count} municipalities, all under a collaboration agreement; "
                f"{len(bound)} letters of intent",
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
            gaps.append(Text("regional styrgrupp saknas", "no regional steering group"))
        for local in college.local_colleges:
            if local.steering_group is None:
                gaps.append(
                    Text(
                        f"{local.name} saknar lokal styrgrupp",
                        f"{local.name} has no local steering group",
                    )
                )
        groups = college.steering_groups()
        for group in groups:
            total, count = len(group.members), group.count(sector)
            needed = total // 2 + 1
            if count < needed:
                gaps.append(
                    Text(
                        f"{group.name}: {count} av {total} ledamöter representerar "
                        f"{_SECTOR_SV[sector]}; majoritet kräver {needed}",
                        f"{group.name}: {count} of {total} members represent "
                        f"{_SECTOR_EN[sector]}; a majority needs {needed}",
                    )
                )
            chair = group.member(group.chair) if group.chair else None
            if chair is None:
                gaps.append(Text(f"{group.name}: ordförande saknas", f"{group.name}: no chair"))
            elif chair.sector is not sector:
                gaps.append(
                    Text(
                        f"{group.name}: ordföranden representerar inte {_SECTOR_SV[sector]}",
                        f"{group.name}: the chair does not represent {_SECTOR_EN[sector]}",
                    )
                )
        if not college.process_leaders:
            gaps.append(Text("ingen regional processledare", "no regional process leader"))
        data = {"steering_groups": len(groups), "process_leaders": len(college.process_leaders)}
        if gaps:
            return False, _join(gaps), data
        return (
            True,
            Text(
                f"{len(groups)} styrgrupper med {_SECTOR_SV[sector]} i majoritet "
                "och som ordförande; "
                f"processledare utsedd",
                f"{len(groups)} steering groups with {_SECTOR_EN[sector]} in majority "
                f"and in the chair; a process leader named",
            ),
            data,
        )

    return check


_SECTOR_SV = {s: s.value for s in Sector} | {
    Sector.COMPANY: "företag",
    Sector.EMPLOYER: "arbetsgivare",
    Sector.MUNICIPALITY: "kommuner",
    Sector.EDUCATION_PROVIDER: "utbildningsanordnare",
}
_SECTOR_EN = {s: s.value.replace("_", " ") + "s" for s in Sector} | {
    Sector.COMPANY: "companies",
    Sector.AUTHORITY: "authorities",
    Sector.MUNICIPALITY: "municipalities",
}


def _judgement(sv: str, en: str) -> Callable[[Any, Context], Result]:
    def check(subject: Any, context: Context) -> Result:
        return None, Text(f"en granskare måste bedöma {sv}", f"a reviewer must judge {en}"), {}

    return check


def programmes_dimensioning(cfg: CriteriaConfig) -> Callable[[Any, Context], Result]:
    forms = ", ".join(sorted(f.value for f in cfg.certifiable_forms))

    def problems(p: Programme) -> list[Text]:
        found = []
        if p.form not in cfg.certifiable_forms:
            found.append(
                Text(
                    f"{p.title}: formen {p.form.value} är inte certifierbar ({forms})",
                    f"{p.title}: the form {p.form.value} is not certifiable ({forms})",
                )
            )
        if p.weeks < cfg.min_weeks:
            found.append(
                Text(
                    f"{p.title}: {p.weeks} veckor, minst {cfg.min_weeks} krävs",
                    f"{p.title}: {p.weeks} weeks, at least {cfg.min_weeks} needed",
                )
            )
        return found

    def check(subject: Any, context: Context) -> Result:
        programmes = [subject] if isinstance(subject, Programme) else _programmes(subject, context)
        if not programmes:
            return False, Text("inga utbildningar registrerade", "no programmes recorded"), {}
        gaps = [t for p in programmes for t in problems(p)]
        data = {"programmes": len(programmes)}
        if gaps:
            return False, _join(gaps), data
        return (
            True,
            Text(
                f"{len(programmes)} utbildningar av certifierbar form och längd",
                f"{len(programmes)} programmes of certifiable form and length",
            ),
            data,
        )

    return check


def working_life_participation(cfg: CriteriaConfig) -> Callable[[Any, Context], Result]:
    def check(subject: Any, context: Context) -> Result:
        programmes = [subject] if isinstance(subject, Programme) else _programmes(subject, context)
        if not programmes:
            return False, Text("inga utbildningar registrerade", "no programmes recorded"), {}
        gaps = []
        for p in programmes:
            apl, sup = (
                p.contributed(ContributionKind.APL_PLACES),
                p.contributed(ContributionKind.SUPERVISORS),
            )
            if apl == 0 or sup == 0:
                gaps.append(
                    Text(
                        f"{p.title}: {apl} APL-platser och {sup} handledare från företag",
                        f"{p.title}: {apl} APL places and {sup} supervisors from companies",
                    )
                )
        data = {"programmes": len(programmes), "without_companies": len(gaps)}
        if gaps:
            return False, _join(gaps), data
        return (
            True,
            Text(
                f"företag deltar i alla {len(programmes)} utbildningar",
                f"companies take part in all {len(programmes)} programmes",
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
            gaps.append(Text(f"årlig rapport för {year} saknas", f"no annual report for {year}"))
        if not surveys:
            gaps.append(
                Text(
                    f"nöjdhetsundersökning för {year} saknas", f"no satisfaction survey for {year}"
                )
            )
        data = {"year": year, "annual_reports": len(reports), "surveys": len(surveys)}
        if gaps:
            return False, _join(gaps), data
        return (
            True,
            Text(
                f"årlig rapport och nöjdhetsundersökning finns för {year}",
                f"annual report and satisfaction survey present for {year}",
            ),
            data,
        )

    return check


_CRITERIA: tuple[tuple[str, str, str, str, str, frozenset[str], Any], ...] = (
    (
        "regional-collaboration",
        "Regional samverkan",
        "Regional collaboration",
        "Kommuner och företag samverkar: minst tre kommuner, samverkansavtal, avsiktsförklaringar.",
        "Municipalities and companies collaborate: at least three municipalities, a "
        "collaboration agreement, letters of intent.",
        frozenset({"college"}),
        regional_collaboration,
    ),
    (
        "organisation-governance",
        "Organisation och styrning",
        "Organisation and governance",
        "Regionala och lokala styrgrupper med företag i majoritet och som ordförande; "
        "processledare.",
        "Regional and local steering groups with a company majority and chair; a process leader.",
        frozenset({"college"}),
        organisation_governance,
    ),
    (
        "industry-skills-needs",
        "Industrins kompetensbehov",
        "Industry's skills needs",
        "Styrgruppen inventerar kompetensbehov och matchar utbudet mot dem.",
        "The steering group inventories skills needs and matches the supply to them.",
        frozenset({"college"}),
        lambda cfg: _judgement("kompetensinventeringen", "the skills inventory"),
    ),
    (
        "programmes-dimensioning",
        "Utbildningar och dimensionering",
        "Programmes and dimensioning",
        "Utbildningarna har certifierbar form och längd.",
        "The programmes have a certifiable form and length.",
        frozenset({"college", "programme"}),
        programmes_dimensioning,
    ),
    (
        "learning-environment",
        "Kreativ och stimulerande lärmiljö",
        "Creative and stimulating learning environment",
        "Modern, realistisk miljö som lockar alla kön.",
        "A modern, realistic environment that attracts all genders.",
        frozenset({"college"}),
        lambda cfg: _judgement("lärmiljön", "the learning environment"),
    ),
    (
        "education-within-tc",
        "Utbildning inom Teknikcollege",
        "Education within Teknikcollege",
        "Undervisningen organiseras med industrin; regler för diplom och intyg.",
        "Teaching organised with industry; diploma and certificate rules.",
        frozenset({"college"}),
        lambda cfg: _judgement("utbildningens upplägg", "how teaching is organised"),
    ),
    (
        "working-life-participation",
        "Arbetslivets medverkan i utbildningen",
        "Working life's participation in education",
        "Företag deltar i varje utbildning: APL-platser och handledare.",
        "Companies take part in every programme: APL places and supervisors.",
        frozenset({"college", "programme"}),
        working_life_participation,
    ),
    (
        "quality-assured-process",
        "Kvalitetssäkrad process",
        "Quality-assured process",
        "Årliga rapporter och nöjdhetsundersökning för föregående år.",
        "Annual reports and a satisfaction survey for the past year.",
        frozenset({"college"}),
        quality_assured_process,
    ),
)

CRITERION_IDS: tuple[str, ...] = tuple(c[0] for c in _CRITERIA)
"""The stable ids of the eight criteria, in their usual order."""


def national_criteria(config: CriteriaConfig | None = None) -> tuple[FunctionRule, ...]:
    """The eight criteria as rules, checked against `config` (defaults as of Dec 2023)."""
    cfg = config or CriteriaConfig()
    rules = []
    for priority, (rid, title_sv, title_en, desc_sv, desc_en, kinds, make) in enumerate(
        _CRITERIA, start=1
    ):
        rules.append(
            FunctionRule(
                rid,
                RULE_SET,
                cfg.version,
                Text(title_sv, title_en),
                Text(desc_sv, desc_en),
                kinds,
                make(cfg),
                priority=priority * 10,
            )
        )
    return tuple(rules)
