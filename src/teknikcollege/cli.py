"""The ``teknikcollege`` command (needs the ``cli`` extra: ``pip install teknikcollege[cli]``).

Exit codes: 0 success; 1 refused or invalid (bad data, a transition not allowed);
2 usage error; 3 not found; 4 permission denied; 5 storage or plug-in unavailable.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

try:
    import click

    HAVE_CLICK = True
except ImportError:  # pragma: no cover - the cli extra is not installed
    HAVE_CLICK = False

from . import errors
from ._text import Language, Text
from .clock import FixedClock, SystemClock
from .models import College, Programme, UnitKind, UnitRef
from .registry import DEFAULT_STORAGE, Registry
from .serialization import to_data
from .workflow.case import Actor

EXIT_CODES: dict[type[BaseException], int] = {
    errors.NotFound: 3,
    errors.PermissionDenied: 4,
    errors.StorageUnavailable: 5,
    errors.PluginError: 5,
    errors.TeknikcollegeError: 1,
}
"""Exit code of each error class (the most specific match wins)."""


def exit_code(error: BaseException) -> int:
    """The documented exit code for `error`."""
    for cls in type(error).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 1


class State:
    """What every command shares: options, and the registry opened on demand."""

    def __init__(self, db: str | None, lang: Language, as_json: bool, debug: bool) -> None:
        self.url = _url(db)
        self.lang: Language = lang
        self.as_json = as_json
        self.debug = debug

    def registry(self, *, create: bool = False, clock: Any = None) -> Registry:
        if not create and self.url.startswith("sqlite:///"):
            path = Path(self.url[len("sqlite:///") :])
            if not path.exists():
                raise errors.StorageUnavailable(
                    Text(
                        f"ingen databas i {path}; kör 'teknikcollege init' eller "
                        "'teknikcollege demo' först, eller ange --db",
                        f"no database at {path}; run 'teknikcollege init' or "
                        "'teknikcollege demo' first, or pass --db",
                    )
                )
        return Registry.open(self.url, clock=clock or SystemClock())

    def out(self, data: Any, text: str) -> None:
        if self.as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str))
        else:
            click.echo(text)


def _url(db: str | None) -> str:
    value = db or os.environ.get("TEKNIKCOLLEGE_STORAGE") or DEFAULT_STORAGE
    if value == "memory:" or "://" in value:
        return value
    return f"sqlite:///{value}"


def _fail(state: State | None, error: BaseException) -> NoReturn:
    lang: Language = state.lang if state else "en"
    message = error.message(lang) if isinstance(error, errors.TeknikcollegeError) else str(error)
    if state is not None and state.debug:
        traceback.print_exception(error)
    click.echo(f"{'fel' if lang == 'sv' else 'error'}: {message}", err=True)
    sys.exit(exit_code(error))


def _run(fn: Callable[..., None]) -> Callable[..., None]:
    """Turn library errors into one clear line and a documented exit code."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        state = click.get_current_context().find_object(State)
        try:
            fn(*args, **kwargs)
        except (errors.TeknikcollegeError, OSError) as error:
            _fail(state, error)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _actor(spec: str) -> Actor:
    person, _, roles = spec.partition(":")
    if not person or not roles:
        raise click.BadParameter("write PERSON:ROLE[,ROLE] (for example p-leader:process_leader)")
    try:
        return Actor.of(person, *roles.split(","))
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _subject(spec: str) -> UnitRef:
    kind, _, rest = spec.partition(":")
    ident, _, parent = rest.partition("/")
    try:
        return UnitRef(UnitKind(kind), ident, parent or None)
    except ValueError:
        raise click.BadParameter(
            "write KIND:ID, KIND one of college, provider, programme, "
            "orientation (orientation:ID/PROGRAMME)"
        ) from None


