"""The kit for test and plug-in authors: the configurable workflow machine, the
notifier and rule contracts, the concurrency tool's command line, the `testing` extra."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import settings
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import invariant, run_state_machine_as_test

import teknikcollege as tc
from teknikcollege.examples import stockholm_pilot
from teknikcollege.testing import NotifierContract, RuleContract, WorkflowStateMachine
from teknikcollege.testing.workflow_machine import FAST

# Whether a walk reaches 'certified' in 15 runs depends on the runs: the same 15 each time.
REACHING = settings(FAST, max_examples=30, stateful_step_count=60, derandomize=True,
                    database=None)

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent


# -- the workflow machine ---------------------------------------------------------------


def vo_world() -> tc.Bundle:
    """The Stockholm pilot governed as a Vård- och omsorgscollege: employers in the
    majority, the region a party to the collaboration agreement."""
    bundle = stockholm_pilot()
    college = bundle.colleges[0]
    employers = tc.SteeringGroup("vo", "Styrgrupp VO", tc.GroupLevel.REGIONAL, (
        tc.Member("e1", tc.Sector.EMPLOYER), tc.Member("e2", tc.Sector.EMPLOYER),
        tc.Member("u1", tc.Sector.UNION)), chair="e1")
    # One agreement of the region with every member (VO asks for three or more).
    collab = attrs.evolve(college.agreements[0], parties=("region-stockholm",),
                          municipalities=college.municipalities)
    # The local colleges stay, led by employers as VO asks: a provider is certified only
    # where it works in one.
    local = tuple(attrs.evolve(c, steering_group=attrs.evolve(employers, id=f"vo-{c.id}",
                                                                level=tc.GroupLevel.LOCAL))
                  for c in college.local_colleges)
    college = attrs.evolve(college, steering_group=employers, local_colleges=local,
                           agreements=(collab, *college.agreements[1:]))
    care = tuple(attrs.evolve(p, branch_areas=("health_and_social_care",))
                 for p in bundle.programmes)
    return attrs.evolve(bundle, colleges=(college,), programmes=care)


def reaching(machine: type[WorkflowStateMachine]) -> tuple[type[WorkflowStateMachine], set[str]]:
    """A subclass of `machine` recording every state its cases reach."""
    seen: set[str] = set()

    class Recording(machine):  # type: ignore[valid-type,misc]
        @invariant()
        def record_states(self) -> None:
            seen.update(self.registry.case(c).state for c in self.cases)

    return Recording, seen


def test_the_core_certification_workflow_alone() -> None:
    machine = WorkflowStateMachine.for_workflow("certification")
    assert machine.workflows == ("certification",)
    recording, seen = reaching(machine)
    run_state_machine_as_test(recording, settings=REACHING)
    assert "certified" in seen
    assert seen <= _states("certification")


def _states(workflow: str) -> set[str]:
    from teknikcollege.workflow import CERTIFICATION, COLLEGE_LIFECYCLE

    return {s.name for s in {"certification": CERTIFICATION,
                             "college-lifecycle": COLLEGE_LIFECYCLE}[workflow].states}


def test_the_vo_college_plugin_workflow_on_its_own_world() -> None:
    from teknikcollege_vo_college import CONCEPT, plugin

    machine = WorkflowStateMachine.for_workflow(
        "vo-certification", world=vo_world, plugins=[plugin], concept=CONCEPT)
    recording, seen = reaching(machine)
    run_state_machine_as_test(recording, settings=REACHING)
    assert "certified" in seen


def test_a_machine_sees_its_registry_and_cases() -> None:
    machine = WorkflowStateMachine.for_workflow("certification")()
    try:
        assert isinstance(machine.registry, tc.Registry)
        assert machine.registry.now().date() == machine.start
        cases = [machine.registry.case(c) for c in machine.cases]
        assert {c.workflow for c in cases} == {"certification"}
        assert {c.subject for c in cases} == set(machine.subjects)
    finally:
        machine.teardown()


def test_a_machine_on_sqlite_gets_a_fresh_store_each_run(tmp_path: Path) -> None:
    machine = WorkflowStateMachine.for_workflow(
        "certification", registry_url="sqlite:///{tmp}/store.db")
    first, second = machine(), machine()
    try:
        assert first._tmp != second._tmp
        assert Path(str(first._tmp), "store.db").exists()
    finally:
        first.teardown()
        second.teardown()
    assert not Path(str(first._tmp)).exists()
    run_state_machine_as_test(machine, settings=settings(FAST, max_examples=3))


def test_an_unknown_workflow_names_the_known_ones() -> None:
    with pytest.raises(InvalidArgument, match=r"known: .*'certification'"):
        WorkflowStateMachine.for_workflow("nosuch")()


def test_subclass_attributes_configure_it_too() -> None:
    class Lifecycle(WorkflowStateMachine):
        workflows: ClassVar[tuple[str, ...]] = ("college-lifecycle",)
        start = date(2022, 1, 1)

    machine = Lifecycle()
    try:
        assert [machine.registry.case(c).workflow for c in machine.cases] == ["college-lifecycle"]
        assert machine.clock.now().date() == date(2022, 1, 1)
    finally:
        machine.teardown()


# -- the `testing` extra ----------------------------------------------------------------


def test_the_testing_extra_is_what_a_downstream_suite_needs() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    names = {r.split(">")[0].split("=")[0].split("[")[0].strip() for r in extras["testing"]}
    assert names == {"hypothesis", "pytest"}
    assert extras["testing"] != extras["test"]


# -- the notifier contract ----------------------------------------------------------------


class _Collecting(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        import json

        self.ids.append(json.loads(record.getMessage())["id"])


class TestLogNotifier(NotifierContract):
    """The built-in log notifier: its destination is the ``teknikcollege.notify`` log."""

    @pytest.fixture(autouse=True)
    def _collect(self) -> Iterator[None]:
        logger = logging.getLogger("teknikcollege.notify")
        self.handler = _Collecting()
        logger.addHandler(self.handler)
        level, logger.level = logger.level, logging.INFO
        yield
        logger.removeHandler(self.handler)
        logger.setLevel(level)

    def make_notifier(self, tmp_path: Path) -> tc.Notifier:
        from teknikcollege.notify import LogNotifier

        return LogNotifier()

    def delivered(self, notifier: tc.Notifier) -> list[str]:
        return list(self.handler.ids)

    def plugins(self, notifier: tc.Notifier) -> list[object]:
        return []  # built in


def _smtp_plugin_tests() -> Any:
    """The SMTP plug-in's notifier against a real local SMTP server (aiosmtpd)."""
    import socket

    try:
        from aiosmtpd import controller as aiosmtpd
        from aiosmtpd.handlers import Sink
    except ImportError:  # only this class skips, not the whole module

        class TestSMTPNotifierSkipped:
            def test_needs_aiosmtpd(self) -> None:
                pytest.skip("pip install aiosmtpd (in the 'test' extra) to run it")

        return TestSMTPNotifierSkipped

    from teknikcollege_smtp import SMTPConfig, SMTPNotifier

    class Inbox(Sink):  # type: ignore[misc]
        def __init__(self) -> None:
            self.ids: list[str] = []

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            from email import message_from_bytes, policy

            message = message_from_bytes(envelope.content, policy=policy.default)
            self.ids.append(str(message["Message-ID"]).strip("<>").split("@")[0])
            return "250 OK"

    def free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    class TestSMTPNotifier(NotifierContract):
        @pytest.fixture(autouse=True)
        def _server(self) -> Iterator[None]:
            self.inbox = Inbox()
            self.port = free_port()
            controller = aiosmtpd.Controller(self.inbox, hostname="127.0.0.1", port=self.port)
            controller.start()
            yield
            controller.stop()

        def make_notifier(self, tmp_path: Path) -> tc.Notifier:
            return SMTPNotifier(SMTPConfig(host="127.0.0.1", port=self.port, timeout=5))

        def make_failing_notifier(self, tmp_path: Path) -> tc.Notifier:
            return SMTPNotifier(SMTPConfig(host="127.0.0.1", port=free_port(), timeout=5))

        def delivered(self, notifier: tc.Notifier) -> list[str]:
            return list(self.inbox.ids)

    return TestSMTPNotifier


