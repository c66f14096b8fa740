"""The strategies: st.builds and st.from_type over every public model, values that
stay within the documented syntax, and clear errors for impossible options."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from email.headerregistry import Address
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import teknikcollege as tc
from teknikcollege.testing import field_types as ft
from teknikcollege.testing import strategies as tst

PUBLIC_MODELS = sorted(
    (
        value
        for name in tc.__all__
        if isinstance(value := getattr(tc, name), type) and attrs.has(value)
    ),
    key=lambda c: c.__name__,
)

# The models with an invariant across fields that inference cannot satisfy, and the
# fields a test passes to st.builds so that it can (docs/testing.md lists the same).
BUILDS_NEEDS: dict[type[Any], dict[str, st.SearchStrategy[Any]]] = {
    tc.Agreement: {
        "kind": st.just(tc.AgreementKind.COLLABORATION),
        "municipalities": st.just(("0114", "0115")),
    },
    tc.College: {"county_code": st.just("01"), "municipalities": st.just(("0114", "0115"))},
    tc.Certification: {
        "valid_from": st.just(date(2024, 1, 1)),
        "valid_until": tst.dates(min_value=date(2024, 1, 1)),
    },
    tc.Appointment: {"role": st.just(tc.Role.REVIEWER), "college_id": st.none()},
    tc.Postponement: {
        "granted": st.just(date(2024, 1, 1)),
        "new_due": tst.dates(min_value=date(2024, 1, 2)),
    },
}
# Models whose invariant inference breaks only by chance (a member drawn twice, more
# diplomas than completed students): the same kind of help, not always needed.
BUILDS_HELPED: dict[type[Any], dict[str, st.SearchStrategy[Any]]] = {
    tc.YearFigures: {"diplomas": st.just(0), "certificates": st.just(0)},
    tc.Council: {"members": st.just(())},
}

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}")


def test_every_public_model_is_covered() -> None:
    names = {c.__name__ for c in PUBLIC_MODELS}
    assert {"College", "Programme", "Period", "Case", "WorkflowDefinition", "Text"} <= names
    assert len(PUBLIC_MODELS) >= 40


def _walk(value: object, path: str = "") -> Any:
    """Every (path, leaf) inside an attrs object, tuples, lists, sets and dicts."""
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _walk(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, (tuple, list, frozenset, set)):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}[{key!r}]")
    else:
        yield path, value


def _assert_documented_syntax(obj: object) -> None:
    """Strings single-line and printable, not only invisible; dates in the calendar;
    ids in the documented syntax; e-mail addresses bare."""
    for path, leaf in _walk(obj):
        field = path.rsplit(".", 1)[-1].split("[")[0]
        if isinstance(leaf, str) and not isinstance(leaf, tc.Text):
            assert not any(unicodedata.category(c).startswith("C") for c in leaf), (path, leaf)
            if leaf:
                assert leaf.strip(), (path, leaf)
            if field == "id" or (field.endswith("_id") and leaf):
                assert ID.fullmatch(leaf), (path, leaf)
            if field == "email":
                assert str(Address(addr_spec=leaf)) == leaf, (path, leaf)
        if isinstance(leaf, datetime):
            assert leaf.tzinfo is not None, path
            assert tst.CALENDAR_FIRST <= leaf.date() <= tst.CALENDAR_LAST, (path, leaf)
        elif isinstance(leaf, date):
            assert tst.CALENDAR_FIRST <= leaf <= tst.CALENDAR_LAST, (path, leaf)


@pytest.mark.parametrize("cls", PUBLIC_MODELS, ids=lambda c: c.__name__)
@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_builds_and_from_type_work_for_every_public_model(cls: type[Any], data: Any) -> None:
    helped = {**BUILDS_NEEDS, **BUILDS_HELPED}.get(cls, {})
    built = data.draw(st.builds(cls, **helped), label="builds")
    drawn = data.draw(st.from_type(cls), label="from_type")
    for value in (built, drawn):
        assert isinstance(value, cls)
        _assert_documented_syntax(value)


@pytest.mark.parametrize("cls", sorted(BUILDS_NEEDS, key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_the_documented_exceptions_do_need_their_fields(cls: type[Any]) -> None:
    """If inference alone ever works for these, drop them from BUILDS_NEEDS and the docs."""

    @settings(max_examples=50, database=None)
    @given(st.builds(cls))
    def draw(value: object) -> None:
        pass

    with pytest.raises(tc.InvalidData):
        draw()


@settings(max_examples=25)
@given(st.builds(tc.Programme, title=st.just("Svetsare")), st.builds(tc.Period))
def test_one_field_given_the_rest_inferred(programme: tc.Programme, period: tc.Period) -> None:
    assert programme.title == "Svetsare"
    assert 1 <= programme.weeks <= 520
    assert ID.fullmatch(programme.provider_id)
    assert period.end is None and tst.CALENDAR_FIRST <= period.start <= tst.CALENDAR_LAST


@settings(max_examples=25)
@given(st.builds(tc.Organisation), st.builds(tc.UnitRef), st.builds(tc.InterestRegistration))
def test_builds_picks_kinds_that_need_no_other_field(
    org: tc.Organisation, ref: tc.UnitRef, ir: tc.InterestRegistration
) -> None:
    assert org.kind not in (tc.OrganisationKind.EDUCATION_PROVIDER,
                            tc.OrganisationKind.MUNICIPALITY, tc.OrganisationKind.REGION)
    assert ref.kind is not tc.UnitKind.ORIENTATION
    assert ir.kind is tc.InterestKind.PARTICIPATION


def test_from_type_draws_every_kind() -> None:
    kinds = set()

    @settings(max_examples=200, database=None)
    @given(st.from_type(tc.Organisation))
    def draw(org: tc.Organisation) -> None:
        kinds.add(org.kind)

    draw()
    assert kinds == set(tc.OrganisationKind)


@settings(max_examples=10)
@given(st.builds(tc.Programme))
def test_markers_are_their_base_type_to_serialization(programme: tc.Programme) -> None:
    assert attrs.fields(tc.Programme).id.type is ft.EntityId
    assert tc.from_data(tc.to_data(programme), tc.Programme) == programme
    assert type(tc.from_data(tc.to_data(programme), tc.Programme).id) is str


@settings(max_examples=10)
@given(tst.workflow_definitions())
def test_generated_workflows_are_sound(definition: tc.WorkflowDefinition) -> None:
    from teknikcollege.workflow.definition import problems

    assert problems(definition) == []


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: tst.colleges(min_municipalities=60), "49"),
        (lambda: tst.colleges(min_municipalities=0), "1 to 49"),
        (lambda: tst.college_worlds(min_municipalities=2), "regional-collaboration"),
        (lambda: tst.college_worlds(break_criteria=["nonsense"]), "choose from"),
        (lambda: tst.college_worlds(on=date(2199, 12, 1)), "is after"),
        (lambda: tst.dates(min_value=date(2030, 1, 1), max_value=date(2020, 1, 1)), "is after"),
        (lambda: tst.dates(min_value=date(1800, 1, 1)), "1900-01-01"),
        (lambda: tst.periods(min_start=date(2030, 1, 1), max_start=date(2020, 1, 1)), "after"),
        (lambda: tst.periods(open_ended="yes"), "choose from"),
        (lambda: tst.org_numbers(legal_forms=()), "single digits"),
        (lambda: tst.org_numbers(legal_forms="5"), "collection"),
        (lambda: tst.municipality_codes(county="99"), "'01'"),
        (lambda: tst.programmes(min_weeks=1), "2 to 520"),
        (lambda: tst.programmes(company_ids=()), "at least one id"),
        (lambda: tst.programmes(college_id="not an id"), "not a valid id"),
        (lambda: tst.steering_groups(level="national"), "choose from"),
        (lambda: tst.organisations(kind="bank"), "choose from"),
        (lambda: tst.people(roles=["pope"]), "choose from"),
        (lambda: tst.agreements(kind="handshake"), "choose from"),
    ],
)
def test_impossible_options_fail_up_front_saying_what_is_possible(
    make: Any, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEKNIKCOLLEGE_LANG", "en")
    with pytest.raises(InvalidArgument, match=re.escape(says)):
        make()


def test_errors_are_in_swedish_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEKNIKCOLLEGE_LANG", "sv")
    with pytest.raises(InvalidArgument, match="största länet"):
        tst.colleges(min_municipalities=60)


@settings(max_examples=10)
@given(tst.colleges(min_municipalities=49))
def test_the_largest_possible_colleges(college: tc.College) -> None:
    assert len(college.municipalities) == 49


@settings(max_examples=10)
@given(tst.colleges(min_municipalities=1))
def test_small_colleges(college: tc.College) -> None:
    assert len(college.municipalities) >= 1
