"""The README's example and the tutorial run again and again (issue 17: a second run in the
same folder used to crash with ConcurrentUpdate on ``pilot.db``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import teknikcollege as tc

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks(text: str) -> list[str]:
    return FENCE.findall(text)


def readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A short example", 1)[1].split("\n## ", 1)[0]
    blocks = python_blocks(section)
    assert len(blocks) == 1, "the README's example is one python block"
    return blocks[0]


def run_twice(code: str, folder: Path) -> list[subprocess.CompletedProcess[str]]:
    source = str(Path(tc.__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEKNIKCOLLEGE_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    env["TMPDIR"] = str(folder)
    work = folder / "work"
    work.mkdir()
    runs = []
    for _ in range(2):
        runs.append(subprocess.run([sys.executable, "-c", code], cwd=work, env=env,
                                   capture_output=True, text=True, timeout=300))
    return runs


def test_the_readme_example_is_found() -> None:
    code = readme_example()
    assert "tc.Registry.open" in code and "open_case" in code


def test_the_readme_example_runs_twice_in_the_same_folder(tmp_path: Path) -> None:
    first, second = run_twice(readme_example(), tmp_path)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "ConcurrentUpdate" not in second.stderr
    # Both runs said the same thing, and nothing was left in the folder they ran in.
    assert first.stdout == second.stdout and "approve_interest" in first.stdout
    assert list((tmp_path / "work").iterdir()) == []


@pytest.mark.slow
def test_the_tutorial_runs_twice_in_the_same_folder(tmp_path: Path) -> None:
    code = "\n".join(python_blocks((ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")))
    first, second = run_twice(code, tmp_path)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert list((tmp_path / "work").iterdir()) == []
