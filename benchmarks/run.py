"""Benchmarks: every figure a ratio against a baseline measured in the same rounds.

``python benchmarks/run.py [--quick] [--output docs/performance.md]`` (or ``tox -e bench``)
prints the results as it goes and writes them, with the machine, the Python version and
the date, to the performance page. No test asserts an absolute time.

``TEKNIKCOLLEGE_TEST_POSTGRES=postgresql://…`` adds PostgreSQL (in a schema of its own,
dropped afterwards). Run from anywhere; the modules beside this file do the work:
``harness`` (the alternating rounds), ``fire``, ``scale`` and ``misc`` (the workloads).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import fire  # noqa: E402
import misc  # noqa: E402
import scale  # noqa: E402
from harness import Result, table  # noqa: E402


def render(results: list[Result], peaks: list[scale.Peak], built: dict[str, float],
           quick: bool, seconds: float, postgres: bool) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = {s: [r for r in results if r.section == s] for s in ("fire", "scale", "stream",
                                                                   "other")}
    command = "tox -e bench" + (" -- --quick" if quick else "")
    lines = [
        "# Performance",
        "",
        f"Measured {now} on Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores shared with other work{' — a quick run' if quick else ''}; "
        f"the run took {seconds / 60:.0f} minutes. Reproduce with `{command}` "
        "(or `python benchmarks/run.py`), with `TEKNIKCOLLEGE_TEST_POSTGRES` set for the "
        "PostgreSQL row.",
        "",
        "**How to read the figures.** Every figure compares our call with a baseline "
        "measured in the *same rounds of the same process*: each round runs a block of "
        "calls of one side, then of the other, the order swapped every round, so a change "
        "in machine load falls on both. Times are per call; *best* is the lowest round. The "
        "ratio is ours / baseline per round (for a throughput, baseline / ours, higher is "
        "better): the **median** over the rounds is judged against the goal, *min–max* is "
        "its spread. CPU time (`time.process_time`) is the main figure, since the machine "
        "is shared; the wall-time ratio is beside it (for PostgreSQL, where the server's "
        "work is not our CPU time, read the wall figure too).",
        "",
        "Each SQL baseline is the same job written by hand against a database the library "
        "created (same file, same pragmas): the same statements in the same order — the "
        "case found by its version, the permission read (the versions of the actor's "
        "person and the case's college, in one statement), the history head, the record, "
        "the case and its index keys —, each record decoded once per version as the "
        "library's cache does, the roles worked out by the same function on the day of the "
        "act and kept by the two records' versions and the day as the library keeps them, "
        "the check that a step is not dated before the last one's day, the shared "
        "`transitions` machine moving the state, the history record's SHA-256 chained to "
        "the previous one, the same JSON bytes by the same JSON encoder (built once; the "
        "record encoded once, as the library encodes it); after the run the library reads "
        "the baseline's case and history back and verifies its hash chain. The hand-written "
        "dict version (memory) does the same job on plain dicts.",
        "",
        "The memory row's goal is judged as issue 14 asks of every row of issue 15 (\"its "
        "baselines do the same checks and hashing by hand, so the ratios measure the "
        "library's overhead, not this work\"): the bare trigger of the shared machine with "
        "the checks and hashing issue 14 added around it, by hand, and nothing stored. The "
        "bare trigger alone is the row below it, without a goal; "
        "`docs/performance-notes.md` says why.",
        "",
        "## Firing transitions",
        "",
        *table(section["fire"]),
        "",
    ]
    if not postgres:
        lines += ["PostgreSQL was not measured: no server answered at "
                  "`TEKNIKCOLLEGE_TEST_POSTGRES`.", ""]
    lines += [
        "## Flat as the store grows",
        "",
        "The same call on a big store against a small one, in the same rounds (goal: the "
        "big end within 1.2× of the small one).",
        "",
        *table(section["scale"]),
        "",
        "Stores built for this run (through the library's unit of work, in a temporary "
        "folder): " + ", ".join(f"{k} cases in {v:.1f} s" for k, v in built.items()) + ".",
        "",
        "## Reading everything: memory and export",
        "",
        f"Peak Python memory (`tracemalloc`) above what the process held before the call, on "
        f"SQLite; the bound stated is {scale.BOUND >> 20} MiB whatever the store's size, "
        "and the peak must not grow with the number of cases (the big store's peak at "
        "most 1.5× the small one's + 1 MiB).",
        "",
        "| call | cases | peak memory | time (untraced) | cases | peak memory | "
        "time (untraced) | bounded, not growing |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    sizes = [k for k in built if k.startswith("SQLite")]
    small_label, big_label = sizes[-2].split()[1], sizes[-1].split()[1]
    for p in peaks:
        lines.append(
            f"| {p.name} | {small_label} | {p.small[0] / 2**20:.1f} MiB | {p.small[1]:.2f} s | "
            f"{big_label} | {p.big[0] / 2**20:.1f} MiB | {p.big[1]:.2f} s | {p.met()} |"
        )
    lines += [
        "",
        *table(section["stream"]),
        "",
        "## Other workloads",
        "",
        *table(section["other"]),
        "",
        "```{include} performance-notes.md",
        "```",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller stores")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "performance.md")
    args = parser.parse_args()
    postgres = os.environ.get("TEKNIKCOLLEGE_TEST_POSTGRES")
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("firing transitions", flush=True)
        results = fire.all_fire(args.quick, folder, postgres)
        measured_pg = any("PostgreSQL" in r.name for r in results)
        print("stores of many cases", flush=True)
        scaled, peaks, built = scale.all_scale(args.quick, folder)
        results += scaled
        print("other workloads", flush=True)
        results += misc.all_misc(args.quick)
    text = render(results, peaks, built, args.quick, time.perf_counter() - start, measured_pg)
    args.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
