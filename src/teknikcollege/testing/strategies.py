"""Hypothesis strategies for every public model: valid, realistic objects, fast.

Options are keyword-only; every strategy returns ``SearchStrategy[T]``. Colleges can be
made to meet every checkable national criterion, or to break chosen ones. Strategies of
invalid input (bad organisation numbers, unknown codes, broken periods) serve negative
tests.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from ..codes import OrganisationNumber, counties, luhn_valid, municipalities
from ..models import (
    Agreement,
    AgreementKind,
    AnnualReport,
    Application,
    Certification,
    College,
    CollegeKind,
    Contribution,
    ContributionKind,
    Document,
    DocumentKind,
    Funding,
    GroupLevel,
    InterestKind,
    InterestRegistration,
    Judgement,
    LocalCollege,
    Member,
    Organisation,
    OrganisationKind,
    Orientation,
    Outcome,
    Period,
    Person,
    Postponement,
    Programme,
    ProgrammeForm,
    Protocol,
    ProviderKind,
    ReportLevel,
    ReviewVisit,
    Role,
    SatisfactionSurvey,
    Sector,
    SteeringGroup,
    Supplement,
    UnitKind,
    UnitRef,
)
from ..serialization import Bundle

CHECKABLE_CRITERIA = (
    "regional-collaboration",
    "organisation-governance",
    "programmes-dimensioning",
    "working-life-participation",
)
"""National criteria a college strategy can be told to break (the others need data
outside the college, or a reviewer)."""

_FIRST = date(2015, 1, 1)
_LAST = date(2035, 12, 31)

ids = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=10).map(
    lambda s: "x" + s
)
"""Valid entity ids."""

names = st.text(string.ascii_letters + "åäöÅÄÖ -'&<>\";", min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)
"""Names, with markup and quote characters in them."""


def dates(*, min_value: date = _FIRST, max_value: date = _LAST) -> st.SearchStrategy[date]:
    """Dates between `min_value` and `max_value`."""
    return st.dates(min_value=min_value, max_value=max_value)


@st.composite
def periods(
    draw: st.DrawFn,
    *,
    open_ended: bool | None = False,
    min_start: date = _FIRST,
    max_start: date = _LAST - timedelta(days=3650),
) -> Period:
    """Valid periods; `open_ended` None allows both open and closed ones."""
    start = draw(dates(min_value=min_start, max_value=max_start))
    is_open = draw(st.booleans()) if open_ended is None else open_ended
    if is_open:
        return Period(start)
    return Period(start, start + timedelta(days=draw(st.integers(0, 3650))))


@st.composite
def org_numbers(
    draw: st.DrawFn, *, legal_forms: Collection[str] = ("2", "5", "8", "9")
) -> OrganisationNumber:
    """Valid organisation numbers (the check digit computed, not filtered for)."""
    first = draw(st.sampled_from(sorted(legal_forms)))
    body = (
        first
        + draw(st.text("0123456789", min_size=1, max_size=1))
        + str(draw(st.integers(2, 9)))
        + draw(st.text("0123456789", min_size=6, max_size=6))
    )
    check = next(d for d in "0123456789" if luhn_valid(body + d))
    return OrganisationNumber(body + check)


@st.composite
def invalid_org_numbers(draw: st.DrawFn) -> str:
    """Strings that are not valid organisation numbers, each for one clear reason."""
    valid = str(draw(org_numbers())).replace("-", "")
    how = draw(st.sampled_from(["check", "third", "length", "letters"]))
    if how == "check":
        wrong = str((int(valid[-1]) + draw(st.integers(1, 9))) % 10)
        return f"{valid[:6]}-{valid[6:9]}{wrong}"
    if how == "third":
        body = valid[:2] + draw(st.sampled_from("01")) + valid[3:9]
        check = next(d for d in "0123456789" if luhn_valid(body + d))
        return f"{body[:6]}-{body[6:]}{check}"
    if how == "length":
        return valid[: draw(st.integers(0, 9))]
    return valid[:5] + draw(st.sampled_from("abcXYZ")) + valid[6:]


def municipality_codes(*, county: str | None = None) -> st.SearchStrategy[str]:
    """Real municipality codes, optionally of one county."""
    return st.sampled_from(
        [m.code for m in municipalities() if county is None or m.county.code == county]
    )


def county_codes() -> st.SearchStrategy[str]:
    """Real county codes."""
    return st.sampled_from([c.code for c in counties()])


def unknown_municipality_codes() -> st.SearchStrategy[str]:
    """Four-digit codes that are no municipality's."""
    known = {m.code for m in municipalities()}
    return st.sampled_from([f"{n:04d}" for n in range(10000) if f"{n:04d}" not in known])


