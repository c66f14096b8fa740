"""The testing kit: strategies, a pytest plug-in, a stateful machine, a storage contract.

Needs the ``test`` extra (Hypothesis and pytest): ``pip install teknikcollege[test]``.
"""

from .storage_contract import StorageContract
from .workflow_machine import WorkflowStateMachine

__all__ = ["StorageContract", "WorkflowStateMachine"]
