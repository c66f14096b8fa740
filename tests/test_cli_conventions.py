"""The CLI's conventions (issue 17): --json anywhere and on every command, documented exit
codes, examples in every --help, shell completion; and what it prints is safe (issue 18)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege import report
from teknikcollege._redact import MASK, redact_text, redact_url
from teknikcollege.cli import build_cli, exit_code, one_line
from teknikcollege.testing import seed

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes

CLI = build_cli("en")
CLI_SV = build_cli("sv")


def invoke(*args: str, cli: Any = CLI, env: dict[str, str] | None = None) -> Result:
    # catch_exceptions=False: an exception that passes the boundary fails the test.
    environ = {"TEKNIKCOLLEGE_LANG": None, "TEKNIKCOLLEGE_STORAGE": None, **(env or {})}
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=environ)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("conventions") / "demo.db"
    assert invoke("--db", str(path), "demo").exit_code == 0
    return path


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> str:
    copy = tmp_path / "tc.db"
    shutil.copy(demo_db, copy)
    return str(copy)


def cases(db: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(invoke("--db", db, "list", "cases", "--json").stdout)
    return result


# -- --json ------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("--json", "list", "colleges"),
    ("list", "colleges", "--json"),
    ("list", "--json", "colleges"),
])
def test_json_is_accepted_before_or_after_the_command(db: str, args: tuple[str, ...]) -> None:
    done = invoke("--db", db, *args)
    assert done.exit_code == 0, done.stderr
    assert [c["id"] for c in json.loads(done.stdout)] == ["stockholm"]


def test_db_and_lang_are_accepted_after_the_command_too(db: str) -> None:
    done = invoke("assess", "college:stockholm", "--lang", "sv", "--db", db)
    assert done.exit_code == 0 and "kriterier uppfyllda" in done.stdout


def test_every_command_honours_json(db: str, tmp_path: Path) -> None:
    case = next(c["id"] for c in cases(db) if c["state"] == "certified")
    outputs = {
        "init": invoke("--db", str(tmp_path / "new.db"), "init", "--json"),
        "diagram": invoke("diagram", "college-lifecycle", "--json"),
        "report": invoke("--db", db, "report", "stockholm", "--json"),
        "show": invoke("--db", db, "show", case, "--json"),
        "history": invoke("--db", db, "history", case, "--json"),
        "assess": invoke("--db", db, "assess", "college:stockholm", "--json"),
        "fire": invoke("--db", db, "fire", case, "decertify", "--actor",
                       "p-office:national_office", "--note", "a reason", "--json"),
        "tick": invoke("--db", db, "tick", "--json"),
        "deliver": invoke("--db", db, "deliver", "--json"),
        "dead": invoke("--db", db, "deliver", "--dead", "--json"),
        "import": invoke("--db", str(tmp_path / "empty.db"), "import", "-", "--json"),
        "plugins": invoke("plugins", "--json"),
    }
    for name, done in outputs.items():
        if name == "import":
            continue
        assert done.exit_code == 0, (name, done.stderr)
        json.loads(done.stdout)  # one JSON document each
    assert json.loads(outputs["init"].stdout) == {"url": f"sqlite:///{tmp_path / 'new.db'}"}
    assert json.loads(outputs["diagram"].stdout)["diagram"].startswith("stateDiagram-v2")
    assert json.loads(outputs["assess"].stdout)["passed"] is True


def test_streaming_commands_print_one_object_per_line(tmp_path: Path) -> None:
    done = invoke("--db", str(tmp_path / "d.db"), "demo", "--json")
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) > 10 and all(isinstance(line, dict) for line in lines)
    assert {"day", "step", "detail"} <= set(lines[0])
    assert lines[-1]["state"] == "ordinary_operation"


@pytest.mark.parametrize(("args", "code", "name"), [
    (("show", "nope"), 3, "NotFound"),
    (("list", "planets"), 2, "UsageError"),
    (("fire", "nope", "x", "--actor", "nobody:"), 2, "UsageError"),
    (("diagram", "nosuch"), 3, "UnknownName"),
    (("--db", "/nowhere/x.db", "list", "cases"), 5, "StorageUnavailable"),
])
def test_errors_with_json_are_one_json_object_on_stderr(
    db: str, args: tuple[str, ...], code: int, name: str
) -> None:
    done = invoke("--db", db, *args, "--json")
    assert done.exit_code == code
    assert done.stdout == ""
    error = json.loads(done.stderr)
    assert error["error"] == name and error["code"] == code
    assert set(error) == {"error", "code", "message"} and "\n" not in error["message"]


# -- exit codes --------------------------------------------------------------------------


def test_diagram_of_an_unknown_workflow_is_code_3_naming_the_known_ones() -> None:
    done = invoke("diagram", "nosuch")
    assert done.exit_code == 3
    assert done.stderr.startswith("error: unknown workflow 'nosuch' (known: certification, ")
    sv = invoke("--lang", "sv", "diagram", "nosuch", cli=CLI_SV)
    assert sv.stderr.startswith("fel: okänt arbetsflöde 'nosuch' (finns: certification, ")


def test_assess_exits_6_when_a_criterion_does_not_pass(tmp_path: Path) -> None:
    path = tmp_path / "pilot.db"
    with tc.Registry.open(f"sqlite:///{path}") as registry:
        seed(registry, *tc.examples.stockholm_pilot().entities())
    done = invoke("--db", str(path), "assess", "college:stockholm")
    assert done.exit_code == 6
    assert "criteria passed" in done.stdout and done.stderr == ""
    as_json = invoke("--db", str(path), "assess", "college:stockholm", "--json")
    assert as_json.exit_code == 6 and json.loads(as_json.stdout)["passed"] is False


@pytest.mark.parametrize(("subject", "code", "message"), [
    ("provider:nosuch", 3, "error: education provider 'nosuch' does not exist"),
    ("provider:region-stockholm", 1,
     "error: organisation 'region-stockholm' is not an education provider (it is region)"),
    ("programme:nosuch", 3, "does not exist"),
    ("orientation:x/industriteknik-bas", 3, "programme 'industriteknik-bas' has no orientation"),
    ("orientation:x", 2, "an orientation must name its programme"),
])
def test_assess_resolves_each_kind_of_unit(db: str, subject: str, code: int, message: str
                                           ) -> None:
    done = invoke("--db", db, "assess", subject)
    assert done.exit_code == code, done.stderr
    assert message in done.stderr
    assert "programme 'nosuch'" not in done.stderr or subject.startswith("programme")


def test_assess_of_a_provider_is_within_a_college(db: str) -> None:
    # Lernia's cases are Stockholm's: it is assessed there, by the provider's criteria.
    for extra in ((), ("--college", "stockholm")):
        done = invoke("--db", db, "assess", "provider:lernia", *extra)
        assert done.exit_code == 6, done.stderr  # its quality work awaits a judgement
        assert "[provider-quality-work] — needs judgement" in done.stdout
    # A provider with no case yet: which college's judgements count is not guessed.
    added = invoke("--db", db, "--actor", "admin", "organisation", "add", "nti", "--name",
                   "NTI", "--kind", "education_provider", "--provider-kind", "private_operator")
    assert added.exit_code == 0, added.stderr
    done = invoke("--db", db, "assess", "provider:nti")
    assert done.exit_code == 2
    assert "provider:nti has no case in any college: give --college" in done.stderr


def test_exit_code_of_an_unanticipated_exception_is_70() -> None:
    assert exit_code(ZeroDivisionError()) == 70
    assert exit_code(tc.NotFound("case", "x")) == 3
    assert exit_code(PermissionError()) == 4


# -- help and completion -----------------------------------------------------------------


OWN_COMMANDS = ["assess", "deliver", "demo", "diagram", "export", "fire", "history", "import",
                "init", "list", "plugins", "report", "show", "tick"]


@pytest.mark.parametrize("name", [None, *OWN_COMMANDS])
def test_every_help_has_an_example_in_both_languages(name: str | None) -> None:
    args = [name] if name else []
    en = invoke(*args, "--help")
    assert en.exit_code == 0 and f"Examples:\n    $ teknikcollege {name or ''}" in en.stdout
    assert en.stdout.startswith(f"Usage: teknikcollege {name or ''}")
    sv = invoke(*args, "--help", cli=CLI_SV)
    assert sv.exit_code == 0 and f"Exempel:\n    $ teknikcollege {name or ''}" in sv.stdout


def complete(db: str, line: str) -> list[str]:
    words = line.split(" ")
    env = {"_TEKNIKCOLLEGE_COMPLETE": "bash_complete", "COMP_WORDS": line,
           "COMP_CWORD": str(len(words) - 1), "TEKNIKCOLLEGE_STORAGE": db}
    done = CliRunner().invoke(CLI, [], env=env, prog_name="teknikcollege",
                              catch_exceptions=False)
    assert done.exit_code == 0 and done.stderr == ""
    return [row.split(",", 1)[1] for row in done.stdout.splitlines() if row]


def test_completion_of_case_ids_triggers_workflows_and_subjects(db: str) -> None:
    certified = next(c["id"] for c in cases(db) if c["state"] == "certified")
    assert certified in complete(db, "teknikcollege show ")
    assert complete(db, f"teknikcollege show {certified}") == [certified]
    assert complete(db, f"teknikcollege fire {certified} ") == [
        "decertify", "expire", "open_recertification"]
    assert "submit_application" in complete(db, "teknikcollege fire no-such-case s")
    assert complete(db, "teknikcollege diagram c") == ["certification", "college-lifecycle"]
    assert complete(db, "teknikcollege assess pro") == ["provider:", "programme:"]
    assert complete(db, "teknikcollege assess college:") == ["college:stockholm"]
    assert complete(db, "teknikcollege report ") == ["stockholm"]


def test_completion_never_raises_nor_creates_a_database(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.db")
    assert complete(missing, "teknikcollege show ") == []
    assert not (tmp_path / "missing.db").exists()
    (tmp_path / "junk.db").write_text("not a database")
    assert complete(str(tmp_path / "junk.db"), "teknikcollege fire x ") != []  # all triggers
    assert complete("mysql://u:p@h/d", "teknikcollege show ") == []


# -- what is printed is safe -------------------------------------------------------------

password = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1).filter(
    lambda p: not any(c.isspace() for c in p))
user = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
host = st.from_regex(r"[a-z][a-z0-9.-]{0,15}(:[0-9]{1,5})?", fullmatch=True)
path = st.from_regex(r"(/[a-z0-9_.-]{0,10}){0,3}(\?[a-z=&]{0,10})?", fullmatch=True)
scheme = st.sampled_from(["postgres", "postgresql", "postgresql+psycopg", "sqlite", "mysql"])


@given(scheme, user, password, host, path)
def test_redact_url_removes_any_password(
    scheme: str, user: str, password: str, host: str, path: str
) -> None:
    url = f"{scheme}://{user}:{password}@{host}{path}"
    assert redact_url(url) == f"{scheme}://{user}:{MASK}@{host}{path}"
    # After the scheme's "://" (a password "/" is in that, not in what is printed of it).
    assert password not in redact_text(f"cannot open {url!r}", url).replace(MASK, "")[
        len("cannot open '") + len(scheme) + len("://"):] or password in f"{user}@{host}{path}"


@given(st.text())
def test_redact_url_never_raises_and_changes_nothing_without_a_password(text: str) -> None:
    safe = redact_url(text)
    if "@" not in text:
        assert safe == text


@given(st.text())
def test_one_line_is_one_line(text: str) -> None:
    assert len(one_line(text).splitlines()) <= 1


NASTY = "Evil\n```\n</pre><img src=x onerror=alert(1)>\u2028# Heading\r\n|x|"


@given(st.text())
def test_markdown_helpers_keep_any_name_inside_its_place(name: str) -> None:
    for escaped in (report._label(name), report._md(name)):
        assert len(escaped.splitlines()) <= 1
        assert "<" not in escaped and "`" not in escaped.replace("\\`", "")


def test_the_markdown_report_escapes_names(db: str) -> None:
    with tc.Registry.open(f"sqlite:///{db}") as registry:
        college = registry.get(tc.College, "stockholm")
        try:
            registry.save(tc.replace(college, name=NASTY) if hasattr(tc, "replace") else
                          __import__("attrs").evolve(college, name=NASTY),
                          expected_version=registry.version(tc.College, "stockholm"),
                          actor=ADMIN)
        except tc.InvalidData:
            pytest.skip("the model refuses such names already")
        text = report.markdown(registry, "stockholm")
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    fences = [line for line in text.splitlines() if line.startswith("```")]
    assert fences == ["```mermaid", "```"]
    assert text.splitlines()[0].startswith("# Evil")
    gantt = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert all(line.startswith(("gantt", "    ")) for line in gantt.splitlines())
