"""A college's certification timeline and criteria table, as Markdown or HTML.

The timeline is a Gantt chart of every certification period and deadline: Mermaid in
Markdown, an inline SVG drawn here in HTML (so the page needs no script and works
offline); the table is the current assessment. Every value from the data is escaped.
"""

from __future__ import annotations

import html
import itertools
import unicodedata
from datetime import date

from ._text import Language, _
from .models import College, Programme, UnitKind, UnitRef
from .models.common import local_day
from .registry import Registry
from .rules.findings import status_text
from .site._svg import Bar, Milestone, Row, layout_gantt
from .workflow.case import Case
from .workflow.deadlines import deadline_title

_MERMAID_SYNTAX = ':#;`<>{}[]"\\'
_MARKDOWN_SPECIAL = "\\`*_[]|~"


def _flat(text: str) -> str:
    """`text` on one line: every control, format or separator character a space."""
    return "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") else c for c in text
    )


def _label(text: str) -> str:
    # In a task or section name Mermaid reads ':' '#' ';' as syntax; a line break would
    # end the block's line, '`' could close the Markdown fence, and '<' '>' would be
    # markup to a renderer that allows HTML labels.
    return "".join(c if c not in _MERMAID_SYNTAX else " " for c in _flat(text)).strip() or "-"


def _md(text: str) -> str:
    """`text` as literal Markdown inline text: one line, HTML escaped, Markdown syntax
    backslash-escaped."""
    escaped = html.escape(_flat(text).strip(), quote=False)
    text = "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in escaped)
    # A heading, list or block quote starts with these; anywhere else they are text.
    return "\\" + text if text[:1] in ("#", "+", "-", "=") else text


def gantt(registry: Registry, college_id: str, lang: Language = "en") -> str:
    """A Mermaid Gantt chart of the college's and its programmes' certifications."""
    college = registry.get(College, college_id)
    title = _("Certifications").get(lang)
    lines = ["gantt", f"    title {_label(college.name)}: {title}", "    dateFormat YYYY-MM-DD"]
    today = local_day(registry.now())
    # Streamed: the store's size bounds the chart, never the memory spent reading it.
    programmes = (
        (UnitRef(UnitKind.PROGRAMME, p.id), p.title)
        for p in registry.stream(Programme, college_id=college.id)
    )
    for ref, name in itertools.chain(
        [(UnitRef(UnitKind.COLLEGE, college.id), college.name)], programmes
    ):
        lines.append(f"    section {_label(name)}")
        for case in registry.stream(Case, subject=ref, workflow="certification"):
            lines += _case_lines(case, today, lang)
    return "\n".join(lines) + "\n"


def _case_lines(case: Case, today: date, lang: Language) -> list[str]:
    lines = []
    for cert in case.certifications:
        status = "done" if cert.valid_until < today else "active"
        period = _("Period {number}", number=cert.number).get(lang)
        lines.append(
            f"    {_label(period)} :{status}, {cert.valid_from.isoformat()}, "
            f"{cert.valid_until.isoformat()}"
        )
    for name, due in sorted(case.deadlines.items()):
        title = deadline_title(name).get(lang)
        lines.append(f"    {_label(title)} :milestone, {due.isoformat()}, 0d")
    return lines


