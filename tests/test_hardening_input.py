"""Issue 18, "input that gets in" and "what leaks", through the Registry and the command
line on every backend where it applies (memory and SQLite here; PostgreSQL in
``plugins/teknikcollege-postgres/tests/test_postgres_hardening.py``, which runs these
same scenarios).

Each test failed on commit f5624f6, where the input named was accepted (or crashed with
another exception) and the text named stayed or was printed.
"""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from test_hardening_faults import storage_for, supplements_case

import teknikcollege as tc
from teknikcollege import hookimpl
from teknikcollege.cli import build_cli
from teknikcollege.examples import stockholm_pilot
from teknikcollege.plugins import make_plugin_manager
from teknikcollege.serialization import Bundle, export_document
from teknikcollege.storage.memory import MemoryStorage
from teknikcollege.testing import seed

ADMIN = tc.Actor.of("admin", tc.Role.ADMIN)
LEADER = tc.Actor.of("p-leader", tc.Role.PROCESS_LEADER)
OFFICE = tc.Actor.of("p-office", tc.Role.NATIONAL_OFFICE)
COLLEGE = tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm")
SECRET = "hunter2"


def paths(error: tc.InvalidData) -> set[str]:
    return {p for p, _ in error.errors}


def open_url(url: str, *plugins: object, clock: tc.Clock | None = None) -> tc.Registry:
    pm = make_plugin_manager(plugins=plugins, entry_points=False)
    storage = MemoryStorage() if url == "memory:" else storage_for(url)
    return tc.Registry(storage, clock=clock, config={}, plugin_manager=pm)


@pytest.fixture(params=["memory", "sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'tc.db'}"


@pytest.fixture
def registry(url: str, tc_clock: tc.FixedClock) -> Iterator[tc.Registry]:
    with open_url(url, clock=tc_clock) as reg:
        seed(reg, *stockholm_pilot().entities())
        yield reg




# -- dates: fire params and imported deadlines -----------------------------------------------


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "20270201", "2027-W05-1",
                                   "2200-01-01", "2024-06-01\n"])
def test_fire_params_outside_the_range_or_format_are_invalid_data(
    registry: tc.Registry, value: str
) -> None:
    case = supplements_case(registry)
    before = registry.export_document()
    with pytest.raises(tc.InvalidData) as info:
        registry.fire(case, "grant_postponement", actor=OFFICE, params={"new_due": value})
    assert paths(info.value) == {"params.new_due"}
    assert registry.export_document() == before
    record = registry.fire(case, "grant_postponement", actor=OFFICE,
                           params={"new_due": "2024-06-01"})
    assert registry.case(case).deadlines["supplements_due"] == date(2024, 6, 1)
    # Granting a postponement stores its record, in the same transaction.
    (postponement,) = registry.find(tc.Postponement, case_id=case)
    assert postponement.id == f"{case}-postponement-{record.seq}"
    assert postponement.new_due == date(2024, 6, 1)


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_an_imported_case_with_an_extreme_deadline_is_invalid_data_and_changes_nothing(
    registry: tc.Registry, url: str, value: str
) -> None:
    case = supplements_case(registry)
    document = registry.export_document()
    before = json.loads(json.dumps(document))
    document["cases"][0]["deadlines"]["supplements_due"] = value
    fresh = open_url("memory:" if url == "memory:" else url.replace("tc.db", "fresh.db"))
    empty = fresh.export_document()
    with pytest.raises(tc.InvalidData) as info:
        fresh.import_document(document, actor=ADMIN)
    assert paths(info.value) == {"cases[0].deadlines['supplements_due']"}
    assert fresh.export_document() == empty
    fresh.close()
    # The sweep over the real store still runs (f5624f6: OverflowError in next_due).
    registry.clock.set(date(2024, 7, 1))  # type: ignore[attr-defined]
    assert registry.tick().fired == ((case, "lapse"),)
    assert before["cases"][0]["id"] == case


