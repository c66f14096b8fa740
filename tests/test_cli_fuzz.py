"""A CLI fuzz (issue 18): arguments drawn from the real commands and options plus garbage,
random files to import, random environment values. Whatever comes in, the exit comes from
the CLI's boundary with a documented code and a clean last line, never a traceback
(unless ``--debug`` asked for one), and never a password."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from teknikcollege.cli import build_cli

CLI = build_cli("en")
CODES = {0, 1, 2, 3, 4, 5, 6, 70}
SECRET = "hunter2"

COMMANDS = sorted(CLI.commands)
OPTIONS = ["--db", "--lang", "--json", "--debug", "--fresh", "--format", "--now", "--actor",
           "--note", "--param", "--retry-dead", "--dead", "--help", "--version", "--"]
VALUES = [
    "sv", "en", "de", "colleges", "programmes", "cases", "college:stockholm",
    "provider:lernia", "provider:region-stockholm", "programme:cnc-operator", "orientation:a/b",
    "orientation:", "planet:earth", "certification", "college-lifecycle", "decertify",
    "open_recertification", "submit_application", "fly", "p-office:national_office",
    "p-leader:process_leader", "x:wizard", "nobody", "new_due=2027-02-01",
    "new_due=9999-12-31", "new_due=0001-01-01", "new_due=2027-W05-1", "new_due", "=",
    "2040-01-01", "9999-12-31", "0001-01-01", "stockholm", "mermaid", "dot", "html",
    "markdown", "in.json", "out.json", "tc.db", "notes.txt", "missing.db", "memory:", "-",
    "CASE", "sqlite:///tc.db", "sqlite://u:" + SECRET + "@[x", "mysql://a:" + SECRET + "@h/d",
    "postgres://app:" + SECRET + "@127.0.0.1:1/tc", "line\nbreak", "caf\udce9", "\x00",
]


def _harmless(text: str) -> bool:
    # Garbage that could name a file outside the example's folder, or make the PostgreSQL
    # driver look up a host name, is left out: the fuzz runs as root on the CI machine.
    return not (
        text.startswith(("/", "~", "postgres", "file:"))
        or ".." in text
        or "sqlite:////" in text
    )


garbage = st.text(max_size=12).filter(_harmless)
token = st.one_of(
    st.sampled_from(COMMANDS), st.sampled_from(OPTIONS), st.sampled_from(VALUES), garbage
)


def slot(*values: str) -> st.SearchStrategy[str]:
    """Mostly one of `values`, sometimes anything."""
    return st.one_of(st.sampled_from(values), st.sampled_from(values), st.sampled_from(values),
                     token)


def option(name: str, *values: str) -> st.SearchStrategy[list[str]]:
    return st.one_of(st.just([]), slot(*values).map(lambda v: [name, v]))


def flag(name: str) -> st.SearchStrategy[list[str]]:
    return st.sampled_from([[], [name]])


def command(name: str, *parts: st.SearchStrategy[Any]) -> st.SearchStrategy[list[str]]:
    def flat(items: tuple[Any, ...]) -> list[str]:
        out = [name]
        for item in items:
            out += item if isinstance(item, list) else [item]
        return out

    return st.tuples(*parts).map(flat)


CASE = slot("CASE", "no-such-case")
ACTOR = option("--actor", "admin", "p-leader", "p-office", "ghost")
# Each command with arguments of the right shape, so that most examples get past the
# parser into the command and the library.
shaped = st.one_of(
    command("show", CASE),
    command("history", CASE),
    command("fire", CASE, slot("decertify", "open_recertification", "postpone", "fly"),
            option("--actor", "p-office:national_office", "p-leader:process_leader",
                   "x:wizard", "p-office:national_office,reviewer"),
            option("--note", "ok", "line\nbreak", "caf\udce9", "\x00", "\u202e"),
            option("--param", "new_due=2027-02-01", "new_due=9999-12-31", "new_due=0001-01-01",
                   "new_due=2027-W05-1", "new_due=20270201", "new_due", "=x")),
    command("assess", slot("college:stockholm", "programme:cnc-operator", "provider:lernia",
                           "provider:region-stockholm", "orientation:a/cnc-operator",
                           "orientation:x", "college:", "provider:", ":")),
    command("list", slot("colleges", "programmes", "cases")),
    command("tick", option("--now", "2040-01-01", "9999-12-31", "0001-01-01", "2027-02-30")),
    command("import", slot("in.json", "-", "missing.json", "tc.db", "notes.txt", ".")),
    command("export", slot("out.json", "-", "notes.txt", "tc.db", "no/such/dir.json", ".")),
    command("diagram", slot("certification", "college-lifecycle", "nosuch"),
            option("--format", "mermaid", "dot", "svg", "png")),
    command("report", slot("stockholm", "nosuch"), option("--format", "markdown", "html")),
    command("init"),
    command("demo", flag("--fresh")),
    command("deliver", flag("--dead"), flag("--retry-dead")),
    command("plugins"),
    # The people, bodies and figures (issue 16): ids, dates, counts and lists.
    command("council", slot("add"), slot("stockholm", "nosuch"), slot("c1", "x\ny", ""),
            option("--name", "Råd", "\x00", "\u202e", ""),
            option("--kind", "branch_council", "wizards"),
            option("--local", "sodertorn", "nowhere"),
            option("--programme", "cnc-operator", "a,b", "nosuch"), ACTOR),
    command("council", slot("member"), slot("stockholm"), slot("kompetensrad-industri", "x"),
            slot("p-leader", "ghost"), option("--sector", "company", "wizards"),
            option("--organisation", "scania", "ghost"), ACTOR),
    command("college", slot("membership"), slot("stockholm", "nosuch"),
            slot("rts", "scania", "ghost"),
            option("--from", "2030-01-01", "0001-01-01", "9999-12-31", "2030-02-30"),
            option("--until", "2029-01-01", "2031-01-01"), option("--end", "2040-01-01", "x"),
            option("--interest", "interest-2022", "ghost"), ACTOR),
    command("programme", slot("figures"), slot("cnc-operator", "nosuch"),
            option("--year", "2025", "1989", "-1", "99999999999999999999"),
            option("--places", "24", "-1", "1e3", "99999999999999999999"),
            option("--intake", "4:20", "4", "-1:2", "٤:2", "4:2:1:1", "99999999999999999:1"),
            option("--completed", "40:40", "1:1"), flag("--replace"), ACTOR),
    command("record", slot("interest-outcome"), slot("interest-2022", "ghost"),
            option("--outcome", "approved", "maybe"), option("--date", "2019-01-01", "x"),
            ACTOR),
    command("status", slot("provider:lernia", "college:stockholm", "provider:ghost"),
            option("--college", "stockholm", "nosuch"), option("--on", "2023-01-01", "x")),
)
globals_ = st.lists(
    st.one_of(option("--db", "tc.db", "notes.txt", "missing.db", "memory:", ".", "",
                     "sqlite://u:" + SECRET + "@[x", "mysql://a:" + SECRET + "@h/d",
                     "postgres://app:" + SECRET + "@127.0.0.1:1/tc"),
              option("--lang", "sv", "en", "de"), flag("--json"), flag("--debug")),
    max_size=3,
).map(lambda parts: [a for part in parts for a in part])
arguments = st.one_of(
    st.lists(token, max_size=8),
    st.tuples(globals_, shaped, globals_, st.lists(token, max_size=1)).map(
        lambda t: [*t[0], *t[1], *t[2], *t[3]]
    ),
    st.tuples(globals_, shaped, globals_).map(lambda t: [*t[0], *t[1], *t[2]]),
    st.tuples(globals_, shaped, globals_).map(lambda t: [*t[0], *t[1], *t[2]]),
)
env_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
).filter(_harmless)
environment = st.fixed_dictionaries(
    {},
    optional={
        "TEKNIKCOLLEGE_LANG": st.one_of(st.sampled_from(["sv", "en", "SV", ""]), env_text),
        "TEKNIKCOLLEGE_STORAGE": st.one_of(
            st.sampled_from(["tc.db", "memory:", "missing.db", "notes.txt",
                             "postgres://app:" + SECRET + "@127.0.0.1:1/tc"]),
            env_text,
        ),
    },
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("fuzz")
    runner = CliRunner()
    db = str(folder / "tc.db")
    assert runner.invoke(CLI, ["--db", db, "demo"], catch_exceptions=False).exit_code == 0
    listing = runner.invoke(CLI, ["--db", db, "--json", "list", "cases"], catch_exceptions=False)
    exported = runner.invoke(CLI, ["--db", db, "export"], catch_exceptions=False)
    return {
        "db": folder / "tc.db",
        "case": json.loads(listing.stdout)[0]["id"],
        "export": json.loads(exported.stdout),
    }


@contextmanager
def _inside(template: dict[str, Any]) -> Iterator[Path]:
    here = Path.cwd()
    folder = Path(tempfile.mkdtemp(prefix="tc-fuzz-"))
    try:
        shutil.copy(template["db"], folder / "tc.db")
        shutil.copy(template["db"], folder / "teknikcollege.db")  # the default
        (folder / "notes.txt").write_text("not a database\n")
        os.chdir(folder)
        yield folder
    finally:
        os.chdir(here)
        shutil.rmtree(folder, ignore_errors=True)


def _document(data: st.DataObject, template: dict[str, Any]) -> bytes:
    kind = data.draw(st.sampled_from(["bytes", "json", "export"]), label="file kind")
    if kind == "bytes":
        return data.draw(st.binary(max_size=64), label="file")
    if kind == "json":
        return json.dumps(data.draw(json_value, label="file")).encode()
    document = json.loads(json.dumps(template["export"]))
    section = data.draw(st.sampled_from(sorted(k for k, v in document.items()
                                               if isinstance(v, list) and v)), label="section")
    item = data.draw(st.integers(0, len(document[section]) - 1), label="item")
    if isinstance(document[section][item], dict) and document[section][item]:
        key = data.draw(st.sampled_from(sorted(document[section][item])), label="key")
        document[section][item][key] = data.draw(json_value, label="value")
    return json.dumps(document).encode()


# database=None: the drawn shape follows the demo store, so an example saved from an
# older store would not replay. A fuzz: once per CI run, not per Python version.
@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
@given(arguments, environment, st.data())
def test_no_input_gives_a_traceback(
    template: dict[str, Any], args: list[str], env: dict[str, str], data: st.DataObject
) -> None:
    args = [template["case"] if a == "CASE" else a for a in args]
    with _inside(template) as folder:
        (folder / "in.json").write_bytes(_document(data, template))
        environ: dict[str, str | None] = {
            "TEKNIKCOLLEGE_LANG": None, "TEKNIKCOLLEGE_STORAGE": None, **env}
        # catch_exceptions=False: anything that passes the boundary fails the test.
        result = CliRunner().invoke(CLI, args, env=environ, catch_exceptions=False)
    code = result.exit_code
    assert code in CODES, (args, env, result.stderr)
    both = result.stdout + result.stderr
    assert SECRET not in both, (args, env)
    if "--debug" not in args:
        assert "Traceback" not in both, (args, env, result.stderr)
    if code not in (0, 6) and not result.stderr.startswith(("Usage:", "Användning:")):
        last = result.stderr.rstrip("\n").rsplit("\n", 1)[-1]
        if last.startswith("{"):
            assert set(json.loads(last)) == {"error", "code", "message"}
        else:
            assert last.startswith(("error: ", "fel: ")), (args, env, result.stderr)


