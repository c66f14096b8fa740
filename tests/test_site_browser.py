"""The demo's site as a person sees it: headless Chromium opens the pages.

Needs Debian's ``chromium`` and ``chromium-driver`` and Selenium (the ``test`` extra);
without them every test here skips, saying how to enable it. Marked ``browser``: CI runs
them once (``pytest -m browser``), not once per Python version. The browser and driver
are given by path (``TEKNIKCOLLEGE_CHROMIUM``, ``TEKNIKCOLLEGE_CHROMEDRIVER``, default
``/usr/bin/chromium`` and ``/usr/bin/chromedriver``) so that Selenium never downloads one.
Each test saves a screenshot of its page under its temporary folder.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("TEKNIKCOLLEGE_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("TEKNIKCOLLEGE_CHROMEDRIVER", "/usr/bin/chromedriver"))
HOW = (
    "to run the browser tests install Chromium and its driver (as root: apt-get install "
    "chromium chromium-driver) and Selenium (pip install -e '.[test]'), or name them with "
    "TEKNIKCOLLEGE_CHROMIUM and TEKNIKCOLLEGE_CHROMEDRIVER"
)
DAY = "2026-03-01"


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "Selenium is not installed"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (path.is_file() and os.access(path, os.X_OK)):
            return f"{path} is missing"
    return None


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TEKNIKCOLLEGE_")}
    return subprocess.run([sys.executable, "-m", "teknikcollege", *args], cwd=cwd,
                          capture_output=True, text=True, env=environ, timeout=300, check=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    done = run("demo", cwd=folder)
    assert done.returncode == 0, done.stderr
    done = run("site", "public", "--on", DAY, cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder / "public"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        pytest.skip(f"{reason}: {HOW}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # --no-sandbox: Chromium refuses to run as root (CI) with its sandbox.
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1600"):
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(browser: Any, url: str, shot: Path) -> str:
    """Open `url`, save a full-height screenshot as `shot`, return the visible text."""
    browser.get(url)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(int(height) + 40, 800), 6000))
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    text: str = browser.find_element("tag name", "body").text
    # What a person must never see: template syntax, JavaScript's undefined, Python's None.
    assert not re.search(r"\{\{|\}\}|\{%|%\}|\bundefined\b|\bNone\b|\bnan\b", text), text
    assert browser.execute_script("return document.readyState") == "complete"
    return text


def sizes(browser: Any, selector: str) -> list[tuple[float, float]]:
    boxes = browser.execute_script(
        "return [...document.querySelectorAll(arguments[0])]"
        ".map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })",
        selector,
    )
    return [(float(w), float(h)) for w, h in boxes]


def test_overview_in_swedish(browser: Any, base_url: str, tmp_path: Path) -> None:
    text = open_page(browser, f"{base_url}/index.html", tmp_path / "overview.png")
    # The root page leads to the default language's overview (English here).
    assert browser.current_url.endswith("/en/index.html")
    text = open_page(browser, f"{base_url}/sv/index.html", tmp_path / "overview.png")
    assert "Översikt" in text and "Certifierad" in text and "Giltig till" in text
    assert "Teknikcollege Stockholm" in text or "Stockholm" in text
    assert "Overview" not in text and "Valid until" not in text
    rows = browser.find_elements("css selector", "table.status tbody tr")
    assert len(rows) >= 3  # the college, its programmes, its providers
    assert browser.find_elements("css selector", ".badge.ok")  # something is certified
    assert browser.execute_script(
        "return getComputedStyle(document.querySelector('header.top')).backgroundColor"
    ) != "rgba(0, 0, 0, 0)"  # the stylesheet was loaded


def test_college_page_shows_timeline_workflow_gaps_and_history(
    browser: Any, base_url: str, tmp_path: Path
) -> None:
    text = open_page(browser, f"{base_url}/sv/college-stockholm.html", tmp_path / "college.png")
    for label in ("Tidslinje", "Ärenden", "Historik", "Gapanalys", "Nuvarande läge"):
        assert label in text
    periods = sizes(browser, "svg.gantt rect.bar.period")
    assert len(periods) >= 2 and all(w > 1 and h > 1 for w, h in periods)
    assert all(w > 0 for w, _ in sizes(browser, "svg.gantt rect.bar.case"))
    assert sizes(browser, "svg.gantt line.today")
    # One row per unit: the college and its programmes and providers.
    assert len(browser.find_elements("css selector", "svg.gantt g.row")) >= 3
    marked = browser.find_elements("css selector", "svg.workflow .node.current")
    assert marked and all(w > 0 for w, _ in sizes(browser, "svg.workflow .node.current"))
    assert browser.find_elements("css selector", "table.history tbody tr")
    assert browser.find_elements("css selector", "table.findings tbody tr")


def test_programme_page_in_both_languages(browser: Any, base_url: str, tmp_path: Path) -> None:
    sv = open_page(browser, f"{base_url}/sv/programme-cnc-operator.html",
                   tmp_path / "programme.png")
    assert "utbildning" in sv and "Tidslinje" in sv and "Timeline" not in sv
    assert all(w > 1 for w, _ in sizes(browser, "svg.gantt rect.bar.period"))
    assert sizes(browser, "svg.workflow .node.current")
    # The language switch leads to the same page in English.
    browser.find_element("css selector", "a[hreflang=en]").click()
    assert browser.current_url.endswith("/en/programme-cnc-operator.html")
    en = open_page(browser, browser.current_url, tmp_path / "programme-en.png")
    assert "Timeline" in en and "Tidslinje" not in en