@st.composite
def broken_periods(draw: st.DrawFn) -> dict[str, str]:
    """Period data that ends before it starts."""
    start = draw(dates(min_value=date(2016, 1, 1)))
    end = start - timedelta(days=draw(st.integers(1, 365)))
    return {"start": start.isoformat(), "end": end.isoformat()}


@st.composite
def organisations(draw: st.DrawFn, *, kind: OrganisationKind | None = None) -> Organisation:
    """Organisations of any (or the given) kind, consistent with it."""
    kind = kind or draw(st.sampled_from(list(OrganisationKind)))
    return Organisation(
        draw(ids),
        draw(names),
        kind,
        org_number=draw(st.none() | org_numbers()),
        provider_kind=draw(st.sampled_from(list(ProviderKind)))
        if kind is OrganisationKind.EDUCATION_PROVIDER
        else None,
        municipality_code=draw(municipality_codes())
        if kind is OrganisationKind.MUNICIPALITY
        else None,
        county_code=draw(county_codes()) if kind is OrganisationKind.REGION else None,
    )


@st.composite
def people(draw: st.DrawFn, *, roles: Collection[Role] | None = None) -> Person:
    """People with some roles and, sometimes, an e-mail address."""
    chosen = (
        frozenset(roles)
        if roles is not None
        else frozenset(draw(st.sets(st.sampled_from(list(Role)), max_size=3)))
    )
    email = draw(st.none() | st.from_regex(r"[a-z]{1,8}@[a-z]{1,8}\.se", fullmatch=True))
    return Person(draw(ids), draw(names), chosen, email=email)


@st.composite
def steering_groups(
    draw: st.DrawFn,
    *,
    level: GroupLevel = GroupLevel.REGIONAL,
    company_majority: bool = True,
    company_chair: bool = True,
    majority_sector: Sector = Sector.COMPANY,
) -> SteeringGroup:
    """Steering groups; by default with a company majority and a company chair."""
    others = draw(st.integers(1, 4))
    needed = others + 1
    companies = (
        draw(st.integers(needed, needed + 3))
        if company_majority
        else draw(st.integers(1 if company_chair else 0, others))
    )
    other_sectors = [s for s in Sector if s is not majority_sector]
    members = [Member(f"m{i}", majority_sector) for i in range(companies)] + [
        Member(f"m{companies + i}", draw(st.sampled_from(other_sectors))) for i in range(others)
    ]
    members = draw(st.permutations(members))
    majority = [m.person_id for m in members if m.sector is majority_sector]
    minority = [m.person_id for m in members if m.sector is not majority_sector]
    chair = draw(st.sampled_from(majority)) if company_chair else draw(st.sampled_from(minority))
    return SteeringGroup(draw(ids), draw(names), level, tuple(members), chair)


def _ref(draw: st.DrawFn) -> UnitRef:
    kind = draw(st.sampled_from(list(UnitKind)))
    return UnitRef(kind, draw(ids), draw(ids) if kind is UnitKind.ORIENTATION else None)


unit_refs = st.composite(_ref)
"""References to certifiable units."""


