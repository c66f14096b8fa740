"""Rules, findings and assessments; the national criteria. (The guards of the
workflows are in :mod:`teknikcollege.workflow.guards`.)"""

from .assessment import assess, subject_kind
from .base import Context, FunctionRule, Lookup, Rule, excuse, rule, run_rule
from .criteria.teknikcollege import CRITERION_IDS, CriteriaConfig, national_criteria
from .findings import Assessment, Finding, Status

__all__ = [
    "CRITERION_IDS",
    "Assessment",
    "Context",
    "CriteriaConfig",
    "Finding",
    "FunctionRule",
    "Lookup",
    "Rule",
    "Status",
    "assess",
    "excuse",
    "national_criteria",
    "rule",
    "run_rule",
    "subject_kind",
]
