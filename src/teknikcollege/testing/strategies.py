"""Hypothesis strategies for every public model: valid, realistic objects, fast.

Options are keyword-only and checked when the strategy is made: an impossible option
raises :class:`hypothesis.errors.InvalidArgument` saying what is possible. Every
strategy returns ``SearchStrategy[T]``. Colleges can be made to meet every checkable
national criterion, or to break chosen ones. Strategies of invalid input (bad
organisation numbers, unknown codes, broken periods) serve negative tests.

Ids, names, e-mail addresses and dates are drawn only from what the models document as
valid (ids of letters and digits, single-line printable names, bare addresses, days
from 1900-01-01 to 2199-12-31), so they stay valid under stricter validation.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Collection, Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from .._text import Text, _, _n
from ..codes import OrganisationNumber, counties, luhn_valid, municipalities
from ..models import (
    SCOPED_ROLES,
    Agreement,
    AgreementKind,
    AnnualReport,
    Application,
    Appointment,
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
from ..notify.port import Notification
from ..rules.base import Context, Lookup
from ..serialization import Bundle
from ..workflow.definition import State, Transition, WorkflowDefinition
from . import field_types as ft

T = TypeVar("T")

CHECKABLE_CRITERIA = (
    "regional-collaboration",
    "organisation-governance",
    "programmes-dimensioning",
    "working-life-participation",
)
"""National criteria a college strategy can be told to break (the others need data
outside the college, or a reviewer)."""

CALENDAR_FIRST = date(1900, 1, 1)
"""The first day a model accepts."""
CALENDAR_LAST = date(2199, 12, 31)
"""The last day a model accepts."""

_FIRST = date(2015, 1, 1)
_LAST = date(2035, 12, 31)
_LONGEST_PERIOD = 3650


def _invalid(text: Text) -> InvalidArgument:
    return InvalidArgument(str(text))


def _option(name: str, value: object, *, quoted: bool = True) -> str:
    """An option as it was given, ``name=value`` (the value in Python's notation)."""
    return f"{name}={value!r}" if quoted else f"{name}={value}"


def _check_date(name: str, value: object) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise _invalid(_("{option} must be a date (datetime.date)", option=_option(name, value)))
    if not CALENDAR_FIRST <= value <= CALENDAR_LAST:
        raise _invalid(
            _(
                "{option} lies outside the models' calendar ({first} to {last})",
                option=_option(name, value.isoformat(), quoted=False),
                first=CALENDAR_FIRST.isoformat(),
                last=CALENDAR_LAST.isoformat(),
            )
        )
    return value


def _check_order(low_name: str, low: date, high_name: str, high: date) -> None:
    if low > high:
        raise _invalid(
            _(
                "{low} is after {high}",
                low=_option(low_name, low.isoformat(), quoted=False),
                high=_option(high_name, high.isoformat(), quoted=False),
            )
        )


def _check_choice(name: str, value: object, choices: Iterable[object]) -> None:
    allowed = list(choices)
    if value not in allowed:
        shown = ", ".join(repr(c) for c in allowed)
        raise _invalid(
            _(
                "{option} is not possible; choose from {choices}",
                option=_option(name, value),
                choices=shown,
            )
        )


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _invalid(
            _(
                "{option} is not possible; give a whole number from {low} to {high}",
                option=_option(name, value),
                low=low,
                high=high,
            )
        )
    return value


def _check_id(name: str, value: object) -> None:
    from ..errors import InvalidData
    from ..models.syntax import ID

    try:
        ID.check(value, name)
        ok = True
    except InvalidData:
        ok = False
    if not ok:
        raise _invalid(
            _(
                "{option} is not a valid id (letters and digits, then also _ . : @ -)",
                option=_option(name, value),
            )
        )


ids: st.SearchStrategy[str] = st.text(
    string.ascii_lowercase + string.digits, min_size=1, max_size=10
).map(lambda s: "x" + s)
"""Valid entity ids."""

slugs: st.SearchStrategy[str] = st.from_regex(r"[a-z][a-z0-9_-]{0,15}", fullmatch=True)
"""Lower-case names: triggers, states, workflows, rule sets."""

_NAME_ALPHABET = string.ascii_letters + string.digits + "åäöÅÄÖéü -'&<>\";"

names: st.SearchStrategy[str] = (
    st.text(_NAME_ALPHABET, min_size=1, max_size=40).map(str.strip).filter(bool)
)
"""Single-line names, with markup and quote characters in them."""

prose: st.SearchStrategy[str] = (
    st.text(_NAME_ALPHABET + ".,:!?()/", min_size=1, max_size=120).map(str.strip).filter(bool)
)
"""Free text (descriptions, evidence, notes): single-line and printable."""

emails: st.SearchStrategy[str] = st.from_regex(
    r"[a-z][a-z0-9]{0,7}(\.[a-z0-9]{1,5})?@[a-z]{1,8}\.(se|org|com)", fullmatch=True
)
"""Bare e-mail addresses (addr-spec, no display name)."""

versions: st.SearchStrategy[str] = st.builds(
    lambda *parts: ".".join(map(str, parts)), st.integers(0, 30), st.integers(0, 30)
)
"""Versions such as ``1.2``."""


def texts() -> st.SearchStrategy[Text]:
    """Bilingual texts (:class:`~teknikcollege.Text`): a Swedish and an English name."""
    return st.builds(Text, names, names)


def dates(*, min_value: date = _FIRST, max_value: date = _LAST) -> st.SearchStrategy[date]:
    """Dates between `min_value` and `max_value` (2015-2035 by default; at most the
    models' calendar, 1900-01-01 to 2199-12-31)."""
    _check_date("min_value", min_value)
    _check_date("max_value", max_value)
    _check_order("min_value", min_value, "max_value", max_value)
    return st.dates(min_value=min_value, max_value=max_value)


def datetimes(*, min_value: date = _FIRST, max_value: date = _LAST) -> st.SearchStrategy[datetime]:
    """Timezone-aware UTC times on days between `min_value` and `max_value`."""
    _check_date("min_value", min_value)
    _check_date("max_value", max_value)
    _check_order("min_value", min_value, "max_value", max_value)
    return st.datetimes(
        min_value=datetime.combine(min_value, datetime.min.time()),
        max_value=datetime.combine(max_value, datetime.max.time()),
        timezones=st.just(timezone.utc),
    )


def periods(
    *,
    open_ended: bool | None = False,
    min_start: date = _FIRST,
    max_start: date = _LAST - timedelta(days=_LONGEST_PERIOD),
) -> st.SearchStrategy[Period]:
    """Valid periods of up to ten years; `open_ended` None allows both open and closed
    ones."""
    _check_choice("open_ended", open_ended, (True, False, None))
    _check_date("min_start", min_start)
    _check_date("max_start", max_start)
    _check_order("min_start", min_start, "max_start", max_start)
    return _periods(open_ended, min_start, max_start)


@st.composite
def _periods(draw: st.DrawFn, open_ended: bool | None, min_start: date, max_start: date) -> Period:
    start = draw(st.dates(min_value=min_start, max_value=max_start))
    is_open = draw(st.booleans()) if open_ended is None else open_ended
    if is_open:
        return Period(start)
    longest = min(_LONGEST_PERIOD, (CALENDAR_LAST - start).days)
    return Period(start, start + timedelta(days=draw(st.integers(0, longest))))


def org_numbers(
    *, legal_forms: Collection[str] = ("2", "5", "8", "9")
) -> st.SearchStrategy[OrganisationNumber]:
    """Valid organisation numbers (the check digit computed, not filtered for) whose
    first digit is one of `legal_forms`."""
    forms = sorted(set(legal_forms)) if not isinstance(legal_forms, str) else []
    if not forms or any(f not in string.digits or len(f) != 1 for f in forms):
        raise _invalid(
            _(
                "{option} is not possible; give a collection of single digits, for example "
                "('5',) for limited companies",
                option=_option("legal_forms", legal_forms),
            )
        )
    return _org_numbers(tuple(forms))


@st.composite
def _org_numbers(draw: st.DrawFn, forms: tuple[str, ...]) -> OrganisationNumber:
    first = draw(st.sampled_from(forms))
    body = (
        first
        + draw(st.text(string.digits, min_size=1, max_size=1))
        + str(draw(st.integers(2, 9)))
        + draw(st.text(string.digits, min_size=6, max_size=6))
    )
    check = next(d for d in string.digits if luhn_valid(body + d))
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
        check = next(d for d in string.digits if luhn_valid(body + d))
        return f"{body[:6]}-{body[6:]}{check}"
    if how == "length":
        return valid[: draw(st.integers(0, 9))]
    return valid[:5] + draw(st.sampled_from("abcXYZ")) + valid[6:]


def municipality_codes(*, county: str | None = None) -> st.SearchStrategy[str]:
    """Real municipality codes, optionally of one county."""
    if county is not None:
        _check_choice("county", county, [c.code for c in counties()])
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
def _municipality_sets(draw: st.DrawFn) -> tuple[str, ...]:
    county = draw(county_codes())
    pool = _county_pools(1)[county]
    return tuple(draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True)))


