"""Every error the library raises.

::

    TeknikcollegeError
    ├── InvalidData             bad input: every error with its path (``.errors``)
    │   └── CollegeRequired     a provider's status asked without the college it needs
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

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._text import N_, Language, Text, _

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
        super().__init__(Text.join(_line(p, t) for p, t in self.errors))

    def prefixed(self, prefix: str) -> InvalidData:
        """The same errors with `prefix` put in front of every path."""
        return InvalidData((join_path(prefix, p), t) for p, t in self.errors)

    @classmethod
    def at(cls, path: str, message: Text) -> InvalidData:
        """One problem: `message` at `path` (``InvalidData.at("cases[0].state", _(...))``)."""
        return cls([(path, message)])


def _line(path: str, message: Text) -> Text:
    return _("{path}: {message}", path=path, message=message) if path else message


def join_path(prefix: str, path: str) -> str:
    """Join two data paths: ``join_path("colleges[0]", "name") == "colleges[0].name"``."""
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix + path if path.startswith("[") else f"{prefix}.{path}"


class CollegeRequired(InvalidData):
    """A provider's status asked without `college_id` while the provider has cases in more
    than one college on that day: a provider is certified per college, so the answer
    needs one of them (``.unit``, ``.colleges``)."""

    def __init__(self, unit: str, colleges: Sequence[str]) -> None:
        self.unit = unit
        self.colleges = tuple(colleges)
        super().__init__(
            [
                (
                    "college_id",
                    _(
                        "{unit} has cases in more than one college ({colleges}): name the "
                        "college to ask about",
                        unit=unit,
                        colleges=", ".join(self.colleges),
                    ),
                )
            ]
        )


class UnknownCode(InvalidData, LookupError):
    """A municipality or county code (or name) not in the reference data."""

    def __init__(self, what: str, code: str) -> None:
        self.code = code
        messages = {
            "municipality": _("unknown municipality code {code!r}", code=code),
            "county": _("unknown county code {code!r}", code=code),
            "municipality name": _("unknown municipality name {code!r}", code=code),
        }
        text = messages.get(what) or _("unknown {what!r} {code!r}", what=what, code=code)
        super().__init__([("", text)])


class WorkflowError(TeknikcollegeError):
    """A workflow could not be built or a transition could not be made."""


class InvalidDefinition(WorkflowError):
    """A workflow definition that cannot run; ``problems`` lists what to fix."""

    def __init__(self, workflow: str, problems: Sequence[Text]) -> None:
        self.workflow = workflow
        self.problems = tuple(problems)
        super().__init__(
            _(
                "workflow {workflow!r} is invalid: {problems}",
                workflow=workflow,
                problems=Text.join(self.problems),
            )
        )


class UnknownTrigger(WorkflowError, LookupError):
    """A trigger name that the workflow does not define."""

    def __init__(self, workflow: str, trigger: str, known: Iterable[str]) -> None:
        self.workflow = workflow
        self.trigger = trigger
        names = ", ".join(sorted(known))
        super().__init__(
            _(
                "workflow {workflow!r} has no trigger {trigger!r} (known: {names})",
                workflow=workflow,
                trigger=trigger,
                names=names,
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
            reason = Text.join(_line(f.rule_id, f.message) for f in self.findings)
        super().__init__(
            _(
                "{trigger!r} is not allowed for {case!r} in state {state!r}: {reason}",
                trigger=trigger,
                case=case_id,
                state=state,
                reason=reason,
            )
        )


class CaseExists(WorkflowError):
    """A subject already has an open case in that workflow."""

    def __init__(self, workflow: str, subject: str, case_id: str) -> None:
        self.workflow, self.subject, self.case_id = workflow, subject, case_id
        super().__init__(
            _(
                "{subject!r} already has an open case {case!r} in {workflow!r}",
                subject=subject,
                case=case_id,
                workflow=workflow,
            )
        )


class PermissionDenied(WorkflowError):
    """The actor's roles do not allow the trigger (default deny)."""

    def __init__(
        self,
        actor: str,
        trigger: str,
        allowed: Iterable[str],
        reason: Text | None = None,
        *,
        what: Text | None = None,
    ) -> None:
        self.actor = actor
        self.trigger = trigger
        self.allowed = tuple(sorted(allowed))
        roles = ", ".join(self.allowed) or "-"
        values = {"actor": actor, "trigger": trigger, "roles": roles}
        if what is not None and not self.allowed:  # no role could: the reason says why
            super().__init__(
                _(
                    "{actor!r} may not {what}: {reason}",
                    actor=actor,
                    what=what,
                    reason=reason or _("the role does not allow it"),
                )
            )
            return
        if what is not None:  # an action that is not a trigger: "may not change 'person:x'"
            super().__init__(
                _(
                    "{actor!r} may not {what} ({reason}); roles allowed: {roles}",
                    actor=actor,
                    what=what,
                    reason=reason or _("the role does not allow it"),
                    roles=roles,
                )
            )
            return
        super().__init__(
            _(
                "{actor!r} may not fire {trigger!r} ({reason}); roles allowed: {roles}",
                reason=reason,
                **values,
            )
            if reason
            else _("{actor!r} may not fire {trigger!r}; roles allowed: {roles}", **values)
        )


