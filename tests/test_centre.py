"""The centre's shape: imports point down, hooks keep pluggy's semantics, SQLite reads
never wait for writers, and no code is written twice."""

from __future__ import annotations

import ast
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

import teknikcollege as tc
from teknikcollege import hookimpl
from teknikcollege.examples import stockholm_pilot
from teknikcollege.plugins import Hooks, make_plugin_manager
from teknikcollege.storage.memory import MemoryStorage
from teknikcollege.storage.sqlite import SQLiteStorage
from teknikcollege.testing import seed

PACKAGE = Path(tc.__file__).parent
ROOT = Path(__file__).resolve().parents[1]


def _modules() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found.append(".".join(parts))
    # Running ``python -m teknikcollege`` is the command line, not an import.
    return [m for m in found if not m.endswith("__main__")]


@pytest.mark.slow
def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        "for name in sys.argv[1:]:\n"
        "    for loaded in [m for m in sys.modules if m.startswith('teknikcollege')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as error:\n"
        "        failed.append(f'{name}: {error!r}')\n"
        "print('\\n'.join(failed))\n"
    )
    # One interpreter per module would take ~60 starts; a module whose import needs
    # another to be imported first still fails here, because every teknikcollege module
    # is unloaded before the next is imported.
    result = subprocess.run(
        [sys.executable, "-c", script, *_modules()], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def _imports(path: Path, module: str) -> set[str]:
    """Modules of the package that `module` imports anywhere (functions included),
    except under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text())
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("teknikcollege"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.startswith("teknikcollege"):
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(sub if sub in MODULES else target)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    found.discard(module)
    return {m for m in found if m in MODULES}


MODULES = set(_modules())


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := walk(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := walk(node)):
            return found
    return None


def test_the_import_graph_has_no_cycle() -> None:
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        # A package's __init__ re-exports its modules; an edge from a module to its own
        # package's __init__ (``from . import x``) is the loader's, not a design cycle.
        graph[name] = {m for m in _imports(path, name) if not name.startswith(m + ".")}
    # The top-level package re-exports lazily (PEP 562), so nothing imports it for names.
    graph.pop("teknikcollege", None)
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


# -- hooks through pluggy ------------------------------------------------------------

HOOK_CALLS: dict[str, dict[str, Any]] = {
    "teknikcollege_storage_backends": {},
    "teknikcollege_notifiers": {"config": {}},
    "teknikcollege_rules": {},
    "teknikcollege_workflows": {},
    "teknikcollege_extend_workflow": {"definition": None},
    "teknikcollege_register_commands": {"cli": None},
    "teknikcollege_transition_committed": {"case": None, "record": None},
}


def test_every_hook_is_listed_here() -> None:
    from teknikcollege import hookspecs

    assert {n for n in vars(hookspecs) if n.startswith("teknikcollege_")} == set(HOOK_CALLS)


@pytest.mark.parametrize("hook", sorted(HOOK_CALLS))
def test_wrappers_and_ordering_work_on_every_hook(hook: str) -> None:
    calls: list[str] = []

    def impl(name: str, **options: Any) -> Any:
        def function(**kwargs: Any) -> Any:
            calls.append(name)
            return None

        function.__name__ = hook
        return hookimpl(**options)(function)

    def wrapper(**kwargs: Any) -> Any:
        calls.append("wrapper-before")
        result = yield
        calls.append("wrapper-after")
        return result

    wrapper.__name__ = hook

    class First:
        pass

    class Last:
        pass

    class Plain:
        pass

    class Wrapping:
        pass

    setattr(First, hook, staticmethod(impl("first", tryfirst=True)))
    setattr(Last, hook, staticmethod(impl("last", trylast=True)))
    setattr(Plain, hook, staticmethod(impl("plain")))
    setattr(Wrapping, hook, staticmethod(hookimpl(wrapper=True)(wrapper)))
    # Registered in the order that would run them wrongly without pluggy.
    pm = make_plugin_manager(
        plugins=[Last(), Plain(), First(), Wrapping()],
        entry_points=False,
        disable=["teknikcollege.storage", "teknikcollege.log", "teknikcollege.criteria",
                 "teknikcollege.workflows"],
    )
    getattr(pm.hook, hook)(**HOOK_CALLS[hook])
    assert calls == ["wrapper-before", "first", "plain", "last", "wrapper-after"]


def test_a_new_style_wrapper_on_rules_sees_and_changes_the_result() -> None:
    class Filter:
        @hookimpl(wrapper=True)
        def teknikcollege_rules(self) -> Any:
            rules = yield
            return [[r for r in records if r.id != "regional-collaboration"] for records in rules]

    pm = make_plugin_manager(plugins=[Filter()], entry_points=False)
    ids = {r.id for r in Hooks(pm).rules()}
    assert ("regional-collaboration" not in ids and "steering-group" in ids) or len(ids) > 5


def test_an_observer_marked_tryfirst_runs_first(tc_clock: tc.FixedClock) -> None:
    order: list[str] = []

    class Early:
        @hookimpl(tryfirst=True)
        def teknikcollege_transition_committed(self, case: Any, record: Any) -> None:
            order.append("early")

    class Late:
        @hookimpl
        def teknikcollege_transition_committed(self, case: Any, record: Any) -> None:
            order.append("late")

    pm = make_plugin_manager(plugins=[Early(), Late()], entry_points=False)
    registry = tc.Registry.open("memory:", plugin_manager=pm, clock=tc_clock, config={})
    seed(registry, *stockholm_pilot().entities())
    leader = tc.Actor.of("p-leader", "process_leader")
    case = registry.open_case(
        "certification", tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"), actor=leader
    )
    registry.fire(case.id, "withdraw", actor=leader)
    assert order == ["early", "late"]


def test_a_blocked_plugin_is_blocked_in_pluggy_too() -> None:
    pm = make_plugin_manager(entry_points=False, disable=["teknikcollege.log"])
    assert pm.is_blocked("teknikcollege.log")
    assert Hooks(pm).notifiers({}) == []


# -- SQLite reads and writes ----------------------------------------------------------

HOLD_WRITE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("UPDATE entities SET data = json_set(data, '$.name', 'Changed'), "
           "version = version + 1 WHERE kind = 'college'")
print("holding", flush=True)
sys.stdin.readline()
db.execute("COMMIT")
print("committed", flush=True)
"""


def test_a_read_finishes_while_another_process_holds_a_write(tmp_path: Path,
                                                             tc_clock: tc.FixedClock) -> None:
    url = f"sqlite:///{tmp_path / 'busy.db'}"
    with tc.Registry.open(url, clock=tc_clock, config={}) as registry:
        seed(registry, *stockholm_pilot().entities())
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_WRITE, str(tmp_path / "busy.db")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdin is not None
        assert writer.stdout.readline().strip() == "holding"
        # A short timeout: a read that waited for the writer would fail, not just be slow.
        registry = tc.Registry(SQLiteStorage(url, timeout=0.2), clock=tc_clock, config={})
        college = registry.get(tc.College, "stockholm")
        assert college.name != "Changed"  # the writer has not committed
        assert writer.poll() is None  # and still holds its transaction
        with pytest.raises(tc.StorageUnavailable):  # a second writer does wait, and says so
            registry.fire("none", "x", actor=tc.Actor.of("p-leader", "process_leader"))
        writer.stdin.write("\n")
        writer.stdin.flush()
        assert writer.stdout.readline().strip() == "committed"
        assert registry.get(tc.College, "stockholm").name == "Changed"
        registry.close()
    finally:
        writer.kill()
        writer.communicate()


@pytest.mark.skipif(not shutil.which("setpriv") or os.geteuid() != 0,
                    reason="needs root and setpriv (util-linux) to drop the right to "
                           "override file permissions")
def test_a_read_only_database_file_can_be_read(tmp_path: Path, tc_clock: tc.FixedClock) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    url = f"sqlite:///{folder / 'pilot.db'}"
    with tc.Registry.open(url, clock=tc_clock, config={}) as registry:
        seed(registry, *stockholm_pilot().entities())
    for path in folder.iterdir():
        path.chmod(0o444)
    folder.chmod(0o555)
    script = (
        "import sys, teknikcollege as tc\n"
        "r = tc.Registry.open(sys.argv[1], config={})\n"
        "print(r.get(tc.College, 'stockholm').name)\n"
        "try:\n"
        "    r.add(tc.Person('x', 'X'), actor=tc.Actor.of('admin'))\n"
        "except tc.StorageUnavailable as e:\n"
        "    print('refused:', e)\n"
    )
    try:
        # Root ignores file modes; without CAP_DAC_OVERRIDE it is held to them.
        result = subprocess.run(
            ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
             sys.executable, "-c", script, url],
            capture_output=True, text=True, timeout=60,
        )
    finally:
        folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    name, refused = result.stdout.splitlines()
    assert name == stockholm_pilot().colleges[0].name
    assert refused.startswith("refused:") and "read-only" in refused