@st.composite
def broken_periods(draw: st.DrawFn) -> dict[str, str]:
    """Period data that ends before it starts."""
    start = draw(dates(min_value=date(2016, 1, 1)))
    end = start - timedelta(days=draw(st.integers(1, 365)))
    return {"start": start.isoformat(), "end": end.isoformat()}


def organisations(*, kind: OrganisationKind | None = None) -> st.SearchStrategy[Organisation]:
    """Organisations of any (or the given) kind, consistent with it."""
    if kind is not None:
        _check_choice("kind", kind, list(OrganisationKind))
    return _organisations(kind)


@st.composite
def _organisations(draw: st.DrawFn, kind: OrganisationKind | None) -> Organisation:
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


def people(*, roles: Collection[Role] | None = None) -> st.SearchStrategy[Person]:
    """People with some (or exactly the given) roles and, sometimes, an e-mail address."""
    if roles is not None:
        for role in roles:
            _check_choice("roles", role, list(Role))
    return _people(None if roles is None else frozenset(roles))


@st.composite
def _people(draw: st.DrawFn, roles: frozenset[Role] | None) -> Person:
    chosen = (
        roles
        if roles is not None
        else frozenset(draw(st.sets(st.sampled_from(list(Role)), max_size=3)))
    )
    dated = draw(st.lists(appointments(), max_size=2))
    # A dated national role must be one the person holds.
    chosen = chosen | {a.role for a in dated if a.college_id is None}
    return Person(
        draw(ids), draw(names), chosen, email=draw(st.none() | emails), appointments=tuple(dated)
    )


