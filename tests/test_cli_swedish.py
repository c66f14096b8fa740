"""Click's own words (usage, help headings, its errors) in Swedish under ``--lang sv``,
and in click's English otherwise (``teknikcollege._click_text``)."""

from __future__ import annotations

import gettext
import importlib.util
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from messages_tool import tool

from teknikcollege import _click_text
from teknikcollege._click_text import language
from teknikcollege.cli import build_cli

CLI_EN = build_cli("en")
CLI_SV = build_cli("sv")


def invoke(cli: Any, *args: str) -> Result:
    environ = {"TEKNIKCOLLEGE_LANG": None, "TEKNIKCOLLEGE_STORAGE": None}
    return CliRunner().invoke(
        cli, list(args), catch_exceptions=False, env=environ, prog_name="teknikcollege"
    )


def run(lang: str, *args: str) -> Result:
    return invoke(CLI_SV if lang == "sv" else CLI_EN, "--lang", lang, *args)


# -- what counts as click's English ------------------------------------------------------


def _ids(catalog: Any) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def _phrases() -> dict[str, re.Pattern[str]]:
    """The fixed words of each click message a Swedish run must not show, as patterns:
    the text between placeholders, where it is long enough to mean something and the
    Swedish differs ("text" is Swedish too)."""
    phrases = {}
    for message in tool.read("click"):
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else message.string
        for msgid, msgstr in zip(ids, strings, strict=True):
            for part in re.split(r"\{[^{}]*\}|%\(\w+\)s|'[^']*'", msgid):
                part = part.strip(" .:;,?!()\n\t")
                if len(part) >= 5 and part not in msgstr:
                    phrases[part] = re.compile(rf"(?<!\w){re.escape(part)}(?!\w)")
    return phrases


PHRASES = _phrases()


def english_in(text: str) -> list[str]:
    """The phrases of click's English messages in `text`."""
    return sorted(p for p, pattern in PHRASES.items() if pattern.search(text))


def test_the_phrases_are_found() -> None:
    found = english_in("Error: Invalid value for '--x': 'y' is not one of 'a', 'b'.")
    assert {"Error", "Invalid value for", "is not one of"} <= set(found)
    found = english_in("Usage: x [OPTIONS]\n\nOptions:\n  --help  Show this message and exit.")
    assert {"Usage", "[OPTIONS]", "Options", "Show this message and exit"} <= set(found)
    assert english_in("Användning: x [FLAGGOR]\nArgumentet 'a' tar 2 värden.") == []


# -- errors --------------------------------------------------------------------------------

ERRORS = {
    "not one of": (("list", "foo"), "är inte något av"),
    "date format": (("tick", "--now", "x"), "har inte formatet"),
    "integer": (
        ("college", "funding", "x", "--funder", "y", "--amount", "abc", "--from", "2024-01-01"),
        "'abc' är inte ett giltigt heltal",
    ),
    "missing option": (("college", "funding", "x", "--funder", "y"), "Ange flaggan '--amount'"),
    "missing argument with choices": (("list",), "Ange argumentet '{cases|"),
    "missing argument": (("status",), "Ange argumentet 'UNIT'"),
    "no such command": (("lsit",), "Kommandot 'lsit' finns inte. (Menade du någon av:"),
    "no such option": (("list", "--jsno", "cases"), "Flaggan '--jsno' finns inte. Menade du"),
    "extra arguments": (("list", "cases", "a", "b"), "Oväntade extra argument (a b)"),
    "requires a value": (("list", "cases", "--db"), "Flaggan '--db' kräver ett värde"),
    "no value taken": (("list", "cases", "--json=yes"), "Flaggan '--json' tar inget värde"),
    "is a file": (("site", __file__), f"Katalog {__file__!r} är en fil"),
}


@pytest.mark.parametrize(("args", "swedish"), ERRORS.values(), ids=ERRORS.keys())
def test_click_errors_are_swedish_under_lang_sv(args: tuple[str, ...], swedish: str) -> None:
    done = run("sv", *args)
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith("fel: ")
    assert swedish in done.stderr
    assert english_in(done.stderr) == []
    as_json = json.loads(run("sv", "--json", *args).stderr)
    assert swedish in as_json["message"]
    assert english_in(as_json["message"]) == []


@pytest.mark.parametrize("args", [a for a, _sv in ERRORS.values()], ids=ERRORS.keys())
def test_click_errors_stay_english_without_it(args: tuple[str, ...]) -> None:
    done = run("en", *args)
    assert done.exit_code == 2
    assert done.stderr.startswith("error: ")
    assert english_in(done.stderr)  # so the Swedish test above could fail


