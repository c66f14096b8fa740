"""Every Python code block in these pages runs as a test (Sybil)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sybil import Sybil
from sybil.parsers.myst import PythonCodeBlockParser, SkipParser


def _setup(namespace: dict[str, Any]) -> None:
    namespace["__name__"] = "docs"


@pytest.fixture(autouse=True)
def _in_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith("TEKNIKCOLLEGE_"):
            monkeypatch.delenv(name)


pytest_collect_file = Sybil(
    parsers=[PythonCodeBlockParser(), SkipParser()],
    patterns=["*.md"],
    setup=_setup,
    fixtures=["_in_a_temporary_folder"],
).pytest()
