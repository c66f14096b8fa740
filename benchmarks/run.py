"""Benchmarks: every figure a ratio against a baseline measured in the same run.

``python benchmarks/run.py [--quick] [--output docs/performance.md]`` (or ``tox -e bench``)
prints the results and writes them, with the Python version and machine, to the
performance page. No test asserts an absolute time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import attrs
import cattrs
from transitions import Machine

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.rules import Context, national_criteria
from teknikcollege.rules.base import Lookup
from teknikcollege.storage import MemoryStorage, SQLiteStorage
from teknikcollege.testing import concurrency

ROOT = Path(__file__).resolve().parent.parent


def best(fn: Callable[[], object], *, number: int, repeat: int = 5) -> float:
    """Seconds per call: the best of `repeat` runs of `number` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)


@attrs.define
class Row:
    name: str
    ours: float
    baseline: float
    unit: str
    goal: str
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline

    def met(self) -> str:
        if self.goal == "—":
            return "—"
        op, value = self.goal.split()
        ok = self.ratio <= float(value) if op == "≤" else self.ratio >= float(value)
        return "yes" if ok else "**no**"


def registry_with_ping(storage: Any) -> tc.Registry:
    pm = tc.make_plugin_manager(plugins=[concurrency.PingPlugin()], entry_points=False)
    registry = tc.Registry(storage, clock=tc.FixedClock(date(2024, 1, 1)), config={},
                           plugin_manager=pm)
    registry.add(*stockholm_pilot().entities())
    return registry


def flipper(registry: tc.Registry) -> Callable[[], None]:
    """A call that fires the next ping transition on one case."""
    case = registry.open_case("ping", tc.UnitRef(tc.UnitKind.PROVIDER, "u"),
                              actor=concurrency.ADMIN, college_id="stockholm").id
    flip = {"a": "to_b", "b": "to_a"}
    state = {"s": "a"}

    def fire() -> None:
        registry.fire(case, flip[state["s"]], actor=concurrency.ADMIN)
        state["s"] = "b" if state["s"] == "a" else "a"

    return fire


def bench_fire_memory(n: int) -> Row:
    ours = flipper(registry_with_ping(MemoryStorage()))

    flip = {"a": "to_b", "b": "to_a"}

    @attrs.define
    class Model:
        state: str = "a"
        roles: frozenset[str] = frozenset({"admin"})

    def allowed(event: Any) -> bool:
        return "admin" in event.model.roles

    machine = Machine(model=None, states=["a", "b"], initial="a", auto_transitions=False,
                      send_event=True, transitions=[
                          {"trigger": "to_b", "source": "a", "dest": "b", "conditions": allowed},
                          {"trigger": "to_a", "source": "b", "dest": "a", "conditions": allowed}])
    model = Model()

    def bare() -> None:
        machine.events[flip[model.state]].trigger(model)

    return Row("`fire` on the memory backend vs a bare shared-machine trigger",
               best(ours, number=n), best(bare, number=n * 10), "µs", "≤ 3")