def test_the_environment_chooses_swedish_too() -> None:
    done = CliRunner().invoke(CLI_SV, ["list", "foo"], env={"TEKNIKCOLLEGE_LANG": "sv"})
    assert "'foo' är inte något av" in done.stderr
    assert english_in(done.stderr) == []


# -- help pages ----------------------------------------------------------------------------


def _command_paths(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _command_paths(sub, (*path, name))


COMMANDS = list(_command_paths(CLI_SV))


def test_every_command_is_checked_plug_ins_included() -> None:
    assert ("status",) in COMMANDS and ("college", "funding") in COMMANDS
    assert len(COMMANDS) > 30
    if importlib.util.find_spec("teknikcollege_stockholm") is not None:
        assert ("stockholm-example",) in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=[" ".join(p) or "-" for p in COMMANDS])
def test_every_help_page_is_in_swedish(path: tuple[str, ...]) -> None:
    done = run("sv", *path, "--help")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("Användning: teknikcollege")
    assert "Visa den här hjälpen och avsluta." in done.stdout
    assert english_in(done.stdout) == []


def test_help_decorations_are_swedish() -> None:
    page = run("sv", "college", "funding", "--help").stdout
    assert "[FLAGGOR]" in page and "Flaggor:" in page
    assert re.search(r"--amount HELTAL +Hela kronor\.  \[obligatorisk\]", page)
    top = run("sv", "--help").stdout
    assert "KOMMANDO [ARGUMENT]..." in top and "Kommandon:" in top
    assert "Visa versionen och avsluta." in top


def test_a_group_without_its_command_shows_swedish_help() -> None:
    done = run("sv", "case")
    assert "Användning: teknikcollege case [FLAGGOR] KOMMANDO" in done.output
    assert english_in(done.output) == []


def test_help_stays_english_without_swedish() -> None:
    page = run("en", "college", "funding", "--help").stdout
    assert "Usage: teknikcollege college funding [OPTIONS]" in page
    assert "--amount INTEGER" in page and "[required]" in page
    assert "Show this message and exit." in page


def test_version() -> None:
    assert re.fullmatch(r"teknikcollege version \S+\n", run("sv", "--version").stdout)
    assert re.fullmatch(r"teknikcollege, version \S+\n", run("en", "--version").stdout)


def test_help_texts_follow_the_build_and_headings_the_run() -> None:
    # As the CLI's own help texts: --help's line is made with the command, so a
    # Swedish run of an English build (first, here) does not leave it Swedish.
    cli = build_cli("en")
    mixed = invoke(cli, "--lang", "sv", "status", "--help").stdout
    assert "Användning:" in mixed and "Show this message and exit." in mixed
    assert "Show this message and exit." in invoke(cli, "status", "--help").stdout


# -- the mechanism -------------------------------------------------------------------------


def test_click_speaks_swedish_only_inside_a_swedish_block() -> None:
    with language("sv"):
        assert click.formatting._("Usage:") == "Användning:"
        assert (
            click.parser.ngettext(
                "Option {name!r} requires an argument.",
                "Option {name!r} requires {nargs} arguments.",
                2,
            )
            == "Flaggan {name!r} kräver {nargs} värden."
        )
        with language("en"):
            assert click.formatting._("Usage:") == "Usage:"
        assert click.core._("a message click does not have") == "a message click does not have"
    assert click.formatting._("Usage:") == "Usage:"


def test_the_language_is_per_thread() -> None:
    seen = []
    with language("sv"):
        thread = threading.Thread(target=lambda: seen.append(click.core._("Options")))
        thread.start()
        thread.join()
        assert click.core._("Options") == "Flaggor"
    assert seen == ["Options"]


def test_another_click_program_in_the_process_stays_english() -> None:
    @click.command()
    @click.option("--n", type=int, required=True)
    def other(n: int) -> None:
        """Another program."""

    run("sv", "status", "--help")  # a Swedish run first
    assert click.INT.name == "integer"  # click's shared types are not renamed
    page = CliRunner().invoke(other, ["--help"]).output
    assert "Usage: other [OPTIONS]" in page and "Show this message and exit." in page
    assert "--n INTEGER" in page and "[required]" in page
    error = CliRunner().invoke(other, ["--n", "x"]).output
    assert "Error: Invalid value for '--n': 'x' is not a valid integer." in error


