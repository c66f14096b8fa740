"""A college's certification timeline and criteria table, as Markdown or HTML.

The timeline is a Mermaid Gantt chart of every certification period and open deadline;
the table is the current assessment. Every value from the data is escaped in HTML.
"""

from __future__ import annotations

import html
import itertools
import unicodedata
from datetime import date

from ._text import Language, _
from .models import College, Programme, UnitKind, UnitRef
from .registry import Registry
from .workflow.case import Case

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
    today = registry.now().date()
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
            lines += _case_lines(case, today)
    return "\n".join(lines) + "\n"


def _case_lines(case: Case, today: date) -> list[str]:
    lines = []
    for cert in case.certifications:
        status = "done" if cert.valid_until < today else "active"
        lines.append(
            f"    Period {cert.number} :{status}, {cert.valid_from.isoformat()}, "
            f"{cert.valid_until.isoformat()}"
        )
    for name, due in sorted(case.deadlines.items()):
        lines.append(f"    {_label(name)} :milestone, {due.isoformat()}, 0d")
    return lines


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
        cells = (f.title.get(lang) or f.rule_id, f.status.value, f.message.get(lang))
        rows.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return (
        f"# {_md(college.name)}\n\n```mermaid\n{gantt(registry, college_id, lang)}```\n\n"
        + "\n".join(rows)
        + "\n"
    )


def to_html(registry: Registry, college_id: str, lang: Language = "en") -> str:
    """The report as a standalone HTML page (Mermaid loaded by the reader's browser)."""
    college = registry.get(College, college_id)
    assessment = registry.assess(college)
    esc = html.escape
    rows = "\n".join(
        f"<tr><td>{esc(f.title.get(lang) or f.rule_id)}</td><td>{esc(f.status.value)}</td>"
        f"<td>{esc(f.message.get(lang))}</td></tr>"
        for f in assessment.findings
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{esc(college.name)}</title></head><body>\n<h1>{esc(college.name)}</h1>\n"
        f'<pre class="mermaid">{esc(gantt(registry, college_id, lang))}</pre>\n'
        f"<table>\n{rows}\n</table>\n</body></html>\n"
    )
