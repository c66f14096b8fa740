from __future__ import annotations

from datetime import date

import attrs
import pytest
from hypothesis import given, settings

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.testing import strategies as tst


def paths(error: tc.InvalidData) -> set[str]:
    return {p for p, _ in error.errors}


def test_period_contains_covers_and_overlaps() -> None:
    p = tc.Period(date(2022, 1, 1), date(2022, 12, 31))
    assert p.contains(date(2022, 12, 31))
    assert not p.contains(date(2023, 1, 1))
    assert tc.Period(date(2021, 1, 1)).covers(p)
    assert not p.covers(tc.Period(date(2022, 6, 1)))
    assert p.overlaps(tc.Period(date(2022, 12, 31), date(2023, 5, 1)))
    assert not p.overlaps(tc.Period(date(2023, 1, 1)))


def test_period_that_ends_before_it_starts_is_refused_in_both_languages() -> None:
    with pytest.raises(tc.InvalidData) as info:
        tc.Period(date(2024, 1, 1), date(2023, 12, 31))
    assert paths(info.value) == {"end"}
    assert "before it starts" in info.value.message("en")
    assert "innan den börjar" in info.value.message("sv")


def test_chair_must_be_a_member() -> None:
    with pytest.raises(tc.InvalidData) as info:
        tc.SteeringGroup("g", "G", tc.GroupLevel.REGIONAL,
                         (tc.Member("a", tc.Sector.COMPANY),), chair="b")
    assert paths(info.value) == {"chair"}


def test_member_listed_twice() -> None:
    with pytest.raises(tc.InvalidData) as info:
        tc.SteeringGroup("g", "G", tc.GroupLevel.REGIONAL,
                         (tc.Member("a", tc.Sector.COMPANY), tc.Member("a", tc.Sector.UNION)))
    assert paths(info.value) == {"members[1]"}


def test_college_reports_every_problem_at_once() -> None:
    with pytest.raises(tc.InvalidData) as info:
        tc.College("c", " ", "01", ("0126", "0126", "1480", "0999"),
                   branch_areas=("Industry",))
    assert paths(info.value) == {"name", "municipalities[1]", "municipalities[2]",
                                 "municipalities[3]", "branch_areas[0]"}
    assert "Göteborg (1480) is not in county 01" in str(info.value)


def test_college_unknown_county_and_local_college_outside() -> None:
    local = tc.LocalCollege("l", "L", ("0180",))
    with pytest.raises(tc.InvalidData) as info:
        tc.College("c", "C", "02", ("0126",), local_colleges=(local,))
    assert {"county_code", "local_colleges[0].municipalities[0]"} <= paths(info.value)


def test_organisation_kinds_need_their_fields() -> None:
    with pytest.raises(tc.InvalidData) as info:
        tc.Organisation("p", "P", tc.OrganisationKind.EDUCATION_PROVIDER)
    assert paths(info.value) == {"provider_kind"}
    with pytest.raises(tc.InvalidData) as info:
        tc.Organisation("m", "M", tc.OrganisationKind.MUNICIPALITY, municipality_code="0999")
    assert paths(info.value) == {"municipality_code"}
    with pytest.raises(tc.InvalidData):
        tc.Organisation("r", "R", tc.OrganisationKind.REGION)
    with pytest.raises(tc.InvalidData):
        tc.Organisation("c", "C", tc.OrganisationKind.COMPANY,
                        provider_kind=tc.ProviderKind.OTHER)


@pytest.mark.parametrize("bad_id", ["", " x", "a b", "x" * 129, "-start"])
def test_ids_are_checked(bad_id: str) -> None:
    with pytest.raises(tc.InvalidData) as info:
        tc.Organisation(bad_id, "Name", tc.OrganisationKind.COMPANY)
    assert paths(info.value) == {"id"}


def test_person_email_and_erasure() -> None:
    with pytest.raises(tc.InvalidData) as info:
        tc.Person("p", "Kim", email="not-an-address")
    assert paths(info.value) == {"email"}
    person = tc.Person("p", "Kim", frozenset({tc.Role.CHAIR}), email="kim@example.org")
    erased = person.erased()
    assert erased.is_erased and erased.id == "p" and erased.email is None
    assert "Kim" not in repr(erased)