def _plain_checks(college: tc.College, lookup: Any, today: date) -> list[bool]:
    """The same eight checks, hand-written with no framework: same data, same look-ups,
    judgements honoured, but no messages, no findings, no isolation of failing rules."""
    programmes = lookup.find(tc.Programme, college_id=college.id)
    reports = lookup.find(tc.AnnualReport, college_id=college.id)
    surveys = lookup.find(tc.SatisfactionSurvey, college_id=college.id)
    orgs = {p: lookup.get(tc.Organisation, p) for a in college.agreements for p in a.parties}
    valid = [a for a in college.agreements if a.period.contains(today)]
    covered = {m for a in valid if a.kind.value in ("collaboration", "attached")
               for m in a.municipalities}
    letters = [a for a in valid if a.kind.value == "letter_of_intent" and {
        o.kind.value for p in a.parties if (o := orgs[p]) is not None} >= {
            "company", "education_provider"}]
    collab = (len(college.municipalities) >= 3 and covered >= set(college.municipalities)
              and bool(letters))
    groups = college.steering_groups()
    gov = bool(college.steering_group) and all(lc.steering_group for lc in
                                               college.local_colleges)
    for g in groups:
        companies = sum(1 for m in g.members if m.sector.value == "company")
        chair = next((m for m in g.members if m.person_id == g.chair), None)
        gov = gov and companies > len(g.members) // 2 and chair is not None and \
            chair.sector.value == "company"
    gov = gov and bool(college.process_leaders)
    forms = {"upper_secondary", "vocational_adult", "higher_vocational"}
    dims = bool(programmes) and all(p.form.value in forms and p.weeks >= 40 for p in programmes)
    work = bool(programmes) and all(
        sum(c.count for c in p.contributions if c.kind.value == "apl_places") > 0
        and sum(c.count for c in p.contributions if c.kind.value == "supervisors") > 0
        for p in programmes)
    year = today.year - 1
    quality = any(r.year == year for r in reports) and any(s.year == year for s in surveys)
    judged = [
        any(j.is_valid_on(today) and j.outcome.value == "passed"
            for j in lookup.find(tc.Judgement, rule_id=rule_id, subject_id=college.id))
        for rule_id in ("industry-skills-needs", "learning-environment", "education-within-tc")
    ]
    return [collab, gov, judged[0], dims, judged[1], judged[2], work, quality]


class ListLookup:
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def get(self, cls: type[Any], id: str) -> Any:
        return next((i for i in self.items if isinstance(i, cls) and i.id == id), None)

    def find(self, cls: type[Any], **where: object) -> list[Any]:
        return [i for i in self.items if isinstance(i, cls)
                and all(getattr(i, k) == v for k, v in where.items())]


def bench_assess(n: int) -> Row:
    bundle = stockholm_pilot()
    today = date(2023, 6, 1)
    reports = [tc.AnnualReport("ar", "stockholm", 2022, tc.ReportLevel.REGIONAL, today)]
    surveys = [tc.SatisfactionSurvey("s", "stockholm", 2022, 1, 1, 1)]
    items: list[Any] = [*bundle.entities(), *reports, *surveys]
    lookup: Lookup = ListLookup(items)
    rules = national_criteria()
    context = Context(tc.clock.as_datetime(today), lookup, rules)
    college = bundle.colleges[0]

    def ours() -> None:
        tc.rules.assess(college, rules, context)

    def plain() -> None:
        _plain_checks(college, lookup, today)

    return Row("assessing a college against the eight criteria vs a plain function",
               best(ours, number=n), best(plain, number=n), "µs", "≤ 2")


