"""Gather what each page shows from the registry and render it with Jinja2."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from datetime import date
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import attrs

from .._text import Language, _
from ..errors import NotFound, TeknikcollegeError
from ..models import College, Organisation, Programme, UnitKind, UnitRef
from ..models.common import local_day
from ..registry import Registry
from ..workflow.case import Case, TransitionRecord
from ..workflow.deadlines import deadline_title
from ..workflow.engine import Workflow
from . import _labels
from ._svg import Bar, Milestone, Row, layout_gantt, shorten, workflow_svg

LANGUAGES: tuple[Language, ...] = ("sv", "en")


class SiteUnavailable(TeknikcollegeError, ImportError):
    """The site needs Jinja2: ``pip install 'teknikcollege[site]'``."""


def _jinja() -> Any:
    try:
        import jinja2
    except ImportError:
        raise SiteUnavailable(
            _("the site needs Jinja2: {command}", command="pip install 'teknikcollege[site]'")
        ) from None
    return jinja2


def page_name(ref: UnitRef) -> str:
    """The file name of a unit's page: ids may hold ':' and '@', which some file systems
    refuse, so they are spelt ``~3a`` and ``~40`` ('~' never occurs in an id)."""
    unit = ref.id if ref.parent is None else f"{ref.parent}/{ref.id}"
    safe = "".join(
        c if c.isascii() and (c.isalnum() or c in "_.-") else f"~{ord(c):02x}" for c in unit
    )
    return f"{ref.kind.value}-{safe}.html"


# -- what a page shows -------------------------------------------------------------------


@attrs.frozen
class CaseView:
    """A case as its page section shows it."""

    case: Case
    workflow_title: str
    state_title: str
    open: bool
    history: tuple[TransitionRecord, ...]
    events: tuple[dict[str, str], ...]
    deadlines: tuple[tuple[str, date], ...]
    diagram: str
    end: date


@attrs.frozen
class UnitView:
    """A unit (college, programme, provider or orientation) and its status today."""

    ref: UnitRef
    name: str
    kind_label: str
    page: str
    certified: bool
    valid_until: date | None
    open_cases: tuple[str, ...]
    cases: tuple[CaseView, ...]


class _Site:
    def __init__(self, registry: Registry, lang: Language, graphviz: bool) -> None:
        self.registry = registry
        self.lang: Language = lang
        self.graphviz = graphviz
        self.today = local_day(registry.now())
        self.t = _labels.labels(lang)
        self._diagrams: dict[tuple[str, str], str] = {}

    def workflow(self, name: str) -> Workflow | None:
        return self.registry.workflows.get(name)

    def case_view(self, case: Case, *, details: bool) -> CaseView:
        workflow = self.workflow(case.workflow)
        definition = workflow.definition if workflow else None
        names = {s.name: s for s in definition.states} if definition else {}

        def state_title(name: str) -> str:
            return names[name].title.get(self.lang) if name in names else name or "–"

        final = names[case.state].final if case.state in names else False
        history = tuple(self.registry.history(case.id))
        end = local_day(history[-1].at) if final and history else self.today
        events = []
        diagram = ""
        if details:
            for record in history:
                transition = definition.transition(record.trigger) if definition else None
                title = (
                    transition.title.get(self.lang)
                    if transition
                    else self.t["opened"]
                    if record.trigger == "open"
                    else record.trigger
                )
                events.append(
                    {
                        "seq": str(record.seq),
                        "date": local_day(record.at).isoformat(),
                        "event": title,
                        "trigger": record.trigger,
                        "source": state_title(record.source) if record.source else "–",
                        "dest": state_title(record.dest),
                        "actor": record.actor_id,
                        "note": record.note,
                    }
                )
            if definition is not None:
                key = (case.workflow, case.state)
                if key not in self._diagrams:
                    self._diagrams[key] = workflow_svg(
                        definition, case.state, self.lang, graphviz=self.graphviz
                    )
                diagram = self._diagrams[key]
        return CaseView(
            case=case,
            workflow_title=definition.title.get(self.lang) if definition else case.workflow,
            state_title=state_title(case.state),
            open=not final,
            history=history,
            events=tuple(events),
            deadlines=tuple(
                (deadline_title(name).get(self.lang), due)
                for name, due in sorted(case.deadlines.items())
            ),
            diagram=diagram,
            end=max(end, local_day(case.opened)),
        )

    def unit(self, ref: UnitRef, name: str, *, details: bool = False) -> UnitView:
        # Drained before the next registry call: a stream holds its read transaction.
        found = list(self.registry.stream(Case, subject=ref))
        cases = tuple(self.case_view(c, details=details) for c in found)
        valid = [
            cert for view in cases if (cert := view.case.certification_on(self.today)) is not None
        ]
        return UnitView(
            ref=ref,
            name=name,
            kind_label=self.t[ref.kind.value],
            page=page_name(ref),
            certified=bool(valid),
            valid_until=max((c.valid_until for c in valid), default=None),
            open_cases=tuple(f"{v.workflow_title}: {v.state_title}" for v in cases if v.open),
            cases=cases,
        )

    def units_of(self, college: College) -> Iterator[tuple[UnitRef, str]]:
        """The college, its programmes (with their orientations) and its providers."""
        yield UnitRef(UnitKind.COLLEGE, college.id), college.name
        providers = {p for local in college.local_colleges for p in local.provider_ids}
        programmes = [
            (p.id, p.title, p.provider_id)
            for p in self.registry.stream(Programme, college_id=college.id)
        ]
        for programme_id, title, provider_id in programmes:
            providers.add(provider_id)
            yield UnitRef(UnitKind.PROGRAMME, programme_id), title
        for provider_id in sorted(providers):
            yield UnitRef(UnitKind.PROVIDER, provider_id), self.provider_name(provider_id)

    def provider_name(self, provider_id: str) -> str:
        try:
            return self.registry.get(Organisation, provider_id).name
        except NotFound:
            return provider_id

    def gantt_rows(self, units: Sequence[UnitView]) -> list[Row]:
        rows = []
        for unit in units:
            bars: list[Bar] = []
            marks: list[Milestone] = []
            for view in unit.cases:
                case = view.case
                bars.append(
                    Bar(
                        "case",
                        local_day(case.opened),
                        view.end,
                        f"{view.workflow_title}: {view.state_title} "
                        f"({local_day(case.opened).isoformat()} – "
                        f"{view.end.isoformat() if not view.open else self.t['today']})",
                        "open" if view.open else "closed",
                    )
                )
                for cert in case.certifications:
                    css = (
                        "current"
                        if cert.is_valid_on(self.today)
                        else "past"
                        if cert.valid_until < self.today
                        else "future"
                    )
                    label = self.t["period"].format(number=cert.number)
                    bars.append(
                        Bar(
                            "period",
                            cert.valid_from,
                            cert.valid_until,
                            f"{label}: {cert.valid_from.isoformat()} – "
                            f"{cert.valid_until.isoformat()}",
                            css,
                        )
                    )
                if view.open:
                    marks += [
                        Milestone(due, f"{deadline_title(name).get(self.lang)}: {due.isoformat()}")
                        for name, due in sorted(case.deadlines.items())
                    ]
            rows.append(Row(shorten(unit.name), tuple(bars), tuple(marks)))
        return rows

    def assessment(self, ref: UnitRef) -> tuple[list[dict[str, str]], str]:
        subject = self.entity(ref)
        if subject is None:
            return [], ""
        result = self.registry.assess(subject)
        rows = [
            {
                "status": f.status.value,
                "status_label": self.t[f.status.value],
                "title": f.title.get(self.lang) or f.rule_id,
                "rule_id": f.rule_id,
                "message": f.message.get(self.lang),
            }
            for f in result.findings
        ]
        passed = sum(f.passed for f in result.findings)
        summary = _labels.criteria_passed(passed, len(result.findings)).get(self.lang)
        return rows, summary if rows else ""

    def entity(self, ref: UnitRef) -> object | None:
        try:
            if ref.kind is UnitKind.COLLEGE:
                return self.registry.get(College, ref.id)
            if ref.kind is UnitKind.PROGRAMME:
                return self.registry.get(Programme, ref.id)
            if ref.kind is UnitKind.PROVIDER:
                return self.registry.get(Organisation, ref.id)
            programme = self.registry.get(Programme, ref.parent or "")
        except NotFound:
            return None
        return next((o for o in programme.orientations if o.id == ref.id), None)


# -- writing -----------------------------------------------------------------------------


def _environment() -> Any:
    jinja2 = _jinja()
    return jinja2.Environment(
        loader=jinja2.PackageLoader("teknikcollege.site", "templates"),
        autoescape=True,
        # A missing value is a bug to see at build time, never an empty or "undefined"
        # spot on a page.
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _write(env: Any, template: str, path: Path, **context: Any) -> None:
    with path.open("w", encoding="utf-8") as out:
        # generate(): the page is written as it is rendered, never held whole.
        for chunk in env.get_template(template).generate(**context):
            out.write(chunk)


def _version() -> str:
    try:
        return version("teknikcollege")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "?"


def build_site(
    registry: Registry,
    out: str | Path,
    lang: Language = "en",
    *,
    languages: Sequence[Language] = LANGUAGES,
    graphviz: bool = True,
) -> Path:
    """Write a static HTML site of the store behind `registry` into the folder `out`.

    Each language in `languages` gets its own folder (``out/sv/``, ``out/en/``): an
    overview of every college and unit with its status today, and a page per unit with
    its timeline (an SVG Gantt chart), its cases (workflow diagram with the current state
    marked, deadlines, history) and its gap report. ``out/index.html`` leads to `lang`'s
    overview. Everything the pages need is written beside them: they work offline.
    Returns the path of ``out/index.html``.

    Needs the ``site`` extra (Jinja2); without it raises :class:`SiteUnavailable`.
    With `graphviz` (the default) workflow diagrams are Graphviz's when ``dot`` is
    installed, else drawn by teknikcollege itself.
    """
    env = _environment()
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    static = root / "static"
    static.mkdir(exist_ok=True)
    source = resources.files("teknikcollege.site").joinpath("static")
    for item in source.iterdir():
        if item.is_file():
            with resources.as_file(item) as path:
                shutil.copyfile(path, static / item.name)
    languages = tuple(dict.fromkeys(languages)) or (lang,)
    first = lang if lang in languages else languages[0]
    for language in languages:
        _build_language(env, registry, root / language, language, languages, graphviz)
    index = root / "index.html"
    _write(
        env,
        "root.html",
        index,
        first=first,
        languages=[(code, _labels.labels(code)) for code in languages],
    )
    return index


def _build_language(
    env: Any,
    registry: Registry,
    folder: Path,
    lang: Language,
    languages: Sequence[Language],
    graphviz: bool,
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    site = _Site(registry, lang, graphviz)
    t = site.t
    common = {
        "t": t,
        "lang": lang,
        "others": [code for code in languages if code != lang],
        "today": site.today.isoformat(),
        "generated": t["generated"].format(today=site.today.isoformat(), version=_version()),
    }

    # Only the ids are kept: a stream holds its read transaction until it is drained, and
    # each college is then read, drawn and written (and forgotten) one at a time.
    college_ids = [c.id for c in registry.stream(College)]

    def colleges() -> Iterator[tuple[UnitView, list[UnitView]]]:
        for college_id in college_ids:
            college = registry.get(College, college_id)
            units = [site.unit(ref, name) for ref, name in site.units_of(college)]
            yield units[0], units[1:]

    _write(
        env,
        "overview.html",
        folder / "index.html",
        page="index.html",
        colleges=colleges(),
        **common,
    )
    for college_id in college_ids:
        college = registry.get(College, college_id)
        units = [site.unit(ref, name, details=True) for ref, name in site.units_of(college)]
        head = units[0]
        for unit in units:
            rows = site.gantt_rows(units if unit is head else _with_orientations(site, unit))
            gaps, summary = site.assessment(unit.ref)
            _write(
                env,
                "unit.html",
                folder / unit.page,
                page=unit.page,
                unit=unit,
                college=head,
                members=units[1:] if unit is head else [],
                gantt=layout_gantt(rows, site.today),
                gaps=gaps,
                gaps_summary=summary,
                **common,
            )


def _with_orientations(site: _Site, unit: UnitView) -> list[UnitView]:
    """A programme's row and a row per orientation that has cases of its own."""
    rows = [unit]
    if unit.ref.kind is UnitKind.PROGRAMME:
        programme = site.entity(unit.ref)
        for orientation in getattr(programme, "orientations", ()):
            ref = UnitRef(UnitKind.ORIENTATION, orientation.id, parent=unit.ref.id)
            view = site.unit(ref, orientation.title)
            if view.cases:
                rows.append(view)
    return rows
