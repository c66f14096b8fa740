"""Messages: the gettext catalogs, plurals, and Swedish without English words."""

from __future__ import annotations

import importlib
import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from messages_tool import tool

import teknikcollege as tc
from teknikcollege._text import CATALOG, Catalog, Text, _, _n
from teknikcollege.clock import as_datetime
from teknikcollege.examples import stockholm_pilot
from teknikcollege.kinds import BY_NAME as KINDS
from teknikcollege.notify import Notification, messages
from teknikcollege.rules import Context, national_criteria, run_rule
from teknikcollege.rules.criteria import teknikcollege as criteria
from teknikcollege.testing import strategies as tst
from teknikcollege.workflow.core import CORE_WORKFLOWS

ROOT = Path(__file__).resolve().parents[1]


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
        ("teknikcollege_postgres._messages", "teknikcollege_postgres"),
        ("teknikcollege_smtp._messages", "teknikcollege_smtp"),
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


def assert_swedish(texts: Iterable[Text]) -> None:
    found = {t.sv: english_words(t.sv) for t in texts}
    assert {sv: words for sv, words in found.items() if words} == {}


class Lookup:
    """What rules read: a plain list of models."""

    def __init__(self, *items: object) -> None:
        self.items = list(items)

    def get(self, cls: type[Any], id: str) -> Any:
        return next((i for i in self.items if isinstance(i, cls) and i.id == id), None)

    def find(self, cls: type[Any], **where: object) -> list[Any]:
        return [
            i
            for i in self.items
            if isinstance(i, cls) and all(getattr(i, k) == v for k, v in where.items())
        ]


def _rules() -> list[tc.Rule]:
    rules: list[tc.Rule] = list(national_criteria())
    for module in ("teknikcollege_stockholm", "teknikcollege_vo_college"):
        try:
            plugin = importlib.import_module(module)
        except ImportError:  # pragma: no cover - the plug-ins are installed for the tests
            continue
        rules.extend(plugin.plugin.teknikcollege_rules())
    return rules


def _findings(items: Sequence[object], subjects: Sequence[object], day: date) -> list[Text]:
    lookup = Lookup(*items)
    context = Context(as_datetime(day), lookup, tuple(national_criteria()))
    texts = []
    for rule in _rules():
        for subject in subjects:
            kind = "programme" if isinstance(subject, tc.Programme) else "college"
            if kind in rule.applies_to:
                texts.append(run_rule(rule, subject, context).message)
    return texts


def test_rule_titles_and_descriptions_are_swedish() -> None:
    assert_swedish(t for r in _rules() for t in (r.title, r.description))


@settings(max_examples=25)
@given(
    world=tst.college_worlds(on=date(2024, 6, 1)),
    broken=st.sets(st.sampled_from(tst.CHECKABLE_CRITERIA)),
    data=st.data(),
)
def test_findings_on_generated_colleges_are_swedish(
    world: tst.CollegeWorld, broken: set[str], data: st.DataObject
) -> None:
    if broken:
        world = data.draw(tst.college_worlds(on=date(2024, 6, 1), break_criteria=broken))
    # Names are the user's data, quoted as they are: only the library's words count.
    names = [
        world.college.name,
        *(lc.name for lc in world.college.local_colleges),
        *(g.name for g in world.college.steering_groups()),
        *(p.title for p in world.programmes),
        *(o.name for o in world.organisations),
    ]
    assume(not any(english_words(n) for n in names))
    items = [*world.organisations, *world.programmes, world.college]
    assert_swedish(_findings(items, [world.college, *world.programmes], date(2024, 6, 1)))


@pytest.mark.parametrize("day", [date(2023, 1, 10), date(2026, 6, 1)])
def test_findings_on_the_stockholm_pilot_are_swedish(day: date) -> None:
    bundle = stockholm_pilot()
    items = [*bundle.organisations, *bundle.colleges, *bundle.programmes]
    texts = _findings(items, [*bundle.colleges, *bundle.programmes], day)
    assert len(texts) > 10
    assert_swedish(texts)


def _errors() -> Iterator[tc.TeknikcollegeError]:
    reason = Text("en anledning", "a reason")
    for kind in (*tc.errors._KINDS, "plugin_kind"):
        yield tc.NotFound(kind, "x-1")
        yield tc.ConcurrentUpdate(kind, "x-1", 1, 2)
        yield tc.ConcurrentUpdate(kind, "x-1", 1, None)
    for what in ("municipality", "county", "municipality name", "other"):
        yield tc.UnknownCode(what, "0999")
    yield tc.InvalidDefinition("wf", [reason, reason])
    yield tc.UnknownTrigger("wf", "nope", ["approve", "certify"])
    yield tc.TransitionNotAllowed("c-1", "certify", "in_review", reason=reason)
    yield tc.CaseExists("wf", "college:x", "c-1")
    yield tc.PermissionDenied("p-1", "certify", ["admin"])
    yield tc.PermissionDenied("p-1", "certify", [], reason=reason)
    yield tc.InvalidData([("colleges[0].name", reason), ("", reason)])


