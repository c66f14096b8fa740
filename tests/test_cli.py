"""The command line, through the real console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "teknikcollege"


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TEKNIKCOLLEGE_")}
    environ.update(env or {})
    return subprocess.run([str(SCRIPT), *args], cwd=cwd, capture_output=True, text=True,
                          env=environ, timeout=120, check=False)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    done = run("demo", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert "Done: the college is in ordinary_operation" in done.stdout
    return folder


def test_demo_runs_to_ordinary_operation_on_the_default_sqlite_file(demo_dir: Path) -> None:
    assert (demo_dir / "teknikcollege.db").exists()
    done = run("list", "cases", cwd=demo_dir)
    assert "college-lifecycle" in done.stdout and "ordinary_operation" in done.stdout


def test_demo_a_second_time_works(demo_dir: Path) -> None:
    again = run("demo", cwd=demo_dir)
    assert again.returncode == 0
    assert "already in sqlite:///teknikcollege.db" in again.stdout
    assert "ordinary_operation" in again.stdout


def test_demo_fresh_in_swedish_with_json(tmp_path: Path) -> None:
    done = run("--lang", "sv", "--json", "--db", "x.db", "demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[-1] == {"state": "ordinary_operation", "url": "sqlite:///x.db", "existing": False}
    assert lines[0]["step"].startswith("Region Stockholm startar piloten")
    fresh = run("--db", "x.db", "demo", "--fresh", cwd=tmp_path)
    assert fresh.returncode == 0 and "Done:" in fresh.stdout


def test_python_dash_m_works(demo_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "teknikcollege", "--help"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "demo" in done.stdout


def test_assess_history_show_report_export(demo_dir: Path) -> None:
    sv = run("--lang", "sv", "assess", "college:stockholm", cwd=demo_dir)
    assert sv.returncode == 0 and "kriterier uppfyllda" in sv.stdout
    listing = json.loads(run("--json", "list", "cases", cwd=demo_dir).stdout)
    life = next(c["id"] for c in listing if c["workflow"] == "college-lifecycle")
    history = run("history", life, cwd=demo_dir)
    assert "enter_ordinary_operation" in history.stdout
    assert life in run("show", life, cwd=demo_dir).stdout
    report = run("report", "stockholm", cwd=demo_dir)
    assert "```mermaid\ngantt" in report.stdout and "| Criterion |" in report.stdout
    html = run("report", "stockholm", "--format", "html", cwd=demo_dir)
    assert html.stdout.startswith("<!DOCTYPE html>")
    exported = run("export", cwd=demo_dir)
    assert json.loads(exported.stdout)["schema"] == "teknikcollege/1"


def test_fire_tick_deliver_diagram_plugins(demo_dir: Path) -> None:
    listing = json.loads(run("--json", "list", "cases", cwd=demo_dir).stdout)
    college_case = next(c["id"] for c in listing if c["workflow"] == "certification"
                        and c["subject"]["kind"] == "college")
    done = run("fire", college_case, "decertify", "--actor", "p-office:national_office",
               "--note", "test", cwd=demo_dir)
    assert done.returncode == 0, done.stderr
    assert "certified → decertified" in done.stdout
    future = run("tick", "--now", "2099-01-01", cwd=demo_dir)
    assert future.returncode == 4, future.stderr  # later than the registry's clock: refused
    assert "later than the registry's clock" in future.stderr
    assert run("tick", cwd=demo_dir).returncode == 0
    delivered = run("deliver", cwd=demo_dir)
    assert "delivered" in delivered.stdout
    assert run("deliver", "--dead", cwd=demo_dir).returncode == 0
    diagram = run("diagram", "certification", cwd=demo_dir)
    assert diagram.stdout.startswith("stateDiagram-v2")
    assert "digraph" in run("diagram", "college-lifecycle", "--format", "dot", cwd=demo_dir).stdout
    assert "teknikcollege.criteria" in run("plugins", cwd=demo_dir).stdout


@pytest.mark.parametrize(("args", "code", "message"), [
    (("show", "no-such-case"), 3, "error: case 'no-such-case' does not exist"),
    (("fire", "no-such-case", "approve", "--actor", "x:admin"), 3, "does not exist"),
    (("assess", "college:nowhere"), 3, "college 'nowhere' does not exist"),
    (("fire", "CASE", "fly", "--actor", "p-office:national_office"), 1, "has no trigger 'fly'"),
    (("fire", "CASE", "decertify", "--actor", "p-leader:process_leader"), 4, "may not fire"),
    (("fire", "CASE", "x", "--actor", "nobody:"), 2, "PERSON:ROLE"),
    (("fire", "CASE", "x", "--actor", "p:wizard"), 2, "wizard"),
    (("assess", "planet:earth"), 2, "KIND:ID"),
    (("--db", "missing.db", "list", "colleges"), 5, "no database at missing.db"),
    (("--db", "mongodb://x/y", "list", "colleges"), 5, "unknown storage URL"),
    (("diagram", "nope"), 3, "unknown workflow 'nope' (known: certification, college-lifecycle"),
])
def test_bad_input_gives_one_line_and_an_exit_code(
    demo_dir: Path, args: tuple[str, ...], code: int, message: str,
) -> None:
    listing = json.loads(run("--json", "list", "cases", cwd=demo_dir).stdout)
    life = next(c["id"] for c in listing if c["workflow"] == "college-lifecycle")
    done = run(*(life if a == "CASE" else a for a in args), cwd=demo_dir)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    if code != 2:
        assert len(done.stderr.strip().splitlines()) == 1
        assert "Traceback" not in done.stderr


def test_broken_json_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    done = run("import", "broken.json", "--actor", "admin", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error: not valid JSON")
    (tmp_path / "bad.json").write_text(json.dumps({"schema": "teknikcollege/1", "colleges": [
        {"id": "c", "name": "C", "county_code": "01", "municipalities": ["0999"]}]}))
    done = run("--lang", "sv", "import", "bad.json", "--actor", "admin", cwd=tmp_path)
    assert done.stderr.strip() == (
        "fel: colleges[0].municipalities[0]: okänd kommunkod '0999'")


def test_debug_shows_the_traceback(demo_dir: Path) -> None:
    done = run("--debug", "show", "nope", cwd=demo_dir)
    assert done.returncode == 3 and "Traceback" in done.stderr


def test_import_then_export_round_trip(demo_dir: Path, tmp_path: Path) -> None:
    exported = run("export", "dump.json", cwd=demo_dir)
    assert exported.returncode == 0
    done = run("--db", str(tmp_path / "copy.db"), "import", str(demo_dir / "dump.json"),
               "--actor", "admin", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    again = run("--db", str(tmp_path / "copy.db"), "export", cwd=tmp_path)
    assert json.loads(again.stdout) == json.loads((demo_dir / "dump.json").read_text())


def test_refusals_are_listed_who_what_when_why(tmp_path: Path) -> None:
    assert run("demo", cwd=tmp_path).returncode == 0
    cases = json.loads(run("--json", "list", "cases", cwd=tmp_path).stdout)
    case = next(c["id"] for c in cases if c["workflow"] == "certification")
    refused = run("--actor", "nobody", "fire", case, "withdraw", cwd=tmp_path)
    assert refused.returncode != 0
    assert run("tick", "--now", "2999-01-01", cwd=tmp_path).returncode != 0
    listed = run("--json", "refusals", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    found = json.loads(listed.stdout)
    assert [(r["number"], r["actor_id"], r["action"]) for r in found] == [
        (1, "nobody", "withdraw"),
        (2, "system", "tick"),
    ]
    assert found[0]["target"] == case and found[0]["reason"]["sv"]
    page = run("--lang", "sv", "refusals", "--after", "1", "--limit", "1", cwd=tmp_path)
    assert page.returncode == 0 and page.stdout.startswith("   2 ")
    assert "senare än registrets klocka" in page.stdout
    assert run("refusals", "--limit", "0", cwd=tmp_path).returncode == 2