def test_localise_names_types_in_swedish_and_leaves_the_rest() -> None:
    class Odd(click.ParamType):
        name = "odd"

    @click.group()
    @click.option("--n", type=int)
    @click.option("--pair", type=(int, str))
    @click.option("--odd", type=Odd())
    def group(**_values: object) -> None:
        pass

    @group.command()
    @click.option("--m", type=int)
    @click.option("--share", type=click.FLOAT)
    def sub(**_values: object) -> None:
        pass

    with language("sv"):
        _click_text.localise(group, "sv")
    types = {p.name: p.type for c in (group, sub) for p in c.params}
    assert types["n"].name == types["m"].name == "heltal"
    assert types["n"] is types["m"] is not click.INT and click.INT.name == "integer"
    assert types["share"].name == "decimaltal" and click.FLOAT.name == "float"
    assert types["pair"].name == "<integer text>"  # click.Tuple's name is computed
    assert types["odd"].name == "odd"
    assert group.options_metavar == sub.options_metavar == "[FLAGGOR]"
    assert group.subcommand_metavar == "KOMMANDO [ARGUMENT]..."
    page = CliRunner().invoke(group, ["sub", "--help"]).output
    assert "--m HELTAL" in page and "--share DECIMALTAL" in page


def _modules_with_messages() -> list[str]:
    package = Path(click.__file__).parent
    return sorted(
        f"click.{path.stem}"
        for path in package.glob("*.py")
        if "from gettext import" in path.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("name", _modules_with_messages())
def test_every_click_module_with_messages_is_reached(name: str) -> None:
    if name == "click._winconsole" and sys.platform != "win32":
        pytest.skip("click imports it on Windows only")
    with language("sv"):
        pass
    module = sys.modules[name]
    for attribute in ("_", "ngettext"):
        if hasattr(module, attribute):
            assert getattr(module, attribute) in (_click_text._gettext, _click_text._ngettext)


def test_english_leaves_click_as_it_is() -> None:
    # A fresh process: English builds and runs do not touch click's gettext.
    code = (
        "import gettext, click, click.core, click.types\n"
        "from click.testing import CliRunner\n"
        "from teknikcollege.cli import build_cli\n"
        "cli = build_cli('en')\n"
        "CliRunner().invoke(cli, ['list', 'foo'])\n"
        "CliRunner().invoke(cli, ['status', '--help'])\n"
        "assert click.core._ is gettext.gettext and click.types.ngettext is gettext.ngettext\n"
        "build_cli('sv')\n"
        "assert click.core._ is not gettext.gettext\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_missing_catalog_leaves_click_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_click_text, "CATALOG", _click_text.Catalog("click", "/no/such/folder"))
    with language("sv"):
        assert click.formatting._("Usage:") == "Usage:"
    assert isinstance(_click_text.CATALOG.swedish, gettext.NullTranslations)


# -- the catalog ---------------------------------------------------------------------------


def test_every_message_of_the_installed_click_is_translated() -> None:
    # A click upgrade that adds messages fails here: run `python tools/messages.py update`.
    extracted = _ids(tool.extract("click"))
    missing = sorted(extracted - _ids(tool.read("click")))
    assert missing == [], f"click {click_version()} messages without Swedish: {missing}"
    assert {"Usage:", "Options", "Show this message and exit.", "required", "integer"} <= extracted
    assert {"[OPTIONS]", "COMMAND [ARGS]...", "Invalid value for {param_hint}: {message}"} <= (
        extracted
    )
    assert list(tool.problems("click")) == []


def click_version() -> str:
    from importlib.metadata import version

    return version("click")


def test_the_extractor_finds_strings_click_shows_without_gettext(tmp_path: Path) -> None:
    (tmp_path / "types.py").write_text(
        "class Thing:\n    name = 'thing'\n    other = 'not shown'\n", encoding="utf-8"
    )
    (tmp_path / "core.py").write_text(
        "def f(options_metavar='[THINGS]'):\n"
        "    extra = {}\n"
        "    extra['needed'] = 'needed'\n"
        "    return _(extra['needed']) + _('literal')\n",
        encoding="utf-8",
    )
    assert _ids(tool.extract_click(tmp_path)) == {"thing", "[THINGS]", "needed", "literal"}


def test_the_extractor_refuses_a_message_it_cannot_see(tmp_path: Path) -> None:
    (tmp_path / "core.py").write_text("def f(m):\n    return _(m)\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"click/core.py:2: _\(m\)"):
        tool.extract_click(tmp_path)