_KINDS = {
    # Translators: the part after "|" is the kind of a stored record, named in a message
    # such as "{kind} {id!r} does not exist" (in Swedish in its definite form).
    "organisation": N_("record kind|organisation"),
    "person": N_("record kind|person"),
    "college": N_("record kind|college"),
    "programme": N_("record kind|programme"),
    "interest_registration": N_("record kind|interest registration"),
    "application": N_("record kind|application"),
    "reviewer_pool": N_("record kind|reviewer pool"),
    "review_visit": N_("record kind|review visit"),
    "protocol": N_("record kind|protocol"),
    "supplement": N_("record kind|supplement"),
    "postponement": N_("record kind|postponement"),
    "operational_plan": N_("record kind|operational plan"),
    "annual_report": N_("record kind|annual report"),
    "satisfaction_survey": N_("record kind|satisfaction survey"),
    "judgement": N_("record kind|judgement"),
    "case": N_("record kind|case"),
    "history": N_("record kind|history entry"),
    "notification": N_("record kind|notification"),
    "delivery": N_("record kind|delivery"),
    "refusal": N_("record kind|refusal"),
}
"""The storage kinds named in messages. The message ids carry the context ``record kind|``
(gettext has no context here): the same English word has another Swedish form elsewhere
(``college``, ``programme``); :func:`kind_text` drops the context from both languages."""


def kind_text(kind: str) -> Text:
    """The storage `kind` (``"case"``) named in both languages (``ärendet``, ``case``).

    A kind without a name here (a plug-in's own) is quoted as it is.
    """
    msgid = _KINDS.get(kind)
    if msgid is None:
        return _("{kind!r} record", kind=kind)
    text = _(msgid)
    return Text(text.sv.rpartition("|")[2], text.en.rpartition("|")[2])


class StorageError(TeknikcollegeError):
    """A storage backend could not do what was asked."""


class ConcurrentUpdate(StorageError):
    """A stale write: the record changed since it was read. Nothing was overwritten."""

    def __init__(self, kind: str, id: str, expected: int, actual: int | None) -> None:
        self.kind, self.id, self.expected, self.actual = kind, id, expected, actual
        what = kind_text(kind)
        super().__init__(
            _(
                "{kind} {id!r} was changed by someone else (expected version {expected}, "
                "stored {actual}); read it again and retry",
                kind=what,
                id=id,
                expected=expected,
                actual=actual,
            )
            if actual is not None
            else _(
                "{kind} {id!r} no longer exists (expected version {expected}); "
                "read it again and retry",
                kind=what,
                id=id,
                expected=expected,
            )
        )


class NotFound(StorageError, LookupError):
    """No record of that kind with that id."""

    def __init__(self, kind: str, id: str) -> None:
        self.kind, self.id = kind, id
        super().__init__(_("{kind} {id!r} does not exist", kind=kind_text(kind), id=id))


class CorruptData(StorageError):
    """A stored record that cannot be read (it is not a JSON object): the store is damaged,
    by hand or by a fault below the library. `kind` and `id` name the record; for a
    history record `id` is the case, `seq` its number and `readable` the case's records
    before it (so that a chain check can say where the damage starts)."""

    def __init__(
        self,
        kind: str,
        id: str,
        seq: int | None = None,
        readable: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.kind, self.id, self.seq, self.readable = kind, id, seq, tuple(readable)
        values = {"kind": kind_text(kind), "id": id if seq is None else f"{id}#{seq}"}
        super().__init__(
            # `verify` checks the history and where each case stands, nothing else.
            _(
                "the stored {kind} {id!r} cannot be read: the store is damaged "
                "(teknikcollege verify names the records that do not match)",
                **values,
            )
            if kind in ("history", "case")
            else _(
                "the stored {kind} {id!r} cannot be read: the store is damaged "
                "(restore the record from a backup or an export)",
                **values,
            )
        )


class StorageUnavailable(StorageError):
    """A storage URL that cannot be opened: unknown scheme, bad path, foreign file."""


class PluginError(TeknikcollegeError):
    """A plug-in failed to load or clashes with another; ``distribution`` names it."""

    def __init__(self, text: Text, distribution: str | None = None) -> None:
        self.distribution = distribution
        super().__init__(text)