def appointments(*, role: Role | None = None) -> st.SearchStrategy[Appointment]:
    """Dated roles: a national role with no college, or a role of a college with its id."""
    if role is not None:
        _check_choice("role", role, [r for r in Role if r is not Role.SYSTEM])
    return _appointments(role)


@st.composite
def _appointments(draw: st.DrawFn, role: Role | None) -> Appointment:
    chosen = role or draw(st.sampled_from([r for r in Role if r is not Role.SYSTEM]))
    scoped = chosen in SCOPED_ROLES
    return Appointment(chosen, draw(periods(open_ended=None)), draw(ids) if scoped else None)


def steering_groups(
    *,
    level: GroupLevel = GroupLevel.REGIONAL,
    company_majority: bool = True,
    company_chair: bool = True,
    majority_sector: Sector = Sector.COMPANY,
) -> st.SearchStrategy[SteeringGroup]:
    """Steering groups; by default with a company majority and a company chair
    (`majority_sector` names the sector that holds the majority and the chair)."""
    _check_choice("level", level, list(GroupLevel))
    _check_choice("company_majority", company_majority, (True, False))
    _check_choice("company_chair", company_chair, (True, False))
    _check_choice("majority_sector", majority_sector, list(Sector))
    return _steering_groups(level, company_majority, company_chair, majority_sector)


