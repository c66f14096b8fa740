"""The built-in plug-ins: registered exactly like third-party ones."""

from __future__ import annotations

from ._text import Text
from .notify.log import LogNotifier
from .notify.port import Notifier
from .plugins import StorageBackend, hookimpl
from .rules.base import Rule
from .rules.criteria.teknikcollege import national_criteria
from .rules.process import PROCESS_RULES
from .storage.memory import MemoryStorage
from .storage.sqlite import SQLiteStorage
from .workflow.core import CORE_WORKFLOWS
from .workflow.definition import WorkflowDefinition


class StoragePlugin:
    """``memory:`` and ``sqlite:///path``."""

    @hookimpl
    def teknikcollege_storage_backends(self) -> list[StorageBackend]:
        return [
            StorageBackend(
                "memory", MemoryStorage, Text("i minnet, för tester", "in memory, for tests")
            ),
            StorageBackend(
                "sqlite",
                SQLiteStorage,
                Text("en SQLite-fil (standard)", "a SQLite file (the default)"),
            ),
        ]


class LogNotifierPlugin:
    """The log notifier."""

    @hookimpl
    def teknikcollege_notifiers(self, config: dict[str, str]) -> list[Notifier]:
        return [LogNotifier()]


class NationalCriteriaPlugin:
    """The eight national quality criteria."""

    @hookimpl
    def teknikcollege_rules(self) -> list[Rule]:
        return list(national_criteria())


class CoreWorkflowsPlugin:
    """The college lifecycle and the certification case, with their guard rules."""

    @hookimpl
    def teknikcollege_workflows(self) -> list[WorkflowDefinition]:
        return list(CORE_WORKFLOWS)

    @hookimpl
    def teknikcollege_rules(self) -> list[Rule]:
        return list(PROCESS_RULES)


BUILTINS: tuple[tuple[str, object], ...] = (
    ("teknikcollege.storage", StoragePlugin()),
    ("teknikcollege.log", LogNotifierPlugin()),
    ("teknikcollege.criteria", NationalCriteriaPlugin()),
    ("teknikcollege.workflows", CoreWorkflowsPlugin()),
)
"""Built-in plug-ins by name; block one by name like any other plug-in."""