@st.composite
def programmes(
    draw: st.DrawFn,
    *,
    college_id: str | None = None,
    provider_id: str | None = None,
    certifiable: bool | None = True,
    with_companies: bool | None = True,
    company_ids: Collection[str] = ("company-1",),
    min_weeks: int = 40,
) -> Programme:
    """Programmes; by default of a certifiable form and length with APL places and
    supervisors. ``None`` for an option lets it vary."""
    ok = draw(st.booleans()) if certifiable is None else certifiable
    forms = [
        ProgrammeForm.UPPER_SECONDARY,
        ProgrammeForm.VOCATIONAL_ADULT,
        ProgrammeForm.HIGHER_VOCATIONAL,
    ]
    if ok:
        form, weeks = draw(st.sampled_from(forms)), draw(st.integers(min_weeks, 160))
    elif draw(st.booleans()):
        form, weeks = ProgrammeForm.LABOUR_MARKET_TRAINING, draw(st.integers(1, 160))
    else:
        form, weeks = draw(st.sampled_from(forms)), draw(st.integers(1, min_weeks - 1))
    companies = draw(st.booleans()) if with_companies is None else with_companies
    contributions: tuple[Contribution, ...] = ()
    if companies:
        company = draw(st.sampled_from(sorted(company_ids)))
        contributions = (
            Contribution(company, ContributionKind.APL_PLACES, draw(st.integers(1, 20))),
            Contribution(company, ContributionKind.SUPERVISORS, draw(st.integers(1, 5))),
        )
    orientations = draw(
        st.lists(st.builds(Orientation, ids, names), max_size=2, unique_by=lambda o: o.id)
    )
    return Programme(
        draw(ids),
        draw(names),
        form,
        weeks,
        provider_id or draw(ids),
        college_id or draw(ids),
        branch_areas=tuple(
            draw(
                st.sets(st.sampled_from(["industry", "technology", "food_production"]), max_size=2)
            )
        ),
        orientations=tuple(orientations),
        start=draw(st.none() | dates()),
        created_in_pilot=draw(st.booleans()),
        contributions=contributions,
    )


@attrs.frozen
class CollegeWorld:
    """A college with the organisations and programmes it refers to, ready to store."""

    college: College
    organisations: tuple[Organisation, ...]
    programmes: tuple[Programme, ...]

    def bundle(self) -> Bundle:
        """Everything as a :class:`~teknikcollege.Bundle`."""
        return Bundle(
            organisations=self.organisations, colleges=(self.college,), programmes=self.programmes
        )


@functools.cache
def _county_pools(min_municipalities: int) -> dict[str, tuple[str, ...]]:
    """Municipality codes by county, for counties with enough municipalities."""
    pools: dict[str, list[str]] = {}
    for m in municipalities():
        pools.setdefault(m.county.code, []).append(m.code)
    return {c: tuple(codes) for c, codes in pools.items() if len(codes) >= min_municipalities}