@st.composite
def _steering_groups(
    draw: st.DrawFn,
    level: GroupLevel,
    company_majority: bool,
    company_chair: bool,
    majority_sector: Sector,
) -> SteeringGroup:
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
"""References to certifiable units, of every kind (an orientation names its parent)."""


def programmes(
    *,
    college_id: str | None = None,
    provider_id: str | None = None,
    certifiable: bool | None = True,
    with_companies: bool | None = True,
    company_ids: Collection[str] = ("company-1",),
    min_weeks: int = 40,
) -> st.SearchStrategy[Programme]:
    """Programmes; by default of a certifiable form and length (at least `min_weeks`)
    with APL places and supervisors from one of `company_ids`. ``None`` for an option
    lets it vary."""
    for name, value in (("college_id", college_id), ("provider_id", provider_id)):
        if value is not None:
            _check_id(name, value)
    _check_choice("certifiable", certifiable, (True, False, None))
    _check_choice("with_companies", with_companies, (True, False, None))
    _check_int("min_weeks", min_weeks, 2, 520)
    if isinstance(company_ids, str) or (with_companies is not False and not company_ids):
        raise _invalid(
            _(
                "{option} is not possible; give a collection of at least one id (or "
                "with_companies=False)",
                option=_option("company_ids", company_ids),
            )
        )
    for company in company_ids:
        _check_id("company_ids", company)
    return _programmes(
        college_id, provider_id, certifiable, with_companies, tuple(sorted(company_ids)), min_weeks
    )


@st.composite
def _programmes(
    draw: st.DrawFn,
    college_id: str | None,
    provider_id: str | None,
    certifiable: bool | None,
    with_companies: bool | None,
    company_ids: tuple[str, ...],
    min_weeks: int,
) -> Programme:
    ok = draw(st.booleans()) if certifiable is None else certifiable
    forms = [
        ProgrammeForm.UPPER_SECONDARY,
        ProgrammeForm.VOCATIONAL_ADULT,
        ProgrammeForm.HIGHER_VOCATIONAL,
    ]
    if ok:
        form = draw(st.sampled_from(forms))
        weeks = draw(st.integers(min_weeks, max(min_weeks, 160)))
    elif draw(st.booleans()):
        form, weeks = ProgrammeForm.LABOUR_MARKET_TRAINING, draw(st.integers(1, 160))
    else:
        form, weeks = draw(st.sampled_from(forms)), draw(st.integers(1, min_weeks - 1))
    companies = draw(st.booleans()) if with_companies is None else with_companies
    contributions: tuple[Contribution, ...] = ()
    if companies:
        company = draw(st.sampled_from(company_ids))
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

    def lookup(self) -> EntityLookup:
        """An :class:`EntityLookup` over everything, as a rule's context reads it."""
        return EntityLookup((*self.organisations, self.college, *self.programmes))


@functools.cache
def _county_pools(min_municipalities: int) -> dict[str, tuple[str, ...]]:
    """Municipality codes by county, for counties with enough municipalities."""
    pools: dict[str, list[str]] = {}
    for m in municipalities():
        pools.setdefault(m.county.code, []).append(m.code)
    return {c: tuple(codes) for c, codes in pools.items() if len(codes) >= min_municipalities}


def _most_municipalities() -> int:
    return max(len(codes) for codes in _county_pools(1).values())


