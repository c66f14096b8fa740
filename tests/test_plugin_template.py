"""The plug-in template (issue 17): ``teknikcollege new-plugin KIND NAME`` writes a package
that installs with pip, is discovered, and passes its contract out of the box."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import teknikcollege as tc
from teknikcollege import plugin_template
from teknikcollege.cli import build_cli

CLI = build_cli("en")
SOURCE = str(Path(tc.__file__).resolve().parents[1])
NAMES = {"storage": "jsonfile", "notifier": "teams", "rule": "gavleborg-rules"}


def invoke(*args: str) -> Result:
    env = {"TEKNIKCOLLEGE_LANG": None, "TEKNIKCOLLEGE_STORAGE": None}
    return CliRunner().invoke(CLI, list(args), catch_exceptions=False, env=env)


def environment(*paths: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEKNIKCOLLEGE_")}
    env["PYTHONPATH"] = os.pathsep.join(
        [*map(str, paths), SOURCE, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    return env


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each kind generated with the command, then pip-installed into a folder of its own:
    ``{kind: (package folder, install target)}``."""
    root = tmp_path_factory.mktemp("template")
    made = {}
    for kind, name in NAMES.items():
        done = invoke("new-plugin", kind, name, "--dir", str(root), "--json")
        assert done.exit_code == 0, done.stderr
        package = Path(json.loads(done.stdout)["path"])
        target = root / f"site-{kind}"
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                        "--no-build-isolation", "--no-index", "--target", str(target),
                        str(package)], check=True, timeout=300)
        made[kind] = (package, target)
    return made


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(NAMES))
def test_the_generated_package_passes_its_contract(
    generated: dict[str, tuple[Path, Path]], kind: str
) -> None:
    package, target = generated[kind]
    # The tests run against the installed package, not the sources next to them.
    shutil.rmtree(package / "src")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs"],
        cwd=package, env=environment(target), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    contract = plugin_template.CONTRACTS[kind]
    assert " passed" in done.stdout and " failed" not in done.stdout
    assert contract in (package / "tests" / f"test_teknikcollege_{NAMES[kind].replace('-', '_')}.py"
                        ).read_text()


@pytest.mark.slow
def test_the_installed_plugins_are_discovered(generated: dict[str, tuple[Path, Path]]) -> None:
    targets = [target for _, target in generated.values()]
    done = subprocess.run([sys.executable, "-m", "teknikcollege", "plugins", "--json"],
                          env=environment(*targets), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = {p["name"]: p for p in json.loads(done.stdout)}
    for name in NAMES.values():
        assert found[name]["distribution"] == f"teknikcollege-{name}"
        assert found[name]["status"] == "loaded", found[name]
    assert "teknikcollege_storage_backends" in found["jsonfile"]["hooks"]


def test_the_files_of_each_kind() -> None:
    for kind, name in NAMES.items():
        files = plugin_template.files(kind, name)
        module = "teknikcollege_" + name.replace("-", "_")
        assert sorted(files) == sorted([
            "README.md", "pyproject.toml", f"src/{module}/__init__.py", f"src/{module}/py.typed",
            f"tests/test_{module}.py"])
        assert f'{name} = "{module}:plugin"' in files["pyproject.toml"]
        assert "$" not in files[f"src/{module}/__init__.py"]
        compile(files[f"src/{module}/__init__.py"], "module", "exec")
        compile(files[f"tests/test_{module}.py"], "tests", "exec")


@pytest.mark.parametrize(("args", "code", "message"), [
    (("new-plugin", "widget", "x"), 2, "'widget' is not one of"),
    (("new-plugin", "rule", "Bad_Name"), 1, "is not a plug-in name"),
    (("new-plugin", "rule", "-x"), 2, ""),
])
def test_bad_kinds_and_names(args: tuple[str, ...], code: int, message: str,
                             tmp_path: Path) -> None:
    done = invoke(*args, "--dir", str(tmp_path))
    assert done.exit_code == code, done.stderr
    assert message in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_package_is_never_overwritten(tmp_path: Path) -> None:
    assert invoke("new-plugin", "rule", "mine", "--dir", str(tmp_path)).exit_code == 0
    module = tmp_path / "teknikcollege-mine" / "src" / "teknikcollege_mine" / "__init__.py"
    module.write_text("# my work\n")
    again = invoke("new-plugin", "rule", "mine", "--dir", str(tmp_path))
    assert again.exit_code == 1 and "exists already" in again.stderr
    assert module.read_text() == "# my work\n"
