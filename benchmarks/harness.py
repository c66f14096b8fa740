"""Measuring a workload against its baseline: both sides in the same rounds, one process.

Each round runs `number` calls of one side, then `number` calls of the other (the order
swapped every round, so a drift in machine load falls on both sides alike), and records
the CPU time (:func:`time.process_time`) and the wall time of each side per call. A
figure is the per-round ratio ours / baseline: its median decides the goal, its minimum
and maximum show the spread.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable

import attrs


@attrs.define
class Result:
    """One workload against its baseline, per call, round by round."""

    name: str
    baseline_name: str
    goal: str
    """``"≤ 1.3"``, ``"≥ 0.6"`` or ``"—"`` (no goal)."""
    ours_cpu: list[float] = attrs.field(factory=list)
    base_cpu: list[float] = attrs.field(factory=list)
    ours_wall: list[float] = attrs.field(factory=list)
    base_wall: list[float] = attrs.field(factory=list)
    speed: bool = False
    """A throughput figure: the ratio is baseline time / our time (higher is better)."""
    note: str = ""
    section: str = ""

    def ratios(self, cpu: bool = True) -> list[float]:
        ours, base = (self.ours_cpu, self.base_cpu) if cpu else (self.ours_wall, self.base_wall)
        if self.speed:
            return [b / o for o, b in zip(ours, base, strict=True)]
        return [o / b for o, b in zip(ours, base, strict=True)]

    @property
    def ratio(self) -> float:
        """The median per-round CPU ratio: what the goal is judged on."""
        return statistics.median(self.ratios())

    def met(self) -> str:
        if self.goal == "—":
            return "—"
        op, value = self.goal.split()
        ok = self.ratio <= float(value) if op == "≤" else self.ratio >= float(value)
        return "yes" if ok else "**no**"


def _time(fn: Callable[[], object], number: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(number):
        fn()
    return (time.process_time() - cpu) / number, (time.perf_counter() - wall) / number


def compare(
    name: str,
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    baseline_name: str,
    goal: str,
    number: int,
    rounds: int,
    warmup: int = 1,
    speed: bool = False,
    note: str = "",
    section: str = "",
    between: Callable[[], object] | None = None,
) -> Result:
    """Alternate `ours` and `baseline`, `number` calls each, for `rounds` rounds.

    `between`, if given, runs outside the timed blocks before each round (to refill
    what a round used up)."""
    result = Result(name, baseline_name, goal, speed=speed, note=note, section=section)
    for _ in range(warmup):
        if between:
            between()
        _time(ours, number)
        _time(baseline, number)
    for r in range(rounds):
        if between:
            between()
        gc.collect()
        if r % 2 == 0:
            o = _time(ours, number)
            b = _time(baseline, number)
        else:
            b = _time(baseline, number)
            o = _time(ours, number)
        result.ours_cpu.append(o[0])
        result.ours_wall.append(o[1])
        result.base_cpu.append(b[0])
        result.base_wall.append(b[1])
    print(f"  {name}: {format_ratio(result)} (goal {goal})", flush=True)
    return result


def format_time(seconds: float) -> str:
    if seconds >= 0.1:
        return f"{seconds:,.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:,.2f} ms"
    return f"{seconds * 1e6:,.1f} µs"


def format_ratio(result: Result) -> str:
    cpu = result.ratios()
    return f"{statistics.median(cpu):.2f} ({min(cpu):.2f}–{max(cpu):.2f})"


def table(results: list[Result]) -> list[str]:
    """Markdown rows: best CPU time per call of each side, the CPU ratio (median, min–max
    over rounds), the wall ratio (median), the goal and whether it is met."""
    lines = [
        "| workload | ours (CPU, best) | baseline (CPU, best) | ratio CPU: median (min–max) "
        "| ratio wall: median | goal | met |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        note = f" — {r.note}" if r.note else ""
        lines.append(
            f"| {r.name}{note} | {format_time(min(r.ours_cpu))} | {r.baseline_name}: "
            f"{format_time(min(r.base_cpu))} | {format_ratio(r)} | "
            f"{statistics.median(r.ratios(cpu=False)):.2f} | {r.goal} | {r.met()} |"
        )
    return lines
