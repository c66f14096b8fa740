"""Every error the library raises.

::

    TeknikcollegeError
    ├── InvalidData             bad input: every error with its path (``.errors``)
    ├── UnknownCode             a municipality or county code that does not exist
    ├── WorkflowError
    │   ├── InvalidDefinition   a workflow definition that cannot run (``.problems``)
    │   ├── UnknownTrigger      a trigger the workflow does not have
    │   ├── TransitionNotAllowed  guards failed or wrong state (``.findings``)
    │   ├── CaseExists          an open case already exists for the subject
    │   └── PermissionDenied    the actor's roles do not allow the trigger
    ├── StorageError
    │   ├── ConcurrentUpdate    a stale write: someone else changed the record
    │   ├── NotFound            no record with that kind and id
    │   └── StorageUnavailable  a bad URL, an unreadable or foreign database
    └── PluginError             a plug-in failed to load or clashes (``.distribution``)

Each error carries a bilingual :class:`~teknikcollege.Text`; ``str(error)`` is the
message in the default language (``TEKNIKCOLLEGE_LANG``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ._text import Language, Text

if TYPE_CHECKING:
    from .rules.findings import Finding


class TeknikcollegeError(Exception):
    """Base class of every error raised by teknikcollege."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text

    def message(self, lang: Language | None = None) -> str:
        """The message in `lang` (default: ``TEKNIKCOLLEGE_LANG`` or English)."""
        return self.text.get(lang)

    def __str__(self) -> str:
        return self.message()


class InvalidData(TeknikcollegeError, ValueError):
    """Input that does not describe a valid object; ``errors`` maps each path to its problem."""

    def __init__(self, errors: Iterable[tuple[str, Text]]) -> None:
        self.errors: tuple[tuple[str, Text], ...] = tuple(errors)
        super().__init__(
            Text(
                "; ".join(_line(p, t.sv) for p, t in self.errors),
                "; ".join(_line(p, t.en) for p, t in self.errors),
            )
        )

    def prefixed(self, prefix: str) -> InvalidData:
        """The same errors with `prefix` put in front of every path."""
        return InvalidData((join_path(prefix, p), t) for p, t in self.errors)


def _line(path: str, message: str) -> str:
    return f"{path}: {message}" if path else message


def join_path(prefix: str, path: str) -> str:
    """Join two data paths: ``join_path("colleges[0]", "name") == "colleges[0].name"``."""
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


class UnknownCode(InvalidData, LookupError):
    """A municipality or county code (or name) not in the reference data."""

    def __init__(self, what: str, code: str) -> None:
        self.code = code
        names = {
            "municipality": ("kommunkod", "municipality code"),
            "county": ("länskod", "county code"),
            "municipality name": ("kommunnamn", "municipality name"),
        }
        sv, en = names.get(what, (what, what))
        super().__init__([("", Text(f"okänd {sv} {code!r}", f"unknown {en} {code!r}"))])


class WorkflowError(TeknikcollegeError):
    """A workflow could not be built or a transition could not be made."""


class InvalidDefinition(WorkflowError):
    """A workflow definition that cannot run; ``problems`` lists what to fix."""

    def __init__(self, workflow: str, problems: Sequence[Text]) -> None:
        self.workflow = workflow
        self.problems = tuple(problems)
        super().__init__(
            Text(
                f"arbetsflödet {workflow!r} är ogiltigt: " + "; ".join(p.sv for p in self.problems),
                f"workflow {workflow!r} is invalid: " + "; ".join(p.en for p in self.problems),
            )
        )


class UnknownTrigger(WorkflowError, LookupError):
    """A trigger name that the workflow does not define."""

    def __init__(self, workflow: str, trigger: str, known: Iterable[str]) -> None:
        self.workflow = workflow
        self.trigger = trigger
        names = ", ".join(sorted(known))
        super().__init__(
            Text(
                f"arbetsflödet {workflow!r} har ingen händelse {trigger!r} (finns: {names})",
                f"workflow {workflow!r} has no trigger {trigger!r} (known: {names})",
            )
        )


class TransitionNotAllowed(WorkflowError):
    """A transition refused: the case is in the wrong state or guards failed.

    ``findings`` holds *every* finding that did not pass.
    """

    def __init__(
        self,
        case_id: str,
        trigger: str,
        state: str,
        findings: Sequence[Finding] = (),
        reason: Text | None = None,
    ) -> None:
        self.case_id = case_id
        self.trigger = trigger
        self.state = state
        self.findings = tuple(findings)
        if reason is None:
            reason = Text(
                "; ".join(f"{f.rule_id}: {f.message.sv}" for f in self.findings),
                "; ".join(f"{f.rule_id}: {f.message.en}" for f in self.findings),
            )
        super().__init__(
            Text(
                f"{trigger!r} är inte tillåten för {case_id!r} i läget {state!r}: {reason.sv}",
                f"{trigger!r} is not allowed for {case_id!r} in state {state!r}: {reason.en}",
            )
        )


class CaseExists(WorkflowError):
    """A subject already has an open case in that workflow."""

    def __init__(self, workflow: str, subject: str, case_id: str) -> None:
        self.workflow, self.subject, self.case_id = workflow, subject, case_id
        super().__init__(
            Text(
                f"{subject} har redan ett öppet ärende {case_id!r} i {workflow!r}",
                f"{subject} already has an open case {case_id!r} in {workflow!r}",
            )
        )


class PermissionDenied(WorkflowError):
    """The actor's roles do not allow the trigger (default deny)."""

    def __init__(
        self, actor: str, trigger: str, allowed: Iterable[str], reason: Text | None = None
    ) -> None:
        self.actor = actor
        self.trigger = trigger
        self.allowed = tuple(sorted(allowed))
        roles = ", ".join(self.allowed) or "-"
        extra_sv = f" ({reason.sv})" if reason else ""
        extra_en = f" ({reason.en})" if reason else ""
        super().__init__(
            Text(
                f"{actor!r} får inte utföra {trigger!r}{extra_sv}; tillåtna roller: {roles}",
                f"{actor!r} may not fire {trigger!r}{extra_en}; roles allowed: {roles}",
            )
        )


class StorageError(TeknikcollegeError):
    """A storage backend could not do what was asked."""


class ConcurrentUpdate(StorageError):
    """A stale write: the record changed since it was read. Nothing was overwritten."""

    def __init__(self, kind: str, id: str, expected: int, actual: int | None) -> None:
        self.kind, self.id, self.expected, self.actual = kind, id, expected, actual
        super().__init__(
            Text(
                f"{kind} {id!r} har ändrats av någon annan (väntad version {expected}, "
                f"lagrad {actual}); läs om och försök igen",
                f"{kind} {id!r} was changed by someone else (expected version {expected}, "
                f"stored {actual}); read it again and retry",
            )
        )


class NotFound(StorageError, LookupError):
    """No record of that kind with that id."""

    def __init__(self, kind: str, id: str) -> None:
        self.kind, self.id = kind, id
        super().__init__(Text(f"{kind} {id!r} finns inte", f"{kind} {id!r} does not exist"))


class StorageUnavailable(StorageError):
    """A storage URL that cannot be opened: unknown scheme, bad path, foreign file."""


class PluginError(TeknikcollegeError):
    """A plug-in failed to load or clashes with another; ``distribution`` names it."""

    def __init__(self, text: Text, distribution: str | None = None) -> None:
        self.distribution = distribution
        super().__init__(text)
