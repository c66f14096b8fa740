"""Issue 18, "input that gets in": every model and every import refuses bad input with
``InvalidData`` naming the field, instead of storing it or crashing later.

Each test failed on commit f5624f6 (the new APIs it names did not exist, or the input was
accepted or raised another error there).
"""

from __future__ import annotations

import json
import typing
from datetime import date, datetime, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege import clock
from teknikcollege.examples import stockholm_pilot
from teknikcollege.serialization import Bundle, export_document, import_document
from teknikcollege.testing import strategies as tst
from teknikcollege.workflow.case import Case, TransitionRecord

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes

T0 = date(2024, 1, 1)
UTC = timezone.utc


def paths(error: tc.InvalidData) -> set[str]:
    return {p for p, _ in error.errors}


def refused(make: Any) -> tc.InvalidData:
    with pytest.raises(tc.InvalidData) as info:
        make()
    return info.value


# 1. Constructors check types and value sets --------------------------------------------


def test_a_person_without_a_name_string_is_invalid_data_not_attribute_error() -> None:
    assert paths(refused(lambda: tc.Person("p", None))) == {"name"}  # type: ignore[arg-type]


def test_funding_amount_as_text_is_invalid_data() -> None:
    error = refused(lambda: tc.Funding("f", "100", tc.Period(T0)))  # type: ignore[arg-type]
    assert [(p, t.en) for p, t in error.errors] == [
        ("amount_sek", "expected an integer, got a string")
    ]


def test_an_unknown_role_is_refused_at_construction() -> None:
    error = refused(lambda: tc.Person("p", "P", frozenset({"godmode"})))  # type: ignore[arg-type]
    assert paths(error) == {"roles[0]"}
    assert "godmode" in error.message("en") and "godmode" in error.message("sv")


def test_every_type_problem_of_one_object_is_reported_at_once() -> None:
    error = refused(lambda: tc.Person(None, 3, frozenset({"x"}), email=5))  # type: ignore[arg-type]
    assert paths(error) == {"id", "name", "roles[0]", "email"}


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda: tc.Period(datetime(2024, 1, 1, tzinfo=UTC)), "start"),
        (lambda: tc.Programme("p", "P", "upper_secondary", 40, "x", "y"), "form"),
        (lambda: tc.Funding("f", True, tc.Period(T0)), "amount_sek"),
        (lambda: tc.Funding("f", 2**60, tc.Period(T0)), "amount_sek"),
        (lambda: tc.SatisfactionSurvey("s", "c", 2024, index=float("nan")), "index"),
        (lambda: tc.College("c", "C", "01", ["0126"]), "municipalities"),
        (lambda: tc.Certification("college:x", T0, T0), "unit"),
    ],
)
def test_wrong_python_types_are_named(make: Any, path: str) -> None:
    assert path in paths(refused(make))


# 2. A string where a list is expected is never split into characters -----------------


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda: tc.College("c", "C", "01", ("0126",), process_leaders="p-lad"),
         "process_leaders"),
        (lambda: tc.Agreement("a", tc.AgreementKind.LETTER_OF_INTENT, tc.Period(T0),
                              parties="ab"), "parties"),
        (lambda: tc.Programme("p", "P", tc.ProgrammeForm.OTHER, 40, "x", "y",
                              branch_areas="industry"), "branch_areas"),
        (lambda: tc.College("c", "C", "01", "0126"), "municipalities"),
    ],
)
def test_a_string_for_a_tuple_is_refused_by_the_constructor(make: Any, path: str) -> None:
    assert paths(refused(make)) == {path}


def _collection_fields(cls: type[Any]) -> list[str]:
    hints = typing.get_type_hints(cls)
    return [
        f.name for f in attrs.fields(cls)
        if typing.get_origin(hints[f.name]) in (tuple, list, frozenset)
    ]


SEQUENCE_MODELS = [c for c in tst.MODEL_STRATEGIES if c is not Bundle and _collection_fields(c)]


@pytest.mark.parametrize("cls", SEQUENCE_MODELS, ids=lambda c: c.__name__)
@settings(max_examples=10)
@given(data=st.data())
def test_a_string_for_any_list_field_is_refused_on_import(
    cls: type[Any], data: st.DataObject
) -> None:
    document = tc.to_data(data.draw(st.from_type(cls)))
    for name in _collection_fields(cls):
        for bad in ("ab", {"a": 1}):
            changed = {**document, name: bad}
            with pytest.raises(tc.InvalidData) as info:
                tc.from_data(changed, cls)
            assert paths(info.value) == {name}, name


