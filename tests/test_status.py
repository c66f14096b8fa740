"""`status` answers from history with its proof; `verify` finds a changed byte."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "teknikcollege"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("status")
    assert run("--db", "demo.db", "demo", cwd=folder).returncode == 0
    return folder


def status(demo: Path, unit: str, day: str) -> dict[str, object]:
    done = run("--db", "demo.db", "status", unit, "--on", day, "--json", cwd=demo)
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    return found


# The demo's calendar (docs/tutorial.md): first certification 2023-02-15 for three
# years; the college renews for five years from 2026-02-15; the programmes expire.
EXPECTED = {
    # day: (college period, programmes' period)
    "2021-12-01": (None, None),  # before the first certification
    "2023-02-15": (1, 1),  # the day of the decision
    "2024-11-01": (1, 1),
    "2026-03-01": (2, None),  # renewed; the programmes expired
    "2031-06-01": (None, None),  # after every period
}


@pytest.mark.parametrize("day", sorted(EXPECTED))
def test_status_on_five_days_for_the_college_and_both_programmes(demo: Path, day: str) -> None:
    college, programmes = EXPECTED[day]
    for unit, period in (
        ("college:stockholm", college),
        ("programme:cnc-operator", programmes),
        ("programme:industriteknik-bas", programmes),
    ):
        found = status(demo, unit, day)
        assert found["certified"] is (period is not None), (unit, day)
        if period is None:
            assert found["period"] is None and found["decision"] is None
            continue
        assert found["period"]["number"] == period  # type: ignore[index]
        decision = found["decision"]
        assert decision["trigger"] == "approve" and decision["actor_id"] == "p-office"  # type: ignore[index]
        assert decision["at"][:10] <= day  # type: ignore[index]
        assert len(decision["hash"]) == 64  # type: ignore[index]


def test_the_text_answer_names_period_and_decision(demo: Path) -> None:
    done = run("--db", "demo.db", "--lang", "sv", "status", "college:stockholm",
               "--on", "2026-03-01", cwd=demo)
    assert done.returncode == 0, done.stderr
    assert "certifierad" in done.stdout and "period 2: 2026-02-15 – 2031-02-14" in done.stdout
    assert "beslut: approve av p-office 2026-01-20" in done.stdout


def test_status_of_an_unknown_unit_is_exit_3(demo: Path) -> None:
    done = run("--db", "demo.db", "status", "programme:nothing", cwd=demo)
    assert done.returncode == 3


@pytest.mark.skipif(shutil.which("sqlite3") is None,
                    reason="needs the sqlite3 shell: apt-get install sqlite3")
def test_verify_passes_then_names_the_record_one_changed_byte_broke(
    demo: Path, tmp_path: Path
) -> None:
    shutil.copy(demo / "demo.db", tmp_path / "demo.db")
    done = run("--db", "demo.db", "verify", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    chains = json.loads(done.stdout)
    assert chains and all(c["ok"] for c in chains)
    target = chains[0]["case_id"]
    # One byte of one stored record: the 'p' of the actor id becomes a 'q'.
    subprocess.run(
        ["sqlite3", str(tmp_path / "demo.db"),
         f"UPDATE history SET data = replace(data, '\"actor_id\":\"p-', '\"actor_id\":\"q-') "
         f"WHERE case_id = '{target}' AND seq = 3"],
        check=True,
    )
    done = run("--db", "demo.db", "verify", cwd=tmp_path)
    assert done.returncode == 1
    assert f"BAD {target}: record 3 does not match" in done.stdout
    assert f"history.{target}[3]" in done.stderr
    exported = run("--db", "demo.db", "export", "dump.json", cwd=tmp_path)
    assert exported.returncode == 0
    assert run("verify", "dump.json", cwd=tmp_path).returncode == 1


def test_a_record_made_unreadable_is_named_by_verify_and_is_exit_5_elsewhere(
    demo: Path, tmp_path: Path
) -> None:
    shutil.copy(demo / "demo.db", tmp_path / "demo.db")
    chains = json.loads(run("--db", "demo.db", "verify", "--json", cwd=tmp_path).stdout)
    target = max(chains, key=lambda c: c["length"])["case_id"]
    # One byte: the record's first quote becomes an apostrophe, and it is no longer JSON.
    with _changing(tmp_path / "demo.db") as db:
        changed = db.execute(
            "UPDATE history SET data = '{''' || substr(data, 3) WHERE case_id = ? AND seq = 3",
            (target,),
        ).rowcount
    assert changed == 1
    done = run("--db", "demo.db", "verify", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert f"BAD {target}: record 3 does not match" in done.stdout
    assert "Traceback" not in done.stderr
    for args in (["history", target], ["status", "college:stockholm", "--on", "2024-01-01"],
                 ["export", "dump.json"]):
        done = run("--db", "demo.db", *args, cwd=tmp_path)
        assert done.returncode == 5, (args, done.stderr)
        assert f"{target}#3" in done.stderr and "verify" in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr


@contextmanager
def _copied(demo: Path, tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a copy of the demo's database, committed and closed after."""
    shutil.copy(demo / "demo.db", tmp_path / "demo.db")
    with _changing(tmp_path / "demo.db") as db:
        yield db