def test_agreements_by_kind() -> None:
    period = tc.Period(date(2022, 1, 1), date(2024, 12, 31))
    with pytest.raises(tc.InvalidData):
        tc.Agreement("a", tc.AgreementKind.COLLABORATION, period)
    with pytest.raises(tc.InvalidData):
        tc.Agreement("a", tc.AgreementKind.LETTER_OF_INTENT, period, parties=("x",))
    with pytest.raises(tc.InvalidData) as info:
        tc.Agreement("a", tc.AgreementKind.ATTACHED, period, municipalities=("0126", "0181"))
    assert paths(info.value) == {"municipalities", "political_decision"}
    assert tc.Agreement("a", tc.AgreementKind.ATTACHED, period, municipalities=("0126",),
                        political_decision=True)


def test_programme_checks() -> None:
    with pytest.raises(tc.InvalidData) as info:
        tc.Programme("p", "P", tc.ProgrammeForm.VOCATIONAL_ADULT, 0, "prov", "col",
                     orientations=(tc.Orientation("o", "O"), tc.Orientation("o", "O2")))
    assert paths(info.value) == {"weeks", "orientations[1]"}
    with pytest.raises(tc.InvalidData):
        tc.Contribution("c", tc.ContributionKind.APL_PLACES, 0)


def test_process_records_check_their_dates() -> None:
    with pytest.raises(tc.InvalidData):
        tc.Postponement("p", "c", date(2023, 1, 1), date(2023, 1, 1))
    with pytest.raises(tc.InvalidData):
        tc.Certification(tc.UnitRef(tc.UnitKind.COLLEGE, "c"), date(2023, 1, 1),
                         date(2022, 1, 1))
    with pytest.raises(tc.InvalidData):
        tc.Judgement("j", "r", "s", "p", date(2023, 1, 1), tc.Outcome.PASSED, "ok",
                     valid_until=date(2022, 1, 1))
    with pytest.raises(tc.InvalidData) as info:
        tc.InterestRegistration("i", tc.InterestKind.CERTIFICATION, "c", "r", date(2022, 3, 1),
                                expected_application=date(2022, 1, 1))
    assert paths(info.value) == {"units", "contact_person_id", "expected_application"}
    with pytest.raises(tc.InvalidData):
        tc.UnitRef(tc.UnitKind.ORIENTATION, "o")
    with pytest.raises(tc.InvalidData):
        tc.SatisfactionSurvey("s", "c", 2023, companies=-1, index=101.0)
    with pytest.raises(tc.InvalidData):
        tc.AnnualReport("a", "c", 1800, tc.ReportLevel.REGIONAL, date(2023, 1, 1))


def test_models_are_frozen_and_slotted() -> None:
    college = stockholm_pilot().colleges[0]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        college.name = "x"  # type: ignore[misc]
    assert not hasattr(college, "__dict__")


def test_stockholm_example_is_the_real_pilot() -> None:
    bundle = stockholm_pilot()
    (college,) = bundle.colleges
    names = {tc.municipality(c).name for c in college.municipalities}
    assert names == {"Huddinge", "Södertälje", "Järfälla", "Haninge"}
    coordinators = {o.name for o in bundle.organisations
                    if o.provider_kind is tc.ProviderKind.COORDINATOR}
    assert coordinators == {"Lernia", "Mälardalens teknikskola"}
    first = next(p for p in bundle.programmes if p.id == "industriteknik-bas")
    assert first.form is tc.ProgrammeForm.VOCATIONAL_ADULT
    assert first.start is not None and (first.start.year, first.start.month >= 8) == (2021, True)
    assert sum(o.kind is tc.OrganisationKind.COMPANY for o in bundle.organisations) >= 3


@settings(max_examples=30)
@given(tst.broken_periods())
def test_generated_broken_periods_are_refused_with_their_path(data: dict[str, str]) -> None:
    with pytest.raises(tc.InvalidData) as info:
        tc.from_data(data, tc.Period)
    assert [p for p, _ in info.value.errors] == ["end"]