def test_an_unknown_workflow_in_an_import_is_reported_at_its_case(registry: tc.Registry
                                                                  ) -> None:
    registry.open_case("certification", COLLEGE, actor=LEADER)
    supplements_case(registry)
    document = registry.export_document()
    document["cases"][1]["workflow"] = "vo-certification"
    before = registry.export_document()
    with pytest.raises(tc.InvalidData) as info:
        open_url("memory:").import_document(document, actor=ADMIN)
    assert paths(info.value) == {"cases[1].workflow"}
    assert "'vo-certification'" in info.value.message("en")
    assert registry.export_document() == before


# -- ids and roles -------------------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda: tc.Actor.of("x", "godmode"),
    lambda: tc.Actor("x", frozenset({"godmode"})),  # type: ignore[arg-type]
    lambda: tc.Actor("p\nrefused: actor=admin roles=admin", frozenset({tc.Role.ADMIN})),
    lambda: tc.Actor("p\r\n", frozenset()),
    lambda: tc.Actor(None, frozenset()),  # type: ignore[arg-type]
])
def test_an_actor_with_an_unknown_role_or_a_bad_id_is_invalid_data(make: Any) -> None:
    with pytest.raises(tc.InvalidData):
        make()


def test_a_godmode_person_cannot_be_imported_and_export_still_works(registry: tc.Registry
                                                                    ) -> None:
    document = export_document(Bundle(people=(tc.Person("p-new", "New"),)))
    document["people"][0]["roles"] = ["godmode"]
    with pytest.raises(tc.InvalidData) as info:
        registry.import_document(document, actor=ADMIN)
    assert paths(info.value) == {"people[0].roles[0]"}
    registry.export_document()  # f5624f6: InvalidData here, once a bad role was stored
    assert all(p.id != "p-new" for p in registry.find(tc.Person))


@pytest.mark.parametrize("case_id", ["case-1\r\n", "a\nb", "-", "\ud800", "x" * 200])
def test_case_ids_with_line_breaks_or_bad_characters_are_refused(registry: tc.Registry,
                                                                 case_id: str) -> None:
    with pytest.raises(tc.InvalidData):
        registry.open_case("certification", COLLEGE, actor=LEADER, case_id=case_id)
    assert registry.cases() == []


@pytest.mark.parametrize("unit", ["lernia\n", "a\r\nb", "\ud800", ""])
def test_a_subject_id_with_a_line_break_is_refused(unit: str) -> None:
    with pytest.raises(tc.InvalidData):
        tc.UnitRef(tc.UnitKind.PROVIDER, unit)


# -- audit log and history lines cannot be forged ------------------------------------------

FORGED = "\n2024-01-01 refused: actor=admin roles=admin action=decertify target=x"


def test_a_newline_cannot_forge_an_audit_log_line(registry: tc.Registry,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    case = registry.open_case("certification", COLLEGE, actor=LEADER).id
    with caplog.at_level(logging.DEBUG, logger="teknikcollege"):
        with pytest.raises(tc.InvalidData):
            registry.fire(case, "withdraw", actor=tc.Actor("p" + FORGED, frozenset()))
        with pytest.raises(tc.UnknownTrigger):
            registry.fire(case, "withdraw" + FORGED, actor=LEADER)
        with pytest.raises(tc.PermissionDenied):
            registry.fire(case, "approve", actor=LEADER, note="please" + FORGED)
        registry.fire(case, "withdraw", actor=LEADER, note="changed our mind" + FORGED)
        registry.deliver()
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("refused: actor=p-leader") for m in messages)
    for message in messages:
        assert "\n" not in message and "\r" not in message, message
    # The note itself is kept as given (free text may hold line breaks).
    assert registry.history(case)[-1].note.endswith(FORGED)


