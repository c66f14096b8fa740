"""The eight national Teknikcollege quality criteria (rule set ``teknikcollege-national``).

Checks what data can settle; where only a reviewer can decide, the finding is
``needs_judgement`` until a :class:`~teknikcollege.models.Judgement` is recorded.
Parameters that the sources do not fix for ever are configuration, not constants.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import attrs

from ..._text import N_, Text, _, _n
from ...models import (
    AgreementKind,
    AnnualReport,
    Application,
    Certification,
    College,
    ContributionKind,
    DocumentKind,
    Organisation,
    OrganisationKind,
    Programme,
    ProgrammeForm,
    ReportLevel,
    SatisfactionSurvey,
    Sector,
    UnitKind,
    UnitRef,
    YearFigures,
)
from ...models.common import Period
from ...models.followup import FollowUpConfig, compare_periods, obligations
from ...models.process import FIRST_CERTIFICATION_DOCUMENTS
from ..base import Context, FunctionRule, excuse
from ..findings import Status

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
    first_certification_documents: frozenset[DocumentKind] = FIRST_CERTIFICATION_DOCUMENTS
    """What a first certification shows instead of annual reports."""
    follow_up: FollowUpConfig = attrs.field(factory=FollowUpConfig)
    """When the yearly follow-up a recertification looks at is due."""


Result = tuple[bool | Status | None, Text, dict[str, Any]]


def local_today(context: Context) -> date:
    """The Swedish day of the context's time (see :func:`teknikcollege.models.local_day`)."""
    return context.today


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


def judgement_needed(what: str) -> Callable[[Any, Context], Result]:
    """A check that always asks a reviewer to judge `what` (an English catalog id)."""

    def check(subject: Any, context: Context) -> Result:
        return None, _("a reviewer must judge {what}", what=_(what)), {}

    return check


def _latest(programmes: list[Programme]) -> tuple[int, list[YearFigures]] | None:
    """The latest year any of `programmes` has figures for, and their figures of it."""
    figures = [f for p in programmes for f in p.figures]
    if not figures:
        return None
    year = max(f.year for f in figures)
    return year, [f for f in figures if f.year == year]


Describe = Callable[[Text, int, list[YearFigures]], tuple[Text, dict[str, Any]]]


def judgement_with_figures(
    what: str, cfg: CriteriaConfig, describe: Describe
) -> Callable[[College, Context], Result]:
    """A check that asks a reviewer to judge `what`, showing them the latest year's
    figures of the certification's programmes (`describe` words them)."""
    ask = judgement_needed(what)

    def check(college: College, context: Context) -> Result:
        _ok, message, _data = ask(college, context)
        latest = _latest(in_certification(_programmes(college, context), cfg))
        if latest is None:
            return None, message, {}
        shown, data = describe(message, *latest)
        return None, shown, data

    return check


def learning_environment(cfg: CriteriaConfig) -> Callable[[College, Context], Result]:
    """A reviewer's judgement, with the gender balance of the latest year's figures of the
    certification's programmes for the reviewer to see (the criterion asks for an
    environment that attracts all genders)."""

    def describe(
        message: Text, year: int, figures: list[YearFigures]
    ) -> tuple[Text, dict[str, Any]]:
        women = sum(f.enrolled.women for f in figures)
        stated = women + sum(f.enrolled.men for f in figures)
        share = round(women / stated, 3) if stated else None
        data = {"year": year, "enrolled": stated, "share_of_women": share}
        if share is None:
            return message, data
        shown = _(
            "{message}; enrolled in {year}: {enrolled}, {percent} % of them women",
            message=message,
            year=year,
            enrolled=stated,
            percent=round(share * 100),
        )
        return shown, data

    return judgement_with_figures(N_("the learning environment"), cfg, describe)