def build_cli() -> Any:
    """Build the click group (plug-in commands included)."""

    @click.group()
    @click.option(
        "--db",
        help=f"Storage URL or SQLite file path (default {DEFAULT_STORAGE}, "
        "or TEKNIKCOLLEGE_STORAGE).",
    )
    @click.option(
        "--lang",
        type=click.Choice(["sv", "en"]),
        default=None,
        help="Language of messages (default TEKNIKCOLLEGE_LANG or en).",
    )
    @click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
    @click.option("--debug", is_flag=True, help="Show tracebacks.")
    @click.version_option(package_name="teknikcollege")
    @click.pass_context
    def cli(ctx: Any, db: str | None, lang: str | None, as_json: bool, debug: bool) -> None:
        """Teknikcollege: colleges, programmes and their certification."""
        chosen = lang or ("sv" if os.environ.get("TEKNIKCOLLEGE_LANG") == "sv" else "en")
        ctx.obj = State(db, chosen, as_json, debug)  # type: ignore[arg-type]

    @cli.command()
    @click.option("--fresh", is_flag=True, help="Delete the database file first.")
    @click.pass_obj
    @_run
    def demo(state: State, fresh: bool) -> None:
        """Walk the Stockholm pilot from pilot to ordinary operation."""
        from .demo import run_demo

        if fresh and state.url.startswith("sqlite:///"):
            path = Path(state.url[len("sqlite:///") :])
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        clock = FixedClock(date(2021, 10, 1))
        with state.registry(create=True, clock=clock) as registry:
            if registry.find(College, id="stockholm"):
                life = registry.cases(workflow="college-lifecycle")
                where = state.url
                click.echo(
                    Text(
                        f"Demodata finns redan i {where}; colleget är i läget "
                        f"{life[0].state if life else '?'}. Kör med --fresh för att börja om.",
                        f"The demo data is already in {where}; the college is in "
                        f"{life[0].state if life else '?'}. Run with --fresh to start over.",
                    ).get(state.lang)
                )
                return
            steps: list[dict[str, str]] = []

            def echo(step: Any) -> None:
                steps.append(
                    {
                        "day": step.day.isoformat(),
                        "step": step.text.get(state.lang),
                        "detail": step.detail,
                    }
                )
                if not state.as_json:
                    click.secho(f"{step.day.isoformat()}  {step.text.get(state.lang)}", bold=True)
                    for line in step.detail.splitlines():
                        click.echo(f"    {line}")

            final = run_demo(registry, clock, echo, state.lang)
            if state.as_json:
                state.out({"steps": steps, "state": final}, "")
            else:
                click.echo(
                    Text(
                        f"\nKlart: colleget är i läget {final} ({state.url}).",
                        f"\nDone: the college is in {final} ({state.url}).",
                    ).get(state.lang)
                )

    @cli.command()
    @click.pass_obj
    @_run
    def init(state: State) -> None:
        """Create an empty database (SQLite by default)."""
        with state.registry(create=True):
            pass
        click.echo(
            Text(f"Databasen är klar: {state.url}", f"Database ready: {state.url}").get(state.lang)
        )

    @cli.command("import")
    @click.argument("file", type=click.File("rb"))
    @click.pass_obj
    @_run
    def import_(state: State, file: Any) -> None:
        """Import a JSON document (all or nothing)."""
        from .serialization import loads

        raw = file.read()
        try:
            document = json.loads(raw)
        except ValueError:
            loads(raw)  # raises InvalidData with the JSON error
            raise
        with state.registry(create=True) as registry:
            bars: list[Any] = []

            def progress(done: int, total: int) -> None:
                # Started on the first record written, so that invalid input gives one
                # clean error line and nothing else.
                if not bars:
                    label = Text("Importerar", "Importing").get(state.lang)
                    bars.append(click.progressbar(length=total, label=label, file=sys.stderr))
                    bars[0].__enter__()
                bars[0].update(done - bars[0].pos)

            try:
                count = registry.import_document(
                    document, progress=None if state.as_json else progress
                )
            finally:
                if bars:
                    bars[0].__exit__(None, None, None)
        state.out(
            {"imported": count},
            Text(f"{count} poster importerade", f"{count} records imported").get(state.lang),
        )

    @cli.command()
    @click.argument("file", type=click.File("w"), default="-")
    @click.pass_obj
    @_run
    def export(state: State, file: Any) -> None:
        """Export everything as a JSON document."""
        with state.registry() as registry:
            document = registry.export_document()
        file.write(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")

    kinds = {"colleges": College, "programmes": Programme, "cases": None}

    @cli.command("list")
    @click.argument("kind", type=click.Choice(sorted(kinds)))
    @click.pass_obj
    @_run
    def list_(state: State, kind: str) -> None:
        """List colleges, programmes or cases."""
        with state.registry() as registry:
            if kind == "cases":
                cases = registry.cases()
                state.out(
                    [to_data(c) for c in cases],
                    "\n".join(
                        f"{c.id}  {c.workflow:<18} {c.subject!s:<36} {c.state}" for c in cases
                    ),
                )
            else:
                items: list[Any] = registry.find(kinds[kind])  # type: ignore[arg-type]
                state.out(
                    [to_data(i) for i in items],
                    "\n".join(
                        f"{i.id}  {getattr(i, 'name', None) or getattr(i, 'title', '')}"
                        for i in items
                    ),
                )

    @cli.command()
    @click.argument("case_id")
    @click.pass_obj
    @_run
    def show(state: State, case_id: str) -> None:
        """Show a case: state, deadlines, certifications."""
        with state.registry() as registry:
            case = registry.case(case_id)
        lines = [f"{case.id}: {case.workflow} {case.subject} — {case.state}"]
        lines += [f"  {name}: {due.isoformat()}" for name, due in sorted(case.deadlines.items())]
        lines += [f"  #{c.number} {c.valid_from} – {c.valid_until}" for c in case.certifications]
        state.out(to_data(case), "\n".join(lines))

    @cli.command()
    @click.argument("subject")
    @click.pass_obj
    @_run
    def assess(state: State, subject: str) -> None:
        """The gap report of a college or programme (KIND:ID)."""
        ref = _subject(subject)
        cls = College if ref.kind is UnitKind.COLLEGE else Programme
        with state.registry() as registry:
            result = registry.assess(registry.get(cls, ref.id))
        state.out(to_data(result), result.report(state.lang))

    @cli.command()
    @click.argument("case_id")
    @click.argument("trigger")
    @click.option("--actor", required=True, help="PERSON:ROLE[,ROLE], e.g. p-leader:process_leader")
    @click.option("--note", default="", help="A note kept in the history.")
    @click.option("--param", multiple=True, help="NAME=VALUE, e.g. new_due=2023-05-01")
    @click.pass_obj
    @_run
    def fire(
        state: State, case_id: str, trigger: str, actor: str, note: str, param: tuple[str, ...]
    ) -> None:
        """Fire TRIGGER on a case as an actor."""
        params = dict(p.partition("=")[::2] for p in param)
        with state.registry() as registry:
            record = registry.fire(case_id, trigger, actor=_actor(actor), note=note, params=params)
        state.out(to_data(record), f"{record.case_id}: {record.source} → {record.dest}")

    @cli.command()
    @click.argument("case_id")
    @click.pass_obj
    @_run
    def history(state: State, case_id: str) -> None:
        """The audit history of a case."""
        with state.registry() as registry:
            registry.case(case_id)
            records = registry.history(case_id)
        state.out(
            [to_data(r) for r in records],
            "\n".join(
                f"{r.seq:>3} {r.at.date().isoformat()} {r.trigger:<24} {r.source or '-'} → "
                f"{r.dest}  ({r.actor_id}){'  ' + r.note if r.note else ''}"
                for r in records
            ),
        )

    @cli.command()
    @click.option("--now", type=click.DateTime(["%Y-%m-%d"]), help="Sweep as of this day.")
    @click.pass_obj
    @_run
    def tick(state: State, now: Any) -> None:
        """Apply due time rules and queue reminders."""
        with state.registry() as registry:
            report = registry.tick(now)
        state.out(
            to_data(report),
            Text(
                f"{len(report.fired)} tidsstyrda övergångar, {report.reminders} påminnelser",
                f"{len(report.fired)} time-based transitions, {report.reminders} reminders",
            ).get(state.lang),
        )

    @cli.command()
    @click.option("--retry-dead", is_flag=True, help="Make dead letters pending again first.")
    @click.option("--dead", "show_dead", is_flag=True, help="List dead letters only.")
    @click.pass_obj
    @_run
    def deliver(state: State, retry_dead: bool, show_dead: bool) -> None:
        """Deliver the outbox to every notifier (with retries and dead letters)."""
        with state.registry() as registry:
            if show_dead:
                dead = registry.outbox("dead")
                state.out(
                    [{"id": n.id, "notifier": who} for n, who, _, _ in dead],
                    "\n".join(f"{n.id} {who} {attempts} attempts" for n, who, _, attempts in dead),
                )
                return
            revived = registry.retry_dead() if retry_dead else 0
            report = registry.deliver()
        state.out(
            {**to_data(report), "revived": revived},
            Text(
                f"{report.delivered} levererade, {report.retrying} försöks igen, "
                f"{report.dead} döda",
                f"{report.delivered} delivered, {report.retrying} retrying, {report.dead} dead",
            ).get(state.lang),
        )

    @cli.command()
    @click.argument("workflow", default="certification")
    @click.option(
        "--format", "fmt", type=click.Choice(["mermaid", "dot", "svg"]), default="mermaid"
    )
    @click.pass_obj
    @_run
    def diagram(state: State, workflow: str, fmt: str) -> None:
        """Draw a workflow (Mermaid, DOT, or SVG with Graphviz)."""
        from .plugins import Hooks, make_plugin_manager
        from .workflow import diagram as draw

        definitions = Hooks(make_plugin_manager()).workflows()
        if workflow not in definitions:
            raise errors.InvalidData(
                [
                    (
                        "workflow",
                        Text(f"okänt arbetsflöde {workflow!r}", f"unknown workflow {workflow!r}"),
                    )
                ]
            )
        render = {"mermaid": draw.mermaid, "dot": draw.dot, "svg": draw.svg}[fmt]
        try:
            click.echo(render(definitions[workflow], state.lang), nl=False)
        except RuntimeError as error:
            raise errors.StorageUnavailable(Text(str(error), str(error))) from None

    @cli.command()
    @click.argument("college_id")
    @click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown")
    @click.pass_obj
    @_run
    def report(state: State, college_id: str, fmt: str) -> None:
        """A college's certification timeline (Mermaid Gantt) and criteria table."""
        from . import report as reports

        with state.registry() as registry:
            render = reports.markdown if fmt == "markdown" else reports.to_html
            click.echo(render(registry, college_id, state.lang), nl=False)

    @cli.command()
    @click.pass_obj
    @_run
    def plugins(state: State) -> None:
        """List plug-ins: name, distribution, version, hooks, status."""
        from .plugins import make_plugin_manager

        infos = make_plugin_manager().info()
        state.out(
            [to_data(i) for i in infos],
            "\n".join(
                f"{i.name:<28} {i.distribution or '-':<24} {i.version or '-':<8} {i.status:<8} "
                f"{', '.join(h.removeprefix('teknikcollege_') for h in i.hooks)}"
                + (f"  {i.error}" if i.error else "")
                for i in infos
            ),
        )

    from .plugins import Hooks, make_plugin_manager

    try:
        Hooks(make_plugin_manager()).register_commands(cli)
    except errors.PluginError as error:
        click.echo(f"warning: {error}", err=True)
    return cli


def main() -> None:
    """Entry point of the ``teknikcollege`` console script."""
    if not HAVE_CLICK:  # pragma: no cover
        sys.stderr.write(
            "the teknikcollege command needs click: pip install 'teknikcollege[cli]'\n"
        )
        sys.exit(2)
    build_cli()(prog_name="teknikcollege")