def test_a_newline_in_a_note_cannot_forge_a_history_line(tmp_path: Path) -> None:
    db = tmp_path / "tc.db"
    with open_url(f"sqlite:///{db}") as registry:
        seed(registry, *stockholm_pilot().entities())
        case = registry.open_case("certification", COLLEGE, actor=LEADER).id
        registry.fire(case, "withdraw", actor=LEADER,
                      note="ok\n  2 2024-01-01 approve  review → certified  (p-office)\n")
    done = cli("--db", str(db), "history", case)
    assert done.exit_code == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2  # open, withdraw: one line per record
    assert "\\n  2 2024-01-01 approve" in lines[1]


# -- the command line: --param dates ---------------------------------------------------------


def cli(*args: str) -> Result:
    environ = {"TEKNIKCOLLEGE_LANG": None, "TEKNIKCOLLEGE_STORAGE": None}
    return CliRunner().invoke(build_cli("en"), list(args), env=environ, catch_exceptions=False)


@pytest.mark.parametrize("value", ["20270201", "2027-W05-1", "9999-12-31", "0001-01-01"])
def test_param_dates_in_any_format_but_yyyy_mm_dd_are_refused_on_the_command_line(
    tmp_path: Path, value: str
) -> None:
    db = tmp_path / "tc.db"
    with open_url(f"sqlite:///{db}") as registry:
        seed(registry, *stockholm_pilot().entities())
        case = supplements_case(registry)
        due = registry.case(case).deadlines["supplements_due"].isoformat()
    done = cli("--db", str(db), "fire", case, "grant_postponement", "--actor",
               "p-office:national_office", "--param", f"new_due={value}")
    assert done.exit_code == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: ") and "params.new_due" in line
    shown = json.loads(cli("--db", str(db), "show", case, "--json").stdout)
    assert shown["deadlines"]["supplements_due"] == due


# -- what leaks: e-mail addresses in delivery errors, passwords in URLs ---------------------


class RefusingMail:
    """Fails as smtplib does when the server refuses the recipients: the error text
    holds their addresses."""

    name = "mail"

    def send(self, notification: tc.Notification, recipients: Sequence[tc.Person]) -> None:
        raise smtplib.SMTPRecipientsRefused(
            {p.email: (550, b"5.1.1 mailbox unavailable") for p in recipients if p.email})


class MailPlugin:
    @hookimpl
    def teknikcollege_notifiers(self, config: Any) -> list[Any]:
        return [RefusingMail()]


def last_errors(registry: tc.Registry) -> list[str]:
    with registry.storage.transaction(write=False) as tx:
        return [d.last_error or "" for d in tx.deliveries()]


def erase_scenario(registry: tc.Registry) -> str:
    """Delivery fails with the national office's address in the error; the office is
    erased. Returns the address."""
    address = registry.get(tc.Person, "p-office").email
    assert address
    case = registry.open_case("certification", COLLEGE, actor=LEADER).id
    registry.fire(case, "withdraw", actor=LEADER)
    registry.deliver()
    assert any(address in e for e in last_errors(registry))  # the premise
    registry.erase_person("p-office", actor=ADMIN)
    return address


def test_after_erase_person_no_delivery_error_holds_the_address(url: str,
                                                                tc_clock: tc.FixedClock
                                                                ) -> None:
    with open_url(url, MailPlugin(), clock=tc_clock) as registry:
        seed(registry, *stockholm_pilot().entities())
        address = erase_scenario(registry)
        assert all(address not in e for e in last_errors(registry))
        assert address not in json.dumps(registry.export_document())
        if url.startswith("sqlite"):  # and not in the file's rows either
            import sqlite3
            from contextlib import closing

            with closing(sqlite3.connect(url[len("sqlite:///"):])) as db:
                rows = db.execute("SELECT last_error FROM deliveries").fetchall()
            assert rows and all(address not in (r[0] or "") for r in rows)


BAD_URLS = [
    f"postgres://app:{SECRET}@127.0.0.1:1/tc",
    f"postgresql://app:{SECRET}@127.0.0.1:1/tc",
    f"sqlite://user:{SECRET}@host/x.db",
    f"sqlite://user:{SECRET}@[broken/x.db",
    f"postgresql://app:{SECRET}@[::1/tc",
    f"mysql://app:{SECRET}@host/db",
]


