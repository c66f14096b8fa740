"""The documentation stays true to the code."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import teknikcollege as tc
from teknikcollege import hookspecs
from teknikcollege.workflow import CORE_WORKFLOWS, mermaid

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

HOOKS = sorted(
    (name, fn) for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("teknikcollege_")
)


@pytest.mark.parametrize(("name", "spec"), HOOKS, ids=[n for n, _ in HOOKS])
def test_every_hook_is_documented_with_its_exact_signature(name: str, spec: object) -> None:
    signature = str(inspect.signature(spec)).replace("'", "")  # type: ignore[arg-type]
    assert f"def {name}{signature}:" in (DOCS / "plugins.md").read_text()
    assert spec.__doc__ and len(spec.__doc__.strip()) > 40  # type: ignore[attr-defined]


@pytest.mark.parametrize("definition", CORE_WORKFLOWS, ids=lambda d: d.name)
def test_workflow_diagrams_in_the_docs_match_the_code(definition: tc.WorkflowDefinition
                                                      ) -> None:
    assert f"```mermaid\n{mermaid(definition)}```" in (DOCS / "workflows.md").read_text()


def test_every_documented_trigger_role_matches() -> None:
    text = (DOCS / "workflows.md").read_text()
    for definition in CORE_WORKFLOWS:
        for t in definition.transitions:
            roles = ", ".join(sorted(r.value for r in t.roles))
            assert f"| `{definition.name}` `{t.trigger}` | {roles} |" in text


def readme_blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", (ROOT / "README.md").read_text(), re.S)


def test_readme_has_exactly_two_set_up_commands_and_ci_runs_the_test_one() -> None:
    commands = readme_blocks("sh")
    assert len(commands) == 2
    assert all(len(c.strip().splitlines()) == 1 for c in commands)
    assert "teknikcollege demo" in commands[0]
    assert commands[1].strip() in (ROOT / ".ci" / "run").read_text()


def test_readme_example_runs(tmp_path: Path) -> None:
    (code,) = readme_blocks("python")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "kriterier uppfyllda" in done.stdout and "withdraw True" in done.stdout


def test_the_changelog_names_this_version() -> None:
    from importlib.metadata import version

    assert f"[{version('teknikcollege')}]" in (ROOT / "CHANGELOG.md").read_text()
