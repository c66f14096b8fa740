"""Example data: the Stockholm pilot, built through the public API.

Region Stockholm's three-year pilot of a sub-regional Teknikcollege, financed by Region
Stockholm, Huddinge and Södertälje from the start; Järfälla and Haninge joined the
certification effort later. Lernia and Mälardalens teknikskola are the education
coordinators; the first vocational adult education programme, "Industriteknik bas",
started in autumn 2021.

From the sources: the partners, the funders, Järfälla and Haninge joining the
certification effort later than the pilot started, the programme and its autumn-2021
start, the three years of the pilot, Kompetensarena Stockholm's competence council.
Illustrative (no source gives them): every exact day (:data:`PILOT_START`,
:data:`LATER_MEMBERS_JOIN`, agreement periods, amounts), the people, the council's
members, and all companies but Scania.
"""

from __future__ import annotations

from datetime import date

from .codes import OrganisationNumber
from .models import (
    Agreement,
    AgreementKind,
    College,
    CollegeKind,
    Contribution,
    ContributionKind,
    Council,
    CouncilKind,
    Funding,
    GroupLevel,
    LocalCollege,
    Member,
    Organisation,
    OrganisationKind,
    Period,
    Person,
    Programme,
    ProgrammeForm,
    ProviderKind,
    ReviewerPool,
    Role,
    Sector,
    SteeringGroup,
)
from .serialization import Bundle

PILOT_START = date(2021, 10, 1)
"""The day the Stockholm pilot starts in the example."""

HUDDINGE, SODERTALJE, JARFALLA, HANINGE = "0126", "0181", "0123", "0136"

LATER_MEMBERS_JOIN = date(2022, 6, 1)
"""When Järfälla and Haninge join by a collaboration agreement (illustrative: the
sources say only that they joined the certification effort later)."""

REVIEWER_POOL = "review-committee"
"""The example's pool of reviewers (``p-reviewer`` and ``p-reviewer-2``)."""


def _company(id: str, name: str, number: str | None = None) -> Organisation:
    org_number = OrganisationNumber.parse(number) if number else None
    return Organisation(id, name, OrganisationKind.COMPANY, org_number=org_number)


def _municipality(id: str, name: str, code: str) -> Organisation:
    return Organisation(id, name, OrganisationKind.MUNICIPALITY, municipality_code=code)


