"""What does a call cost as the store grows, and what does reading all of it hold in memory?

The stores are built once per run, in a temporary folder, through the library's own unit
of work (the rows the library would write, without a registry call per case): half the
cases open (providers awaiting supplements in 2030), half closed (withdrawn cases of the
college and its programmes, which `report` reads), each with its opening record, plus
batches of cases that fall due one day after another for `tick`.
"""

from __future__ import annotations

import functools
import gc
import io
import itertools
import json
import sqlite3
import time
import tracemalloc
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import cattrs
from fire import REVIEWER, make_registry, providers, visited_cases
from harness import Result, compare

import teknikcollege as tc
from teknikcollege import report as reports
from teknikcollege.clock import as_datetime
from teknikcollege.examples import stockholm_pilot
from teknikcollege.serialization import from_data
from teknikcollege.services.cases import store_case
from teknikcollege.storage import MemoryStorage, SQLiteStorage
from teknikcollege.testing import seed
from teknikcollege.testing.concurrency import ADMIN
from teknikcollege.unit_of_work import unit_of_work

DUE_START = date(2024, 1, 1)
"""Due batch *r* has its supplements due on this day + *r*; it lapses the next day."""


@attrs.define
class Store:
    size: int
    registry: tc.Registry
    due: int
    batches: Iterator[int]
    visited: Iterator[str] = attrs.field(factory=lambda: iter(()))


def build(storage: Any, size: int, *, due: int, batches: int) -> Store:
    registry = make_registry(storage, notify=True)
    bundle = stockholm_pilot()
    seed(registry, *bundle.entities())
    flow = registry.workflows["certification"]
    closed_subjects = [tc.UnitRef(tc.UnitKind.COLLEGE, "stockholm")] + [
        tc.UnitRef(tc.UnitKind.PROGRAMME, p.id) for p in bundle.programmes
    ]
    opened = as_datetime(date(2023, 1, 1))

    def write(uow: Any, case: tc.Case) -> None:
        store_case(uow, case, flow, 0)
        uow.history.append(tc.TransitionRecord(case.id, 1, "open", "", case.state, "admin",
                                               ADMIN.roles, opened))

    def awaiting(id: str, due_on: date) -> tc.Case:
        case = flow.new_case(id, tc.UnitRef(tc.UnitKind.PROVIDER, id), "stockholm", opened)
        case.state = "awaiting_supplements"
        case.deadlines["supplements_due"] = due_on
        case.reminders_sent.append(f"supplements_due:{due_on.isoformat()}")
        return case

    chunk = 5000
    for start in range(0, size, chunk):
        with unit_of_work(registry.storage, registry.deps.cache) as uow:
            for i in range(start, min(size, start + chunk)):
                if i % 2 == 0:
                    write(uow, awaiting(f"u{i}", date(2030, 1, 1)))
                else:
                    subject = closed_subjects[i // 2 % len(closed_subjects)]
                    case = flow.new_case(f"w{i}", subject, "stockholm", opened)
                    case.state = "withdrawn"
                    write(uow, case)
    with unit_of_work(registry.storage, registry.deps.cache) as uow:
        for r in range(batches):
            for j in range(due):
                write(uow, awaiting(f"d{r}-{j}", DUE_START + timedelta(days=r)))
    return Store(size, registry, due, iter(range(batches)))


def _tick(store: Store) -> Callable[[], None]:
    def run() -> None:
        r = next(store.batches)
        # The sweep runs on the registry's own clock (a later sweep is refused).
        store.registry.clock.set(DUE_START + timedelta(days=r + 1))  # type: ignore[attr-defined]
        report = store.registry.tick()
        assert len(report.fired) == store.due and not report.skipped, report

    return run


def _open(store: Store) -> Callable[[], None]:
    counter = itertools.count()

    def run() -> None:
        store.registry.open_case("certification",
                                 tc.UnitRef(tc.UnitKind.PROVIDER, f"new{next(counter)}"),
                                 actor=ADMIN, college_id="stockholm")

    return run


def _fire(store: Store) -> Callable[[], None]:
    def run() -> None:
        store.registry.fire(next(store.visited), "request_supplements", actor=REVIEWER)

    return run


def _status(store: Store) -> Callable[[], None]:
    # A provider awaiting supplements (one case, its opening record): the same unit in
    # every store, so only the store around it grows.
    unit = tc.UnitRef(tc.UnitKind.PROVIDER, "u0")

    def run() -> None:
        status = store.registry.status(unit)
        assert status.open_cases, status

    return run


def flat(backend: str, small: Store, big: Store, rounds: int, number: int) -> list[Result]:
    label = f"{big.size:,} vs {small.size:,} cases, {backend}"
    for store in (small, big):
        store.visited = visited_cases(store.registry, f"v{store.size}-", number * (rounds + 1))
        providers(store.registry, (f"new{i}" for i in range(number * (rounds + 1))))
    results = []
    for name, make, n in [
        ("`open_case`", _open, number),
        ("`fire` (`request_supplements`, notifying)", _fire, number),
        # A status is a few reads: four times the calls per round, so that a round is
        # long enough for the load on a shared machine to even out.
        ("`status` of a provider (one case)", _status, number * 4),
        (f"`tick`, per due case ({big.due} due per tick)", _tick, 1),
    ]:
        results.append(compare(
            f"{name}: {label}",
            make(big),
            make(small),
            baseline_name=f"same call on {small.size:,} cases",
            goal="≤ 1.2",
            number=n,
            rounds=rounds,
            section="scale",
        ))
    return results


# -- streaming: list, report, export -----------------------------------------------------


class Sink:
    """A text file that keeps only its length (the output itself must not be held)."""

    def __init__(self) -> None:
        self.length = 0

    def write(self, text: str) -> int:
        self.length += len(text)
        return len(text)


def _list(registry: tc.Registry) -> int:
    return sum(1 for _ in registry.stream(tc.Case))


def _report(registry: tc.Registry) -> int:
    return len(reports.markdown(registry, "stockholm"))


def _export(registry: tc.Registry) -> int:
    return registry.write_document(Sink())  # type: ignore[arg-type]


STREAMED: dict[str, Callable[[tc.Registry], int]] = {
    "`list` (`Registry.stream(Case)`)": _list,
    "`report` (the CLI's `report` command's function)": _report,
    "`export` (`Registry.write_document`)": _export,
}


def peak_memory(fn: Callable[[], object]) -> tuple[int, float]:
    """Peak bytes allocated by Python above what was held before `fn`, and seconds taken
    without tracing."""
    gc.collect()
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1] - before
    tracemalloc.stop()
    return peak, elapsed