def college_worlds(
    *,
    on: date | None = None,
    break_criteria: Collection[str] = (),
    min_municipalities: int = 3,
    with_programmes: bool = True,
) -> st.SearchStrategy[CollegeWorld]:
    """A college meeting every checkable criterion on day `on` (default: today), except
    those named in `break_criteria` (see :data:`CHECKABLE_CRITERIA`), each broken in one
    way drawn at random. It has at least `min_municipalities` member municipalities (3 to
    the most any county has; fewer only when ``regional-collaboration`` is broken)."""
    if isinstance(break_criteria, str):
        break_criteria = [break_criteria]
    broken = frozenset(break_criteria)
    unknown = broken - set(CHECKABLE_CRITERIA)
    if unknown:
        raise _invalid(
            _(
                "cannot break {unknown}; choose from {choices}",
                unknown=sorted(unknown),
                choices=list(CHECKABLE_CRITERIA),
            )
        )
    _check_choice("with_programmes", with_programmes, (True, False))
    if on is not None:
        _check_date("on", on)
        _check_order("on", on, "on", CALENDAR_LAST - timedelta(days=1500))
        _check_order("on", CALENDAR_FIRST + timedelta(days=800), "on", on)
    fewest = 1 if "regional-collaboration" in broken else 3
    _check_municipalities(min_municipalities, fewest)
    return _college_worlds(on, broken, min_municipalities, with_programmes)


def _check_municipalities(count: object, fewest: int) -> None:
    most = _most_municipalities()
    if isinstance(count, bool) or not isinstance(count, int) or not fewest <= count <= most:
        biggest = max(counties(), key=lambda c: len(_county_pools(1)[c.code])).name
        text = _(
            "{option} is not possible: give {fewest} to {most} ({county}, the largest "
            "county, has {municipalities})",
            option=_option("min_municipalities", count),
            fewest=fewest,
            most=most,
            county=biggest,
            municipalities=_n("{n} municipality", "{n} municipalities", most),
        )
        if fewest == 3:
            text = _(
                "{text}; fewer than 3 only with break_criteria=['regional-collaboration']",
                text=text,
            )
        raise _invalid(text)


@st.composite
def _college_worlds(
    draw: st.DrawFn,
    on: date | None,
    broken: frozenset[str],
    min_municipalities: int,
    with_programmes: bool,
) -> CollegeWorld:
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
    if "regional-collaboration" in broken and len(members) >= 3:
        ways = ["uncovered", "no-letter", "expired"]
        how = draw(st.sampled_from(ways))
        if how == "uncovered":
            covered = members[:-1]
        elif how == "no-letter":
            letters = []
        else:
            period = Period(day - timedelta(days=800), day - timedelta(days=1))
    agreements.append(
        Agreement("collab-1", AgreementKind.COLLABORATION, period, municipalities=covered)
    )
    regional: SteeringGroup | None = draw(steering_groups(level=GroupLevel.REGIONAL))
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
    if "organisation-governance" in broken:
        how = draw(st.sampled_from(["minority", "chair", "no-leader", "no-group"]))
        if how == "minority":
            regional = draw(steering_groups(company_majority=False))
        elif how == "chair":
            regional = draw(steering_groups(company_chair=False))
        elif how == "no-leader":
            leaders = ()
        else:
            regional = None
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


def colleges(*, min_municipalities: int = 3) -> st.SearchStrategy[College]:
    """Valid colleges (of one county, with consistent steering groups and agreements)
    with at least `min_municipalities` members (1 to the most any county has)."""
    _check_municipalities(min_municipalities, 1)
    broken = frozenset({"regional-collaboration"}) if min_municipalities < 3 else frozenset()
    return _college_worlds(None, broken, min_municipalities, False).map(lambda w: w.college)


def agreements(*, kind: AgreementKind | None = None) -> st.SearchStrategy[Agreement]:
    """Agreements of any (or the given) kind, with the fields their kind needs."""
    if kind is not None:
        _check_choice("kind", kind, list(AgreementKind))
    return _agreements(kind)


