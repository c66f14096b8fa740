"""The workflow engine: definitions as data, one shared machine per definition."""

from .case import SYSTEM, Actor, Case, TransitionRecord
from .core import CERTIFICATION, COLLEGE_LIFECYCLE, CORE_WORKFLOWS
from .definition import (
    Reminder,
    SetDeadline,
    State,
    TimeRule,
    Transition,
    Validity,
    WorkflowDefinition,
    problems,
)
from .diagram import dot, mermaid, svg
from .engine import Workflow
from .guards import PROCESS_RULES

__all__ = [
    "CERTIFICATION",
    "COLLEGE_LIFECYCLE",
    "CORE_WORKFLOWS",
    "PROCESS_RULES",
    "SYSTEM",
    "Actor",
    "Case",
    "Reminder",
    "SetDeadline",
    "State",
    "TimeRule",
    "Transition",
    "TransitionRecord",
    "Validity",
    "Workflow",
    "WorkflowDefinition",
    "dot",
    "mermaid",
    "problems",
    "svg",
]
