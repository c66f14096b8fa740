"""People and bodies, students and awards, evidence (issue 16)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.models import (
    JUDGEMENT_VALIDITY_MONTHS,
    Award,
    AwardRule,
    ByGender,
    Council,
    CouncilKind,
    InterestOutcome,
    Membership,
    YearFigures,
    award,
    checksum,
)

DAY = date(2022, 3, 1)


# --- people and bodies --------------------------------------------------------------------


def test_a_company_declares_interest_with_what_it_offers_and_gets_an_outcome() -> None:
    form = tc.InterestRegistration(
        "ir-scania",
        tc.InterestKind.PARTICIPATION,
        "stockholm",
        "scania",
        DAY,
        branch_areas=("industry",),
        contributions=(tc.ContributionKind.APL_PLACES, tc.ContributionKind.SUMMER_JOBS),
        programme_ids=("industriteknik-bas",),
        outcome=InterestOutcome.APPROVED,
        decided=date(2022, 3, 20),
    )
    assert form.outcome is InterestOutcome.APPROVED
    with pytest.raises(tc.InvalidData, match="decided"):
        tc.InterestRegistration(
            "x",
            tc.InterestKind.PARTICIPATION,
            "stockholm",
            "scania",
            DAY,
            outcome=InterestOutcome.DECLINED,
        )
    with pytest.raises(tc.InvalidData, match="decided"):
        tc.InterestRegistration(
            "x",
            tc.InterestKind.PARTICIPATION,
            "stockholm",
            "scania",
            DAY,
            outcome=InterestOutcome.DECLINED,
            decided=date(2022, 2, 1),
        )


def test_councils_have_members_and_belong_to_the_college_or_a_local_college() -> None:
    college = stockholm_pilot().colleges[0]
    council = Council(
        "kompetensrad",
        "Kompetensråd industri och teknik",
        CouncilKind.COMPETENCE_COUNCIL,
        (
            tc.Member("p-chair", tc.Sector.COMPANY, "scania"),
            tc.Member("p-lernia", tc.Sector.EDUCATION_PROVIDER, "lernia"),
        ),
    )
    vocational = Council(
        "yrkesrad-sodertorn",
        "Yrkesråd Södertörn",
        CouncilKind.VOCATIONAL_COUNCIL,
        local_college_id="sodertorn",
        programme_ids=("industriteknik-bas",),
    )
    with_councils = tc.College(**{**_fields(college), "councils": (council, vocational)})
    assert [c.kind for c in with_councils.councils] == [
        CouncilKind.COMPETENCE_COUNCIL,
        CouncilKind.VOCATIONAL_COUNCIL,
    ]
    stray = Council("x", "X", CouncilKind.PROGRAMME_COUNCIL, local_college_id="nowhere")
    with pytest.raises(tc.InvalidData, match=r"councils\[0\]\.local_college_id"):
        tc.College(**{**_fields(college), "councils": (stray,)})


def test_the_region_is_a_member_of_the_national_association_from_its_approval() -> None:
    college = stockholm_pilot().colleges[0]
    member = tc.College(
        **{
            **_fields(college),
            "memberships": (Membership("rts", tc.Period(date(2022, 3, 15)), "interest-2022"),),
        }
    )
    assert not member.member_of("rts", date(2022, 3, 14))
    assert member.member_of("rts", date(2022, 3, 15))


def _fields(college: tc.College) -> dict[str, object]:
    import attrs

    return {f.name: getattr(college, f.name) for f in attrs.fields(tc.College)}


# --- students and awards ------------------------------------------------------------------


def test_figures_per_programme_and_year_by_gender() -> None:
    figures = YearFigures(
        2023,
        places=24,
        intake=ByGender(5, 17),
        enrolled=ByGender(5, 16),
        completed=ByGender(4, 14, 1),
        diplomas=12,
        certificates=5,
    )
    assert (figures.intake.total, figures.completed.total) == (22, 19)
    assert figures.enrolled.share_of_women() == pytest.approx(5 / 21)
    programme = tc.Programme(
        "p", "P", tc.ProgrammeForm.UPPER_SECONDARY, 120, "lernia", "stockholm", figures=(figures,)
    )
    assert programme.figures_for(2023) is figures and programme.figures_for(2024) is None
    with pytest.raises(tc.InvalidData, match="figures"):
        tc.Programme(
            "p",
            "P",
            tc.ProgrammeForm.UPPER_SECONDARY,
            120,
            "lernia",
            "stockholm",
            figures=(figures, figures),
        )


@pytest.mark.parametrize(
    ("degree", "eligible", "points", "apl", "expected"),
    [
        (True, True, 2800, True, Award.DIPLOMA),
        (True, True, 2799, True, Award.CERTIFICATE),
        (True, False, 3000, True, Award.CERTIFICATE),
        (True, False, 2499, True, Award.NONE),
        (False, True, 3000, True, Award.NONE),
        (True, True, 3000, False, Award.NONE),  # workplace learning not passed
    ],
)
def test_the_rule_that_decides_between_diploma_and_certificate(
    degree: bool, eligible: bool, points: int, apl: bool, expected: Award
) -> None:
    assert (
        award(degree=degree, eligibility=eligible, points=points, workplace_learning_passed=apl)
        is expected
    )


@given(st.integers(0, 4000), st.booleans(), st.booleans())
def test_more_points_never_give_less(points: int, degree: bool, eligible: bool) -> None:
    order = [Award.NONE, Award.CERTIFICATE, Award.DIPLOMA]
    args = {"degree": degree, "eligibility": eligible, "workplace_learning_passed": True}
    assert order.index(award(points=points, **args)) <= order.index(
        award(points=points + 100, **args)
    )
    assert (
        award(points=points, rule=AwardRule(diploma_points=0, certificate_points=0), **args)
        in order
    )


# --- evidence -----------------------------------------------------------------------------


def test_a_document_holds_content_or_a_reference_with_a_sha256_and_a_version() -> None:
    plan = tc.Document.of(
        tc.DocumentKind.OPERATIONAL_PLAN, "Verksamhetsplan 2023", DAY, "Mål 2023: ...", version=2
    )
    assert plan.sha256 == checksum("Mål 2023: ...") and len(plan.sha256) == 64
    assert plan.verifies("Mål 2023: ...") and not plan.verifies("Mål 2024: ...")
    assert plan.version == 2
    referenced = tc.Document(
        tc.DocumentKind.FINANCING,
        "Finansiering",
        DAY,
        None,
        "https://example.org/finansiering.pdf",
        "a" * 64,
    )
    assert referenced.reference is not None
    with pytest.raises(tc.InvalidData, match="sha256"):
        tc.Document(tc.DocumentKind.FINANCING, "F", DAY, "text", None, "0" * 64)
    with pytest.raises(tc.InvalidData, match="sha256"):
        tc.Document(tc.DocumentKind.FINANCING, "F", DAY, None, "https://example.org/f.pdf")
    with pytest.raises(tc.InvalidData, match="version"):
        tc.Document(tc.DocumentKind.FINANCING, "F", DAY, version=0)


def test_a_judgement_is_tied_to_its_visit_and_round_and_expires() -> None:
    judgement = tc.Judgement(
        "j",
        "learning-environment",
        "stockholm",
        "p-reviewer",
        date(2022, 10, 12),
        tc.Outcome.PASSED,
        "seen",
        visit_id="visit-1",
        round=1,
    )
    assert JUDGEMENT_VALIDITY_MONTHS == 36
    assert judgement.expires() == date(2025, 10, 11)
    assert judgement.is_valid_on(date(2025, 10, 11))
    assert not judgement.is_valid_on(date(2025, 10, 12))  # no longer counts for ever
    own = tc.Judgement(
        "j2",
        "learning-environment",
        "stockholm",
        "p-reviewer",
        date(2022, 10, 12),
        tc.Outcome.PASSED,
        "seen",
        valid_until=date(2023, 2, 15),
    )
    assert not own.is_valid_on(date(2023, 2, 16))


def test_criteria_see_the_gender_balance_of_the_figures() -> None:
    from datetime import datetime, timezone

    from teknikcollege.rules import Context, national_criteria
    from teknikcollege.testing.strategies import EntityLookup

    bundle = stockholm_pilot()
    programme = tc.Programme(
        "p",
        "P",
        tc.ProgrammeForm.VOCATIONAL_ADULT,
        40,
        "lernia",
        "stockholm",
        figures=(
            YearFigures(2022, 20, enrolled=ByGender(2, 18)),
            YearFigures(2023, 20, enrolled=ByGender(6, 14)),
        ),
    )
    rule = next(r for r in national_criteria() if r.id == "learning-environment")
    context = Context(
        datetime(2024, 1, 10, tzinfo=timezone.utc), EntityLookup([*bundle.entities(), programme])
    )
    finding = rule.check(bundle.colleges[0], context)
    assert finding.status is tc.Status.NEEDS_JUDGEMENT
    assert finding.data == {"year": 2023, "enrolled": 20, "share_of_women": 0.3}


def test_the_demo_says_which_dates_are_illustrative() -> None:
    from teknikcollege.demo import Step, run_demo

    clock = tc.FixedClock(date(2021, 10, 1))
    steps: list[Step] = []
    with tc.Registry.open("memory:", clock=clock, config={}) as registry:
        assert run_demo(registry, clock, steps.append) == "ordinary_operation"
        college = registry.get(tc.College, "stockholm")
        assert college.member_of("rts", date(2022, 3, 15))
    real = [s for s in steps if not s.illustrative]
    assert [s.text.en for s in real] == [
        "Industriteknik bas (vocational adult education, Lernia) starts in autumn 2021 (from "
        "the source; the day is illustrative)"
    ]
    assert all(s.text.en.endswith("[illustrative date]") for s in steps if s.illustrative)
    assert all(s.text.sv.endswith("[illustrativt datum]") for s in steps if s.illustrative)
    assert steps[0].text.en.startswith(
        "Region Stockholm starts the pilot with Huddinge and Södertälje"
    )


def test_jarfalla_and_haninge_join_later_than_the_pilot_starts() -> None:
    from teknikcollege.examples import LATER_MEMBERS_JOIN, PILOT_START

    college = stockholm_pilot().colleges[0]
    covered = {
        code: min(
            a.period.start
            for a in college.agreements
            if a.kind is tc.AgreementKind.COLLABORATION and code in a.municipalities
        )
        for code in college.municipalities
    }
    assert covered == {
        "0126": PILOT_START,
        "0181": PILOT_START,
        "0123": LATER_MEMBERS_JOIN,
        "0136": LATER_MEMBERS_JOIN,
    }


def test_the_college_has_jarfalla_and_haninge_only_from_the_day_they_join() -> None:
    # (review of issue 16, gap 8): the example listed all four from the pilot's first day.
    from teknikcollege.examples import (
        HANINGE,
        HUDDINGE,
        JARFALLA,
        LATER_MEMBERS_JOIN,
        PILOT_START,
        SODERTALJE,
    )

    start = stockholm_pilot(PILOT_START).colleges[0]
    assert start.municipalities == (HUDDINGE, SODERTALJE)
    assert [(lc.id, lc.municipalities) for lc in start.local_colleges] == [
        ("sodertorn", (HUDDINGE, SODERTALJE))]
    assert [a.id for a in start.agreements if a.kind is tc.AgreementKind.COLLABORATION] == [
        "samverkansavtal-2021"]
    the_day_before = stockholm_pilot(date(2022, 5, 31)).colleges[0]
    assert the_day_before == start
    joined = stockholm_pilot(LATER_MEMBERS_JOIN).colleges[0]
    assert joined.municipalities == (HUDDINGE, SODERTALJE, JARFALLA, HANINGE)
    assert [lc.id for lc in joined.local_colleges] == ["sodertorn", "jarfalla"]
    assert joined == stockholm_pilot().colleges[0]
    # The seed's competence council of Kompetensarena Stockholm.
    (council,) = joined.councils
    assert council.kind is CouncilKind.COMPETENCE_COUNCIL
    assert "Kompetensarena Stockholm" in council.name


def test_the_demo_adds_jarfalla_and_haninge_when_they_join() -> None:
    from teknikcollege.demo import Step, run_demo

    clock = tc.FixedClock(date(2021, 10, 1))
    steps: list[Step] = []
    with tc.Registry.open("memory:", clock=clock, config={}) as registry:
        run_demo(registry, clock, steps.append)
        college = registry.get(tc.College, "stockholm")
        assert len(college.municipalities) == 4 and college.member_of("rts", date(2026, 1, 1))
    by_day = {s.day: s for s in steps}
    # Before they join, the assessment counts the two municipalities the pilot has ...
    assert "failed: 2 municipalities; at least 3 needed" in by_day[date(2022, 3, 1)].detail
    assert "no collaboration agreement covers" not in by_day[date(2022, 3, 1)].detail
    # ... and from the day they join, four.
    assert by_day[date(2022, 6, 1)].detail == "member municipalities: 0126, 0181, 0123, 0136"