def test_the_issue_example_process_leaders_p_lad() -> None:
    document = export_document(stockholm_pilot())
    document["colleges"][0]["process_leaders"] = "p-lad"
    document["colleges"][0]["agreements"][1]["parties"] = "ab"
    document["colleges"][0]["branch_areas"] = "industry"
    error = refused(lambda: import_document(document))
    assert paths(error) == {
        "colleges[0].process_leaders",
        "colleges[0].agreements[1].parties",
        "colleges[0].branch_areas",
    }
    assert "'p-lad' is not a list" in error.message("en")


# 3. Ids: one syntax, matched in full --------------------------------------------------

BAD_IDS = ["\ud800", "-", "lernia\n", "a\r\nb", "", "a b", "ä", "x" * 129, "_x", "a\x00"]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda bad: tc.Person(bad, "P"), "id"),
        (lambda bad: tc.College("c", "C", "01", ("0126",), process_leaders=("ok", bad)),
         "process_leaders[1]"),
        (lambda bad: tc.Agreement("a", tc.AgreementKind.LETTER_OF_INTENT, tc.Period(T0),
                                  parties=(bad, "b")), "parties[0]"),
        (lambda bad: tc.Member(bad, tc.Sector.COMPANY), "person_id"),
        (lambda bad: tc.SteeringGroup("g", "G", tc.GroupLevel.REGIONAL, chair=bad), "chair"),
        (lambda bad: tc.Programme("p", "P", tc.ProgrammeForm.OTHER, 40, "x", bad),
         "college_id"),
        (lambda bad: tc.ReviewVisit("v", "c", T0, (bad,)), "reviewer_ids[0]"),
        (lambda bad: tc.Judgement("j", "r", "s", bad, T0, tc.Outcome.PASSED, "e"),
         "reviewer_id"),
        (lambda bad: tc.UnitRef(tc.UnitKind.ORIENTATION, "o", bad), "parent"),
    ],
)
def test_ids_and_id_references_follow_one_syntax(make: Any, path: str, bad: str) -> None:
    assert path in paths(refused(lambda: make(bad)))


def test_good_ids_are_accepted() -> None:
    for good in ("lernia", "p-leader", "case-3f2a", "a.b:c@d_e", "0126", "x" * 128):
        assert tc.Person(good, "P").id == good


# 4. Names and free text ---------------------------------------------------------------

INVISIBLE_NAMES = ["\u200b", "\ufeff", " \u200b\u2060 ", "\u3164", "\u00a0", "\u0301", ""]


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_of_invisible_characters_is_empty(name: str) -> None:
    error = refused(lambda: tc.Person("p", name))
    assert [(p, t.en) for p, t in error.errors] == [("name", "must not be empty")]


@pytest.mark.parametrize("name", ["a\nb", "a\rb", "a\x00", "a\ud800", "a\x1b[2J", "a\u2028b",
                                  "a\x85b", "a\tb"])
def test_a_name_is_one_line_without_control_characters(name: str) -> None:
    assert paths(refused(lambda: tc.Organisation("o", name, tc.OrganisationKind.OTHER))) == {
        "name"
    }


def test_free_text_keeps_line_breaks_and_tabs_but_no_other_control_character() -> None:
    note = "rad ett\n\trad två\n"
    registration = tc.InterestRegistration(
        "i", tc.InterestKind.PARTICIPATION, "c", "p", T0, note=note
    )
    assert registration.note == note
    for bad in ("a\x00b", "a\rb", "a\ud800", "a\x7f", "a\x1bb"):
        error = refused(lambda bad=bad: tc.Postponement("u", "c", T0, date(2024, 2, 1), bad))
        assert paths(error) == {"reason"}


def test_messages_name_the_forbidden_character_without_echoing_it() -> None:
    error = refused(lambda: tc.Person("p", "Anna\r\nBcc: x@evil.example"))
    assert "U+000D" in error.message("en")
    assert "\r" not in error.message("en") and "\n" not in error.message("sv")


