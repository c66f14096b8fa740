"""Issue 18: a fuzz of ``Registry.import_document`` across the backends.

Arbitrary JSON, documents shaped like exports and a valid export mutated (every date at
the first and the last day of the calendar, text with control characters, surrogates and
NUL): only ``InvalidData`` escapes, a refused document changes nothing, and memory, SQLite
and PostgreSQL (when ``TEKNIKCOLLEGE_TEST_POSTGRES`` names a server) give the same answer,
with the same error paths.

``TEKNIKCOLLEGE_FUZZ_DOCUMENTS`` sets how many documents (default 300, a quick local run);
CI runs the test marked ``fuzz`` once per run with 10,000 (``.ci/run``).
``TEKNIKCOLLEGE_FUZZ_SEED`` repeats a run (the seed is printed on failure).
"""

from __future__ import annotations

import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import teknikcollege as tc
from teknikcollege.plugins import make_plugin_manager
from teknikcollege.storage.memory import MemoryStorage
from teknikcollege.testing import fuzz

COUNT = int(os.environ.get("TEKNIKCOLLEGE_FUZZ_DOCUMENTS", "300"))
SEED = int(os.environ.get("TEKNIKCOLLEGE_FUZZ_SEED", str(random.randrange(2**32))))


def _postgres() -> str | None:
    url = os.environ.get("TEKNIKCOLLEGE_TEST_POSTGRES")
    if not url:
        return None
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception:
        return None
    return url


@pytest.fixture
def backends(tmp_path: Path) -> Iterator[dict[str, tuple[tc.Registry, Callable[[], object]]]]:
    """One registry per backend, each with the way to look at its whole state."""
    pm = make_plugin_manager(entry_points=False)
    memory = MemoryStorage()
    made = {
        "memory": tc.Registry(memory, config={}, plugin_manager=pm),
        "sqlite": tc.Registry.open(f"sqlite:///{tmp_path / 'fuzz.db'}", config={},
                                   plugin_manager=make_plugin_manager()),
    }
    server = _postgres()
    if server is not None:
        url = f"{server}?schema=tc_fuzz_{uuid.uuid4().hex[:12]}"
        made["postgresql"] = tc.Registry.open(url, config={},
                                              plugin_manager=make_plugin_manager())
    yield {name: (registry, memory.snapshot if name == "memory" else registry.export_document)
           for name, registry in made.items()}
    for name, registry in made.items():
        if name == "postgresql":
            registry.storage.drop_schema()  # type: ignore[attr-defined]
        registry.close()


def _run(backends: dict[str, tuple[tc.Registry, Callable[[], object]]], count: int) -> Counter[str]:
    base = fuzz.base_document()
    seen: Counter[str] = Counter()
    for i, (family, document) in enumerate(fuzz.documents(SEED, count, base)):
        answers = {}
        for name, (registry, state) in backends.items():
            try:
                answers[name] = fuzz.answer(registry, document, state)
            except Exception as error:
                raise AssertionError(
                    f"document {i} ({family}, seed {SEED}) on {name}: {error!r} escaped; "
                    f"{fuzz._preview(document)}") from error
        assert len(set(answers.values())) == 1, (i, family, SEED, answers,
                                                 fuzz._preview(document))
        seen[f"{family} {next(iter(answers.values()))[0]}"] += 1
    return seen


@pytest.mark.slow  # a fuzz: once per CI run, not per Python version
def test_import_fuzz_quick(backends: Any) -> None:
    """The quick run of every test session (the valid export and its extreme dates
    first, then drawn documents)."""
    started = time.perf_counter()
    seen = _run(backends, COUNT)
    print(f"\nfuzzed import_document on {', '.join(backends)} with {COUNT} documents "
          f"(seed {SEED}) in {time.perf_counter() - started:.1f} s: {dict(seen)}")
    assert seen["valid accepted"] == 1
    assert sum(seen.values()) == COUNT


@pytest.mark.fuzz
@pytest.mark.skipif(COUNT < 10_000, reason="the big fuzz runs once per CI run: set "
                    "TEKNIKCOLLEGE_FUZZ_DOCUMENTS=10000 (.ci/run does, with tox -e fuzz)")
def test_import_fuzz_ten_thousand(backends: Any) -> None:
    """The big run, once per CI run (``tox -e fuzz``)."""
    count = COUNT
    started = time.perf_counter()
    seen = _run(backends, count)
    print(f"\nfuzzed import_document on {', '.join(backends)} with {count} documents "
          f"(seed {SEED}) in {time.perf_counter() - started:.1f} s: {dict(seen)}")
    assert sum(seen.values()) == count
