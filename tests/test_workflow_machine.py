import pytest
from hypothesis import HealthCheck, settings

from teknikcollege.testing import WorkflowStateMachine

WorkflowStateMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestWorkflowStateMachine = WorkflowStateMachine.TestCase
# A long property-based walk: CI runs it once, not per Python version.
TestWorkflowStateMachine.pytestmark = [pytest.mark.slow]  # type: ignore[attr-defined]