CONTROL = st.sampled_from(
    [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\n\t"]
    + ["\ud800", "\udbff", "\udc00", "\udfff"]
)


@settings(max_examples=300)
@given(before=st.text(max_size=20), bad=CONTROL, after=st.text(max_size=20))
def test_every_text_kind_refuses_control_characters_nul_and_lone_surrogates(
    before: str, bad: str, after: str
) -> None:
    from teknikcollege.models import syntax

    text = before + bad + after
    for rule in (syntax.ID, syntax.NAME, syntax.FREE_TEXT, syntax.EMAIL, syntax.SLUG):
        with pytest.raises(tc.InvalidData):
            rule.check(text, "f")
    for make in (
        lambda: tc.Person("p", text),
        lambda: tc.Person(text, "P"),
        lambda: tc.Person("p", "P", email=text),
        lambda: tc.InterestRegistration("i", tc.InterestKind.PARTICIPATION, "c", "p", T0,
                                        note=text),
        lambda: tc.Supplement("s", "c", T0, text),
    ):
        refused(make)


@settings(max_examples=100)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=50))
def test_line_breaks_aside_free_text_accepts_what_a_name_accepts(text: str) -> None:
    from teknikcollege.models import syntax

    if not list(syntax.text_problems(syntax.NAME, text)):
        syntax.FREE_TEXT.check(text)


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_backends_agree_nul_and_surrogates_never_reach_storage(
    backend: str, tmp_path: Any
) -> None:
    url = "memory:" if backend == "memory" else f"sqlite:///{tmp_path / 'tc.db'}"
    registry = tc.Registry.open(url)
    try:
        for bad in ("a\x00b", "a\ud800b"):
            document = export_document(Bundle(people=(tc.Person("p", "P"),)))
            document["people"][0]["name"] = bad
            with pytest.raises(tc.InvalidData) as info:
                registry.import_document(document, actor=ADMIN)
            assert paths(info.value) == {"people[0].name"}
            assert registry.find(tc.Person) == []
    finally:
        registry.close()


# 5. E-mail addresses ------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "x@example.org\n",
        "x@example.org\r\nBcc: y@evil.example",
        "victim<attacker@evil.example>",
        "Victim <victim@example.org>",
        "a@evil.example,b.c",
        "a@evil.example, b@example.org",
        " x@example.org",
        "x@example.org ",
        "x(comment)@example.org",
        '"a b"@example.org',
        "åsa@exempel.se",
        "a@b",
        "a@[127.0.0.1]",
        "@example.org",
        "a@",
        "a@-x.se",
        "x" * 65 + "@example.org",
    ],
)
def test_only_a_bare_address_is_an_e_mail_address(email: str) -> None:
    assert paths(refused(lambda: tc.Person("p", "P", email=email))) == {"email"}


@pytest.mark.parametrize(
    "email", ["anna@example.org", "a.b+c@ex-ample.se", "x_y@sub.example.co.uk",
              "a@xn--rksmrgs-5wao1o.se"]
)
def test_plain_addresses_are_accepted(email: str) -> None:
    assert tc.Person("p", "P", email=email).email == email


# 6. Dates: one range, one strict format -----------------------------------------------


@pytest.mark.parametrize("text", ["20270201", "2027-W05-1", "2027-02-01T00:00", " 2027-02-01",
                                  "2027-02-01\n", "2027-2-1", "2027-02-30", "9999-12-31",
                                  "0001-01-01", "1899-12-31", "2200-01-01", "２０２７-02-01",
                                  ""])
def test_parse_day_reads_only_yyyy_mm_dd_inside_the_range(text: str) -> None:
    error = refused(lambda: clock.parse_day(text, "params.new_due"))
    assert paths(error) == {"params.new_due"}


def test_parse_day_reads_the_first_and_last_day() -> None:
    assert clock.parse_day("1900-01-01") == clock.EARLIEST == date(1900, 1, 1)
    assert clock.parse_day("2199-12-31") == clock.LATEST == date(2199, 12, 31)
    assert clock.parse_day("2027-02-01") == date(2027, 2, 1)


def test_check_day_and_add_months_refuse_leaving_the_range() -> None:
    assert clock.check_day(date(2024, 2, 29)) == date(2024, 2, 29)
    assert paths(refused(lambda: clock.check_day(date(9999, 12, 31), "d"))) == {"d"}
    assert paths(refused(lambda: clock.add_months(date(2199, 12, 31), 1, path="d"))) == {"d"}
    assert paths(refused(lambda: clock.add_months(date(1900, 1, 1), -1))) == {""}
    refused(lambda: clock.add_months(date(9999, 12, 31), 60))
    refused(lambda: clock.add_months(date(1, 1, 1), -1))
    assert clock.add_months(date(2194, 12, 31), 60) == date(2199, 12, 31)


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1), date(2200, 1, 1)])
def test_constructors_refuse_dates_outside_the_range(day: date) -> None:
    assert paths(refused(lambda: tc.Period(day))) == {"start"}
    assert paths(refused(lambda: tc.Postponement("u", "c", T0, day))) >= {"new_due"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("end", "9999-12-31"), ("start", "0001-01-01"), ("start", "1899-12-31"),
     ("end", "2027-W05-1"), ("end", "20270201")],
)
def test_imported_dates_outside_the_range_or_format_are_invalid_data(
    field: str, value: str
) -> None:
    document = export_document(stockholm_pilot())
    document["colleges"][0]["agreements"][0]["period"][field] = value
    assert paths(refused(lambda: import_document(document))) == {
        f"colleges[0].agreements[0].period.{field}"
    }