@st.composite
def college_worlds(
    draw: st.DrawFn,
    *,
    on: date | None = None,
    break_criteria: Collection[str] = (),
    min_municipalities: int = 3,
    with_programmes: bool = True,
) -> CollegeWorld:
    """A college meeting every checkable criterion on day `on` (default: today), except
    those named in `break_criteria` (see :data:`CHECKABLE_CRITERIA`), each broken in one
    way drawn at random."""
    broken = set(break_criteria)
    unknown = broken - set(CHECKABLE_CRITERIA)
    if unknown:
        raise ValueError(f"cannot break {sorted(unknown)}; choose from {CHECKABLE_CRITERIA}")
    day = on or date.today()
    pools = _county_pools(min_municipalities)
    county = draw(st.sampled_from(sorted(pools)))
    pool = pools[county]
    count = draw(st.integers(min_municipalities, min(len(pool), min_municipalities + 3)))
    members = tuple(
        draw(st.lists(st.sampled_from(pool), min_size=count, max_size=count, unique=True))
    )
    period = Period(
        day - timedelta(days=draw(st.integers(0, 700))),
        day + timedelta(days=draw(st.integers(0, 1500))),
    )
    company = Organisation("company-1", draw(names), OrganisationKind.COMPANY)
    provider = Organisation(
        "provider-1",
        draw(names),
        OrganisationKind.EDUCATION_PROVIDER,
        provider_kind=ProviderKind.MUNICIPAL_ADULT_EDUCATION,
    )
    covered = members
    agreements = []
    letters = [
        Agreement(
            "loi-1", AgreementKind.LETTER_OF_INTENT, period, parties=("company-1", "provider-1")
        )
    ]
    governance_ok = True
    if "regional-collaboration" in broken:
        how = draw(st.sampled_from(["uncovered", "no-letter", "expired"]))
        if how == "uncovered":
            covered = members[:-1]
        elif how == "no-letter":
            letters = []
        else:
            period = Period(day - timedelta(days=800), day - timedelta(days=1))
    agreements.append(
        Agreement("collab-1", AgreementKind.COLLABORATION, period, municipalities=covered)
    )
    if "organisation-governance" in broken:
        governance_ok = False
    regional = draw(steering_groups(level=GroupLevel.REGIONAL))
    leaders: tuple[str, ...] = ("leader-1",)
    locals_: list[LocalCollege] = []
    if draw(st.booleans()):
        local_group = draw(steering_groups(level=GroupLevel.LOCAL))
        locals_.append(
            LocalCollege(
                "local-1",
                draw(names),
                members[:2],
                steering_group=attrs.evolve(local_group, id="local-sg"),
            )
        )
    if not governance_ok:
        how = draw(st.sampled_from(["minority", "chair", "no-leader", "no-group"]))
        if how == "minority":
            regional = draw(steering_groups(company_majority=False))
        elif how == "chair":
            regional = draw(steering_groups(company_chair=False))
        elif how == "no-leader":
            leaders = ()
        else:
            regional = None  # type: ignore[assignment]
    college = College(
        draw(ids),
        draw(names),
        county,
        members,
        kind=draw(st.sampled_from(list(CollegeKind))),
        process_leaders=leaders,
        steering_group=regional,
        local_colleges=tuple(locals_),
        agreements=tuple(agreements + letters),
        funding=(Funding("company-1", draw(st.integers(0, 10**7)), period),),
        branch_areas=("industry",),
    )
    n = draw(st.integers(1, 3)) if with_programmes else 0
    progs = []
    bad_programme = draw(st.integers(0, n - 1)) if n else 0
    for i in range(n):
        p = draw(
            programmes(
                college_id=college.id,
                provider_id="provider-1",
                certifiable=not ("programmes-dimensioning" in broken and i == bad_programme),
                with_companies=not ("working-life-participation" in broken and i == bad_programme),
            )
        )
        progs.append(attrs.evolve(p, id=f"{college.id}-p{i}"))
    return CollegeWorld(college, (company, provider), tuple(progs))


@st.composite
def colleges(draw: st.DrawFn, *, min_municipalities: int = 3) -> College:
    """Valid colleges (of one county, with consistent steering groups and agreements)."""
    world = college_worlds(min_municipalities=min_municipalities, with_programmes=False)
    return draw(world).college


@st.composite
def interest_registrations(draw: st.DrawFn) -> InterestRegistration:
    """Valid interest registrations, of either kind."""
    kind = draw(st.sampled_from(list(InterestKind)))
    registered = draw(dates())
    formal = kind is InterestKind.CERTIFICATION
    return InterestRegistration(
        draw(ids),
        kind,
        draw(ids),
        draw(ids),
        registered,
        units=tuple(
            draw(st.lists(unit_refs(), min_size=1 if formal else 0, max_size=3, unique=True))
        ),
        contact_person_id=draw(ids) if formal else draw(st.none() | ids),
        expected_application=draw(
            st.none() | dates(min_value=registered, max_value=registered + timedelta(400))
        ),
        steering_group_approved=draw(st.booleans()),
    )


@st.composite
def applications(draw: st.DrawFn) -> Application:
    """Applications with some documents."""
    prepared = draw(dates())
    docs = draw(
        st.lists(
            st.builds(Document, st.sampled_from(list(DocumentKind)), names, dates()), max_size=8
        )
    )
    return Application(
        draw(ids), draw(ids), prepared, tuple(docs), draw(st.none() | dates(min_value=prepared))
    )


@st.composite
def review_visits(draw: st.DrawFn) -> ReviewVisit:
    """Review visits."""
    return ReviewVisit(
        draw(ids),
        draw(ids),
        draw(dates()),
        tuple(draw(st.lists(ids, max_size=3, unique=True))),
        tuple(draw(st.lists(ids, max_size=2))),
    )


@st.composite
def protocols(draw: st.DrawFn) -> Protocol:
    """Protocols."""
    return Protocol(draw(ids), draw(ids), draw(dates()), tuple(draw(st.lists(names, max_size=3))))


@st.composite
def supplements(draw: st.DrawFn) -> Supplement:
    """Supplements."""
    return Supplement(draw(ids), draw(ids), draw(dates()), draw(names))