def gantt_svg(registry: Registry, college_id: str, lang: Language = "en") -> str:
    """The college's and its programmes' certification periods and deadlines as an
    inline SVG chart (every text escaped)."""
    college = registry.get(College, college_id)
    today = local_day(registry.now())
    units = [(UnitRef(UnitKind.COLLEGE, college.id), college.name)] + [
        (UnitRef(UnitKind.PROGRAMME, p.id), p.title)
        for p in registry.stream(Programme, college_id=college.id)
    ]
    rows = []
    for ref, name in units:
        bars, marks = [], []
        for case in registry.stream(Case, subject=ref, workflow="certification"):
            for cert in case.certifications:
                label = _("Period {number}", number=cert.number).get(lang)
                span = f"{label}: {cert.valid_from.isoformat()} – {cert.valid_until.isoformat()}"
                bars.append(Bar("period", cert.valid_from, cert.valid_until, span))
            marks += [
                Milestone(due, f"{deadline_title(n).get(lang)}: {due.isoformat()}")
                for n, due in sorted(case.deadlines.items())
            ]
        rows.append(Row(name, tuple(bars), tuple(marks)))
    g = layout_gantt(rows, today)
    esc = html.escape
    parts = [
        f'<svg class="gantt" role="img" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {g.width} {g.height}" width="{g.width}" height="{g.height}">',
        f"<title>{esc(_('Certifications').get(lang))}</title>",
    ]
    parts += [
        f'<text x="{t.x + 3}" y="{g.axis_height - 10}">{t.year}</text>' for t in g.ticks if t.label
    ]
    for row in g.rows:
        parts.append(f'<text x="6" y="{row.y + g.period_height / 2 + 9}">{esc(row.label)}</text>')
        parts += [
            f'<rect class="period" x="{b.x}" y="{b.y}" width="{b.width}" '
            f'height="{g.period_height}" rx="3"><title>{esc(b.label)}</title></rect>'
            for b in row.bars
        ]
        parts += [
            f'<path class="milestone" d="M{m.x},{m.y} l6,7 l-6,7 l-6,-7 z">'
            f"<title>{esc(m.label)}</title></path>"
            for m in row.milestones
        ]
    parts.append(
        f'<line class="today" x1="{g.today_x}" y1="{g.axis_height - 4}" x2="{g.today_x}" '
        f'y2="{g.height}"/></svg>'
    )
    return "\n".join(parts)


def markdown(registry: Registry, college_id: str, lang: Language = "en") -> str:
    """The report as Markdown: the Gantt chart and the criteria table.

    Every value from the data is escaped: it stays on its line, outside HTML and out of
    Markdown and Mermaid syntax.
    """
    college = registry.get(College, college_id)
    assessment = registry.assess(college)
    head = [t.get(lang) for t in (_("Criterion"), _("Status"), _("Finding"))]
    rows = [f"| {head[0]} | {head[1]} | {head[2]} |", "| --- | --- | --- |"]
    for f in assessment.findings:
        cells = (
            f.title.get(lang) or f.rule_id,
            status_text(f.status).get(lang),
            f.message.get(lang),
        )
        rows.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return (
        f"# {_md(college.name)}\n\n```mermaid\n{gantt(registry, college_id, lang)}```\n\n"
        + "\n".join(rows)
        + "\n"
    )


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2733}"
    "table{border-collapse:collapse;margin-top:1.5rem}"
    "th,td{border:1px solid #c9d1da;padding:.35rem .6rem;text-align:left;vertical-align:top}"
    "th{background:#eef2f6}.period{fill:#2f7d4f}.milestone{fill:#d08a1e}"
    ".today{stroke:#c0392b;stroke-width:2}svg text{font-size:12px}"
)


def to_html(registry: Registry, college_id: str, lang: Language = "en") -> str:
    """The report as a standalone HTML page: styled, its chart an inline SVG, no script."""
    college = registry.get(College, college_id)
    assessment = registry.assess(college)
    esc = html.escape
    head = "".join(
        f"<th>{esc(t.get(lang))}</th>" for t in (_("Criterion"), _("Status"), _("Finding"))
    )
    rows = "\n".join(
        f"<tr><td>{esc(f.title.get(lang) or f.rule_id)}</td>"
        f"<td>{esc(status_text(f.status).get(lang))}</td><td>{esc(f.message.get(lang))}</td></tr>"
        for f in assessment.findings
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{esc(college.name)}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>{esc(college.name)}</h1>\n{gantt_svg(registry, college_id, lang)}\n"
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody>\n</table>\n"
        "</body></html>\n"
    )