@attrs.define
class Peak:
    name: str
    small: tuple[int, float]
    big: tuple[int, float]
    bound: int

    def met(self) -> str:
        grows = self.big[0] > 1.5 * self.small[0] + (1 << 20)
        return "yes" if self.big[0] <= self.bound and not grows else "**no**"


BOUND = 32 << 20
"""The stated bound: 32 MiB of Python allocations above the resting process, any size."""


def streaming(small: Store, big: Store) -> list[Peak]:
    peaks = []
    for name, fn in STREAMED.items():
        s = peak_memory(functools.partial(fn, small.registry))
        b = peak_memory(functools.partial(fn, big.registry))
        peaks.append(Peak(name, s, b, BOUND))
        print(f"  {name}: {s[0] / 2**20:.1f} MiB at {small.size:,}, {b[0] / 2**20:.1f} MiB at "
              f"{big.size:,}", flush=True)
    return peaks


_dump = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
"""The records' text as the export writes it (compact, key-sorted), by an encoder built
once (``json.dumps`` with options would build one per record)."""


def _plain_converter() -> cattrs.Converter:
    # Sets become sorted lists, as the library stores them.
    converter = cattrs.Converter(unstruct_collection_overrides={AbstractSet: sorted})
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(date, lambda v, _: date.fromisoformat(v))
    converter.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v))
    return converter


