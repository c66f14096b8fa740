"""The static site without a browser: what is written, escaped, translated and shipped."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import teknikcollege as tc
from teknikcollege.clock import FixedClock
from teknikcollege.demo import run_demo
from teknikcollege.models import UnitKind, UnitRef
from teknikcollege.site import SiteUnavailable, build_site, page_name
from teknikcollege.site._svg import Bar, Row, layout_gantt, workflow_svg
from teknikcollege.workflow import CORE_WORKFLOWS

ADMIN = tc.Actor.of("admin")  # the first administrator the kit's seed() makes

ROOT = Path(__file__).resolve().parent.parent
EVIL = '<script>alert("x")</script> {{ 7*7 }} {% raw %}'


@pytest.fixture(scope="module")
def registry() -> Iterator[tc.Registry]:
    clock = FixedClock(date(2021, 10, 1))
    with tc.Registry.open("memory:", clock=clock) as registry:
        run_demo(registry, clock, lambda step: None)
        # A name written by someone who tries to break the page.
        college = registry.get(tc.College, "stockholm")
        registry.add(tc.College("evil", EVIL, college.county_code, college.municipalities),
                     actor=ADMIN)
        clock.set(date(2026, 3, 1))
        yield registry


@pytest.fixture(scope="module")
def site(registry: tc.Registry, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    index = build_site(registry, out, "sv")
    assert index == out / "index.html"
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_unit_has_a_page_in_each_language(site: Path) -> None:
    for lang in ("sv", "en"):
        names = {p.name for p in (site / lang).iterdir()}
        assert {
            "index.html",
            "college-stockholm.html",
            "college-evil.html",
            "programme-cnc-operator.html",
            "programme-industriteknik-bas.html",
            "provider-lernia.html",
        } <= names
    assert (site / "static" / "site.css").stat().st_size > 1000
    assert 'url=sv/index.html' in (site / "index.html").read_text()


def test_links_between_pages_all_resolve(site: Path) -> None:
    for page in pages(site):
        for href in re.findall(r'href="([^"#]+)"', page.read_text()):
            assert (page.parent / href).resolve().exists(), (page, href)


def test_nothing_is_fetched_from_elsewhere(site: Path) -> None:
    for page in pages(site):
        text = page.read_text()
        assert "<script" not in text  # no JavaScript at all: the charts are SVG
        urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
        assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls


def test_names_are_escaped_never_run_as_markup_or_template(site: Path) -> None:
    for page in pages(site):
        text = page.read_text()
        assert "<script>alert" not in text
    # Shown as written: not markup, and not a template ({{ 7*7 }} stays, 49 never appears).
    heading = re.search(r"<h1>.*?</h1>", (site / "en" / "college-evil.html").read_text(), re.S)
    assert heading is not None and "{{ 7*7 }} {% raw %}" in heading.group(0)
    overview = (site / "en" / "index.html").read_text()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; {{ 7*7 }} {% raw %}" in overview


def test_swedish_pages_speak_swedish_and_english_pages_english(site: Path) -> None:
    sv = (site / "sv" / "college-stockholm.html").read_text()
    en = (site / "en" / "college-stockholm.html").read_text()
    for swedish, english in [
        ("Tidslinje", "Timeline"),
        ("Gapanalys", "Gap report"),
        ("Historik", "History"),
        ("Nuvarande läge", "Current state"),
        ("Ordinarie verksamhet", "Ordinary operation"),
    ]:
        assert swedish in sv and swedish not in en
        assert english in en and english not in sv
    assert re.search(r"\d+ av \d+ kriterier uppfyllda", sv)
    assert re.search(r"\d+ of \d+ criteria passed", en)
    assert '<html lang="sv">' in sv and '<html lang="en">' in en


def test_the_college_page_shows_status_timeline_workflow_gaps_and_history(site: Path) -> None:
    page = (site / "en" / "college-stockholm.html").read_text()
    # Certified today (2026-03-01) in its second period, until 2031-02-14.
    assert "2031-02-14" in page and 'class="badge ok"' in page
    periods = re.findall(r'<rect class="bar period (\w+)" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"',
                         page)
    assert {css for css, _, _ in periods} >= {"past", "current"}
    assert all(float(width) > 1 for _, _, width in periods)
    assert page.count('class="node current"') == 2  # lifecycle and certification case
    assert "enter_ordinary_operation" in page  # the history names its triggers
    assert "pilot ended; college and pilot programmes certified" in page


def test_a_programme_whose_certification_expired_is_shown_so(site: Path) -> None:
    page = (site / "en" / "programme-cnc-operator.html").read_text()
    assert 'class="badge no"' in page
    assert 'Current state: <strong class="state">Expired</strong>' in page


def test_a_unit_without_cases_or_criteria_says_so(site: Path) -> None:
    page = (site / "en" / "college-evil.html").read_text()
    assert "No cases have been opened for this unit." in page


def test_only_the_languages_asked_for(registry: tc.Registry, tmp_path: Path) -> None:
    build_site(registry, tmp_path, "en", languages=["en"])
    assert (tmp_path / "en" / "index.html").exists() and not (tmp_path / "sv").exists()


@pytest.mark.parametrize("definition", CORE_WORKFLOWS, ids=lambda d: d.name)
@pytest.mark.parametrize("graphviz", [True, False], ids=["graphviz", "own"])
def test_workflow_diagram_marks_exactly_the_current_state(
    definition: tc.WorkflowDefinition, graphviz: bool
) -> None:
    for state in definition.states:
        svg = workflow_svg(definition, state.name, "sv", graphviz=graphviz)
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
        assert len(re.findall(r'class="node[^"]*current', svg)) == 1
        current = re.search(r'class="node[^"]*current[^"]*">\s*<title>([^<]*)</title>', svg)
        assert current is not None and current.group(1) == state.name


@given(st.lists(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,20}", fullmatch=True),
                min_size=2, max_size=6, unique=True))
def test_page_names_are_distinct_and_safe_file_names(ids: list[str]) -> None:
    names = [page_name(UnitRef(UnitKind.PROGRAMME, i)) for i in ids]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9_.~-]+\.html", n) for n in names)


@given(st.lists(st.tuples(st.dates(date(2000, 1, 1), date(2040, 1, 1)),
                          st.integers(0, 4000)), min_size=1, max_size=8),
       st.dates(date(2000, 1, 1), date(2040, 1, 1)))
def test_gantt_bars_stay_inside_the_chart_and_keep_their_order(
    spans: list[tuple[date, int]], today: date
) -> None:
    bars = tuple(Bar("period", start, date.fromordinal(start.toordinal() + days), "p")
                 for start, days in spans)
    chart = layout_gantt([Row("unit", bars)], today)
    placed = chart.rows[0].bars
    assert all(chart.label_width <= b.x and b.x + b.width <= chart.width + 2 for b in placed)
    assert all(b.width >= 2 for b in placed)
    for a in placed:
        assert all(a.x <= b.x for b in placed if a.start < b.start)
    assert chart.label_width <= chart.today_x <= chart.width


def test_without_jinja2_it_says_how_to_install(
    registry: tc.Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "jinja2", None)  # what an uninstalled module is
    with pytest.raises(SiteUnavailable) as caught:
        build_site(registry, tmp_path)
    assert "pip install 'teknikcollege[site]'" in caught.value.message("en")
    assert "webbplatsen behöver Jinja2" in caught.value.message("sv")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "teknikcollege", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_site_command(tmp_path: Path) -> None:
    assert run("demo", cwd=tmp_path).returncode == 0
    done = run("--lang", "sv", "site", "public", "--on", "2026-03-01", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Webbplatsen finns i public" in done.stdout
    assert "Läget 2026-03-01" in (tmp_path / "public/sv/college-stockholm.html").read_text()
    done = run("site", "only-en", "--only", "en", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"languages": [\n    "en"\n  ]' in done.stdout
    assert not (tmp_path / "only-en" / "sv").exists()
    helped = run("site", "--help", cwd=tmp_path)
    assert "teknikcollege site public/" in helped.stdout


def test_the_docs_draw_mermaid_from_a_local_copy() -> None:
    conf = (ROOT / "docs" / "conf.py").read_text()
    assert 'mermaid_version = ""' in conf
    local = re.search(r'mermaid_use_local = "([^"]+)"', conf)
    assert local is not None
    module = ROOT / "docs" / "_static" / local.group(1)
    script = module.parent / "mermaid.min.js"
    assert script.stat().st_size > 1_000_000
    assert 'new URL("./mermaid.min.js", import.meta.url)' in module.read_text()
    assert not re.search(r"https?://", module.read_text())


def test_every_finding_status_has_a_label() -> None:
    # A flagged finding (allowed, worth knowing) once had no label: the build failed.
    from teknikcollege.site._labels import labels

    for lang in ("sv", "en"):
        assert {s.value for s in tc.Status} <= set(labels(lang))
    assert labels("sv")["flagged"] == "flaggat"