@st.composite
def _agreements(draw: st.DrawFn, kind: AgreementKind | None) -> Agreement:
    kind = kind or draw(st.sampled_from(list(AgreementKind)))
    period = draw(periods(open_ended=None))
    if kind is AgreementKind.COLLABORATION:
        return Agreement(
            draw(ids),
            kind,
            period,
            municipalities=draw(_municipality_sets()),
            parties=tuple(draw(st.lists(ids, max_size=2, unique=True))),
        )
    if kind is AgreementKind.LETTER_OF_INTENT:
        return Agreement(
            draw(ids),
            kind,
            period,
            parties=tuple(draw(st.lists(ids, min_size=2, max_size=2, unique=True))),
        )
    return Agreement(
        draw(ids),
        kind,
        period,
        municipalities=(draw(municipality_codes()),),
        political_decision=True,
    )


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
def documents(draw: st.DrawFn) -> Document:
    """Documents: a title only, with content and its checksum, or a reference with one."""
    kind, title, received = draw(st.sampled_from(list(DocumentKind))), draw(names), draw(dates())
    version = draw(st.integers(1, 9))
    form = draw(st.sampled_from(["bare", "content", "reference"]))
    if form == "content":
        return Document.of(kind, title, received, draw(prose), version)
    if form == "reference":
        digest = draw(st.text("0123456789abcdef", min_size=64, max_size=64))
        return Document(kind, title, received, None, draw(names), digest, version)
    return Document(kind, title, received, version=version)


@st.composite
def applications(draw: st.DrawFn) -> Application:
    """Applications with some documents."""
    prepared = draw(dates())
    docs = draw(st.lists(documents(), max_size=8))
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
    return Protocol(draw(ids), draw(ids), draw(dates()), tuple(draw(st.lists(prose, max_size=3))))


@st.composite
def supplements(draw: st.DrawFn) -> Supplement:
    """Supplements."""
    return Supplement(draw(ids), draw(ids), draw(dates()), draw(prose))