@st.composite
def postponements(draw: st.DrawFn) -> Postponement:
    """Postponements whose new due date lies after the decision."""
    granted = draw(dates(max_value=_LAST - timedelta(days=400)))
    return Postponement(
        draw(ids),
        draw(ids),
        granted,
        granted + timedelta(days=draw(st.integers(1, 365))),
        draw(names),
    )


@st.composite
def certifications(draw: st.DrawFn) -> Certification:
    """Certifications of 3 or 5 years."""
    start = draw(dates(max_value=date(2030, 1, 1)))
    number = draw(st.integers(1, 4))
    years = 3 if number == 1 else 5
    until = date(start.year + years, start.month, min(start.day, 28)) - timedelta(days=1)
    return Certification(draw(unit_refs()), start, until, number)


@st.composite
def annual_reports(draw: st.DrawFn) -> AnnualReport:
    """Annual reports."""
    return AnnualReport(
        draw(ids),
        draw(ids),
        draw(st.integers(2015, 2035)),
        draw(st.sampled_from(list(ReportLevel))),
        draw(dates()),
    )


@st.composite
def satisfaction_surveys(draw: st.DrawFn) -> SatisfactionSurvey:
    """Satisfaction surveys."""
    return SatisfactionSurvey(
        draw(ids),
        draw(ids),
        draw(st.integers(2015, 2035)),
        draw(st.integers(0, 500)),
        draw(st.integers(0, 500)),
        draw(st.integers(0, 5000)),
        draw(st.none() | st.floats(0, 100, allow_nan=False)),
    )


@st.composite
def judgements(draw: st.DrawFn) -> Judgement:
    """Reviewer judgements."""
    decided = draw(dates())
    return Judgement(
        draw(ids),
        draw(st.sampled_from(["learning-environment", "industry-skills-needs"])),
        draw(ids),
        draw(ids),
        decided,
        draw(st.sampled_from(list(Outcome))),
        draw(names),
        draw(st.none() | dates(min_value=decided)),
    )


@st.composite
def bundles(draw: st.DrawFn) -> Bundle:
    """Bundles holding some of every model."""
    world = draw(college_worlds(on=date(2024, 1, 1)))
    return Bundle(
        organisations=world.organisations,
        people=tuple(draw(st.lists(people(), max_size=2, unique_by=lambda p: p.id))),
        colleges=(world.college,),
        programmes=world.programmes,
        interest_registrations=tuple(draw(st.lists(interest_registrations(), max_size=1))),
        applications=tuple(draw(st.lists(applications(), max_size=1))),
        review_visits=tuple(draw(st.lists(review_visits(), max_size=1))),
        protocols=tuple(draw(st.lists(protocols(), max_size=1))),
        supplements=tuple(draw(st.lists(supplements(), max_size=1))),
        postponements=tuple(draw(st.lists(postponements(), max_size=1))),
        annual_reports=tuple(draw(st.lists(annual_reports(), max_size=1))),
        satisfaction_surveys=tuple(draw(st.lists(satisfaction_surveys(), max_size=1))),
        judgements=tuple(draw(st.lists(judgements(), max_size=1))),
    )


def funding() -> st.SearchStrategy[Funding]:
    """Funding records."""
    return st.builds(Funding, ids, st.integers(0, 10**8), periods())


MODEL_STRATEGIES: dict[type[Any], st.SearchStrategy[Any]] = {
    Period: periods(open_ended=None),
    OrganisationNumber: org_numbers(),
    Organisation: organisations(),
    Person: people(),
    SteeringGroup: steering_groups(),
    Programme: programmes(certifiable=None, with_companies=None),
    College: colleges(),
    UnitRef: unit_refs(),
    InterestRegistration: interest_registrations(),
    Application: applications(),
    ReviewVisit: review_visits(),
    Protocol: protocols(),
    Supplement: supplements(),
    Postponement: postponements(),
    Certification: certifications(),
    AnnualReport: annual_reports(),
    SatisfactionSurvey: satisfaction_surveys(),
    Judgement: judgements(),
    Funding: funding(),
    Bundle: bundles(),
}
"""The strategy registered for each model with ``st.register_type_strategy``."""
