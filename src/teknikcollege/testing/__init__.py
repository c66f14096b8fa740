"""The testing kit: strategies, a pytest plug-in, a stateful machine, a storage contract.

Needs the ``test`` extra (Hypothesis and pytest): ``pip install teknikcollege[test]``.
The names below are imported on first use, so loading the pytest plug-in stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .storage_contract import StorageContract
    from .workflow_machine import WorkflowStateMachine

__all__ = ["StorageContract", "WorkflowStateMachine"]

_LAZY = {"StorageContract": ".storage_contract", "WorkflowStateMachine": ".workflow_machine"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(_LAZY[name], __name__), name)
