from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.serialization import (
    SCHEMA,
    export_document,
    import_document,
)
from teknikcollege.testing import strategies as tst

MODELS = sorted(tst.MODEL_STRATEGIES, key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
@settings(max_examples=25)
@given(data=st.data())
def test_every_model_round_trips_through_json(cls: type[Any], data: st.DataObject) -> None:
    obj = data.draw(st.from_type(cls))
    text = json.dumps(tc.to_data(obj))
    assert tc.from_data(json.loads(text), cls) == obj


def test_stockholm_example_round_trips_unchanged() -> None:
    bundle = stockholm_pilot()
    text = tc.dumps(bundle)
    assert tc.loads(text) == bundle
    assert tc.dumps(tc.loads(text)) == text
    assert json.loads(text)["schema"] == SCHEMA


def test_errors_name_the_json_path_of_every_bad_field() -> None:
    document = export_document(stockholm_pilot())
    document["colleges"][0]["municipalities"][2] = "0999"
    document["programmes"][1]["weeks"] = "forty"
    document["organisations"][0]["org_number"] = "556016-0681"
    document["people"][0]["unexpected"] = 1
    document["programmes"][0]["form"] = "apprenticeship"
    del document["programmes"][0]["title"]
    with pytest.raises(tc.InvalidData) as info:
        import_document(document)
    errors = {p: t.en for p, t in info.value.errors}
    assert errors == {
        "colleges[0].municipalities[2]": "unknown municipality code '0999'",
        "colleges[0].local_colleges[1].municipalities[0]":
            "municipality 0123 is not a member of the college",
        "organisations[0].org_number": "556016-0681: the check digit is wrong",
        "people[0]": "unknown field: 'unexpected'",
        "programmes[0].title": "required field missing",
        "programmes[0].form": "unknown value 'apprenticeship' (allowed: 'upper_secondary', "
                              "'vocational_adult', 'higher_vocational', "
                              "'labour_market_training', 'other')",
        "programmes[1].weeks": "'forty' is not an integer",
    }
    assert "colleges[0].municipalities[2]: okänd kommunkod '0999'" in info.value.message("sv")


@pytest.mark.parametrize(("value", "expected"), [
    (True, "expected an integer, got a boolean"),
    (40.5, "expected an integer, got a number"),
    (None, "expected an integer, got null"),
    ([40], "expected an integer, got a list"),
])
def test_no_silent_coercion(value: object, expected: str) -> None:
    data = tc.to_data(stockholm_pilot().programmes[0])
    data["weeks"] = value
    with pytest.raises(tc.InvalidData) as info:
        tc.from_data(data, tc.Programme)
    assert [(p, t.en) for p, t in info.value.errors] == [("weeks", expected)]


@pytest.mark.parametrize("schema", [None, "teknikcollege/0", "teknikcollege/2", 1])
def test_unknown_schema_version_is_a_clear_error(schema: object) -> None:
    document = export_document(stockholm_pilot())
    document["schema"] = schema
    with pytest.raises(tc.InvalidData, match="schema version"):
        import_document(document)


@pytest.mark.parametrize("text", ["{", "[]", "42", '"x"', "", "\xff"])
def test_broken_json_is_invalid_data(text: str) -> None:
    with pytest.raises(tc.InvalidData):
        tc.loads(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


FUZZ_EXAMPLES = 300


def test_arbitrary_json_gives_only_invalid_data() -> None:
    tried = []

    @settings(max_examples=FUZZ_EXAMPLES, database=None)
    @given(json_values)
    def fuzz(value: object) -> None:
        tried.append(value)
        with contextlib.suppress(tc.InvalidData):
            tc.from_data(value, tc.Bundle)

    fuzz()
    print(f"\nfuzzed import with {len(tried)} arbitrary JSON values")
    assert len(tried) >= FUZZ_EXAMPLES


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = export_document(draw(tst.bundles()))
    paths: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in list(items):
            paths.append((node, key))
            if isinstance(child, (dict, list)):
                walk(child)

    walk(document)
    for _ in range(draw(st.integers(1, 3))):
        parent, key = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete"]))
        if action == "delete" and isinstance(parent, dict):
            parent.pop(key, None)
        else:
            with contextlib.suppress(IndexError, KeyError):
                parent[key] = draw(json_values)
    return document


@pytest.mark.slow  # a fuzz: once per CI run, not per Python version
def test_mutated_documents_give_only_invalid_data() -> None:
    tried, refused = [], []

    @settings(max_examples=FUZZ_EXAMPLES, database=None)
    @given(mutated_documents())
    def fuzz(document: dict[str, Any]) -> None:
        tried.append(1)
        try:
            import_document(document)
        except tc.InvalidData as error:
            assert error.errors
            refused.append(1)

    fuzz()
    print(f"\nfuzzed import with {len(tried)} mutated documents, {len(refused)} refused")
    assert len(tried) >= FUZZ_EXAMPLES and refused
