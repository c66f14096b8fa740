"""The testing kit: strategies, a pytest plug-in, a stateful machine, conformance
contracts for storage backends, notifiers and rules.

Needs the ``testing`` extra (Hypothesis and pytest): ``pip install 'teknikcollege[testing]'``.
The names below are imported on first use, so loading the pytest plug-in stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .contracts import NotifierContract, RuleContract
    from .seeding import seed
    from .storage_contract import StorageContract
    from .workflow_machine import FAST, WorkflowStateMachine

__all__ = [
    "FAST",
    "NotifierContract",
    "RuleContract",
    "StorageContract",
    "WorkflowStateMachine",
    "seed",
]

_LAZY = {
    "FAST": ".workflow_machine",
    "NotifierContract": ".contracts",
    "RuleContract": ".contracts",
    "StorageContract": ".storage_contract",
    "WorkflowStateMachine": ".workflow_machine",
    "seed": ".seeding",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(_LAZY[name], __name__), name)
