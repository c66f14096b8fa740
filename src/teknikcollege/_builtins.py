"""The built-in plug-ins: registered exactly like third-party ones."""

from __future__ import annotations

from ._text import _
from .hookspecs import hookimpl
from .notify.log import LogNotifier
from .notify.port import Notifier
from .rules.base import Rule
from .rules.criteria.provider import unit_criteria
from .rules.criteria.teknikcollege import national_criteria
from .storage.port import Storage, StorageBackend
from .workflow.core import CORE_WORKFLOWS
from .workflow.definition import WorkflowDefinition
from .workflow.guards import PROCESS_RULES
from .workflow.hierarchy import parent_certified


def _memory(url: str) -> Storage:
    from .storage.memory import MemoryStorage

    return MemoryStorage(url)


def _sqlite(url: str) -> Storage:
    # sqlite3 is imported only by a registry that opens a SQLite file.
    from .storage.sqlite import SQLiteStorage

    return SQLiteStorage(url)


class StoragePlugin:
    """``memory:`` and ``sqlite:///path``."""

    @hookimpl
    def teknikcollege_storage_backends(self) -> list[StorageBackend]:
        return [
            StorageBackend("memory", _memory, _("in memory, for tests")),
            StorageBackend(
                "sqlite",
                _sqlite,
                _("a SQLite file (the default)"),
            ),
        ]


class LogNotifierPlugin:
    """The log notifier."""

    @hookimpl
    def teknikcollege_notifiers(self, config: dict[str, str]) -> list[Notifier]:
        return [LogNotifier()]


class NationalCriteriaPlugin:
    """The eight national quality criteria, and those of providers and programme units."""

    @hookimpl
    def teknikcollege_rules(self) -> list[Rule]:
        return [*national_criteria(), *unit_criteria()]


class CoreWorkflowsPlugin:
    """The college lifecycle and the certification case, with their guard rules."""

    @hookimpl
    def teknikcollege_workflows(self) -> list[WorkflowDefinition]:
        return list(CORE_WORKFLOWS)

    @hookimpl
    def teknikcollege_rules(self) -> list[Rule]:
        return [*PROCESS_RULES, parent_certified]


BUILTINS: tuple[tuple[str, object], ...] = (
    ("teknikcollege.storage", StoragePlugin()),
    ("teknikcollege.log", LogNotifierPlugin()),
    ("teknikcollege.criteria", NationalCriteriaPlugin()),
    ("teknikcollege.workflows", CoreWorkflowsPlugin()),
)
"""Built-in plug-ins by name; block one by name like any other plug-in."""
