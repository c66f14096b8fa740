"""The fire path builds stored forms directly, without the converter: they must stay what
the converter makes (the data, the JSON text, the hash)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege._json import compact
from teknikcollege.kinds import kind_for
from teknikcollege.rules.findings import Finding, Status
from teknikcollege.serialization import to_data
from teknikcollege.storage import MemoryStorage, SQLiteStorage
from teknikcollege.storage.sql import dump
from teknikcollege.unit_of_work import ObjectCache, _case_data, record_hash, unit_of_work

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
names = st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True)
findings = st.builds(
    Finding,
    names,
    st.sampled_from(Status),
    st.builds(tc.Text, texts, texts),
    st.builds(tc.Text, texts, texts),
    st.dictionaries(names, st.one_of(st.integers(), texts, st.none()), max_size=3),
)
units = st.sampled_from(tc.UnitKind).flatmap(
    lambda kind: st.builds(
        tc.UnitRef,
        st.just(kind),
        names,
        names if kind is tc.UnitKind.ORIENTATION else st.one_of(st.none(), names),
    )
)
records = st.fixed_dictionaries(
    {
        "trigger": names,
        "source": names,
        "dest": names,
        "actor_id": st.from_regex(r"p-[a-z]{1,8}", fullmatch=True),
        "actor_roles": st.frozensets(st.sampled_from(tc.Role)),
        "at": st.integers(0, 10**9).map(
            lambda s: (
                datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=1))) + timedelta(seconds=s)
            )
        ),
        "note": texts,
        "params": st.dictionaries(names, texts, max_size=3),
        "findings": st.lists(findings, max_size=2).map(tuple),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(records, min_size=1, max_size=3))
def test_history_stores_what_the_converter_makes_of_the_record(
    tmp_path_factory: object, steps: list[dict[str, object]]
) -> None:
    folder: Path = tmp_path_factory.mktemp("forms")  # type: ignore[attr-defined]
    for storage in (MemoryStorage(), SQLiteStorage(f"sqlite:///{folder / 'forms.db'}")):
        with unit_of_work(storage, ObjectCache()) as uow:
            # A later step is never dated on an earlier day: keep them in order.
            made = [
                uow.history.add("c-1", **{**step, "at": steps[0]["at"]})  # type: ignore[arg-type]
                for step in steps
            ]
            stored = uow.history.raw("c-1")
        prev = ""
        for record, data in zip(made, stored, strict=True):
            assert dict(data) == to_data(record)
            assert record.prev_hash == prev and record.hash == record_hash(data)
            assert dump(data) == compact(to_data(record))
            prev = record.hash
        if isinstance(storage, SQLiteStorage):
            texts_stored = [
                row[0]
                for row in storage._db.execute(
                    "SELECT data FROM history WHERE case_id = 'c-1' ORDER BY seq"
                )
            ]
            assert texts_stored == [
                json.dumps(to_data(r), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                for r in made
            ]
        storage.close()


def test_compact_is_json_dumps_sorted_and_compact() -> None:
    data = {"b": [1.5, None, True, 'å"\\\n\u2028'], "a": {"z": {}, "y": []}, "c": float("nan")}
    assert compact(data) == json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


@given(
    st.builds(
        tc.Case,
        names,
        names,
        units,
        names,
        names,
        st.just(datetime(2024, 1, 1, tzinfo=timezone.utc)),
    )
)
def test_a_case_s_index_keys_are_its_indexed_fields(case: tc.Case) -> None:
    kind = kind_for(tc.Case)
    assert kind.keys(case) == kind.field_keys(case)
    assert str(case.subject) == f"{case.subject.kind.value}:{case.subject.id}"


@given(
    st.builds(
        tc.Case,
        names,
        names,
        units,
        names,
        names,
        st.datetimes(timezones=st.just(timezone.utc)),
        st.dictionaries(names, st.dates()),
        st.lists(
            st.builds(
                tc.Certification,
                st.builds(tc.UnitRef, st.just(tc.UnitKind.COLLEGE), names),
                st.just(date(2024, 1, 1)),
                st.dates(min_value=date(2024, 1, 1), max_value=date(2199, 12, 31)),
            ),
            max_size=2,
        ),
        st.lists(names, max_size=3),
    )
)
def test_a_case_is_written_as_the_converter_makes_it(case: tc.Case) -> None:
    assert _case_data(case) == to_data(case)
    assert compact(_case_data(case)) == compact(to_data(case))


def _walked(registry: tc.Registry) -> str:
    """The Stockholm pilot with a few cases moved, written by ``write_document``."""
    from teknikcollege.examples import stockholm_pilot
    from teknikcollege.testing import seed
    from teknikcollege.testing.concurrency import ADMIN

    bundle = stockholm_pilot()
    seed(registry, *bundle.entities())
    for i, programme in enumerate(bundle.programmes[:3]):
        case = registry.open_case(
            "certification",
            tc.UnitRef(tc.UnitKind.PROGRAMME, programme.id),
            actor=ADMIN,
            case_id=f"case-{i}",
        )
        registry.fire(case.id, "withdraw", actor=ADMIN, note="x")
    out = io.StringIO()
    registry.write_document(out)
    return out.getvalue()


def test_the_streamed_export_is_the_document_on_every_backend(
    tc_registry: tc.Registry, tc_sqlite_registry: tc.Registry
) -> None:
    memory, sqlite = _walked(tc_registry), _walked(tc_sqlite_registry)
    assert memory == sqlite  # the same text: stored text is the text the memory store makes
    assert json.loads(sqlite) == tc_sqlite_registry.export_document()
    assert json.loads(memory) == tc_registry.export_document()


class _Boom(Exception):
    pass


def _two_processes(tmp_path: Path) -> tuple[tc.Registry, tc.Registry, str]:
    """Two registries on one SQLite file, each with its own cache (two processes), and a
    ping case of the Stockholm college."""
    from teknikcollege.examples import stockholm_pilot
    from teknikcollege.testing import seed
    from teknikcollege.testing.concurrency import ADMIN, open_registry

    url = f"sqlite:///{tmp_path / 'shared.db'}"
    a, b = open_registry(url), open_registry(url)
    seed(a, *stockholm_pilot().entities())
    a.add(
        tc.Organisation(
            "p1",
            "P1",
            tc.OrganisationKind.EDUCATION_PROVIDER,
            provider_kind=tc.ProviderKind.COORDINATOR,
        ),
        actor=ADMIN,
    )
    case = a.open_case(
        "ping", tc.UnitRef(tc.UnitKind.PROVIDER, "p1"), actor=ADMIN, college_id="stockholm"
    )
    return a, b, case.id


def test_a_write_rolled_back_never_answers_for_the_version_another_process_writes(
    tmp_path: Path,
) -> None:
    from teknikcollege.testing.concurrency import ADMIN

    a, b, _case = _two_processes(tmp_path)
    mine = tc.Organisation("o1", "Mine", tc.OrganisationKind.COMPANY)
    with pytest.raises(_Boom), a.batch() as batch:
        batch.add(mine, actor=ADMIN)
        raise _Boom
    b.add(tc.Organisation("o1", "Theirs", tc.OrganisationKind.COMPANY), actor=ADMIN)
    assert a.get(tc.Organisation, "o1").name == "Theirs"
    a.close()
    b.close()


def test_roles_judged_from_a_write_rolled_back_are_not_kept(tmp_path: Path) -> None:
    from teknikcollege.testing.concurrency import ADMIN

    a, b, case_id = _two_processes(tmp_path)
    boss = tc.Actor.of("p-boss", tc.Role.ADMIN)
    with pytest.raises(_Boom), a.batch() as batch:
        batch.add(tc.Person("p-boss", "Boss", frozenset({tc.Role.ADMIN})), actor=ADMIN)
        batch.fire(case_id, "to_b", actor=boss)  # judged from the uncommitted record
        raise _Boom
    b.add(tc.Person("p-boss", "Boss"), actor=ADMIN)  # the same version, no role
    with pytest.raises(tc.PermissionDenied):
        a.fire(case_id, "to_b", actor=boss)
    a.close()
    b.close()