@st.composite
def postponements(draw: st.DrawFn) -> Postponement:
    """Postponements whose new due date lies after the decision."""
    granted = draw(dates(max_value=_LAST - timedelta(days=400)))
    return Postponement(
        draw(ids),
        draw(ids),
        granted,
        granted + timedelta(days=draw(st.integers(1, 365))),
        draw(prose),
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
        draw(prose),
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


@st.composite
def workflow_definitions(draw: st.DrawFn) -> WorkflowDefinition:
    """Small sound workflow definitions (they pass ``workflow.definition.check``): every
    state reachable from the first, no transition leaving a final state, each trigger
    with at least one role. They name no guards, deadlines or time rules."""
    count = draw(st.integers(2, 6))
    state_names = [f"s{i}" for i in range(count)]
    finals = {name for name in state_names[1:] if draw(st.integers(0, 3)) == 0}
    states = tuple(State(name, draw(texts()), final=name in finals) for name in state_names)
    roles = st.frozensets(st.sampled_from([r for r in Role if r is not Role.SYSTEM]), min_size=1)
    transitions = []
    # A spanning tree first, so that every state is reachable; then a few extra edges.
    open_states = [state_names[0]]
    for i, name in enumerate(state_names[1:], start=1):
        source = draw(st.sampled_from(open_states))
        transitions.append((f"t{i}", (source,), name))
        if name not in finals:
            open_states.append(name)
    for j in range(draw(st.integers(0, 3))):
        source = draw(st.sampled_from(open_states))
        transitions.append((f"x{j}", (source,), draw(st.sampled_from(state_names))))
    return WorkflowDefinition(
        draw(slugs),
        draw(versions),
        draw(texts()),
        states,
        state_names[0],
        tuple(Transition(t, s, d, draw(roles), draw(texts())) for t, s, d in transitions),
    )


class EntityLookup:
    """A :class:`~teknikcollege.rules.Lookup` over a fixed collection of entities: what a
    rule's context reads, without a registry."""

    def __init__(self, entities: Iterable[object] = ()) -> None:
        self.entities = tuple(entities)

    def get(self, cls: type[T], id: str) -> T | None:
        """The entity of `cls` with `id`, or None."""
        return next(
            (e for e in self.entities if type(e) is cls and getattr(e, "id", None) == id), None
        )

    def find(self, cls: type[T], **where: object) -> list[T]:
        """Entities of `cls` whose attributes equal every keyword given."""
        return [
            e
            for e in self.entities
            if type(e) is cls and all(getattr(e, k, None) == v for k, v in where.items())
        ]

    def __repr__(self) -> str:
        return f"EntityLookup({len(self.entities)} entities)"


def lookups() -> st.SearchStrategy[Lookup]:
    """Lookups over a college world (its college, organisations and programmes), or
    over nothing at all."""
    return st.just(EntityLookup()) | _college_worlds(date(2024, 1, 1), frozenset(), 3, True).map(
        CollegeWorld.lookup
    )


def contexts(*, lookup: Lookup | None = None) -> st.SearchStrategy[Context]:
    """Rule contexts: a UTC time and a lookup (`lookup`, or one from :func:`lookups`)."""
    chosen: st.SearchStrategy[Lookup] = lookups() if lookup is None else st.just(lookup)
    return st.builds(Context, datetimes(), chosen)


@st.composite
def notifications(draw: st.DrawFn) -> Notification:
    """Notifications of transitions and reminders, with the data the default texts use."""
    kind = draw(st.sampled_from(["transition", "reminder"]))
    template = draw(
        st.sampled_from(["submit_application", "request_supplements", "approve", "reject"])
        if kind == "transition"
        else st.sampled_from(["supplements_due", "certification_expiring", "protocol_overdue"])
    )
    data = (
        {"from": "review", "to": "decision", "from_sv": "granskning", "to_sv": "beslut"}
        if kind == "transition"
        else {"due": draw(dates()).isoformat()}
    )
    return Notification(
        draw(ids),
        kind,
        template,
        draw(ids),
        "certification",
        str(draw(unit_refs())),
        draw(ids),
        draw(datetimes()),
        roles=tuple(draw(st.lists(st.sampled_from(list(Role)), max_size=2, unique=True))),
        recipient_ids=tuple(draw(st.lists(ids, max_size=3, unique=True))),
        data=data,
    )


def _storage_factory(url: str) -> Any:
    from ..storage.memory import MemoryStorage

    return MemoryStorage()


MODEL_STRATEGIES: dict[Any, st.SearchStrategy[Any]] = {
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
    Document: documents(),
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
"""The strategy registered for each stored model with ``st.register_type_strategy``:
what ``st.from_type(Model)`` draws. Models in neither this nor :data:`VALUE_STRATEGIES`
get :func:`inferred`."""


def _year_figures() -> st.SearchStrategy[Any]:
    """Figures where no more diplomas and certificates are given than students completed."""
    from ..models import ByGender, YearFigures

    counts = st.integers(min_value=0, max_value=60)
    genders = st.builds(ByGender, counts, counts, counts)

    @st.composite
    def build(draw: st.DrawFn) -> YearFigures:
        completed = draw(genders)
        total = completed.women + completed.men + completed.unspecified
        diplomas = draw(st.integers(min_value=0, max_value=total))
        certificates = draw(st.integers(min_value=0, max_value=total - diplomas))
        return YearFigures(
            draw(st.integers(min_value=2000, max_value=2100)),
            draw(counts),
            draw(genders),
            draw(genders),
            completed,
            diplomas,
            certificates,
        )

    return build()


def _councils() -> st.SearchStrategy[Any]:
    """Councils whose members are listed once each."""
    from ..models import Council, CouncilKind

    members = st.lists(st.from_type(Member), max_size=4, unique_by=lambda m: m.person_id)
    return st.builds(Council, ids, names, st.sampled_from(CouncilKind), members.map(tuple))


def _obligations() -> st.SearchStrategy[Any]:
    """Yearly obligations with a unit written as one line."""
    from ..models import Obligation, ObligationKind

    return st.builds(
        Obligation,
        st.sampled_from(ObligationKind),
        st.integers(min_value=2000, max_value=2100),
        dates(),
        ids,
        st.booleans(),
    )


VALUE_STRATEGIES: dict[Any, st.SearchStrategy[Any]] = {
    Agreement: agreements(),
    Appointment: appointments(),
    Text: texts(),
    WorkflowDefinition: workflow_definitions(),
    Lookup: lookups(),
    Context: contexts(),
    Notification: notifications(),
}
"""The strategy registered for each public value that is not stored on its own."""


def _late_values() -> dict[Any, st.SearchStrategy[Any]]:
    from ..models import Council, Obligation, YearFigures

    return {
        YearFigures: st.deferred(_year_figures),
        Council: st.deferred(_councils),
        Obligation: st.deferred(_obligations),
    }


VALUE_STRATEGIES.update(_late_values())


MARKER_STRATEGIES: dict[Any, Callable[[], st.SearchStrategy[Any]]] = {
    ft.EntityId: lambda: ids,
    ft.Slug: lambda: slugs,
    ft.Name: lambda: names,
    ft.Prose: lambda: prose,
    ft.Email: lambda: emails,
    ft.MunicipalityCode: municipality_codes,
    ft.CountyCode: county_codes,
    ft.MunicipalityCodes: _municipality_sets,
    ft.EntityIds: lambda: st.lists(ids, max_size=3, unique=True).map(tuple),
    ft.Slugs: lambda: st.lists(slugs, max_size=3, unique=True).map(tuple),
    ft.Day: dates,
    ft.Moment: datetimes,
    ft.Year: lambda: st.integers(2015, 2035),
    ft.Weeks: lambda: st.integers(1, 520),
    ft.Count: lambda: st.integers(0, 10**6),
    ft.PositiveCount: lambda: st.integers(1, 1000),
    ft.Percent: lambda: st.floats(0, 100, allow_nan=False),
    ft.Version: lambda: versions,
    ft.UnitText: lambda: unit_refs().map(str),
    ft.OrgNumberDigits: lambda: org_numbers().map(lambda n: n.digits),
    ft.NotificationKind: lambda: st.sampled_from(["transition", "reminder"]),
    ft.PluginStatus: lambda: st.sampled_from(["active", "blocked", "failed"]),
    ft.StorageFactory: lambda: st.just(_storage_factory),
    ft.StandaloneOrganisationKind: lambda: st.sampled_from(
        [
            k
            for k in OrganisationKind
            if k
            not in (
                OrganisationKind.EDUCATION_PROVIDER,
                OrganisationKind.MUNICIPALITY,
                OrganisationKind.REGION,
            )
        ]
    ),
    ft.StandaloneUnitKind: lambda: st.sampled_from(
        [k for k in UnitKind if k is not UnitKind.ORIENTATION]
    ),
    ft.StandaloneInterestKind: lambda: st.just(InterestKind.PARTICIPATION),
}
"""The strategy registered for each field-type marker of
:mod:`teknikcollege.testing.field_types`."""


# Optional fields that inference from their type alone would make inconsistent with the
# rest of the object: left at their defaults by :func:`inferred`.
_NOT_INFERRED = {
    ("LocalCollege", "steering_group"),  # a drawn group is regional; a local one is needed
    ("Finding", "data"),  # Mapping[str, Any]: Any has no strategy
    ("Context", "criteria"),  # rules are protocols with properties; see contexts()
    ("FunctionRule", "function"),
}


@functools.cache
def inferred(cls: type[Any]) -> st.SearchStrategy[Any]:
    """``st.builds(cls)`` inferring every field, optional ones too, from the field types
    (the strategy ``st.from_type`` uses for models without one of their own)."""
    optional = {
        f.alias: ...
        for f in attrs.fields(cls)
        if f.init and f.default is not attrs.NOTHING and (cls.__name__, f.name) not in _NOT_INFERRED
    }
    return st.builds(cls, **optional)
