from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.plugins import Hooks, PluginWarning
from teknikcollege.storage import MemoryStorage
from teknikcollege.testing import seed

GOOD = '''
from teknikcollege import Text, hookimpl, rule


@rule("tmp-name-length", rule_set="tmp-rules", version="1", title=Text("Namn", "Name"),
      description=Text("Namnet är kort", "The name is short"), applies_to=["college"])
def name_length(college, context):
    n = len(college.name)
    return n <= 40, Text(f"namnet har {n} tecken", f"the name has {n} characters")


class Plugin:
    @hookimpl
    def teknikcollege_rules(self):
        return [name_length]


plugin = Plugin()
'''

BROKEN = '''
raise RuntimeError("this plug-in is broken on purpose")
'''


def make_package(root: Path, name: str, module: str, code: str) -> Path:
    folder = root / name
    (folder / module).mkdir(parents=True)
    (folder / module / "__init__.py").write_text(code)
    (folder / "pyproject.toml").write_text(textwrap.dedent(f"""
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "{name}"
        version = "1.2.3"
        dependencies = []

        [project.entry-points.teknikcollege]
        {module} = "{module}:plugin"

        [tool.hatch.build.targets.wheel]
        packages = ["{module}"]
    """))
    return folder


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real packages built and installed with pip into a folder of their own."""
    root = tmp_path_factory.mktemp("plugins")
    target = root / "site"
    good = make_package(root, "tc-tmp-good", "tc_tmp_good", GOOD)
    broken = make_package(root, "tc-tmp-broken", "tc_tmp_broken", BROKEN)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--no-index", "--target", str(target),
                    str(good), str(broken)], check=True)
    return target


@pytest.fixture
def on_path(installed: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(installed))
    monkeypatch.delenv("TEKNIKCOLLEGE_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("TEKNIKCOLLEGE_STRICT_PLUGINS", raising=False)
    return installed


def test_installed_plugin_is_discovered_used_and_listed(on_path: Path) -> None:
    with pytest.warns(PluginWarning, match="tc-tmp-broken.*broken on purpose"):
        pm = tc.make_plugin_manager()
    info = {p.name: p for p in pm.info()}
    good = info["tc_tmp_good"]
    assert (good.distribution, good.version, good.status) == ("tc-tmp-good", "1.2.3", "loaded")
    assert good.hooks == ("teknikcollege_rules",)
    broken = info["tc_tmp_broken"]
    assert (broken.distribution, broken.status) == ("tc-tmp-broken", "failed")
    assert "broken on purpose" in (broken.error or "")
    registry = tc.Registry(MemoryStorage(), plugin_manager=pm, config={})
    seed(registry, *stockholm_pilot().entities())
    findings = {f.rule_id: f for f in registry.assess(registry.get(tc.College, "stockholm"))
                .findings}
    assert findings["tmp-name-length"].passed
    assert findings["tmp-name-length"].message.en == "the name has 23 characters"


def test_strict_mode_turns_a_broken_plugin_into_an_error(
    on_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEKNIKCOLLEGE_STRICT_PLUGINS", "1")
    with pytest.raises(tc.PluginError) as info:
        tc.make_plugin_manager()
    assert info.value.distribution == "tc-tmp-broken"


def test_plugins_can_be_blocked_by_name_or_distribution(
    on_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEKNIKCOLLEGE_DISABLE_PLUGINS", "tc-tmp-broken, tc_tmp_good")
    pm = tc.make_plugin_manager()
    info = {p.name: p.status for p in pm.info()}
    assert info["tc_tmp_good"] == info["tc_tmp_broken"] == "blocked"
    assert not any(r.id == "tmp-name-length" for r in Hooks(pm).rules())


def test_the_cli_lists_plugins(on_path: Path) -> None:
    env_path = str(on_path)
    done = subprocess.run([sys.executable, "-W", "ignore", "-m", "teknikcollege", "plugins"],
                          capture_output=True, text=True, check=False,
                          env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line for line in done.stdout.splitlines()}
    assert "tc-tmp-good" in lines["tc_tmp_good"] and "loaded" in lines["tc_tmp_good"]
    assert "failed" in lines["tc_tmp_broken"]
    assert "loaded" in lines["teknikcollege.criteria"]


class ClashingStorage:
    @tc.hookimpl
    def teknikcollege_storage_backends(self) -> list[tc.StorageBackend]:
        return [tc.StorageBackend("sqlite", MemoryStorage, tc.Text("x", "x"))]


class ClashingRule:
    @tc.hookimpl
    def teknikcollege_rules(self) -> list[tc.Rule]:
        from teknikcollege.rules import national_criteria

        return [national_criteria()[0]]


def test_a_clash_names_both_plugins(tc_plugin_manager) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(tc.PluginError) as info:
        Hooks(tc_plugin_manager(ClashingStorage())).storage_backends()
    assert "URL scheme 'sqlite'" in str(info.value)
    assert "teknikcollege.storage (teknikcollege)" in str(info.value)
    assert "test_plugins.ClashingStorage" in str(info.value)
    with pytest.raises(tc.PluginError, match="rule 'regional-collaboration'"):
        Hooks(tc_plugin_manager(ClashingRule())).rules()


class Misspelt:
    @tc.hookimpl
    def teknikcollege_rulez(self) -> list[tc.Rule]:
        return []


def test_a_misspelt_hook_fails_loudly() -> None:
    with pytest.raises(tc.PluginError, match="unknown hook"):
        tc.make_plugin_manager(plugins=[Misspelt()], entry_points=False)


def test_builtins_can_be_blocked_too() -> None:
    pm = tc.make_plugin_manager(entry_points=False, disable=["teknikcollege.criteria"])
    assert not any(r.rule_set == "teknikcollege-national" for r in Hooks(pm).rules())
    assert {p.name: p.status for p in pm.info()}["teknikcollege.criteria"] == "blocked"


class FailingObserver:
    def __init__(self) -> None:
        self.seen: list[str] = []

    @tc.hookimpl
    def teknikcollege_transition_committed(self, case: tc.Case, record: tc.TransitionRecord
                                           ) -> None:
        raise RuntimeError("listener down")


class CountingObserver:
    def __init__(self) -> None:
        self.seen: list[str] = []

    @tc.hookimpl
    def teknikcollege_transition_committed(self, case: tc.Case, record: tc.TransitionRecord
                                           ) -> None:
        self.seen.append(record.trigger)


def test_observers_are_isolated_and_called_after_commit(
    tc_plugin_manager, tc_clock: tc.FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    counting = CountingObserver()
    pm = tc_plugin_manager(FailingObserver(), counting)
    registry = tc.Registry(MemoryStorage(), clock=tc_clock, plugin_manager=pm, config={})
    seed(registry, *stockholm_pilot().entities())
    life = registry.open_case("college-lifecycle", tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"),
                              actor=tc.Actor.of("admin", tc.Role.ADMIN))
    registry.fire(life.id, "discontinue", actor=tc.Actor.of("admin", tc.Role.ADMIN))
    assert counting.seen == ["discontinue"]
    assert registry.case(life.id).state == "discontinued"


class ExtraGuard:
    @tc.hookimpl
    def teknikcollege_extend_workflow(self, definition: tc.WorkflowDefinition
                                      ) -> tc.WorkflowDefinition | None:
        if definition.name != "college-lifecycle":
            return None
        return definition.extended(guards={"discontinue": ["always-no"]})

    @tc.hookimpl
    def teknikcollege_rules(self) -> list[tc.Rule]:
        @tc.rule("always-no", rule_set="x", version="1", title=tc.Text("Nej", "No"),
                 description=tc.Text("Nej", "No"), applies_to=["case"])
        def always_no(case: object, context: object) -> tuple[bool, tc.Text]:
            return False, tc.Text("aldrig", "never")

        return [always_no]


def test_a_plugin_extends_a_workflow_with_a_guard(
    tc_plugin_manager, tc_clock: tc.FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    registry = tc.Registry(MemoryStorage(), clock=tc_clock,
                           plugin_manager=tc_plugin_manager(ExtraGuard()), config={})
    seed(registry, *stockholm_pilot().entities())
    admin = tc.Actor.of("admin", tc.Role.ADMIN)
    life = registry.open_case("college-lifecycle", tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"),
                              actor=admin)
    with pytest.raises(tc.TransitionNotAllowed, match="always-no: never"):
        registry.fire(life.id, "discontinue", actor=admin)