@contextmanager
def _changing(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to `path`, committed and closed after (a connection's own `with`
    only commits, and Python 3.13 warns of one left open)."""
    with closing(sqlite3.connect(path)) as db, db:
        yield db


def _longest_chain(db: sqlite3.Connection) -> tuple[str, int]:
    """The case with the longest history, and its last record's number."""
    found: tuple[str, int] = db.execute(
        "SELECT case_id, max(seq) FROM history GROUP BY case_id ORDER BY 2 DESC, 1"
    ).fetchone()
    return found


def test_a_chain_cut_short_is_found_in_the_store_and_in_its_export(
    demo: Path, tmp_path: Path
) -> None:
    with _copied(demo, tmp_path) as db:
        target, last = _longest_chain(db)
        # The last record goes: every record left still matches its hash.
        db.execute("DELETE FROM history WHERE case_id = ? AND seq = ?", (target, last))
    for args in (["--db", "demo.db", "verify"], ["verify", "dump.json"]):
        if args[0] == "verify":
            assert run("--db", "demo.db", "export", "dump.json", cwd=tmp_path).returncode == 0
        done = run(*args, cwd=tmp_path)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert f"BAD {target}: the chain ends at record {last - 1}, but the case" in done.stdout
        assert f"history.{target}[{last}]: the case is not where its chain ends" in done.stderr
        assert sum(line.startswith("BAD") for line in done.stdout.splitlines()) == 1
    # A case with no record at all is named too.
    with _changing(tmp_path / "demo.db") as db:
        db.execute("DELETE FROM history WHERE case_id = ?", (target,))
    done = run("--db", "demo.db", "--json", "verify", cwd=tmp_path)
    assert done.returncode == 1
    found = {c["case_id"]: c for c in json.loads(done.stdout)}
    assert found[target] == {"case_id": target, "length": 0, "head": "", "first_bad": 1,
                             "missing": True, "ok": False}


@pytest.mark.parametrize("day", ["2026-03-01", "2031-06-01"])
def test_not_certified_after_expiry_names_the_last_period_and_what_ended_it(
    demo: Path, day: str
) -> None:
    found = status(demo, "programme:cnc-operator", day)
    assert found["certified"] is False and found["period"] is None
    assert found["last_period"]["number"] == 1  # type: ignore[index]
    assert found["last_period"]["valid_until"] == "2026-02-14"  # type: ignore[index]
    ended = found["ended_by"]
    assert ended["trigger"] == "expire" and ended["actor_id"] == "system"  # type: ignore[index]
    assert "2026-02-15" <= ended["at"][:10] <= day  # type: ignore[index]
    text = run("--db", "demo.db", "--lang", "sv", "status", "programme:cnc-operator",
               "--on", day, cwd=demo).stdout
    assert "senaste period 1: 2023-02-15 – 2026-02-14" in text
    assert "avslutat: expire av system" in text


def test_never_certified_has_no_last_period_and_certified_shows_none(demo: Path) -> None:
    before = status(demo, "college:stockholm", "2021-12-01")
    assert before["last_period"] is None and before["ended_by"] is None
    during = status(demo, "college:stockholm", "2026-03-01")
    assert during["certified"] is True
    assert during["last_period"] is None and during["ended_by"] is None


@pytest.mark.parametrize("text", ["42", "null", "[1]", "{bad", ""])
def test_a_history_record_that_is_not_a_json_object_is_named(
    demo: Path, tmp_path: Path, text: str
) -> None:
    with _copied(demo, tmp_path) as db:
        target, last = _longest_chain(db)
        db.execute("UPDATE history SET data = ? WHERE case_id = ? AND seq = ?",
                   (text, target, last))
    done = run("--db", "demo.db", "verify", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert f"BAD {target}: record {last} does not match" in done.stdout
    # The head is what a step reads first: named with its number there too, and so is
    # the record in the export, which reads every case's history as one stream.
    for args in (["history", target], ["export", "dump.json"]):
        shown = run("--db", "demo.db", *args, cwd=tmp_path)
        assert shown.returncode == 5 and f"{target}#{last}" in shown.stderr, (args, shown.stderr)


def test_an_unreadable_case_is_reported_and_the_other_chains_still_checked(
    demo: Path, tmp_path: Path
) -> None:
    shutil.copy(demo / "demo.db", tmp_path / "demo.db")
    with _changing(tmp_path / "demo.db") as db:
        (target,) = db.execute("SELECT id FROM entities WHERE kind = 'case' ORDER BY id").fetchone()
        db.execute("UPDATE entities SET data = '[1, 2]' WHERE kind = 'case' AND id = ?",
                   (target,))
    done = run("--db", "demo.db", "--json", "verify", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    chains = {c["case_id"]: c for c in json.loads(done.stdout)}
    assert chains[target]["missing"] is True and not chains[target]["ok"]
    assert len(chains) > 1 and all(c["ok"] for k, c in chains.items() if k != target)
    shown = run("--db", "demo.db", "show", target, cwd=tmp_path)
    assert shown.returncode == 5 and "verify" in shown.stderr, shown.stderr


def test_damage_outside_the_history_is_exit_5_not_a_failed_criterion(
    demo: Path, tmp_path: Path
) -> None:
    shutil.copy(demo / "demo.db", tmp_path / "demo.db")
    with _changing(tmp_path / "demo.db") as db:
        db.execute("UPDATE entities SET data = '{bad' WHERE kind = 'programme' "
                   "AND id = 'cnc-operator'")
    done = run("--db", "demo.db", "assess", "college:stockholm", cwd=tmp_path)
    assert done.returncode == 5, (done.stdout, done.stderr)
    assert "'cnc-operator'" in done.stderr and "backup" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("document", [
    {"cases": None, "history": []}, {"cases": 5}, {"history": None}, {"history": "x"},
])
def test_verify_file_refuses_a_document_of_the_wrong_shape(
    tmp_path: Path, document: dict[str, object]
) -> None:
    (tmp_path / "d.json").write_text(json.dumps(document))
    done = run("verify", "d.json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "expected a list, got" in done.stderr and "Traceback" not in done.stderr