def education_within_tc(cfg: CriteriaConfig) -> Callable[[College, Context], Result]:
    """A reviewer's judgement, with the latest year's diplomas and certificates of the
    certification's programmes for the reviewer to see (the criterion names the diploma
    and certificate rules)."""

    def describe(
        message: Text, year: int, figures: list[YearFigures]
    ) -> tuple[Text, dict[str, Any]]:
        diplomas = sum(f.diplomas for f in figures)
        certificates = sum(f.certificates for f in figures)
        completed = sum(f.completed.total for f in figures)
        data = {
            "year": year,
            "completed": completed,
            "diplomas": diplomas,
            "certificates": certificates,
        }
        shown = _(
            "{message}; {year}: {diplomas} diplomas and {certificates} certificates for "
            "{completed} who completed",
            message=message,
            year=year,
            diplomas=diplomas,
            certificates=certificates,
            completed=completed,
        )
        return shown, data

    return judgement_with_figures(N_("how teaching is organised"), cfg, describe)


def programmes_dimensioning(cfg: CriteriaConfig) -> Callable[[Any, Context], Result]:
    forms = ", ".join(sorted(f.value for f in cfg.certifiable_forms))

    def too_short(p: Programme) -> list[Text]:
        if p.weeks >= cfg.min_weeks:
            return []
        return [
            _n(
                "{title}: {n} week, at least {min} needed",
                "{title}: {n} weeks, at least {min} needed",
                p.weeks,
                title=p.title,
                min=cfg.min_weeks,
            )
        ]

    def wrong_form(p: Programme) -> Text:
        return _(
            "{title}: the form {form} is not certifiable ({forms})",
            title=p.title,
            form=p.form.value,
            forms=forms,
        )

    def filled(
        programmes: list[Programme], passed: Text
    ) -> tuple[Text, list[Text], dict[str, Any]]:
        """`passed` with the latest year's intake against the places, the programmes whose
        intake exceeded their places (flagged: no source sets a threshold), and the
        figures as data."""
        latest = _latest(programmes)
        if latest is None:
            return passed, [], {}
        year, figures = latest
        places = sum(f.places for f in figures)
        intake = sum(f.intake.total for f in figures)
        over = []
        for p in programmes:
            f = next((f for f in p.figures if f.year == year), None)
            if f is not None and 0 < f.places < f.intake.total:
                over.append(
                    _(
                        "{title}: an intake of {intake} for {places} places",
                        title=p.title,
                        intake=f.intake.total,
                        places=f.places,
                    )
                )
        data = {"year": year, "places": places, "intake": intake}
        if places:
            passed = _(
                "{passed}; intake {year}: {intake} for {places} places",
                passed=passed,
                year=year,
                intake=intake,
                places=places,
            )
        return passed, over, data

    def overfull(message: Text, over: list[Text]) -> Text:
        return _(
            "{passed}; more admitted than places: {programmes}",
            passed=message,
            programmes=Text.join(over),
        )

    def check(subject: Any, context: Context) -> Result:
        if isinstance(subject, Programme):
            # The programme itself is under review: its form and length decide.
            gaps = [wrong_form(subject)] if subject.form not in cfg.certifiable_forms else []
            gaps += too_short(subject)
            data: dict[str, Any] = {"certifiable_form": subject.form in cfg.certifiable_forms}
            if gaps:
                return False, Text.join(gaps), data
            message, over, data["figures"] = filled(
                [subject],
                _n(
                    "{n} programme of certifiable form and length",
                    "{n} programmes of certifiable form and length",
                    1,
                ),
            )
            if over:
                return Status.FLAGGED, overfull(message, over), data
            return True, message, data
        programmes = _programmes(subject, context)
        if not programmes:
            return False, _("no programmes recorded"), {}
        # A programme of a form that cannot be certified counts against the college,
        # unless a rule in force allows it outside the certification (the Stockholm
        # pilot's labour-market training): then it is reported (flagged), not held
        # against the college.
        certifiable = in_certification(programmes, cfg)
        others = [p for p in programmes if p not in certifiable]
        excused = [(p, why) for p in others if (why := excuse(p, context)) is not None]
        allowed = {p.id for p, _why in excused}
        gaps = [t for p in certifiable for t in too_short(p)]
        gaps += [wrong_form(p) for p in others if p.id not in allowed]
        data = {
            "programmes": len(programmes),
            "not_certifiable": [p.id for p in others],
            "excused": sorted(allowed),
        }
        if not certifiable:
            gaps.append(_("no programme of a certifiable form ({forms})", forms=forms))
        if gaps:
            return False, Text.join(gaps), data
        message, over, data["figures"] = filled(
            certifiable,
            _n(
                "{n} programme of certifiable form and length",
                "{n} programmes of certifiable form and length",
                len(certifiable),
            ),
        )
        if excused:
            each = [
                _("{problem} ({excuse})", problem=wrong_form(p), excuse=why) for p, why in excused
            ]
            message = _(
                "{passed}; not part of the certification: {others}",
                passed=message,
                others=Text.join(each),
            )
        if over:
            message = overfull(message, over)
        if excused or over:
            return Status.FLAGGED, message, data
        return True, message, data

    return check