# 7. import_document: duplicates, deep nesting, escaped keys ---------------------------


def test_duplicate_ids_in_one_document_name_both_paths() -> None:
    document = export_document(stockholm_pilot())
    document["people"].append(dict(document["people"][0], name="Someone else"))
    last = len(document["people"]) - 1
    error = refused(lambda: import_document(document))
    assert paths(error) == {f"people[{last}]"}
    assert "people[0]" in error.message("en") and "people[0]" in error.message("sv")


def test_the_same_id_in_two_kinds_is_not_a_duplicate() -> None:
    bundle = Bundle(organisations=(tc.Organisation("x", "X", tc.OrganisationKind.OTHER),),
                    people=(tc.Person("x", "X"),))
    assert import_document(export_document(bundle)) == bundle


def test_duplicate_history_records_are_refused() -> None:
    record = TransitionRecord("case-1", 1, "open", "", "interest", "p", frozenset(),
                              datetime(2024, 1, 1, tzinfo=UTC))
    document = export_document(Bundle(history=(record, record)))
    assert paths(refused(lambda: import_document(document))) == {"history[1]"}


def test_deeply_nested_json_is_invalid_data() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    document = export_document(stockholm_pilot())
    document["programmes"][0]["form"] = deep
    assert paths(refused(lambda: import_document(document))) == {"programmes[0].form"}
    refused(lambda: tc.loads("[" * 100_000 + "]" * 100_000))
    refused(lambda: tc.loads('{"schema": "teknikcollege/1", "people": ' + "[" * 50_000))


def test_unknown_field_names_are_escaped_into_one_line() -> None:
    document = export_document(stockholm_pilot())
    document["people"][0]["x\r\nInjected: yes"] = 1
    error = refused(lambda: import_document(document))
    for lang in ("sv", "en"):
        assert "\n" not in error.message(lang) and "\r" not in error.message(lang)  # type: ignore[arg-type]
    assert "'x\\r\\nInjected: yes'" in error.message("en")


def test_a_mapping_key_in_an_error_path_is_escaped() -> None:
    document = export_document(Bundle(cases=(_case(),)))
    document["cases"][0]["deadlines"] = {"due\n": "9999-12-31"}
    error = refused(lambda: import_document(document))
    assert all("\n" not in p for p in paths(error))


# 8. Cases and history go through the same rules ---------------------------------------


def _case() -> Case:
    return Case("case-1", "certification", tc.UnitRef(tc.UnitKind.PROVIDER, "lernia"),
                "stockholm", "interest", datetime(2024, 1, 1, tzinfo=UTC),
                {"application_due": date(2024, 3, 1)})


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "2199-12-32"])
def test_an_imported_case_deadline_outside_the_range_is_invalid_data(value: str) -> None:
    document = export_document(Bundle(cases=(_case(),)))
    document["cases"][0]["deadlines"]["application_due"] = value
    error = refused(lambda: import_document(document))
    assert paths(error) == {"cases[0].deadlines['application_due']"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", "case-1\r\n"), ("college_id", "-"), ("workflow", "a\nb"), ("state", "x\x00"),
     ("opened", "9999-12-31T00:00:00+00:00"), ("opened", "2024-01-01T00:00:00"),
     ("reminders_sent", "ab"), ("deadlines", "ab")],
)
def test_imported_cases_follow_the_model_rules(field: str, value: object) -> None:
    document = export_document(Bundle(cases=(_case(),)))
    document["cases"][0][field] = value
    assert paths(refused(lambda: import_document(document))) == {f"cases[0].{field}"}


@pytest.mark.parametrize(
    ("field", "value"),
    [("actor_id", "p\nrefused: actor=admin"), ("case_id", "\ud800"), ("note", "a\x00"),
     ("note", "line\rforged"), ("trigger", "a\nb"), ("at", "0001-01-01T00:00:00+00:00"),
     ("params", {"new_due": "a\x00"})],
)
def test_imported_history_follows_the_model_rules(field: str, value: object) -> None:
    record = TransitionRecord("case-1", 1, "open", "", "interest", "p", frozenset(),
                              datetime(2024, 1, 1, tzinfo=UTC), note="ok\nsecond line")
    document = export_document(Bundle(history=(record,)))
    assert import_document(document).history == (record,)
    document["history"][0][field] = value
    found = paths(refused(lambda: import_document(document)))
    assert found and all(p.startswith(f"history[0].{field}") for p in found)


# Valid data still round-trips (with the strategies' models; see also test_serialization)


@settings(max_examples=20)
@given(tst.bundles())
def test_valid_bundles_round_trip_through_json(bundle: Bundle) -> None:
    assert tc.loads(json.dumps(export_document(bundle))) == bundle