@pytest.mark.parametrize("bad", BAD_URLS)
def test_registry_open_never_puts_a_password_in_its_error(bad: str) -> None:
    with pytest.raises(tc.StorageUnavailable) as info:
        tc.Registry.open(bad, config={})
    for text in (str(info.value), info.value.message("sv"), info.value.message("en"),
                 repr(info.value)):
        assert SECRET not in text


@pytest.mark.parametrize("bad", BAD_URLS)
def test_the_command_line_never_prints_a_password(bad: str) -> None:
    for args in (("--db", bad, "list", "cases"), ("--json", "--db", bad, "show", "x")):
        done = cli(*args)
        assert done.exit_code == 5
        assert SECRET not in done.stdout + done.stderr
        assert len(done.stderr.splitlines()) == 1


# -- asking is not attempting ----------------------------------------------------------------


def test_available_writes_no_refused_lines_and_stores_no_refusal(
    registry: tc.Registry, caplog: pytest.LogCaptureFixture
) -> None:
    case = registry.open_case("certification", COLLEGE, actor=LEADER).id
    nobody = tc.Actor.of("p-reviewer", tc.Role.REVIEWER)
    with caplog.at_level(logging.DEBUG, logger="teknikcollege"):
        options = registry.available(case, nobody) + registry.available(case, LEADER)
    assert any(not o.permitted for o in options)  # some were not allowed ...
    assert [r.getMessage() for r in caplog.records if "refused" in r.getMessage()] == []
    assert registry.refusals() == []  # ... and nothing was attempted
    with caplog.at_level(logging.DEBUG, logger="teknikcollege"), pytest.raises(
            tc.PermissionDenied):
        registry.fire(case, "approve", actor=nobody)
    assert len([r for r in caplog.records if r.getMessage().startswith("refused:")]) == 1
    assert len(registry.refusals()) == 1


# -- backends agree on text -----------------------------------------------------------------


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b", "\udfff", "a\x1bb", "a\x85"])
def test_nul_and_surrogates_are_refused_before_storage(registry: tc.Registry, text: str
                                                       ) -> None:
    """The same answer on every backend: refused with InvalidData, nothing stored (on
    f5624f6 memory stored them, SQLite raised UnicodeEncodeError, PostgreSQL psycopg's)."""
    answers = []
    for make in (lambda: registry.add(tc.Person("p-x", text), actor=ADMIN),
                 lambda: registry.open_case("certification", COLLEGE, actor=LEADER, note=text),
                 lambda: registry.import_document({"schema": "teknikcollege/1",
                                                   "people": [{"id": "p-y", "name": text}]},
                                                   actor=ADMIN)):
        with pytest.raises(tc.InvalidData) as info:
            make()
        answers.append(sorted(paths(info.value)))
    assert answers == [["name"], ["note"], ["people[0].name"]]
    assert registry.cases() == [] and {p.id for p in registry.find(tc.Person)}.isdisjoint(
        {"p-x", "p-y"})


def test_a_second_open_case_for_one_subject_in_an_import_is_invalid_data(
    registry: tc.Registry,
) -> None:
    """Found by the import fuzz: the store's unique key raised ConcurrentUpdate."""
    from teknikcollege.unit_of_work import record_hash

    case = registry.open_case("certification", COLLEGE, actor=LEADER).id
    document = registry.export_document()
    twin = dict(document["cases"][0], id="case-twin")
    opened = dict(document["history"][0], case_id="case-twin")
    opened["hash"] = record_hash(opened)  # a well-formed record of its own
    before = registry.export_document()
    with pytest.raises(tc.InvalidData) as info:
        registry.import_document({**document, "cases": [document["cases"][0], twin],
                                  "history": [document["history"][0], opened]},
                                  actor=ADMIN)
    assert paths(info.value) == {"history[1]"} and case in info.value.message("en")
    assert registry.export_document() == before