def in_certification(programmes: list[Programme], cfg: CriteriaConfig) -> list[Programme]:
    """The programmes that are part of a college's certification: those of a certifiable
    form (the others are outside it: failed by ``programmes-dimensioning`` unless a rule
    excuses them, and not asked for company participation or gender balance)."""
    return [p for p in programmes if p.form in cfg.certifiable_forms]


def working_life_participation(cfg: CriteriaConfig) -> Callable[[Any, Context], Result]:
    def check(subject: Any, context: Context) -> Result:
        recorded = [subject] if isinstance(subject, Programme) else _programmes(subject, context)
        if not recorded:
            return False, _("no programmes recorded"), {}
        # The programmes of the certification; with none of a certifiable form (a failure
        # of programmes-dimensioning), those recorded.
        programmes = (
            recorded
            if isinstance(subject, Programme)
            else in_certification(recorded, cfg) or recorded
        )
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
    def first(college: College, context: Context, today: date) -> Result:
        documents = _application_documents(college, context)
        missing = sorted(k.value for k in cfg.first_certification_documents - documents)
        year = today.year - 1
        reported = _reported_years(college, context)
        data: dict[str, Any] = {"first_certification": True, "missing": missing}
        if not missing:
            return (
                True,
                _(
                    "first certification: self-assessments, action plans and an operational "
                    "plan handed in"
                ),
                data,
            )
        if year in reported:
            # A college without an application at hand shows its yearly follow-up instead.
            return (
                True,
                _("annual report and satisfaction survey present for {year}", year=year),
                data,
            )
        return (
            False,
            _(
                "first certification: the application lacks {documents}",
                documents=", ".join(missing),
            ),
            data,
        )

    def renewal(college: College, context: Context, period: Certification, today: date) -> Result:
        # Every obligation of the yearly follow-up of the period that is due by today:
        # the operational plans, the regional, local and national reports, each
        # provider's survey and the region's compiled survey (as the reminders name them).
        span = Period(period.valid_from, period.valid_until)
        due = [
            o
            for y in range(period.valid_from.year, today.year + 1)
            for o in obligations(college, y, context.lookup, cfg.follow_up)
            if period.valid_from <= o.due <= today
        ]
        missing = [o for o in due if not o.met]
        years = sorted({o.year for o in due})
        data: dict[str, Any] = {
            "first_certification": False,
            "years": years,
            "not_on_record": [f"{o.kind.value}:{o.year}:{o.unit}" for o in missing],
        }
        if missing:
            return (
                False,
                _n(
                    "recertification: {n} obligation of the yearly follow-up is not on "
                    "record: {items}",
                    "recertification: {n} obligations of the yearly follow-up are not on "
                    "record: {items}",
                    len(missing),
                    items=Text.join(o.text() for o in missing),
                ),
                data,
            )
        if not years:
            return True, _("recertification: no yearly follow-up of the period is due yet"), data
        passed = _(
            "recertification: the yearly follow-up of {years} is on record", years=_years(years)
        )
        previous = _period_before(college, context, period)
        if previous is None:
            return True, passed, data
        # The committee expects quality to have risen: the period beside the one before.
        comparison = compare_periods(
            college, Period(previous.valid_from, previous.valid_until), span, context.lookup
        )
        data["comparison"] = {
            "previous_index": comparison.previous_index,
            "current_index": comparison.current_index,
            "previous_completed": comparison.previous_completed,
            "current_completed": comparison.current_completed,
            "risen": comparison.risen,
        }
        compared = _(
            "{passed}; satisfaction index {previous} in the period before, {current} in this",
            passed=passed,
            previous=_index(comparison.previous_index),
            current=_index(comparison.current_index),
        )
        if comparison.risen is False:
            # Not a failure: the committee judges it; but the decision should know.
            return Status.FLAGGED, _("{compared}: it has not risen", compared=compared), data
        return True, compared, data

    def check(college: College, context: Context) -> Result:
        today = local_today(context)
        period = _current_certification(college, context, today)
        if period is None:
            return first(college, context, today)
        return renewal(college, context, period, today)

    return check