def stockholm_pilot(on: date | None = None) -> Bundle:
    """The Stockholm pilot as a :class:`~teknikcollege.Bundle` of organisations, people,
    the college and its programmes, as it stands on `on`.

    From :data:`LATER_MEMBERS_JOIN` (and by default) the college has its four member
    municipalities, the local college Teknikcollege Järfälla and Haninge in Teknikcollege
    Södertörn, bound by the second collaboration agreement. Before it (the pilot's start,
    :data:`PILOT_START`) Region Stockholm runs the pilot with Huddinge and Södertälje
    alone: two municipalities, too few to be certified yet."""
    later = on is None or on >= LATER_MEMBERS_JOIN
    organisations = (
        Organisation(
            "region-stockholm",
            "Region Stockholm",
            OrganisationKind.REGION,
            org_number=OrganisationNumber.parse("232100-0016"),
            county_code="01",
        ),
        _municipality("huddinge", "Huddinge kommun", HUDDINGE),
        _municipality("sodertalje", "Södertälje kommun", SODERTALJE),
        _municipality("jarfalla", "Järfälla kommun", JARFALLA),
        _municipality("haninge", "Haninge kommun", HANINGE),
        Organisation(
            "lernia",
            "Lernia",
            OrganisationKind.EDUCATION_PROVIDER,
            provider_kind=ProviderKind.COORDINATOR,
        ),
        Organisation(
            "mtk",
            "Mälardalens teknikskola",
            OrganisationKind.EDUCATION_PROVIDER,
            provider_kind=ProviderKind.COORDINATOR,
        ),
        _company("scania", "Scania CV AB", "556084-0976"),
        _company("verkstad-syd", "Verkstad Syd AB"),
        _company("precisionsdetaljer", "Precisionsdetaljer i Huddinge AB"),
        _company("farma-process", "Farma Process AB"),
        _company("livsmedel-sodra", "Södra Livsmedel AB"),
        Organisation("rts", "Riksföreningen Teknikcollege Sverige", OrganisationKind.NATIONAL_BODY),
    )
    people = (
        Person(
            "p-leader",
            "Kim Processledare",
            frozenset({Role.PROCESS_LEADER}),
            email="processledare@example.org",
            organisation_id="region-stockholm",
        ),
        Person(
            "p-chair",
            "Alex Ordförande",
            frozenset({Role.CHAIR, Role.MEMBER}),
            email="ordforande@example.org",
            organisation_id="scania",
        ),
        Person("p-co2", "Robin Verkstad", frozenset({Role.MEMBER}), organisation_id="verkstad-syd"),
        Person(
            "p-co3",
            "Sam Precision",
            frozenset({Role.MEMBER, Role.SUPERVISOR}),
            organisation_id="precisionsdetaljer",
        ),
        Person("p-co4", "Noa Farma", frozenset({Role.MEMBER}), organisation_id="farma-process"),
        Person("p-hud", "Eli Huddinge", frozenset({Role.MEMBER}), organisation_id="huddinge"),
        Person(
            "p-sod", "Charlie Södertälje", frozenset({Role.MEMBER}), organisation_id="sodertalje"
        ),
        Person(
            "p-lernia",
            "Vic Lernia",
            frozenset({Role.MEMBER, Role.CONTACT}),
            email="kontakt@example.org",
            organisation_id="lernia",
        ),
        Person(
            "p-local-chair",
            "Mika Lokal",
            frozenset({Role.CHAIR, Role.MEMBER}),
            email="lokal.ordforande@example.org",
            organisation_id="verkstad-syd",
        ),
        Person(
            "p-office",
            "Riks Kansli",
            frozenset({Role.NATIONAL_OFFICE}),
            email="kansli@example.org",
            organisation_id="rts",
        ),
        Person(
            "p-reviewer", "Gran Skare", frozenset({Role.REVIEWER}), email="granskare@example.org"
        ),
        Person(
            "p-reviewer-2",
            "Jo Granskare",
            frozenset({Role.REVIEWER}),
            email="granskare2@example.org",
        ),
    )
    regional = SteeringGroup(
        "stockholm-regional",
        "Regional styrgrupp Stockholm",
        GroupLevel.REGIONAL,
        members=(
            Member("p-chair", Sector.COMPANY, "scania"),
            Member("p-co2", Sector.COMPANY, "verkstad-syd"),
            Member("p-co3", Sector.COMPANY, "precisionsdetaljer"),
            Member("p-co4", Sector.COMPANY, "farma-process"),
            Member("p-hud", Sector.MUNICIPALITY, "huddinge"),
            Member("p-sod", Sector.MUNICIPALITY, "sodertalje"),
            Member("p-lernia", Sector.EDUCATION_PROVIDER, "lernia"),
        ),
        chair="p-chair",
    )
    local = LocalCollege(
        "sodertorn",
        "Teknikcollege Södertörn",
        (HUDDINGE, SODERTALJE, HANINGE) if later else (HUDDINGE, SODERTALJE),
        steering_group=SteeringGroup(
            "sodertorn-local",
            "Lokal styrgrupp Södertörn",
            GroupLevel.LOCAL,
            members=(
                Member("p-local-chair", Sector.COMPANY, "verkstad-syd"),
                Member("p-co3", Sector.COMPANY, "precisionsdetaljer"),
                Member("p-sod", Sector.MUNICIPALITY, "sodertalje"),
            ),
            chair="p-local-chair",
        ),
        provider_ids=("lernia", "mtk"),
    )
    local_north = LocalCollege(
        "jarfalla",
        "Teknikcollege Järfälla",
        (JARFALLA,),
        steering_group=SteeringGroup(
            "jarfalla-local",
            "Lokal styrgrupp Järfälla",
            GroupLevel.LOCAL,
            members=(
                Member("p-co4", Sector.COMPANY, "farma-process"),
                Member("p-chair", Sector.COMPANY, "scania"),
                Member("p-lernia", Sector.EDUCATION_PROVIDER, "lernia"),
            ),
            chair="p-chair",
        ),
        provider_ids=("lernia",),
    )
    pilot = Period(PILOT_START, date(2024, 9, 30))
    period = Period(date(2021, 10, 1), date(2027, 12, 31))
    joined = (
        Agreement(
            "samverkansavtal-2022",
            AgreementKind.COLLABORATION,
            Period(LATER_MEMBERS_JOIN, period.end),
            municipalities=(JARFALLA, HANINGE),
        ),
    )
    council = Council(
        "kompetensrad-industri",
        "Kompetensarena Stockholms kompetensråd för industri och teknik",
        CouncilKind.COMPETENCE_COUNCIL,
        members=(
            Member("p-leader", Sector.REGION, "region-stockholm"),
            Member("p-chair", Sector.COMPANY, "scania"),
            Member("p-lernia", Sector.EDUCATION_PROVIDER, "lernia"),
        ),
    )
    college = College(
        id="stockholm",
        name="Teknikcollege Stockholm",
        county_code="01",
        municipalities=(
            (HUDDINGE, SODERTALJE, JARFALLA, HANINGE) if later else (HUDDINGE, SODERTALJE)
        ),
        kind=CollegeKind.SUB_REGIONAL,
        process_leaders=("p-leader",),
        steering_group=regional,
        local_colleges=(local, local_north) if later else (local,),
        councils=(council,),
        agreements=(
            Agreement(
                "samverkansavtal-2021",
                AgreementKind.COLLABORATION,
                period,
                municipalities=(HUDDINGE, SODERTALJE),
                parties=("region-stockholm",),
            ),
            *(joined if later else ()),
            Agreement(
                "loi-scania-lernia",
                AgreementKind.LETTER_OF_INTENT,
                period,
                parties=("scania", "lernia"),
            ),
            Agreement(
                "loi-verkstad-mtk",
                AgreementKind.LETTER_OF_INTENT,
                period,
                parties=("verkstad-syd", "mtk"),
            ),
        ),
        funding=(
            Funding("region-stockholm", 1_500_000, pilot),
            Funding("huddinge", 500_000, pilot),
            Funding("sodertalje", 500_000, pilot),
        ),
        branch_areas=("industry", "technology", "food_production", "pharmaceutical_production"),
        pilot=pilot,
    )
    programmes = (
        Programme(
            "industriteknik-bas",
            "Industriteknik bas",
            ProgrammeForm.VOCATIONAL_ADULT,
            weeks=40,
            provider_id="lernia",
            college_id="stockholm",
            branch_areas=("industry",),
            start=date(2021, 10, 18),
            created_in_pilot=True,
            local_college_id="sodertorn",
            contributions=(
                Contribution("scania", ContributionKind.APL_PLACES, 8),
                Contribution("precisionsdetaljer", ContributionKind.SUPERVISORS, 3),
            ),
        ),
        Programme(
            "cnc-operator",
            "CNC-operatör",
            ProgrammeForm.VOCATIONAL_ADULT,
            weeks=42,
            provider_id="mtk",
            college_id="stockholm",
            branch_areas=("industry", "technology"),
            start=date(2022, 1, 17),
            created_in_pilot=True,
            local_college_id="sodertorn",
            contributions=(
                Contribution("verkstad-syd", ContributionKind.APL_PLACES, 6),
                Contribution("verkstad-syd", ContributionKind.SUPERVISORS, 2),
            ),
        ),
    )
    pool = ReviewerPool(
        REVIEWER_POOL,
        "Granskningskommittén för Teknikcollege",
        Period(date(2021, 1, 1)),
        ("p-reviewer", "p-reviewer-2"),
    )
    return Bundle(
        organisations=organisations,
        people=people,
        colleges=(college,),
        programmes=programmes,
        reviewer_pools=(pool,),
    )
