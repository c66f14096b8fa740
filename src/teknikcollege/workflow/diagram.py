"""Diagrams of workflow definitions: Mermaid text, Graphviz DOT, and SVG via ``dot``.

Drawn straight from the definition: transitions' ``GraphMachine`` keeps a graph per bound
model and cannot serve as the shared runtime machine.
"""

from __future__ import annotations

from .._text import N_, Language
from .definition import WorkflowDefinition

MISSING_DOT = N_("Graphviz 'dot' is not installed (apt-get install graphviz)")
"""Why :func:`svg` cannot draw (the English text of its :class:`RuntimeError`; the
command line shows it translated, ``_(MISSING_DOT)``)."""


def mermaid(definition: WorkflowDefinition, lang: Language = "en") -> str:
    """A Mermaid ``stateDiagram-v2`` of `definition`, with state titles in `lang`."""
    lines = ["stateDiagram-v2"]
    for state in definition.states:
        lines.append(f"    {state.name}: {state.title.get(lang)}")
    lines.append(f"    [*] --> {definition.initial}")
    for t in definition.transitions:
        for source in t.sources:
            lines.append(f"    {source} --> {t.dest}: {t.trigger}")
    for state in definition.states:
        if state.final:
            lines.append(f"    {state.name} --> [*]")
    return "\n".join(lines) + "\n"


def dot(definition: WorkflowDefinition, lang: Language = "en") -> str:
    """A Graphviz DOT digraph of `definition`."""
    lines = [
        f'digraph "{definition.name}" {{',
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="Helvetica"];',
        "    __start [shape=point];",
        f"    __start -> {definition.initial};",
    ]
    for state in definition.states:
        shape = ", peripheries=2" if state.final else ""
        label = state.title.get(lang).replace('"', r"\"")
        lines.append(f'    {state.name} [label="{label}"{shape}];')
    for t in definition.transitions:
        for source in t.sources:
            lines.append(f'    {source} -> {t.dest} [label="{t.trigger}", fontsize=10];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def svg(definition: WorkflowDefinition, lang: Language = "en") -> str:
    """SVG rendered by Graphviz; raises :class:`RuntimeError` if ``dot`` is not installed."""
    import shutil
    import subprocess

    executable = shutil.which("dot")
    if executable is None:
        raise RuntimeError(MISSING_DOT)
    result = subprocess.run(
        [executable, "-Tsvg"],
        input=dot(definition, lang),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout
