"""Hook specifications: the contract between teknikcollege and its plug-ins.

A plug-in implements any of these with ``@teknikcollege.hookimpl`` and is found through
the ``teknikcollege`` entry-point group. Registration hooks *return records*; the host
validates them and reports clashes naming both distributions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .notify.port import Notifier
    from .rules.base import Rule
    from .storage.port import StorageBackend
    from .workflow.case import Case, TransitionRecord
    from .workflow.definition import WorkflowDefinition

PROJECT = "teknikcollege"
hookspec = pluggy.HookspecMarker(PROJECT)
"""Marks a hook specification (only this module uses it)."""
hookimpl = pluggy.HookimplMarker(PROJECT)
"""Marks a plug-in's hook implementation: ``@teknikcollege.hookimpl``; pluggy's options
(``tryfirst``, ``trylast``, ``wrapper``, ``hookwrapper``, ``optionalhook``) all work."""


@hookspec
def teknikcollege_storage_backends() -> list[StorageBackend]:
    """Return storage backends, each with a URL scheme, a factory and a description.

    The factory takes the whole URL and returns an object implementing
    :class:`~teknikcollege.storage.Storage`. Two plug-ins claiming one scheme is an error.
    """


@hookspec
def teknikcollege_notifiers(config: dict[str, str]) -> list[Notifier]:
    """Return notifiers to deliver outbox notifications, given `config` (the environment).

    Each notifier has a unique ``name`` and is called on its own: one that raises is
    retried later and never stops another, nor undoes the committed transition.
    """


@hookspec
def teknikcollege_rules() -> list[Rule]:
    """Return rules (criteria or guards). Rule ids must be unique across plug-ins."""


@hookspec
def teknikcollege_workflows() -> list[WorkflowDefinition]:
    """Return whole workflow definitions. Workflow names must be unique across plug-ins."""


@hookspec
def teknikcollege_extend_workflow(definition: WorkflowDefinition) -> WorkflowDefinition | None:
    """Return `definition` extended (see ``WorkflowDefinition.extended``), or None.

    Called for every workflow once all are collected; extensions apply one after another
    in pluggy's call order (the plug-in registered last first; ``tryfirst``/``trylast``
    respected), each seeing the result of the one before.
    """


@hookspec
def teknikcollege_register_commands(cli: Any) -> None:
    """Add sub-commands to the ``teknikcollege`` command (a ``click.Group``)."""


@hookspec
def teknikcollege_transition_committed(case: Case, record: TransitionRecord) -> None:
    """Called after a transition has been committed, for best-effort listeners.

    An exception here is logged and ignored: the transition is already durable. As
    pluggy documents, an exception ends the hook call, so observers after the failing
    one in call order are not called for that transition.
    """