def test_error_messages_are_swedish() -> None:
    assert_swedish(e.text for e in _errors())


def test_errors_name_the_kind_in_swedish() -> None:
    assert tc.NotFound("case", "no-such-id").message("sv") == "ärendet 'no-such-id' finns inte"
    assert tc.NotFound("college", "x").message("sv") == "colleget 'x' finns inte"
    assert tc.NotFound("person", "x").message("en") == "person 'x' does not exist"
    assert (
        tc.CaseExists("wf", "x", "c").message("sv") == "'x' har redan ett öppet ärende 'c' i 'wf'"
    )
    assert set(tc.errors._KINDS) >= set(KINDS) | {"history", "notification", "delivery"}


def _notifications() -> Iterator[Notification]:
    at = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
    data = {"due": "2024-07-01", "from": "In review", "from_sv": "Under beredning"}
    for template in (*messages._REMINDERS, "other"):
        yield Notification("n", "reminder", template, "c-1", "wf", "college:x", "x", at, data=data)
    data |= {"to": "Certified", "to_sv": "Certifierad", "at": "2024-06-01", "note": "OK."}
    yield Notification("n", "transition", "certify", "c-1", "wf", "college:x", "x", at, data=data)


def test_notification_texts_are_swedish() -> None:
    texts = [t for n in _notifications() for t in messages.render_text(n)]
    assert_swedish(texts)
    assert "Ärendet c-1 har gått från Under beredning till Certifierad" in texts[-1].sv
    assert "Case c-1 moved from In review to Certified" in texts[-1].en


def test_workflow_titles_are_swedish() -> None:
    texts = []
    for workflow in CORE_WORKFLOWS:
        texts.append(workflow.title)
        texts.extend(s.title for s in workflow.states)
        texts.extend(t.title for t in workflow.transitions)
    assert_swedish(texts)


def test_click_messages_are_swedish() -> None:
    # Click's own words, as the CLI shows them under --lang sv (teknikcollege._click_text).
    strings = []
    for message in tool.read("click"):
        if message.id:
            strings.extend([message.string] if isinstance(message.string, str) else message.string)
    assert len(strings) > 50
    assert {s: english_words(s) for s in strings if english_words(s)} == {}


def test_every_sector_has_a_name() -> None:
    names = [criteria._sector(s) for s in tc.Sector]
    assert_swedish(names)
    assert len({n.sv for n in names}) == len(tc.Sector)


# --- the counts that used to be wrong -----------------------------------------------------


@pytest.mark.parametrize(
    ("n", "sv", "en"),
    [
        (0, "0 avsiktsförklaringar", "0 letters of intent"),
        (1, "1 avsiktsförklaring", "1 letter of intent"),
        (2, "2 avsiktsförklaringar", "2 letters of intent"),
    ],
)
def test_letters_of_intent(n: int, sv: str, en: str) -> None:
    assert _n("{n} letter of intent", "{n} letters of intent", n) == Text(sv, en)


def _programme(weeks: int) -> tc.Programme:
    return tc.Programme("p", "Svets", tc.ProgrammeForm.UPPER_SECONDARY, weeks, "x", "c")


@pytest.mark.parametrize("count", [1, 2])
def test_counted_programmes_in_a_finding(count: int) -> None:
    college = tc.College("c", "C", "01", ("0114", "0115", "0117"))
    programmes = [attrs.evolve(_programme(40), id=f"p{i}", college_id="c") for i in range(count)]
    rule = next(r for r in national_criteria() if r.id == "programmes-dimensioning")
    finding = run_rule(rule, college, Context(as_datetime(date(2024, 6, 1)), Lookup(*programmes)))
    noun = ("utbildning", "programme") if count == 1 else ("utbildningar", "programmes")
    assert finding.message == Text(
        f"{count} {noun[0]} av certifierbar form och längd",
        f"{count} {noun[1]} of certifiable form and length",
    )


@pytest.mark.parametrize(("weeks", "sv"), [(1, "1 vecka"), (2, "2 veckor"), (39, "39 veckor")])
def test_counted_weeks_in_a_finding(weeks: int, sv: str) -> None:
    rule = next(r for r in national_criteria() if r.id == "programmes-dimensioning")
    finding = run_rule(rule, _programme(weeks), Context(as_datetime(date(2024, 6, 1)), Lookup()))
    assert f"Svets: {sv}, minst 40 krävs" in finding.message.sv
    assert f"Svets: {weeks} week{'' if weeks == 1 else 's'}, at least 40" in finding.message.en


def test_no_message_is_written_side_by_side_in_the_code() -> None:
    """Every message goes through the catalog: no ``Text("svenska", "English")`` (or
    f-string) pair is written by hand in the library or the plug-ins."""
    import ast

    found = []
    roots = [ROOT / "src", *sorted((ROOT / "plugins").glob("*/src"))]
    for path in (p for root in roots for p in sorted(root.rglob("*.py"))):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Text"
                and node.args
                and all(isinstance(a, (ast.Constant, ast.JoinedStr)) for a in node.args)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
