"""Messages: the gettext catalogs, plurals, and Swedish without English words."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from teknikcollege._text import CATALOG, Catalog, Text, _, _n

ROOT = Path(__file__).resolve().parents[1]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_messages_tool", ROOT / "tools/messages.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tool = _tool()
DOMAINS = [d for d, package in tool.CATALOGS.items() if package.exists()]


# --- the catalogs -------------------------------------------------------------------------


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalog_is_complete_translated_and_compiled(domain: str) -> None:
    assert list(tool.problems(domain)) == []


def test_the_installed_core_catalog_is_the_compiled_po() -> None:
    # Under tox this is the wheel's copy: it proves the .mo is shipped, and up to date.
    installed = CATALOG.localedir / "sv" / "LC_MESSAGES" / "teknikcollege.mo"
    assert CATALOG.translated
    assert list(tool.problems("teknikcollege", mo_file=installed)) == []


@pytest.mark.parametrize(
    ("module", "domain"),
    [
        ("teknikcollege_stockholm.rules", "teknikcollege_stockholm"),
        ("teknikcollege_vo_college", "teknikcollege_vo_college"),
    ],
)
def test_the_installed_plugin_catalogs_are_found(module: str, domain: str) -> None:
    catalog = pytest.importorskip(module).CATALOG
    assert catalog.domain == domain
    assert catalog.translated


def test_a_stale_catalog_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    po = tool.po_path("teknikcollege")
    copy = tmp_path / "sv" / "LC_MESSAGES" / po.name
    copy.parent.mkdir(parents=True)
    shutil.copy(po.with_suffix(".mo"), copy.with_suffix(".mo"))
    text = po.read_text(encoding="utf-8")
    changed = text.replace('msgstr "{kind} {id!r} finns inte"', 'msgstr "{kind} {id!r} saknas"')
    assert changed != text
    copy.write_text(changed, encoding="utf-8")
    monkeypatch.setattr(tool, "po_path", lambda domain: copy)
    assert [p for p in tool.problems("teknikcollege") if "stale" in p]


def test_a_missing_catalog_falls_back_to_english(tmp_path: Path) -> None:
    catalog = Catalog("teknikcollege", tmp_path)
    assert not catalog.translated
    assert catalog.text("{kind} {id!r} does not exist", kind="case", id="x") == Text(
        "case 'x' does not exist", "case 'x' does not exist"
    )
    assert catalog.plural("{n} week", "{n} weeks", 1) == Text("1 week", "1 week")


def test_the_catalog_is_read_on_first_use_not_on_import() -> None:
    code = (
        "import teknikcollege, teknikcollege.cli\n"
        "from teknikcollege._text import CATALOG\n"
        "assert not CATALOG.loaded\n"
        "assert teknikcollege.NotFound('case', 'x').message('sv') == \"ärendet 'x' finns inte\"\n"
        "assert CATALOG.loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_text_values_fill_each_language_with_its_own_half() -> None:
    kind = Text("ärendet", "case")
    assert _("{kind} {id!r} does not exist", kind=kind, id="c-1") == Text(
        "ärendet 'c-1' finns inte", "case 'c-1' does not exist"
    )
    assert Text("{a}", "{a}").format(a=kind) == kind
    assert Text.join([kind, Text("b", "c")]) == Text("ärendet; b", "case; c")


def test_without_values_braces_are_kept_for_later() -> None:
    assert _("{kind} {id!r} does not exist").en == "{kind} {id!r} does not exist"


# --- plurals ------------------------------------------------------------------------------


def _plural_entries() -> Iterator[tuple[Catalog, tuple[str, str], tuple[str, str]]]:
    for domain in DOMAINS:
        catalog = Catalog(domain, tool.po_path(domain).parents[2])
        for message in tool.read(domain):
            if message.id and not isinstance(message.id, str):
                yield catalog, tuple(message.id), tuple(message.string)


PLURALS = list(_plural_entries())


@pytest.mark.parametrize(("catalog", "ids", "strings"), PLURALS, ids=[p[1][1] for p in PLURALS])
@pytest.mark.parametrize("n", [0, 1, 2])
def test_every_count_takes_the_right_form(
    catalog: Catalog, ids: tuple[str, str], strings: tuple[str, str], n: int
) -> None:
    values = {name: f"<{name}>" for i in (*ids, *strings) for name in tool.fields(i)}
    values.pop("n", None)
    text = catalog.plural(ids[0], ids[1], n, **values)
    form = 0 if n == 1 else 1
    assert text.en == ids[form].format(n=n, **values)
    assert text.sv == strings[form].format(n=n, **values)


def test_there_are_plural_messages() -> None:
    # The parametrised test above must not pass by having nothing to check.
    assert len(PLURALS) >= 10


def test_plural_rule() -> None:
    assert _n("{n} week", "{n} weeks", 1).en == "1 week"
    for n in (0, 2, 5, 11, 21):
        assert _n("{n} week", "{n} weeks", n).en == f"{n} weeks"


# --- no English in Swedish ----------------------------------------------------------------

ENGLISH = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "at",
        "but",
        "case",
        "cases",
        "college's",
        "does",
        "failed",
        "for",
        "from",
        "has",
        "have",
        "letter",
        "letters",
        "may",
        "must",
        "need",
        "needed",
        "no",
        "none",
        "not",
        "of",
        "on",
        "or",
        "passed",
        "programme",
        "programmes",
        "steering",
        "the",
        "to",
        "unknown",
        "was",
        "were",
        "which",
        "with",
        "without",
        "will",
    }
)
"""Words that give English away; none of them is also a Swedish word."""

_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|\{[^{}]*\}")


def english_words(swedish: str) -> list[str]:
    """The telltale English words in `swedish`, quoted ids and {placeholders} aside."""
    bare = _QUOTED.sub(" ", swedish)
    return [w for w in re.findall(r"[^\W\d_]+(?:'s)?", bare.lower()) if w in ENGLISH]


def test_english_words_are_found() -> None:
    assert english_words("fel: case 'no-such-id' finns inte") == ["case"]
    assert english_words("1 letters of intent") == ["letters", "of"]
    assert english_words("ärendet 'the case' finns inte; {not}") == []
    assert english_words("företag deltar i alla utbildningar") == []
