"""The pictures of the site as inline SVG, drawn here so a page needs no JavaScript.

The Gantt chart's geometry is computed here and drawn by a template (autoescaped); the
workflow diagram is Graphviz's SVG when ``dot`` is installed, else a layered drawing of
this module's own.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Sequence
from datetime import date

import attrs

from .._text import Language
from ..workflow.definition import WorkflowDefinition
from ..workflow.diagram import dot

WIDTH = 960
LABEL_WIDTH = 230
ROW_HEIGHT = 40
PERIOD_HEIGHT = 18
CASE_LANE = 7
AXIS_HEIGHT = 26


@attrs.frozen
class Bar:
    """A span on a row: a certification period or a case's life."""

    kind: str  # "period" or "case"
    start: date
    end: date
    label: str
    css: str = ""
    x: float = 0
    width: float = 0
    y: float = 0


@attrs.frozen
class Milestone:
    """A deadline on a row."""

    day: date
    label: str
    x: float = 0
    y: float = 0


@attrs.frozen
class Row:
    """One unit's line in the chart."""

    label: str
    bars: tuple[Bar, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    y: float = 0
    height: float = ROW_HEIGHT


@attrs.frozen
class Tick:
    """A year on the axis."""

    year: str
    x: float
    label: bool = True
    """Whether there is room for the year's label."""


@attrs.frozen
class Gantt:
    """A Gantt chart laid out: every coordinate in SVG user units."""

    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    today_x: float
    width: int
    height: int
    label_width: int
    period_height: int
    axis_height: int


def layout_gantt(rows: Sequence[Row], today: date) -> Gantt:
    """Place `rows` on a time axis running from the earliest start to the latest end (and
    today), with a tick at each new year."""
    days = [today]
    for row in rows:
        days += [d for b in row.bars for d in (b.start, b.end)]
        days += [m.day for m in row.milestones]
    first, last = min(days), max(days)
    first = date(first.year, 1, 1)
    last = date(last.year + 1, 1, 1)
    span = max((last - first).days, 1)
    plot = WIDTH - LABEL_WIDTH - 12

    def x(day: date) -> float:
        return round(LABEL_WIDTH + (day - first).days / span * plot, 1)

    placed = []
    y = float(AXIS_HEIGHT)
    for row in rows:
        bars, lane = [], 0
        for b in row.bars:
            # Each case gets a lane of its own below the period bars: cases of one unit
            # overlap in time.
            top = y + 5 if b.kind == "period" else y + PERIOD_HEIGHT + 9 + CASE_LANE * lane
            lane += b.kind != "period"
            width = max(round(x(b.end) - x(b.start), 1), 2.0)
            bars.append(attrs.evolve(b, x=x(b.start), width=width, y=top))
        height = max(ROW_HEIGHT, PERIOD_HEIGHT + 12 + CASE_LANE * lane)
        marks = tuple(attrs.evolve(m, x=x(m.day), y=y + 4) for m in row.milestones)
        placed.append(attrs.evolve(row, bars=tuple(bars), milestones=marks, y=y, height=height))
        y += height
    ticks = tuple(
        Tick(str(year), x(date(year, 1, 1)), label=x(date(year, 1, 1)) < WIDTH - 40)
        for year in range(first.year, last.year + 1)
    )
    return Gantt(
        tuple(placed),
        ticks,
        x(today),
        WIDTH,
        round(y + 8) if rows else AXIS_HEIGHT + ROW_HEIGHT,
        LABEL_WIDTH,
        PERIOD_HEIGHT,
        AXIS_HEIGHT,
    )


def shorten(text: str, limit: int = 30) -> str:
    """`text` cut to `limit` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- the workflow diagram ----------------------------------------------------------------

_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)


def workflow_svg(
    definition: WorkflowDefinition, current: str, lang: Language, *, graphviz: bool = True
) -> str:
    """The workflow as inline SVG with `current` marked (its node has the class
    ``current``); Graphviz's layout if ``dot`` is installed and `graphviz`, else ours."""
    executable = shutil.which("dot") if graphviz else None
    if executable is not None:
        # Top to bottom: a page is narrower than a long workflow is wide.
        text = dot(definition, lang).replace("rankdir=LR", "rankdir=TB", 1)
        text = text.rstrip().removesuffix("}")
        # A node statement after the first one adds attributes to the same node.
        text += (
            f'    "{current}" [class="current", style="rounded,filled,bold", '
            'fillcolor="#ffd54f", penwidth=2];\n}\n'
        )
        try:
            done = subprocess.run(
                [executable, "-Tsvg"], input=text, capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.SubprocessError):
            done = None
        if done is not None and done.returncode == 0 and "<svg" in done.stdout:
            svg = _COMMENT.sub("", _PROLOGUE.sub("", done.stdout, count=1))
            return svg.replace("<svg ", '<svg class="workflow" role="img" ', 1)
    return _own_svg(definition, current, lang)


def _depths(definition: WorkflowDefinition) -> dict[str, int]:
    """Each state's column: its distance from the initial state (unreachable ones last)."""
    depth = {definition.initial: 0}
    frontier = [definition.initial]
    while frontier:
        following = []
        for state in frontier:
            for t in definition.transitions:
                if state in t.sources and t.dest not in depth:
                    depth[t.dest] = depth[state] + 1
                    following.append(t.dest)
        frontier = following
    last = max(depth.values()) + 1
    return {s.name: depth.get(s.name, last) for s in definition.states}


def _own_svg(definition: WorkflowDefinition, current: str, lang: Language) -> str:
    box_w, box_h, gap_x, gap_y, pad = 170, 36, 60, 18, 12
    depth = _depths(definition)
    columns: dict[int, list[str]] = {}
    for state in definition.states:
        columns.setdefault(depth[state.name], []).append(state.name)
    where: dict[str, tuple[float, float]] = {}
    for col, names in sorted(columns.items()):
        for row, name in enumerate(names):
            where[name] = (pad + col * (box_w + gap_x), pad + row * (box_h + gap_y))
    width = pad * 2 + (max(columns) + 1) * (box_w + gap_x) - gap_x
    height = pad * 2 + max(len(n) for n in columns.values()) * (box_h + gap_y) - gap_y
    esc = html.escape
    parts = [
        f'<svg class="workflow" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker></defs>',
    ]
    for t in definition.transitions:
        for source in t.sources:
            (x1, y1), (x2, y2) = where[source], where[t.dest]
            start = (x1 + box_w, y1 + box_h / 2)
            end = (x2, y2 + box_h / 2)
            bend = (end[0] - start[0]) / 2 if end[0] > start[0] else 80
            parts.append(
                f'<g class="edge"><title>{esc(source)} → {esc(t.dest)}: {esc(t.trigger)}</title>'
                f'<path d="M{start[0]},{start[1]} C{start[0] + bend},{start[1]} '
                f'{end[0] - bend},{end[1]} {end[0]},{end[1]}" fill="none" '
                'marker-end="url(#arrow)"/></g>'
            )
    for state in definition.states:
        x, y = where[state.name]
        css = "node current" if state.name == current else "node"
        if state.final:
            css += " final"
        parts.append(
            f'<g class="{css}"><title>{esc(state.name)}</title>'
            f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="8"/>'
            f'<text x="{x + box_w / 2}" y="{y + box_h / 2 + 5}" text-anchor="middle">'
            f"{esc(shorten(state.title.get(lang), 24))}</text></g>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