def bench_fire_sqlite(n: int, folder: Path) -> tuple[Row, Row]:
    registry = registry_with_ping(SQLiteStorage(f"sqlite:///{folder / 'bench.db'}"))
    ours = flipper(registry)

    raw = sqlite3.connect(folder / "raw.db", isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = NORMAL")
    raw.execute("PRAGMA foreign_keys = ON")
    raw.executescript("""
        CREATE TABLE entities (kind TEXT, id TEXT, version INTEGER, data TEXT, due_at TEXT,
                               PRIMARY KEY (kind, id));
        CREATE TABLE history (case_id TEXT, seq INTEGER, data TEXT, PRIMARY KEY (case_id, seq));
        CREATE TABLE notifications (id TEXT PRIMARY KEY, created_at TEXT, data TEXT);
        INSERT INTO entities VALUES ('case', 'c', 1, '{"state": "a"}', NULL);
    """)
    counter = {"seq": 0}

    def plain() -> None:
        counter["seq"] += 1
        seq = counter["seq"]
        raw.execute("BEGIN IMMEDIATE")
        row = raw.execute("SELECT version, data FROM entities WHERE kind='case' AND id='c'"
                          ).fetchone()
        data = json.loads(row[1])
        data["state"] = "b" if data["state"] == "a" else "a"
        raw.execute("INSERT INTO history VALUES ('c', ?, ?)",
                    (seq, json.dumps({"trigger": "flip", "dest": data["state"]})))
        raw.execute("UPDATE entities SET version = version + 1, data = ? WHERE kind='case' "
                    "AND id='c' AND version = ?", (json.dumps(data), row[0]))
        raw.execute("INSERT INTO notifications VALUES (?, '2024', '{}')", (f"n{seq}",))
        raw.execute("COMMIT")

    single = Row("`fire` on SQLite, one durable transaction each, vs raw `sqlite3` doing "
                 "the same writes", best(ours, number=n, repeat=3),
                 best(plain, number=n, repeat=3), "µs", "≤ 1.5")
    # Batched: many transitions in one transaction, per second.
    cases = [registry.open_case("ping", tc.UnitRef(tc.UnitKind.PROVIDER, f"b{i}"),
                                actor=concurrency.ADMIN, college_id="stockholm").id
             for i in range(200)]
    start = time.perf_counter()
    with registry._tx() as (tx, lookup):
        now = registry.now()
        for cid in cases:
            registry._fire(tx, lookup, cid, "to_b", concurrency.ADMIN, "", {}, now, None)
    per_second = len(cases) / (time.perf_counter() - start)
    batched = Row("batched transitions in one SQLite transaction", 1 / per_second,
                  single.ours, "per second", "≥ 1",
                  note=f"{per_second:,.0f} transitions per second")
    registry.close()
    raw.close()
    return single, batched


def bench_json(n_programmes: int) -> Row:
    base = stockholm_pilot().programmes[0]
    programmes = tuple(attrs.evolve(base, id=f"p{i}") for i in range(n_programmes))
    bundle = tc.Bundle(programmes=programmes)

    def ours() -> None:
        tc.loads(tc.dumps(bundle))

    plain_converter = cattrs.Converter()
    plain_converter.register_unstructure_hook(date, date.isoformat)
    plain_converter.register_structure_hook(date, lambda v, _: date.fromisoformat(v))

    def plain() -> None:
        text = json.dumps(plain_converter.unstructure(programmes), ensure_ascii=False, indent=2,
                          sort_keys=True)
        plain_converter.structure(json.loads(text), tuple[tc.Programme, ...])

    return Row(f"JSON export and import of {n_programmes:,} programmes vs plain cattrs",
               best(ours, number=1, repeat=3), best(plain, number=1, repeat=3), "ms", "≤ 1.3")


def bench_tick(sizes: list[int], due: int, folder: Path) -> list[tuple[int, float]]:
    curve = []
    for size in sizes:
        storage = SQLiteStorage(f"sqlite:///{folder / f'tick-{size}.db'}")
        clock = tc.FixedClock(date(2024, 1, 1))
        pm = tc.make_plugin_manager(entry_points=False)
        registry = tc.Registry(storage, clock=clock, config={}, plugin_manager=pm)
        registry.add(*stockholm_pilot().entities())
        flow = registry.workflows["certification"]
        opened = tc.clock.as_datetime(date(2023, 1, 1))
        with storage.transaction() as tx:
            for i in range(size):
                case = flow.new_case(f"c{i}", tc.UnitRef(tc.UnitKind.PROVIDER, f"u{i}"),
                                     "stockholm", opened)
                case.state = "awaiting_supplements"
                # `due` of them lapse now; the rest years from now.
                case.deadlines["supplements_due"] = (date(2023, 12, 1) if i < due
                                                     else date(2030, 1, 1))
                case.reminders_sent.append(f"supplements_due:{case.deadlines['supplements_due']}")
                tx.put("case", case.id, tc.to_data(case), expected_version=0,
                       due_at=flow.next_due(case))
        start = time.perf_counter()
        report = registry.tick()
        elapsed = time.perf_counter() - start
        assert len(report.fired) == due, report
        curve.append((size, elapsed))
        registry.close()
    return curve


def bench_import_time(repeat: int) -> list[Row]:
    def run(code: str) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    empty = run("pass")
    ours = run("import teknikcollege") - empty
    deps = run("import attrs, cattrs, transitions, pluggy") - empty
    used = run("import teknikcollege as tc; tc.Registry; tc.College; tc.hookimpl") - empty
    return [
        Row("`import teknikcollege` vs importing attrs, cattrs, transitions and pluggy",
            ours, deps, "ms", "≤ 1.2", note="interpreter start-up subtracted from both"),
        Row("`import teknikcollege` and first use of `Registry` (everything loaded) vs the "
            "same four", used, deps, "ms", "—", note="no goal: what a full load costs"),
    ]


def bench_strategy(n: int) -> Row:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from teknikcollege.testing import strategies as tst

    def count(strategy: st.SearchStrategy[Any]) -> float:
        seen = []

        @settings(max_examples=n, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def run(value: object) -> None:
            seen.append(value)

        start = time.perf_counter()
        run()
        return (time.perf_counter() - start) / max(len(seen), 1)

    plain = st.builds(
        tc.College, id=st.just("c"), name=st.just("College"), county_code=st.just("01"),
        municipalities=st.lists(st.sampled_from(["0126", "0181", "0123", "0136", "0180"]),
                                min_size=3, max_size=4, unique=True).map(tuple),
        steering_group=st.builds(tc.SteeringGroup, id=st.just("g"), name=st.just("G"),
                                 level=st.just(tc.GroupLevel.REGIONAL),
                                 members=st.lists(st.builds(
                                     tc.Member, person_id=st.text("abc", min_size=1),
                                     sector=st.sampled_from(list(tc.Sector))), max_size=6,
                                     unique_by=lambda m: m.person_id).map(tuple)),
    )
    return Row("examples per second of `colleges()` vs `st.builds` without constraints",
               count(tst.colleges()), count(plain), "examples/s", "≥ 0.5")


def render(rows: list[Row], curve: list[tuple[int, float]], due: int, quick: bool) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Performance",
        "",
        "Every figure is a ratio against a baseline measured in the same process, in the same "
        "run (`tox -e bench`, or `python benchmarks/run.py`). No test asserts an absolute time.",
        "",
        f"Measured {now} on Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores{' (quick run)' if quick else ''}.",
        "",
        "| benchmark | ours | baseline | ratio | goal | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        if row.unit == "per second":
            lines.append(f"| {row.name} | {row.note} | {1 / row.baseline:,.0f} single "
                         f"transactions/s | {row.baseline / row.ours:.1f}× faster | — | — |")
            continue
        if row.unit == "examples/s":  # a rate: higher is better
            rate = row.baseline / row.ours
            lines.append(f"| {row.name} | {1 / row.ours:,.0f}/s | {1 / row.baseline:,.0f}/s | "
                         f"{rate:.2f} | {row.goal} | {'yes' if rate >= 0.5 else '**no**'} |")
            continue
        scale = 1e6 if row.unit == "µs" else 1e3
        note = f" ({row.note})" if row.note else ""
        lines.append(f"| {row.name}{note} | {row.ours * scale:,.1f} {row.unit} | "
                     f"{row.baseline * scale:,.1f} {row.unit} | {row.ratio:.2f} | {row.goal} "
                     f"| {row.met()} |")
    lines += ["", f"## The sweep as the registry grows ({due} cases due each time, SQLite)", "",
              "| cases in the registry | `tick` time | relative to the smallest |",
              "| --- | --- | --- |"]
    for size, elapsed in curve:
        lines.append(f"| {size:,} | {elapsed * 1e3:,.1f} ms | {elapsed / curve[0][1]:.2f} |")
    lines += ["", "```{include} performance-notes.md", "```", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, smaller sizes")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()
    q = args.quick
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = [bench_fire_memory(200 if q else 1000), bench_assess(200 if q else 2000)]
        rows += bench_fire_sqlite(100 if q else 500, folder)
        rows += [bench_json(1000 if q else 10_000), *bench_import_time(3 if q else 10),
                 bench_strategy(50 if q else 300)]
        due = 100
        curve = bench_tick([1000, 10_000] if q else [1000, 10_000, 100_000], due, folder)
    text = render(rows, curve, due, q)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