TestSMTPNotifier = _smtp_plugin_tests()


# -- the rule contract -------------------------------------------------------------------


class TestNationalCriteria(RuleContract):
    def make_rules(self) -> Sequence[tc.Rule]:
        from teknikcollege.rules import national_criteria

        return national_criteria()

    def plugins(self, rules: Sequence[tc.Rule]) -> list[object]:
        return []  # built in


class TestVoCollegeRules(RuleContract):
    from teknikcollege_vo_college import CONCEPT as concept

    def make_rules(self) -> Sequence[tc.Rule]:
        from teknikcollege_vo_college import VO_RULES

        return VO_RULES


def test_a_contract_fails_a_broken_notifier(pytester: pytest.Pytester) -> None:
    """The contract can fail: a blank name, and a failure raised with nobody to reach."""
    pytester.makepyfile("""
        from teknikcollege.testing import NotifierContract

        class Blank:
            name = " "
            def send(self, notification, recipients):
                if not recipients:
                    raise RuntimeError("nobody")

        class TestBlank(NotifierContract):
            def make_notifier(self, tmp_path):
                return Blank()
    """)
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3, failed=3, skipped=2)


# -- the concurrency tool ----------------------------------------------------------------


def _concurrency(*args: str) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "TEKNIKCOLLEGE_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "teknikcollege.testing.concurrency", *args],
                          capture_output=True, text=True, check=False, timeout=300, env=env)


def test_the_concurrency_tool_explains_itself() -> None:
    done = _concurrency("--help")
    assert done.returncode == 0, done.stderr
    assert "How to read the figures" in done.stdout
    assert "conflicts" in done.stdout and "no update was lost" in done.stdout
    bare = _concurrency()
    assert bare.returncode == 2
    assert "usage:" in bare.stderr and "Traceback" not in bare.stderr
    assert _concurrency("sqlite:///x.db", "0").returncode == 2


def test_the_concurrency_tool_runs_and_checks(tmp_path: Path) -> None:
    import json

    from teknikcollege.testing.concurrency import holds

    done = _concurrency(f"sqlite:///{tmp_path / 'race.db'}", "2", "10")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["attempted"] == 20 and holds(figures)
    assert not holds({**figures, "committed": figures["committed"] - 1})
