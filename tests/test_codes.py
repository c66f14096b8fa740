from __future__ import annotations

import csv
from importlib.resources import files

import pytest
from hypothesis import given

import teknikcollege as tc
from teknikcollege.codes import luhn_valid
from teknikcollege.testing import strategies as tst


def test_all_290_municipalities_and_21_counties_are_shipped() -> None:
    assert len(tc.municipalities()) == 290
    assert [c.code for c in tc.counties()] == [
        "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14",
        "17", "18", "19", "20", "21", "22", "23", "24", "25"]
    for m in tc.municipalities():
        assert m.code[:2] == m.county.code


def test_shipped_file_has_290_unique_codes() -> None:
    text = files("teknikcollege").joinpath("data/kommuner.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) == 290
    assert len({r["kommunkod"] for r in rows}) == 290


@pytest.mark.parametrize(("code", "name", "county"), [
    ("0126", "Huddinge", "01"), ("0181", "Södertälje", "01"), ("0123", "Järfälla", "01"),
    ("0136", "Haninge", "01"), ("0180", "Stockholm", "01"), ("1480", "Göteborg", "14"),
])
def test_lookup_by_code_and_name(code: str, name: str, county: str) -> None:
    m = tc.municipality(code)
    assert (m.name, m.county.code) == (name, county)
    assert tc.municipality_by_name(name.upper()) == m


@pytest.mark.parametrize("code", ["0999", "126", "", "01260", "abcd"])
def test_unknown_municipality_code_names_the_code(code: str) -> None:
    with pytest.raises(tc.UnknownCode) as info:
        tc.municipality(code)
    assert repr(code) in str(info.value)
    assert "kommunkod" in info.value.message("sv")


def test_unknown_county_and_name() -> None:
    with pytest.raises(tc.UnknownCode, match="'02'"):
        tc.county("02")
    with pytest.raises(tc.UnknownCode, match="Atlantis"):
        tc.municipality_by_name("Atlantis")


@pytest.mark.parametrize("text", ["556016-0680", "5560160680", "165560160680",
                                  "202100-5489", "802464-0149"])
def test_valid_organisation_numbers(text: str) -> None:
    number = tc.OrganisationNumber.parse(text)
    assert str(number) == f"{number.digits[:6]}-{number.digits[6:]}"
    assert number.vat_number == f"SE{number.digits}01"


def test_legal_form_from_first_digit() -> None:
    assert tc.OrganisationNumber.parse("556016-0680").legal_form is tc.LegalForm.LIMITED_COMPANY
    assert tc.OrganisationNumber.parse("202100-5489").legal_form is tc.LegalForm.PUBLIC_BODY
    assert tc.OrganisationNumber.parse("802464-0149").legal_form is \
        tc.LegalForm.ASSOCIATION_OR_FOUNDATION


@pytest.mark.parametrize(("text", "reason"), [
    ("556016-0681", "check digit"),
    ("551016-0680", "third digit"),
    ("55601-0680", "ten digits"),
    ("5560160680x", "ten digits"),
    ("195560160680", "ten digits"),
])
def test_invalid_organisation_numbers_say_why(text: str, reason: str) -> None:
    with pytest.raises(tc.InvalidData, match=reason) as info:
        tc.OrganisationNumber.parse(text)
    assert info.value.message("sv") != info.value.message("en")


@given(tst.org_numbers())
def test_generated_numbers_are_valid_and_round_trip(number: tc.OrganisationNumber) -> None:
    assert tc.OrganisationNumber.parse(str(number)) == number
    assert luhn_valid(number.digits)


@given(tst.invalid_org_numbers())
def test_generated_invalid_numbers_are_refused(text: str) -> None:
    with pytest.raises(tc.InvalidData):
        tc.OrganisationNumber.parse(text)


@given(tst.unknown_municipality_codes())
def test_generated_unknown_codes_are_refused(code: str) -> None:
    with pytest.raises(tc.UnknownCode):
        tc.municipality(code)