# -- one open case per subject, by index ----------------------------------------------

def test_a_0_1_store_is_migrated_and_indexed(tmp_path: Path, tc_clock: tc.FixedClock) -> None:
    import json
    import sqlite3

    from teknikcollege.storage.sqlite import APPLICATION_ID, MIGRATIONS

    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO schema_version VALUES (1)")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    with tc.Registry(MemoryStorage(), clock=tc_clock, config={}) as source:
        seed(source, *stockholm_pilot().entities())
        leader = tc.Actor.of("p-leader", "process_leader")
        case = source.open_case(
            "certification", tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"), actor=leader
        )
        document = source.export_document()
    for field, kind in (("colleges", "college"), ("people", "person"), ("cases", "case")):
        for item in document.get(field, []):
            db.execute("INSERT INTO entities VALUES (?, ?, 1, ?, NULL)",
                       (kind, item["id"], json.dumps(item)))
    for record in document["history"]:
        # 0.1 stored every record with "seq": 0 and no hash.
        old = {k: v for k, v in record.items() if k not in ("hash", "prev_hash")} | {"seq": 0}
        db.execute("INSERT INTO history VALUES (?, 1, ?)", (record["case_id"], json.dumps(old)))
    db.close()

    registry = tc.Registry.open(f"sqlite:///{path}", clock=tc_clock, config={})
    assert registry.storage.schema_version == len(MIGRATIONS)  # type: ignore[attr-defined]
    assert [r.seq for r in registry.history(case.id)] == [1]
    found = registry.cases(subject=tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"))
    assert [c.id for c in found] == [case.id]
    with pytest.raises(tc.CaseExists):
        registry.open_case(
            "certification", tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm"), actor=leader
        )
    # 0.1 kept no hashes: the chain is computed once, by a person, and recorded.
    assert [r.first_bad for r in registry.verify()] == [1]
    assert registry.migrate(actor=tc.Actor.of("admin")) == 1
    assert [r.ok for r in registry.verify()] == [True]
    assert registry.migrate(actor=tc.Actor.of("admin")) == 0
    with registry.storage.transaction(write=False) as tx:
        recorded = json.loads(tx.get_meta("history-chained") or "{}")
    assert recorded["by"] == "admin" and recorded["records"] == 1
    registry.close()


# -- nothing written twice -------------------------------------------------------------

# Skipped like imports: comments, closing brackets, and the entries of name lists such
# as ``__all__`` (one quoted name a line: declarations, not logic).
_SKIP = re.compile(r'^(#.*|from .* import .*|import .*|[\]\)\}]+,?|"""|"[A-Za-z_][\w]*",|)$')


def _code_files() -> list[Path]:
    files = sorted((ROOT / "src").rglob("*.py"))
    for plugin in (ROOT / "plugins").iterdir():
        files += sorted((plugin / "src").rglob("*.py"))
    return files


def test_no_six_identical_lines_stand_twice_in_the_code() -> None:
    if not (ROOT / "plugins").is_dir():
        pytest.skip("runs from a source checkout (the plug-ins' code is read from there)")
    runs: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for path in _code_files():
        source = path.read_text()
        in_imports = {
            n
            for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)
        }
        lines = [
            (n, line.strip())
            for n, line in enumerate(source.splitlines(), start=1)
            if n not in in_imports and not _SKIP.match(line.strip())
        ]
        for i in range(len(lines) - 5):
            window = "\n".join(text for _, text in lines[i : i + 6])
            key = hashlib.sha1(window.encode()).hexdigest()
            runs[key].append((str(path.relative_to(ROOT)), lines[i][0]))
    repeated = [places for places in runs.values() if len({p for p, _ in places}) > 1
                or (len(places) > 1 and places[-1][1] - places[0][1] >= 6)]
    assert [sorted(set(places))[:2] for places in repeated] == []