def export_vs_cattrs(big: Store, path: Path | None, rounds: int) -> list[Result]:
    """`export` against plain cattrs + a JSON encoder over the same objects (already
    decoded), and, on SQLite, against the whole job by hand: raw rows, json.loads, plain
    cattrs structure and unstructure, the encoder. Both write the export's bytes."""
    registry = big.registry
    from teknikcollege.kinds import KINDS

    objects: list[Any] = []
    with unit_of_work(registry.storage, registry.deps.cache, write=False) as uow:
        for kind in KINDS:
            objects += [(kind.cls, o) for o in uow.entities.stream(kind.cls)]
        history = [json.loads(text) for text in uow.history.stream_text()]
    objects += [(tc.TransitionRecord, from_data(d, tc.TransitionRecord))
                for d in history]
    converter = _plain_converter()

    def plain() -> None:
        out = Sink()
        for _, obj in objects:
            out.write(_dump(converter.unstructure(obj)))

    results = [compare(
        f"`export` of {big.size:,} cases (SQLite) vs cattrs over the same objects",
        lambda: _export(registry),
        plain,
        baseline_name="plain cattrs unstructure + one JSON encoder (the same bytes) over the "
        "decoded objects",
        goal="≤ 1.3",
        number=1,
        rounds=rounds,
        section="stream",
    )]
    if path is not None:
        conn = sqlite3.connect(path, isolation_level=None)

        def by_hand(out: Any = None) -> None:
            # The library's job as it does it: one read transaction, the stored text of
            # each page of rows written as it is (no record decoded or encoded), the
            # history in one paged read in the order it was appended.
            out = out or Sink()
            conn.execute("BEGIN")
            out.write('{"schema": ' + json.dumps(tc.SCHEMA))
            current = None

            def page(field: str, rows: list[Any]) -> None:
                nonlocal current
                for row in rows:
                    if field != current:
                        out.write("]" if current is not None else "")
                        out.write(f", {json.dumps(field)}: [")
                        current = field
                    else:
                        out.write(", ")
                    out.write(row[-1])

            for kind in KINDS:
                after = ""
                while True:
                    rows = conn.execute(
                        "SELECT id, data FROM entities WHERE kind = ? AND id > ? ORDER BY id "
                        "LIMIT 500", (kind.name, after)).fetchall()
                    page(kind.document_field, rows)
                    if len(rows) < 500:
                        break
                    after = rows[-1][0]
            last = 0
            while True:
                rows = conn.execute(
                    "SELECT ord, data FROM history WHERE ord > ? ORDER BY ord LIMIT 500",
                    (last,)).fetchall()
                page("history", rows)
                if len(rows) < 500:
                    break
                last = rows[-1][0]
            out.write("]}\n" if current is not None else "}\n")
            conn.execute("COMMIT")

        ours, theirs = io.StringIO(), io.StringIO()
        registry.write_document(ours)
        by_hand(theirs)
        assert ours.getvalue() == theirs.getvalue()  # the same bytes
        results.append(compare(
            f"`export` of {big.size:,} cases (SQLite) vs the same job by hand",
            lambda: _export(registry),
            by_hand,
            baseline_name="raw `sqlite3`: one read transaction, pages of the stored text "
            "written as they are",
            goal="—",
            number=1,
            rounds=rounds,
            section="stream",
        ))
        conn.close()
    return results


def all_scale(quick: bool, folder: Path) -> tuple[list[Result], list[Peak], dict[str, float]]:
    small_n, big_n = (1000, 10_000) if quick else (1000, 100_000)
    rounds = 5 if quick else 15  # as many as the fire rows: a loaded machine spreads them
    due = 20 if quick else 50
    built: dict[str, float] = {}
    results: list[Result] = []
    stores = {}
    mid = small_n if quick else 10_000  # the smaller end of the streaming comparison
    for backend in ("memory", "SQLite"):
        for size in sorted({small_n, big_n} | ({mid} if backend == "SQLite" else set())):
            start = time.perf_counter()
            storage = (MemoryStorage() if backend == "memory"
                       else SQLiteStorage(f"sqlite:///{folder / f'scale-{size}.db'}"))
            stores[backend, size] = build(storage, size, due=due, batches=rounds + 1)
            built[f"{backend} {size:,}"] = time.perf_counter() - start
            print(f"  built {backend} store of {size:,} cases in "
                  f"{built[f'{backend} {size:,}']:.1f} s", flush=True)
        # 200 calls a round: a round of 50 calls (4 ms) was short enough for one
        # scheduler pause on a shared machine to move its ratio by half.
        results += flat(backend, stores[backend, small_n], stores[backend, big_n], rounds,
                        20 if quick else 200)
    peaks = streaming(stores["SQLite", mid], stores["SQLite", big_n])
    results += export_vs_cattrs(stores["SQLite", big_n], folder / f"scale-{big_n}.db",
                                2 if quick else 3)
    for store in stores.values():
        store.registry.close()
    return results, peaks, built