def _years(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


def _index(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _period_before(
    college: College, context: Context, period: Certification
) -> Certification | None:
    """The college's certification period just before `period`, if any."""
    earlier = [
        c
        for case in _college_cases(college, context)
        for c in case.certifications
        if c.valid_until < period.valid_from
    ]
    return max(earlier, key=lambda c: (c.valid_from, c.number), default=None)


def _reported_years(college: College, context: Context) -> set[int]:
    reports = {
        r.year
        for r in context.lookup.find(AnnualReport, college_id=college.id)
        if r.level is ReportLevel.REGIONAL
    }
    surveys = {
        s.year
        for s in context.lookup.find(SatisfactionSurvey, college_id=college.id)
        if s.level is ReportLevel.REGIONAL
    }
    return reports & surveys


@functools.lru_cache(maxsize=1024)
def _college_unit(college_id: str) -> UnitRef:
    # A model checks itself as it is made: make a college's reference once.
    return UnitRef(UnitKind.COLLEGE, college_id)


def _college_cases(college: College, context: Context) -> Iterable[Any]:
    # Imported here: the criteria are loaded by the workflow package's own imports.
    from ...workflow.case import Case

    subject = _college_unit(college.id)
    # A page at a time where the lookup can (the unit of work): a college's cases grow
    # with the years, the memory an assessment holds must not.
    stream = getattr(context.lookup, "stream", None)
    return stream(Case, subject=subject) if stream else context.lookup.find(Case, subject=subject)


def _current_certification(college: College, context: Context, today: date) -> Certification | None:
    """The certification period the college is in (or was last in) before `today`: a
    college that has one is up for recertification, one that has none for its first."""
    periods = [
        c
        for case in _college_cases(college, context)
        for c in case.certifications
        if c.valid_from <= today
    ]
    return max(periods, key=lambda c: (c.valid_from, c.number), default=None)


def _application_documents(college: College, context: Context) -> frozenset[DocumentKind]:
    """The document kinds of the latest application for the college."""
    applications = [
        a
        for case in _college_cases(college, context)
        for a in context.lookup.find(Application, case_id=case.id)
    ]
    if not applications:
        return frozenset()
    return max(applications, key=lambda a: (a.prepared, a.id)).document_kinds()


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
        lambda cfg: judgement_needed(N_("the skills inventory")),
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
        learning_environment,
    ),
    (
        "education-within-tc",
        N_("Education within Teknikcollege"),
        N_("Teaching organised with industry; diploma and certificate rules."),
        frozenset({"college"}),
        education_within_tc,
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
        N_(
            "A first certification shows self-assessments, action plans and an operational "
            "plan; a recertification the annual reports and surveys of the period."
        ),
        frozenset({"college"}),
        quality_assured_process,
    ),
)
"""Each criterion: id, title and description (English ids of the catalog), kinds, check."""

CRITERION_IDS: tuple[str, ...] = tuple(c[0] for c in _CRITERIA)
"""The stable ids of the eight criteria, in their usual order."""


def build_criteria(
    table: tuple[tuple[str, str, str, frozenset[str], Any], ...],
    rule_set: str,
    cfg: CriteriaConfig,
    first_priority: int = 10,
) -> tuple[FunctionRule, ...]:
    """Rules from a table of (id, title, description, kinds, check factory), in order."""
    return tuple(
        FunctionRule(
            rid,
            rule_set,
            cfg.version,
            _(title),
            _(description),
            kinds,
            make(cfg),
            priority=first_priority + i * 10,
        )
        for i, (rid, title, description, kinds, make) in enumerate(table)
    )


def national_criteria(config: CriteriaConfig | None = None) -> tuple[FunctionRule, ...]:
    """The eight criteria as rules, checked against `config` (defaults as of Dec 2023)."""
    return build_criteria(_CRITERIA, RULE_SET, config or CriteriaConfig())
