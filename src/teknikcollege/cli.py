"""The ``teknikcollege`` command (needs the ``cli`` extra: ``pip install teknikcollege[cli]``).

Every failure passes one boundary (:func:`build_cli`'s group ``main``) that turns it into
one line on standard error and a documented exit code (:data:`EXIT_CODES`,
:func:`exit_code`); ``--debug`` adds the traceback. ``--json``, ``--lang``, ``--db`` and
``--debug`` are accepted before or after the command.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import sys
import traceback
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn
from urllib.parse import unquote, urlsplit

try:
    import click
    from click.core import ParameterSource
    from click.shell_completion import CompletionItem

    from . import _click_text

    HAVE_CLICK = True
except ImportError:  # pragma: no cover - the cli extra is not installed
    HAVE_CLICK = False

from . import errors, site
from ._redact import redact_text, redact_url
from ._text import Language, Text, _, _n
from .clock import FixedClock, SystemClock, parse_day
from .errors import kind_text
from .kinds import kind_of
from .models import (
    Certification,
    College,
    Organisation,
    OrganisationKind,
    Person,
    Programme,
    Provider,
    UnitKind,
    UnitRef,
)
from .models.common import local_day
from .plugins import PluginWarning
from .registry import DEFAULT_STORAGE, Registry
from .serialization import to_data
from .workflow.case import Actor, TransitionRecord
from .workflow.deadlines import deadline_title

if TYPE_CHECKING:
    from .plugins import PluginManager

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_PERMISSION = 4
EXIT_UNAVAILABLE = 5
EXIT_GAPS = 6
EXIT_INTERRUPTED = 130
EXIT_INTERNAL = 70
"""A bug: an exception nobody anticipated (``EX_SOFTWARE`` of BSD's sysexits)."""


class AccessDenied(errors.StorageUnavailable):
    """A file or folder the user may not read or write (exit code 4)."""


class UnknownName(errors.NotFound):
    """An id or name the store or the installed plug-ins do not know, with its own text."""

    def __init__(self, kind: str, id: str, text: Text) -> None:
        errors.TeknikcollegeError.__init__(self, text)
        self.kind, self.id = kind, id


class AssessmentGaps(errors.TeknikcollegeError):
    """``assess`` found criteria that did not pass (exit code 6); the report is printed."""


EXIT_CODES: dict[type[BaseException], int] = {
    AssessmentGaps: EXIT_GAPS,
    AccessDenied: EXIT_PERMISSION,
    errors.NotFound: EXIT_NOT_FOUND,
    errors.PermissionDenied: EXIT_PERMISSION,
    errors.StorageUnavailable: EXIT_UNAVAILABLE,
    errors.CorruptData: EXIT_UNAVAILABLE,
    errors.PluginError: EXIT_UNAVAILABLE,
    errors.TeknikcollegeError: EXIT_INVALID,
    PermissionError: EXIT_PERMISSION,
    OSError: EXIT_UNAVAILABLE,
    KeyboardInterrupt: EXIT_INTERRUPTED,
}
if HAVE_CLICK:
    EXIT_CODES[click.Abort] = EXIT_INVALID
"""Exit code of each error class (the most specific match wins); anything else is 70."""

_SQLITE_PERMISSION = ("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")


def exit_code(error: BaseException) -> int:
    """The documented exit code for `error`."""
    if HAVE_CLICK and isinstance(error, click.ClickException):
        return EXIT_USAGE if isinstance(error, click.UsageError) else error.exit_code
    for cls in type(error).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", "")
        return EXIT_PERMISSION if name.startswith(_SQLITE_PERMISSION) else EXIT_UNAVAILABLE
    if _is_database_error(error):
        return EXIT_UNAVAILABLE
    return EXIT_INTERNAL


def _is_database_error(error: BaseException) -> bool:
    # Every DB-API 2.0 driver (psycopg for one) derives its errors from classes with
    # these names; the CLI must not import a driver to recognise them.
    return any(c.__name__ in ("DatabaseError", "InterfaceError") for c in type(error).__mro__)


def describe(error: BaseException, lang: Language) -> tuple[str, str]:
    """``(name, message)`` of `error` for a user: the error's class name and one line."""
    if isinstance(error, errors.TeknikcollegeError):
        return type(error).__name__, error.message(lang)
    if HAVE_CLICK and isinstance(error, click.ClickException):
        message = error.format_message()
        ctx = getattr(error, "ctx", None)
        if isinstance(error, click.UsageError) and ctx is not None:
            hint = _("see '{command} --help'", command=ctx.command_path)
            message = f"{message} ({hint.get(lang)})"
        return ("UsageError" if isinstance(error, click.UsageError) else "Error"), message
    if HAVE_CLICK and isinstance(error, click.Abort):
        return "Aborted", _("aborted").get(lang)
    if isinstance(error, KeyboardInterrupt):
        return "Interrupted", _("interrupted").get(lang)
    if isinstance(error, sqlite3.Error):
        return "DatabaseError", _sqlite_text(error).get(lang)
    if isinstance(error, OSError):
        return type(error).__name__, _os_text(error).get(lang)
    if _is_database_error(error):
        text = _("the database cannot be used: {error}", error=str(error))
        return "DatabaseError", text.get(lang)
    detail = f"{type(error).__name__}: {error}"
    return "InternalError", _(
        "internal error ({detail}); run again with --debug to see where, and report it",
        detail=detail,
    ).get(lang)


# Python 3.10 has no ``sqlite_errorname``: there the message says which error it is.
_SQLITE_MESSAGES = {
    "database or disk is full": "SQLITE_FULL",
    "disk I/O error": "SQLITE_IOERR",
    "database disk image is malformed": "SQLITE_CORRUPT",
    "file is not a database": "SQLITE_NOTADB",
}


def _sqlite_text(error: sqlite3.Error) -> Text:
    name = getattr(error, "sqlite_errorname", "") or _SQLITE_MESSAGES.get(str(error), "")
    detail = str(error)
    if name.startswith("SQLITE_FULL"):
        return _("the disk is full; nothing was saved ({error})", error=detail)
    if name.startswith("SQLITE_IOERR"):
        return _(
            "the database could not be written or read ({error}): is the disk full or "
            "failing? Nothing was saved",
            error=detail,
        )
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return _("the database file is damaged ({error}); restore it from a backup", error=detail)
    if name.startswith(_SQLITE_PERMISSION):
        return _("permission denied on the database ({error})", error=detail)
    return _("database error: {error}", error=detail)


def _os_text(error: OSError) -> Text:
    file = error.filename
    if error.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        if file is None:
            return _("the disk is full or the file too large; nothing was saved")
        return _("the disk is full or the file too large: {file}; nothing was saved", file=file)
    if isinstance(error, PermissionError):
        return _("permission denied") if file is None else _("permission denied: {file}", file=file)
    reason = error.strerror or str(error)
    return as_given(reason if file is None else f"{reason}: {file}")


def as_given(text: str) -> Text:
    """`text` as it came, the same in both languages: a message of the operating
    system or of another program, which has no translation here."""
    return Text(text, text)


def one_line(text: str) -> str:
    """`text` with every control, format or separator character written as an escape,
    so that it can neither break a line nor hide in one."""
    out = []
    for c in text:
        if c == " " or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            out.append(c)
        else:
            out.append(repr(c)[1:-1] if c.isascii() else f"\\u{ord(c):04x}")
    return "".join(out)


def _write(stream: IO[str], text: str) -> None:
    # An error report must never fail itself: a terminal that cannot show 'ä' gets an
    # escape, and a closed pipe gets nothing.
    try:
        try:
            stream.write(text + "\n")
        except UnicodeEncodeError:
            encoding = getattr(stream, "encoding", None) or "ascii"
            stream.write((text + "\n").encode(encoding, "backslashreplace").decode(encoding))
        stream.flush()
    except (OSError, ValueError):
        pass


# -- options -----------------------------------------------------------------------------


class Options:
    """The global options, as far as they are known: scanned from the raw arguments
    before parsing (so that even a usage error honours ``--json`` and ``--lang``), then
    set by the parser."""

    def __init__(
        self,
        db: str | None = None,
        lang: Language | None = None,
        as_json: bool = False,
        debug: bool = False,
    ) -> None:
        self.db = db
        self.lang: Language = lang or _env_language()
        self.as_json = as_json
        self.debug = debug
        self.today: date | None = None
        self.today_given = False
        self.actor_spec: str | None = None

    @classmethod
    def scan(cls, args: Sequence[str]) -> Options:
        """The global options found anywhere in `args` (before ``--``)."""
        found = cls()
        items = list(args)
        for i, arg in enumerate(items):
            if arg == "--":
                break
            if arg == "--json":
                found.as_json = True
            elif arg == "--debug":
                found.debug = True
            elif arg.startswith("--lang=") and arg[7:] in ("sv", "en"):
                found.lang = "sv" if arg[7:] == "sv" else "en"
            elif arg == "--lang" and i + 1 < len(items) and items[i + 1] in ("sv", "en"):
                found.lang = "sv" if items[i + 1] == "sv" else "en"
            elif arg.startswith("--db="):
                found.db = arg[5:]
            elif arg == "--db" and i + 1 < len(items):
                found.db = items[i + 1]
        return found

    @property
    def url(self) -> str:
        """The storage URL chosen by ``--db``, ``TEKNIKCOLLEGE_STORAGE`` or the default."""
        return storage_url(self.db)

    @property
    def raw_urls(self) -> tuple[str, ...]:
        """Every URL as the user wrote it (for redaction)."""
        return tuple(u for u in (self.db, os.environ.get("TEKNIKCOLLEGE_STORAGE"), self.url) if u)


def _env_language() -> Language:
    return "sv" if os.environ.get("TEKNIKCOLLEGE_LANG", "").strip().lower() == "sv" else "en"


def storage_url(db: str | None) -> str:
    """The storage URL for ``--db`` `db`: a URL as given (``postgres://`` read as
    ``postgresql://``), a file path as ``sqlite:///PATH``."""
    value = db or os.environ.get("TEKNIKCOLLEGE_STORAGE") or DEFAULT_STORAGE
    if value.startswith("postgres://"):
        return "postgresql://" + value[len("postgres://") :]
    if value == "memory:" or "://" in value:
        return value
    return f"sqlite:///{value}"


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (``None`` for other URLs)."""
    if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
        return None
    return Path(unquote(url[len("sqlite:///") :]))


class State(Options):
    """What every command shares: the options, and the registry opened on demand."""

    def registry(self, *, create: bool = False, clock: Any = None) -> Registry:
        """Open the store; a missing SQLite file is an error unless `create`."""
        url = self.url
        if "\x00" in url:
            raise errors.StorageUnavailable(_("the path contains a NUL character"))
        try:
            urlsplit(url)
        except ValueError as error:  # for example an unbalanced '[' of an IPv6 host
            where = redact_url(url)
            raise errors.StorageUnavailable(
                _("invalid storage URL {url!r}: {error}", url=where, error=str(error))
            ) from None
        path = sqlite_path(url)
        if path is not None:
            check_access(path, create=create)
        if clock is None:
            # --today / TEKNIKCOLLEGE_TODAY: the clock of scripted walks through time.
            clock = FixedClock(self.today) if self.today is not None else SystemClock()
        return Registry.open(url, clock=clock)

    def acting(self) -> Actor:
        """The person acting, from ``--actor`` or ``TEKNIKCOLLEGE_ACTOR``: required for
        every change (the library decides what they may do from the stored records)."""
        if not self.actor_spec:
            raise click.UsageError(
                _("who acts? give --actor PERSON (or set TEKNIKCOLLEGE_ACTOR)").get(self.lang)
            )
        return _actor(self.actor_spec, self.lang)

    def out(self, data: Any, text: str) -> None:
        """Print `data` as JSON with ``--json``, else `text`."""
        if self.as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str))
        elif text:
            click.echo(text)

    def line(self, data: Any) -> None:
        """Print one JSON object on one line (streaming output)."""
        click.echo(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str))

    def say(self, text: Text) -> str:
        """`text` in the chosen language."""
        return text.get(self.lang)


def check_access(path: Path, *, create: bool) -> None:
    """Refuse, with exit code 4 or 5, a database file that cannot be used by this user.

    SQLite writes even to read (its journal and the schema check), so reading commands
    need write access too.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists():
        if path.is_dir():
            return  # the storage backend names this problem itself
        if not os.access(path, os.R_OK):
            raise AccessDenied(_("permission denied: you may not read {path}", path=path))
        if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
            raise AccessDenied(
                _(
                    "permission denied: you may not write {path} or its folder (the "
                    "database writes its journal even when it is read)",
                    path=path,
                )
            )
        return
    if not create:
        raise errors.StorageUnavailable(
            _(
                "no database at {path}; run 'teknikcollege init' or "
                "'teknikcollege demo' first, or pass --db",
                path=path,
            )
        )
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        raise AccessDenied(
            _("permission denied: you may not create files in {folder}", folder=folder)
        )


def _actor(spec: str, lang: Language) -> Actor:
    # The roles after the colon only narrow what the stored person holds.
    person, colon, roles = spec.partition(":")
    if not person or (colon and not roles):
        raise click.BadParameter(
            _("write PERSON or PERSON:ROLE[,ROLE] (for example p-leader)").get(lang)
        )
    try:
        return Actor.of(person, *(roles.split(",") if roles else ()))
    except errors.TeknikcollegeError as error:
        raise click.BadParameter(error.message(lang)) from None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _subject(spec: str, lang: Language) -> UnitRef:
    kind, _colon, rest = spec.partition(":")
    ident, _slash, parent = rest.partition("/")
    try:
        return UnitRef(UnitKind(kind), ident, parent or None)
    except errors.InvalidData as error:
        raise click.BadParameter(error.message(lang)) from None
    except ValueError:
        raise click.BadParameter(
            _(
                "write KIND:ID, KIND one of college, provider, programme, orientation "
                "(orientation:ID/PROGRAMME)"
            ).get(lang)
        ) from None


def _params(pairs: Sequence[str], lang: Language) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise click.BadParameter(
                _("write NAME=VALUE, not {pair!r} (for example new_due=2023-05-01)", pair=pair).get(
                    lang
                ),
                param_hint="--param",
            )
        params[name] = value
    return params


def _record_line(record: object) -> Text:
    """One record of a case's process, for ``show``: its kind, id and day(s)."""
    from .models import Application, Postponement, Protocol, ReviewVisit, Supplement

    kind = kind_text(kind_of(record))
    id = getattr(record, "id", "")
    if isinstance(record, Postponement):
        return _(
            "{kind} {id!r}: granted {day}, new deadline {due}",
            kind=kind,
            id=id,
            day=record.granted.isoformat(),
            due=record.new_due.isoformat(),
        )
    if isinstance(record, Protocol) and record.supplements_due is not None:
        return _(
            "{kind} {id!r}: {day}, round {round}, supplements due {due}",
            kind=kind,
            id=id,
            day=record.issued.isoformat(),
            round=record.round,
            due=record.supplements_due.isoformat(),
        )
    if isinstance(record, (ReviewVisit, Protocol, Supplement)):
        day = {ReviewVisit: "held", Protocol: "issued", Supplement: "received"}[type(record)]
        return _(
            "{kind} {id!r}: {day}, round {round}",
            kind=kind,
            id=id,
            day=getattr(record, day).isoformat(),
            round=record.round,
        )
    assert isinstance(record, Application)
    return _("{kind} {id!r}: {day}", kind=kind, id=id, day=record.prepared.isoformat())


def _period(period: Certification) -> dict[str, object]:
    """A period's number and its days, first and last."""
    return {
        "number": period.number,
        "span": f"{period.valid_from.isoformat()} – {period.valid_until.isoformat()}",
    }


def _cited(record: TransitionRecord) -> dict[str, object]:
    """What a status line cites of a record: the step, who, the day, and where it stands
    in its chain (the hash shortened; ``--json`` gives it whole)."""
    return {
        "trigger": record.trigger,
        "actor": record.actor_id,
        "day": local_day(record.at).isoformat(),
        "case": record.case_id,
        "seq": record.seq,
        "hash": record.hash[:12],
    }


def _only_for_a_provider(ref: UnitRef, college_id: str | None, state: State) -> None:
    """`--college` names the college a provider is asked about in; no other unit has one."""
    if college_id is not None and ref.kind is not UnitKind.PROVIDER:
        raise click.BadParameter(
            state.say(_("only a provider is asked about per college")),
            param_hint="--college",
        )


def _give_college(state: State, unit: str, colleges: Sequence[str]) -> click.UsageError:
    """The usage error for a provider asked about without the college it needs (it has
    cases in several, or in none)."""
    if not colleges:
        text = _("{unit} has no case in any college: give --college", unit=unit)
    else:
        text = _(
            "{unit} has cases in more than one college ({colleges}): give --college",
            unit=unit,
            colleges=", ".join(colleges),
        )
    return click.UsageError(state.say(text), ctx=click.get_current_context())


def _unit(registry: Registry, ref: UnitRef) -> object:
    """The stored object `ref` names, each kind looked up where it lives."""
    if ref.kind is UnitKind.COLLEGE:
        return registry.get(College, ref.id)
    if ref.kind is UnitKind.PROGRAMME:
        return registry.get(Programme, ref.id)
    if ref.kind is UnitKind.PROVIDER:
        try:
            organisation = registry.get(Organisation, ref.id)
        except errors.NotFound:
            raise UnknownName(
                "provider",
                ref.id,
                _("education provider {id!r} does not exist", id=ref.id),
            ) from None
        if organisation.kind is not OrganisationKind.EDUCATION_PROVIDER:
            raise errors.InvalidData(
                [
                    (
                        "",
                        _(
                            "organisation {id!r} is not an education provider (it is {kind})",
                            id=ref.id,
                            kind=organisation.kind.value,
                        ),
                    )
                ]
            )
        return organisation
    programme_id = ref.parent or ""
    programme = registry.get(Programme, programme_id)
    for orientation in programme.orientations:
        if orientation.id == ref.id:
            return orientation
    known = ", ".join(o.id for o in programme.orientations) or "-"
    raise UnknownName(
        "orientation",
        ref.id,
        _(
            "programme {programme!r} has no orientation {id!r} (known: {known})",
            programme=programme_id,
            id=ref.id,
            known=known,
        ),
    )


# -- shell completion --------------------------------------------------------------------


Completer = Callable[[Any, Any, str], list[Any]]


def _completer(fn: Callable[[Any, str], list[Any]]) -> Completer:
    """A completion callback that never raises and never prints: a broken store or
    plug-in must not break the user's shell."""

    def complete(ctx: Any, param: Any, incomplete: str) -> list[Any]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn(ctx, incomplete)
        except Exception:
            return []

    return complete


@contextmanager
def _completion_registry(ctx: Any) -> Iterator[Registry | None]:
    state = ctx.find_object(State)
    url = storage_url(state.db if state is not None else None)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        yield None
        return
    with Registry.open(url) as registry:
        yield registry


def _workflow_definitions() -> dict[str, Any]:
    from .plugins import Hooks, make_plugin_manager

    return Hooks(make_plugin_manager()).workflows()


def _case_items(ctx: Any, incomplete: str) -> list[Any]:
    with _completion_registry(ctx) as registry:
        if registry is None:
            return []
        return [
            CompletionItem(c.id, help=f"{c.workflow} {c.subject} {c.state}")
            for c in registry.cases()
            if c.id.startswith(incomplete)
        ]


def _trigger_items(ctx: Any, incomplete: str) -> list[Any]:
    definitions = _workflow_definitions()
    chosen = list(definitions.values())
    state: str | None = None
    case_id = ctx.params.get("case_id")
    if case_id:
        try:
            with _completion_registry(ctx) as registry:
                case = registry.case(case_id) if registry is not None else None
            if case is not None:
                chosen, state = [definitions[case.workflow]], case.state
        except Exception:  # an unknown case or an unusable store: offer every trigger
            pass
    found: dict[str, str] = {}
    for definition in chosen:
        for t in definition.transitions:
            if state is None or state in t.sources:
                found.setdefault(t.trigger, t.title.en)
    return [CompletionItem(t, help=h) for t, h in sorted(found.items()) if t.startswith(incomplete)]


def _workflow_items(ctx: Any, incomplete: str) -> list[Any]:
    return [CompletionItem(n) for n in sorted(_workflow_definitions()) if n.startswith(incomplete)]


def _college_items(ctx: Any, incomplete: str) -> list[Any]:
    with _completion_registry(ctx) as registry:
        if registry is None:
            return []
        return [
            CompletionItem(c.id, help=c.name)
            for c in registry.find(College)
            if c.id.startswith(incomplete)
        ]


def _subject_items(ctx: Any, incomplete: str) -> list[Any]:
    kind, colon, _ = incomplete.partition(":")
    if not colon:
        return [CompletionItem(f"{k.value}:") for k in UnitKind if k.value.startswith(kind)]
    with _completion_registry(ctx) as registry:
        if registry is None:
            return []
        if kind == "college":
            names = [(c.id, c.name) for c in registry.find(College)]
        elif kind == "programme":
            names = [(p.id, p.title) for p in registry.find(Programme)]
        elif kind == "provider":
            names = [
                (o.id, o.name)
                for o in registry.find(Organisation)
                if o.kind is OrganisationKind.EDUCATION_PROVIDER
            ]
        elif kind == "orientation":
            names = [
                (f"{o.id}/{p.id}", o.title)
                for p in registry.find(Programme)
                for o in p.orientations
            ]
        else:
            return []
    return [
        CompletionItem(f"{kind}:{i}", help=h)
        for i, h in names
        if f"{kind}:{i}".startswith(incomplete)
    ]


# -- help --------------------------------------------------------------------------------


def _help(lang: Language, text: Text, *examples: str) -> dict[str, str]:
    """``help`` and ``epilog`` of a command: the text and its examples."""
    heading = _("Examples").get(lang)
    lines = "\n".join(f"  $ {e}" for e in examples)
    # \b keeps click from rewrapping the example lines.
    return {"help": text.get(lang), "epilog": f"\b\n{heading}:\n{lines}"}


def _global_options(lang: Language) -> list[Any]:
    """``--db``, ``--lang``, ``--json``, ``--today``, ``--actor`` and ``--debug``, for every
    sub-command too."""

    def setter(name: str) -> Callable[[Any, Any, Any], Any]:
        def callback(ctx: Any, param: Any, value: Any) -> Any:
            if value is None or value is False:
                return value
            state = ctx.find_object(State)
            if state is not None:
                setattr(state, name, value)
            return value

        return callback

    def option(decls: list[str], help: Text, callback: Any, **more: Any) -> click.Option:
        # Eager and not passed to the command: each sets the shared State as it is parsed.
        return click.Option(
            decls, expose_value=False, is_eager=True, callback=callback, help=help.get(lang), **more
        )

    return [
        option(
            ["--db"],
            _(
                "Storage URL or SQLite file (default TEKNIKCOLLEGE_STORAGE, else {default}).",
                default=DEFAULT_STORAGE,
            ),
            setter("db"),
            metavar="URL|PATH",
        ),
        option(
            ["--lang"],
            _("Language of messages (default TEKNIKCOLLEGE_LANG, else en)."),
            setter("lang"),
            type=click.Choice(["sv", "en"]),
        ),
        option(
            ["--json", "as_json"], _("Print JSON (errors too)."), setter("as_json"), is_flag=True
        ),
        option(
            ["--today"],
            _("The day the command acts on (default TEKNIKCOLLEGE_TODAY, else the real day)."),
            _today_callback,
            metavar="YYYY-MM-DD",
            envvar="TEKNIKCOLLEGE_TODAY",
        ),
        option(
            ["--actor"],
            _(
                "The person acting (default TEKNIKCOLLEGE_ACTOR): every change names one; "
                "roles after the colon only narrow what the stored person holds."
            ),
            setter("actor_spec"),
            metavar="PERSON[:ROLE,…]",
            envvar="TEKNIKCOLLEGE_ACTOR",
        ),
        option(["--debug"], _("Show the traceback of an error."), setter("debug"), is_flag=True),
    ]


def _today_callback(ctx: Any, param: Any, value: Any) -> Any:
    if value is None:
        return value
    state = ctx.find_object(State)
    try:
        day = parse_day(value)
    except errors.InvalidData as error:
        raise click.BadParameter(
            error.message(state.lang if state is not None else _env_language()),
            ctx=ctx,
            param=param,
        ) from None
    # The option is on the group and on every command, and each level reads the
    # environment: a day given on the command line, at any level, wins over it.
    from_env = ctx.get_parameter_source(param.name) is ParameterSource.ENVIRONMENT
    if state is not None and not (from_env and state.today_given):
        state.today, state.today_given = day, not from_env
    return day


def _add_global_options(command: Any, lang: Language) -> None:
    taken = {opt for p in command.params for opt in getattr(p, "opts", ())}
    for option in _global_options(lang):
        if not taken & set(option.opts):
            command.params.append(option)
    for sub in getattr(command, "commands", {}).values():
        _add_global_options(sub, lang)


# -- the boundary ------------------------------------------------------------------------

if HAVE_CLICK:

    class TeknikcollegeGroup(click.Group):
        """The root command: its ``main`` is the CLI's one error boundary."""

        state: State | None = None
        warnings_at_start: list[tuple[str, Text]]

        def main(
            self,
            args: Sequence[str] | None = None,
            prog_name: str | None = None,
            complete_var: str | None = None,
            standalone_mode: bool = True,
            **extra: Any,
        ) -> NoReturn:
            argv = list(sys.argv[1:] if args is None else args)
            name = prog_name or "teknikcollege"
            var = complete_var or f"_{name}_COMPLETE".replace("-", "_").replace(".", "_").upper()
            early = Options.scan(argv)
            # Seeded with the scanned language only: the parser decides what --db and
            # --json mean (a note may well read "--json").
            state = self.state = State(lang=early.lang)
            extra.setdefault("obj", state)
            with warnings.catch_warnings(), _click_text.language(early.lang):
                # Plug-in load failures are reported once, below, as one clean line.
                warnings.simplefilter("ignore", PluginWarning)
                if not os.environ.get(var):
                    for name_, text in getattr(self, "warnings_at_start", []):
                        _warn(early, name_, text)
                try:
                    _check_arguments(argv, early.lang)
                    result = super().main(
                        argv, prog_name=name, complete_var=var, standalone_mode=False, **extra
                    )
                except SystemExit:
                    raise
                except BaseException as error:  # the boundary: nothing gets past it
                    shown = Options(
                        state.db or early.db,
                        state.lang,
                        state.as_json or early.as_json,
                        state.debug or early.debug,
                    )
                    fail(shown, error)
            sys.exit(result if isinstance(result, int) else EXIT_OK)


def _check_arguments(argv: Sequence[str], lang: Language) -> None:
    # Arguments that are not UTF-8 arrive with lone surrogates (PEP 383); refused here,
    # they cannot reach a database that would refuse them less clearly.
    for i, arg in enumerate(argv, 1):
        if any("\ud800" <= c <= "\udfff" for c in arg) and not _is_path(arg):
            try:  # the bytes as given: b"caf\xe9" is shown as caf\xe9
                shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            except UnicodeEncodeError:
                shown = arg
            raise click.UsageError(
                _(
                    "argument {number} ({argument}) is not valid UTF-8 text; write it in UTF-8",
                    number=i,
                    argument=one_line(shown),
                ).get(lang)
            )


def _is_path(arg: str) -> bool:
    try:
        return os.path.lexists(arg)
    except (ValueError, OSError):
        return False


def _warn(options: Options, name: str, text: Text) -> None:
    message = one_line(redact_text(text.get(options.lang), *options.raw_urls))
    if options.as_json:
        line = json.dumps({"warning": name, "message": message}, ensure_ascii=False)
    else:
        line = _("warning: {message}", message=message).get(options.lang)
    _write(sys.stderr, line)


def fail(options: Options, error: BaseException) -> NoReturn:
    """Report `error` as the CLI does (one line on stderr, JSON with ``--json``, the
    traceback first with ``--debug``; passwords redacted) and exit with its code."""
    if isinstance(error, BrokenPipeError):
        # The reader went away (``teknikcollege list cases | head -1``): nothing to say.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        sys.exit(EXIT_INVALID)
    if (
        HAVE_CLICK
        and isinstance(error, click.exceptions.NoArgsIsHelpError)
        and not (options.as_json)
    ):
        _write(sys.stderr, error.ctx.get_help())
        sys.exit(EXIT_USAGE)
    code = exit_code(error)
    urls = options.raw_urls
    if options.debug:
        trace = "".join(traceback.format_exception(error))
        _write(sys.stderr, redact_text(trace, *urls).rstrip("\n"))
    name, message = describe(error, options.lang)
    message = one_line(redact_text(message, *urls))
    if options.as_json:
        line = json.dumps({"error": name, "code": code, "message": message}, ensure_ascii=False)
    else:
        line = _("error: {message}", message=message).get(options.lang)
    _write(sys.stderr, line)
    sys.exit(code)


# -- the commands ------------------------------------------------------------------------


def build_cli(lang: Language | None = None, *, plugin_manager: PluginManager | None = None) -> Any:
    """Build the click group, plug-in commands included, with help texts in `lang`
    (default: ``--lang`` in ``sys.argv``, else ``TEKNIKCOLLEGE_LANG``); click's own
    words too (see :mod:`teknikcollege._click_text`)."""
    lang = lang or Options.scan(sys.argv[1:]).lang
    with _click_text.language(lang):
        return _click_text.localise(_build_cli(lang, plugin_manager), lang)


def _build_cli(lang: Language, plugin_manager: PluginManager | None) -> Any:

    def say(text: Text) -> str:
        return text.get(lang)

    provider_college = click.option(
        "--college",
        "college_id",
        shell_complete=_completer(_college_items),
        help=say(
            _(
                "For a provider: the college it is asked about in (needed when it has cases "
                "in more than one)."
            )
        ),
    )

    @click.group(
        "teknikcollege",
        cls=TeknikcollegeGroup,
        **_help(
            lang,
            _("Teknikcollege: colleges, programmes and their certification."),
            "teknikcollege demo",
            "teknikcollege list cases --json",
            "teknikcollege --lang sv assess college:stockholm",
        ),
    )
    @click.version_option(package_name="teknikcollege")
    def cli() -> None:
        # The State was made by the boundary (TeknikcollegeGroup.main) and filled in by
        # the options' callbacks.
        pass

    # The group's own copies of the global options: the same callbacks as everywhere.
    cli.params.extend(_global_options(lang))

    @cli.command(
        **_help(
            lang,
            _("Walk the Stockholm pilot from pilot to ordinary operation."),
            "teknikcollege demo",
            "teknikcollege --db demo.db demo --fresh --json",
        )
    )
    @click.option(
        "--fresh",
        is_flag=True,
        help=say(
            _("Delete the database first (only a teknikcollege database)."),
        ),
    )
    @click.pass_obj
    def demo(state: State, fresh: bool) -> None:
        from .demo import delete_database, run_demo

        path = sqlite_path(state.url)
        if fresh and path is not None:
            delete_database(path)
        where = redact_url(state.url)
        clock = FixedClock(date(2021, 10, 1))
        with state.registry(create=True, clock=clock) as registry:
            if registry.find(College, id="stockholm"):
                life = registry.cases(workflow="college-lifecycle")
                current = life[0].state if life else "?"
                if state.as_json:
                    state.line({"state": current, "url": where, "existing": True})
                    return
                click.echo(
                    state.say(
                        _(
                            "The demo data is already in {where}; the college is in "
                            "{state}. Run with --fresh to start over.",
                            where=where,
                            state=current,
                        )
                    )
                )
                return

            def echo(step: Any) -> None:
                text = step.text.get(state.lang)
                if state.as_json:
                    state.line({"day": step.day.isoformat(), "step": text, "detail": step.detail})
                    return
                click.secho(f"{step.day.isoformat()}  {text}", bold=True)
                for line in step.detail.splitlines():
                    click.echo(f"    {line}")

            final = run_demo(registry, clock, echo, state.lang)
        if state.as_json:
            state.line({"state": final, "url": where, "existing": False})
        else:
            click.echo(
                "\n"
                + state.say(
                    _("Done: the college is in {state} ({where}).", state=final, where=where)
                )
            )

    @cli.command(
        **_help(
            lang,
            _(
                "Create an empty database (SQLite by default); with --admin, make that "
                "person the store's first administrator (once)."
            ),
            "teknikcollege init --db region.db --admin p-admin --name 'Ada Admin'",
            "teknikcollege init --db postgresql://tc@db.example/tc --json",
        )
    )
    @click.option(
        "--admin", "admin_id", metavar="PERSON", help=say(_("The first administrator's id."))
    )
    @click.option("--name", metavar="NAME", help=say(_("The first administrator's name.")))
    @click.option("--email", metavar="ADDRESS", help=say(_("The first administrator's e-mail.")))
    @click.pass_obj
    def init(state: State, admin_id: str | None, name: str | None, email: str | None) -> None:
        if admin_id is None and (name or email):
            raise click.UsageError(_("--name and --email need --admin").get(state.lang))
        data: dict[str, Any] = {}
        with state.registry(create=True) as registry:
            if admin_id is not None:
                admin = Person(admin_id, name or admin_id, email=email)
                data["admin"] = to_data(registry.create_admin(admin))
        where = redact_url(state.url)
        text = _("Database ready: {where}", where=where)
        if admin_id is not None:
            text = Text.join([text, _("first administrator: {id!r}", id=admin_id)], sep="; ")
        state.out({"url": where, **data}, state.say(text))

    @cli.command(
        "import",
        **_help(
            lang,
            _("Import a JSON document (all or nothing)."),
            "teknikcollege import region.json",
            "teknikcollege export | teknikcollege --db copy.db import -",
        ),
    )
    # Paths, opened in the body: click.File opens while parsing, and a usage error later
    # on the same line would leave the file open.
    @click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
    @click.pass_obj
    def import_(state: State, file: str) -> None:
        with click.open_file(file, "rb") as stream:
            raw = stream.read()
        try:
            document = json.loads(raw)
        except RecursionError:
            raise errors.InvalidData([("", _("the JSON is nested too deeply"))]) from None
        except ValueError as error:
            detail = one_line(str(error))
            raise errors.InvalidData([("", _("not valid JSON: {detail}", detail=detail))]) from None
        with state.registry(create=True) as registry, _progress(state) as progress:
            count = registry.import_document(document, actor=state.acting(), progress=progress)
        state.out(
            {"imported": count},
            state.say(_n("{n} record imported", "{n} records imported", count)),
        )

    @cli.command(
        **_help(
            lang,
            _("Export everything as a JSON document."),
            "teknikcollege export > backup.json",
            "teknikcollege export backup.json --json",
        )
    )
    @click.argument("file", type=click.Path(dir_okay=False, allow_dash=True), default="-")
    @click.pass_obj
    def export(state: State, file: str) -> None:
        with state.registry() as registry:
            document = registry.export_document()
        text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        with click.open_file(file, "w", encoding="utf-8", atomic=file != "-") as stream:
            stream.write(text)
        if file != "-" and state.as_json:
            state.line({"exported": file})

    kinds = {"colleges": College, "programmes": Programme, "cases": None}

    @cli.command(
        "list",
        **_help(
            lang,
            _("List colleges, programmes or cases."),
            "teknikcollege list cases",
            "teknikcollege list colleges --json",
        ),
    )
    @click.argument("kind", type=click.Choice(sorted(kinds)))
    @click.pass_obj
    def list_(state: State, kind: str) -> None:
        with state.registry() as registry:
            if kind == "cases":
                cases = registry.cases()
                state.out(
                    [to_data(c) for c in cases],
                    "\n".join(
                        one_line(f"{c.id}  {c.workflow:<18} {c.subject!s:<36} {c.state}")
                        for c in cases
                    ),
                )
            else:
                items: list[Any] = registry.find(kinds[kind])  # type: ignore[arg-type]
                state.out(
                    [to_data(i) for i in items],
                    "\n".join(
                        one_line(f"{i.id}  {getattr(i, 'name', None) or getattr(i, 'title', '')}")
                        for i in items
                    ),
                )

    @cli.command(
        **_help(
            lang,
            _(
                "Show a case: state, deadlines, certifications, and the records of its "
                "process (applications, visits, protocols, supplements, postponements)."
            ),
            "teknikcollege show CASE-ID",
            "teknikcollege show CASE-ID --json",
        )
    )
    @click.argument("case_id", shell_complete=_completer(_case_items))
    @click.pass_obj
    def show(state: State, case_id: str) -> None:
        from .services.records import CASE_RECORDS

        with state.registry() as registry:
            case = registry.case(case_id)
            records = [r for cls in CASE_RECORDS for r in registry.find(cls, case_id=case_id)]
        lines = [one_line(f"{case.id}: {case.workflow} {case.subject} — {case.state}")]
        lines += [
            one_line(f"  {name}: {due.isoformat()}") for name, due in sorted(case.deadlines.items())
        ]
        lines += [f"  #{c.number} {c.valid_from} – {c.valid_until}" for c in case.certifications]
        lines += [one_line("  " + state.say(_record_line(r))) for r in records]
        data = to_data(case)
        data["records"] = [{"kind": kind_of(r), **to_data(r)} for r in records]
        state.out(data, "\n".join(lines))

    @cli.command(
        **_help(
            lang,
            _("The gap report of a unit (KIND:ID). Exit code 6 if a criterion did not pass."),
            "teknikcollege assess college:stockholm",
            "teknikcollege assess programme:cnc-operator --json",
            "teknikcollege assess orientation:svets/industriteknik-bas",
            "teknikcollege assess provider:lernia --college stockholm",
        )
    )
    @click.argument("subject", shell_complete=_completer(_subject_items))
    @provider_college
    @click.pass_obj
    def assess(state: State, subject: str, college_id: str | None) -> None:
        ref = _subject(subject, state.lang)
        _only_for_a_provider(ref, college_id, state)
        with state.registry() as registry:
            unit = _unit(registry, ref)
            if isinstance(unit, Organisation):
                if college_id is not None:
                    registry.get(College, college_id)
                else:
                    colleges = sorted({c.college_id for c in registry.cases(subject=ref)})
                    if len(colleges) != 1:
                        raise _give_college(state, str(ref), colleges)
                    college_id = colleges[0]
                unit = Provider(unit, college_id)  # a provider is assessed within a college
            result = registry.assess(unit)
        report = result.report(state.lang)
        if not result.findings:
            report += "\n  " + state.say(_("(no criteria apply to a {kind})", kind=ref.kind.value))
        state.out({**to_data(result), "passed": result.passed}, one_line_each(report))
        if not result.passed:
            raise click.exceptions.Exit(EXIT_GAPS)

    @cli.command(
        **_help(
            lang,
            _("Fire TRIGGER on a case as an actor."),
            "teknikcollege fire CASE-ID submit_application --actor p-leader:process_leader",
            "teknikcollege fire CASE-ID grant_postponement --actor p-office:national_office "
            "--param new_due=2023-05-01 --note 'sick leave'",
        )
    )
    @click.argument("case_id", shell_complete=_completer(_case_items))
    @click.argument("trigger", shell_complete=_completer(_trigger_items))
    @click.option("--note", default="", help=say(_("A note kept in the history.")))
    @click.option(
        "--param",
        multiple=True,
        help=say(_("NAME=VALUE, e.g. new_due=2023-05-01")),
    )
    @click.pass_obj
    def fire(state: State, case_id: str, trigger: str, note: str, param: tuple[str, ...]) -> None:
        who = state.acting()
        params = _params(param, state.lang)
        with state.registry() as registry:
            record = registry.fire(case_id, trigger, actor=who, note=note, params=params)
        state.out(to_data(record), one_line(f"{record.case_id}: {record.source} → {record.dest}"))

    @cli.command(
        **_help(
            lang,
            _("The audit history of a case."),
            "teknikcollege history CASE-ID",
            "teknikcollege history CASE-ID --json",
        )
    )
    @click.argument("case_id", shell_complete=_completer(_case_items))
    @click.pass_obj
    def history(state: State, case_id: str) -> None:
        with state.registry() as registry:
            registry.case(case_id)
            records = registry.history(case_id)
        state.out(
            [to_data(r) for r in records],
            # one_line: a note or an id cannot forge a second history line.
            "\n".join(
                one_line(
                    f"{r.seq:>3} {local_day(r.at).isoformat()} {r.trigger:<24} {r.source or '-'} → "
                    f"{r.dest}  ({r.actor_id})"
                    + "".join(f" {k}={v}" for k, v in sorted(r.params.items()))
                    + (f"  {r.note}" if r.note else "")
                )
                for r in records
            ),
        )

    @cli.command(
        **_help(
            lang,
            _(
                "Is the unit certified on a day, with its proof: period, decision, open cases, "
                "what is due."
            ),
            "teknikcollege status college:stockholm",
            "teknikcollege status programme:cnc-operator --on 2023-03-01 --json",
            "teknikcollege status provider:lernia --college stockholm",
        )
    )
    @click.argument("unit")
    @click.option(
        "--on",
        "day",
        help=say(_("The day (YYYY-MM-DD; default: today).")),
    )
    @provider_college
    @click.pass_obj
    def status(state: State, unit: str, day: str | None, college_id: str | None) -> None:
        ref = _subject(unit, state.lang)
        on = None
        if day is not None:
            try:
                on = parse_day(day, "--on")
            except errors.InvalidData as error:
                raise click.BadParameter(error.message(state.lang)) from None
        _only_for_a_provider(ref, college_id, state)
        with state.registry() as registry:
            _unit(registry, ref)
            if college_id is not None:
                registry.get(College, college_id)
            try:
                found = registry.status(ref, on=on, college_id=college_id)
            except errors.CollegeRequired as error:
                raise _give_college(state, error.unit, error.colleges) from None
        values = {"unit": str(found.unit), "day": found.on.isoformat()}
        head = (
            _("{unit} {day}: certified", **values)
            if found.certified
            else _("{unit} {day}: not certified", **values)
        )
        details: list[Text] = []
        if found.period is not None:
            details.append(_("period {number}: {span}", **_period(found.period)))
        if found.decision is not None:
            details.append(
                _(
                    "decision: {trigger} by {actor} on {day} (case {case}, record {seq}, {hash})",
                    **_cited(found.decision),
                )
            )
        if found.last_period is not None:
            details.append(_("last period {number}: {span}", **_period(found.last_period)))
        if found.ended_by is not None:
            details.append(
                _(
                    "ended: {trigger} by {actor} on {day} (case {case}, record {seq}, {hash})",
                    **_cited(found.ended_by),
                )
            )
        for o in found.open_cases:
            details.append(
                _(
                    "open: {case} ({workflow}) in {state}",
                    case=o.case_id,
                    workflow=o.workflow,
                    state=o.state,
                )
            )
        for due in found.due:
            roles = ", ".join(r.value for r in due.roles)
            what = deadline_title(due.what)
            when = {"what": what, "day": due.on.isoformat(), "case": due.case_id}
            details.append(
                _("due {day}: {what} ({case}) {roles}", roles=roles, **when)
                if roles
                else _("due {day}: {what} ({case})", **when)
            )
        for late in found.overdue:
            details.append(
                _(
                    "overdue: {trigger} since {day} ({case}): the case has ended, and the "
                    "sweep records it",
                    trigger=late.what,
                    day=late.on.isoformat(),
                    case=late.case_id,
                )
            )
        lines = [state.say(head), *("  " + state.say(d) for d in details)]
        state.out(to_data(found), "\n".join(one_line(line) for line in lines))

    @cli.command(
        **_help(
            lang,
            _(
                "Check every case's hash chain in the store or in an export file; prints each "
                "chain's head."
            ),
            "teknikcollege verify",
            "teknikcollege verify export.json --json",
        )
    )
    @click.argument("file", required=False, type=click.Path(dir_okay=False))
    @click.pass_obj
    def verify(state: State, file: str | None) -> None:
        from .services.trust import verify_document

        if file is not None:
            try:
                with click.open_file(file, encoding="utf-8") as stream:  # "-": standard input
                    document = json.loads(stream.read())
            except (OSError, ValueError) as error:
                raise errors.InvalidData(
                    [("", _("cannot read {file}: {error}", file=file, error=str(error)))]
                ) from None
            if not isinstance(document, dict):
                raise errors.InvalidData([("", _("not an export document"))])
            reports = verify_document(document)
        else:
            with state.registry() as registry:
                reports = registry.verify()
        lines = []
        for r in reports:
            if r.ok:
                lines.append(f"ok  {r.case_id}  {r.length}  {r.head}")
            elif r.missing:
                lines.append(
                    state.say(
                        _(
                            "BAD {case}: the chain ends at record {length}, but the case is "
                            "not where it leaves it (records are missing, or the case was "
                            "changed outside the workflow)",
                            case=r.case_id,
                            length=r.length,
                        )
                    )
                )
            else:
                lines.append(
                    state.say(
                        _(
                            "BAD {case}: record {seq} does not match",
                            case=r.case_id,
                            seq=r.first_bad,
                        )
                    )
                )
        state.out([to_data(r) | {"ok": r.ok} for r in reports], "\n".join(map(one_line, lines)))
        bad = [r for r in reports if not r.ok]
        if bad:
            raise errors.InvalidData(
                [
                    (
                        f"history.{r.case_id}[{r.first_bad}]",
                        _("the case is not where its chain ends")
                        if r.missing
                        else _("the hash chain breaks here"),
                    )
                    for r in bad
                ]
            )

    @cli.command(
        **_help(
            lang,
            _("Chain the history of a store written by version 0.1, once, by whoever runs it."),
            "teknikcollege migrate --actor admin",
        )
    )
    @click.pass_obj
    def migrate(state: State) -> None:
        who = state.acting()
        with state.registry() as registry:
            count = registry.migrate(actor=who)
        state.out(
            {"chained": count},
            state.say(_n("{n} record chained", "{n} records chained", count)),
        )

    @cli.command(
        **_help(
            lang,
            _("Refused attempts, oldest first: number, when, who, what, on what, why."),
            "teknikcollege refusals",
            "teknikcollege refusals --after 20 --limit 10 --json",
        )
    )
    @click.option(
        "--after",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        help=say(_("Only refusals numbered above this.")),
    )
    @click.option(
        "--limit",
        type=click.IntRange(min=1),
        help=say(_("At most this many (default: all).")),
    )
    @click.pass_obj
    def refusals(state: State, after: int, limit: int | None) -> None:
        with state.registry() as registry:
            found = registry.refusals(after=after, limit=limit)
        numbered = list(enumerate(found, start=after + 1))
        state.out(
            [{"number": n} | to_data(r) for n, r in numbered],
            # one_line: an id or a reason cannot forge a second line.
            "\n".join(
                one_line(
                    f"{n:>4} {r.at.isoformat(timespec='seconds')} {r.actor_id} {r.action} "
                    f"{r.target}: {state.say(r.reason)}"
                )
                for n, r in numbered
            ),
        )

    @cli.command(
        **_help(
            lang,
            _("Apply due time rules and queue reminders."),
            "teknikcollege tick",
            "teknikcollege tick --now 2025-01-01 --json",
        )
    )
    @click.option(
        "--now",
        type=click.DateTime(["%Y-%m-%d"]),
        help=say(_("Sweep as of this day (YYYY-MM-DD).")),
    )
    @click.pass_obj
    def tick(state: State, now: Any) -> None:
        with state.registry() as registry:
            report = registry.tick(now)
        # A case the sweep could not process (its workflow's plug-in is missing, say) was
        # skipped while the rest went on: say so, one warning line per case.
        for case_id, reason in report.skipped:
            _warn(
                state,
                "CaseSkipped",
                _("case {id!r} was skipped: {reason}", id=case_id, reason=reason),
            )
        skipped = len(report.skipped)
        state.out(
            to_data(report),
            state.say(
                Text.join(
                    [
                        _n(
                            "{n} time-based transition",
                            "{n} time-based transitions",
                            len(report.fired),
                        ),
                        _n("{n} reminder", "{n} reminders", report.reminders),
                        *[_n("{n} case skipped", "{n} cases skipped", skipped)][: bool(skipped)],
                    ],
                    ", ",
                )
            ),
        )

    @cli.command(
        **_help(
            lang,
            _("Deliver the outbox to every notifier (with retries and dead letters)."),
            "teknikcollege deliver",
            "teknikcollege deliver --dead --json",
            "teknikcollege deliver --retry-dead",
        )
    )
    @click.option(
        "--retry-dead",
        is_flag=True,
        help=say(_("Make dead letters pending again first.")),
    )
    @click.option(
        "--dead",
        "show_dead",
        is_flag=True,
        help=say(_("List dead letters only.")),
    )
    @click.pass_obj
    def deliver(state: State, retry_dead: bool, show_dead: bool) -> None:
        with state.registry() as registry:
            if show_dead:
                dead = registry.outbox("dead")
                state.out(
                    [{"id": n.id, "notifier": who, "attempts": a} for n, who, _when, a in dead],
                    "\n".join(
                        one_line(
                            state.say(
                                _n(
                                    "{id} {notifier} {n} attempt",
                                    "{id} {notifier} {n} attempts",
                                    a,
                                    id=n.id,
                                    notifier=who,
                                )
                            )
                        )
                        for n, who, _when, a in dead
                    ),
                )
                return
            revived = registry.retry_dead() if retry_dead else 0
            report = registry.deliver()
        state.out(
            {**to_data(report), "revived": revived},
            state.say(
                Text.join(
                    [
                        _n("{n} delivered", "{n} delivered", report.delivered),
                        _n("{n} retrying", "{n} retrying", report.retrying),
                        _n("{n} dead", "{n} dead", report.dead),
                    ],
                    ", ",
                )
            ),
        )

    @cli.command(
        **_help(
            lang,
            _("Draw a workflow (Mermaid, DOT, or SVG with Graphviz)."),
            "teknikcollege diagram certification",
            "teknikcollege diagram college-lifecycle --format dot | dot -Tpng > life.png",
            "teknikcollege diagram certification --json",
        )
    )
    @click.argument("workflow", default="certification", shell_complete=_completer(_workflow_items))
    @click.option(
        "--format", "fmt", type=click.Choice(["mermaid", "dot", "svg"]), default="mermaid"
    )
    @click.pass_obj
    def diagram(state: State, workflow: str, fmt: str) -> None:
        from .workflow import diagram as draw

        definitions = _workflow_definitions()
        if workflow not in definitions:
            known = ", ".join(sorted(definitions))
            raise UnknownName(
                "workflow",
                workflow,
                _("unknown workflow {workflow!r} (known: {known})", workflow=workflow, known=known),
            )
        render = {"mermaid": draw.mermaid, "dot": draw.dot, "svg": draw.svg}[fmt]
        try:
            text = render(definitions[workflow], state.lang)
        except RuntimeError:  # Graphviz is not installed
            raise errors.StorageUnavailable(_(draw.MISSING_DOT)) from None
        if state.as_json:
            state.out({"workflow": workflow, "format": fmt, "diagram": text}, "")
        else:
            click.echo(text, nl=False)

    @cli.command(
        **_help(
            lang,
            _("A college's certification timeline (Mermaid Gantt) and criteria table."),
            "teknikcollege report stockholm > stockholm.md",
            "teknikcollege report stockholm --format html > stockholm.html",
        )
    )
    @click.argument("college_id", shell_complete=_completer(_college_items))
    @click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown")
    @click.pass_obj
    def report(state: State, college_id: str, fmt: str) -> None:
        from . import report as reports

        with state.registry() as registry:
            render = reports.markdown if fmt == "markdown" else reports.to_html
            text = render(registry, college_id, state.lang)
        if state.as_json:
            state.out({"college": college_id, "format": fmt, "report": text}, "")
        else:
            click.echo(text, nl=False)

    @cli.command(
        **_help(
            lang,
            _("List plug-ins: name, distribution, version, hooks, status."),
            "teknikcollege plugins",
            "teknikcollege plugins --json",
        )
    )
    @click.pass_obj
    def plugins(state: State) -> None:
        from .plugins import make_plugin_manager

        infos = (plugin_manager or make_plugin_manager()).info()
        state.out(
            [to_data(i) for i in infos],
            "\n".join(
                one_line(
                    f"{i.name:<28} {i.distribution or '-':<24} {i.version or '-':<8} "
                    f"{i.status:<8} {', '.join(h.removeprefix('teknikcollege_') for h in i.hooks)}"
                    + (f"  {i.error}" if i.error else "")
                )
                for i in infos
            ),
        )

    site.register(cli, lang)
    from . import _cli_partners, _cli_process

    _cli_process.register(cli, lang, sys.modules[__name__])
    _cli_partners.register(cli, lang, sys.modules[__name__])
    cli.warnings_at_start = _register_plugin_commands(cli, plugin_manager)
    _add_global_options_to_commands(cli, lang)
    return cli


def _add_global_options_to_commands(cli: Any, lang: Language) -> None:
    for command in cli.commands.values():
        _add_global_options(command, lang)


def one_line_each(text: str) -> str:
    """Every line of `text` made safe with :func:`one_line`, the line breaks kept."""
    return "\n".join(one_line(line) for line in text.split("\n"))


def _register_plugin_commands(
    cli: Any, plugin_manager: PluginManager | None
) -> list[tuple[str, Text]]:
    """Let each plug-in add its commands; one that fails is a warning, not a crash (so
    that ``--help`` always works). Returns the warnings to print."""
    from .plugins import make_plugin_manager

    found: list[tuple[str, Text]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PluginWarning)
        try:
            pm = plugin_manager or make_plugin_manager()
        except errors.PluginError as error:
            return [("PluginError", error.text)]
    for name, (dist, _version, reason) in sorted(pm.failed.items()):
        found.append(
            (
                "PluginWarning",
                _(
                    "plug-in {name!r} from {distribution} failed to load: {reason}",
                    name=name,
                    distribution=dist or "?",
                    reason=reason,
                ),
            )
        )
    for impl in pm.hook.teknikcollege_register_commands.get_hookimpls():
        try:
            impl.function(*[{"cli": cli}[a] for a in impl.argnames])
        except Exception as error:
            dist = pm.distributions.get(impl.plugin_name, ("", ""))[0] or "?"
            found.append(
                (
                    "PluginWarning",
                    _(
                        "plug-in {name!r} from {distribution} failed to add its commands: "
                        "{error!r}",
                        name=impl.plugin_name,
                        distribution=dist,
                        error=error,
                    ),
                )
            )
    return found


@contextmanager
def _progress(state: State) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal only: piped or with ``--json``, standard error holds
    nothing but an error. A failure clears the bar, so the error is a line of its own."""
    if state.as_json or not sys.stderr.isatty():
        yield None
        return
    bars: list[Any] = []

    def progress(done: int, total: int) -> None:
        if not bars:
            label = state.say(_("Importing"))
            bars.append(click.progressbar(length=total, label=label, file=sys.stderr))
            bars[0].__enter__()
        bars[0].update(done - bars[0].pos)

    try:
        yield progress
    except BaseException:
        if bars:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()
        raise
    if bars:
        bars[0].__exit__(None, None, None)


def main() -> None:
    """Entry point of the ``teknikcollege`` console script."""
    if not HAVE_CLICK:  # pragma: no cover
        sys.stderr.write(
            "the teknikcollege command needs click: pip install 'teknikcollege[cli]'\n"
        )
        sys.exit(EXIT_USAGE)
    early = Options.scan(sys.argv[1:])
    try:
        cli = build_cli(early.lang)
    except BaseException as error:  # pragma: no cover - build_cli isolates plug-ins
        if isinstance(error, SystemExit):
            raise
        fail(early, error)
    cli.main(prog_name="teknikcollege")
