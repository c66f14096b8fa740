"""Several OS processes firing transitions on the same cases at once.

``python -m teknikcollege.testing.concurrency URL [WORKERS [ROUNDS]]`` prepares the
store at URL, runs WORKERS processes that each fire ROUNDS transitions on shared cases
(with an optimistic version check, like a web form), then checks that every case's
history replays to its stored state with no lost and no duplicated records, and prints
the figures as JSON; ``--help`` says how to read them (:data:`HOW_TO_READ`). Backend
test suites call :func:`run` directly.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import textwrap
from typing import Any

from .._text import _
from ..errors import ConcurrentUpdate, TransitionNotAllowed
from ..models import Organisation, OrganisationKind, ProviderKind, Role, UnitKind, UnitRef
from ..plugins import hookimpl, make_plugin_manager
from ..registry import Registry
from ..workflow.case import Actor
from ..workflow.definition import State, Transition, WorkflowDefinition
from .seeding import seed

ADMIN = Actor.of("admin", Role.ADMIN)
T = _("flip")

PING = WorkflowDefinition(
    "ping",
    "1",
    T,
    states=(State("a", T), State("b", T)),
    initial="a",
    transitions=(
        Transition("to_b", ("a",), "b", frozenset({Role.ADMIN}), T),
        Transition("to_a", ("b",), "a", frozenset({Role.ADMIN}), T),
    ),
)
"""A two-state workflow: the smallest thing that can race."""


class PingPlugin:
    """Contributes the ``ping`` workflow."""

    @hookimpl
    def teknikcollege_workflows(self) -> list[WorkflowDefinition]:
        return [PING]


def open_registry(url: str) -> Registry:
    """A registry with the ping workflow (installed storage plug-ins are found)."""
    pm = make_plugin_manager(plugins=[PingPlugin()])
    return Registry.open(url, plugin_manager=pm, config={})


def prepare(url: str, cases: int) -> list[str]:
    """Store a college and `cases` ping cases; returns their ids."""
    from ..examples import stockholm_pilot

    providers = [
        Organisation(
            f"unit-{i}",
            f"Anordnare {i}",
            OrganisationKind.EDUCATION_PROVIDER,
            provider_kind=ProviderKind.COORDINATOR,
        )
        for i in range(cases)
    ]
    with open_registry(url) as registry:
        seed(registry, *stockholm_pilot().entities(), *providers)
        return [
            registry.open_case(
                "ping",
                UnitRef(UnitKind.PROVIDER, f"unit-{i}"),
                actor=ADMIN,
                college_id="stockholm",
                case_id=f"ping-{i}",
            ).id
            for i in range(cases)
        ]


def work(url: str, case_ids: list[str], rounds: int, seed: int) -> dict[str, Any]:
    """Fire `rounds` transitions at random cases; count what happened."""
    rng = random.Random(seed)
    counts = {"attempted": 0, "committed": 0, "conflicts": 0, "refused": 0}
    committed: dict[str, int] = dict.fromkeys(case_ids, 0)
    with open_registry(url) as registry:
        for _ in range(rounds):
            case_id = rng.choice(case_ids)
            case = registry.case(case_id)
            version = registry.version(type(case), case_id)
            trigger = "to_b" if case.state == "a" else "to_a"
            counts["attempted"] += 1
            try:
                registry.fire(case_id, trigger, actor=ADMIN, expected_version=version)
            except ConcurrentUpdate:
                counts["conflicts"] += 1
            except TransitionNotAllowed:
                counts["refused"] += 1
            else:
                counts["committed"] += 1
                committed[case_id] += 1
    return {**counts, "per_case": committed}


def check(url: str, case_ids: list[str]) -> dict[str, int]:
    """Every case's history replays to its state; returns transitions per case."""
    lengths = {}
    with open_registry(url) as registry:
        for case_id in case_ids:
            case = registry.case(case_id)
            history = registry.history(case_id)
            assert [r.seq for r in history] == list(range(1, len(history) + 1))
            assert registry.replay(case_id).state == case.state, case_id
            lengths[case_id] = len(history) - 1  # minus the opening record
    return lengths


def run(url: str, workers: int = 4, rounds: int = 50, cases: int = 3) -> dict[str, Any]:
    """Prepare, race `workers` processes, check; returns the figures."""
    case_ids = prepare(url, cases)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "teknikcollege.testing.concurrency",
                "--work",
                url,
                ",".join(case_ids),
                str(rounds),
                str(seed),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in range(workers)
    ]
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"worker failed with exit code {proc.returncode}")
        results.append(json.loads(out))
    lengths = check(url, case_ids)
    totals = {
        k: sum(r[k] for r in results) for k in ("attempted", "committed", "conflicts", "refused")
    }
    per_case = {c: sum(r["per_case"][c] for r in results) for c in case_ids}
    return {**totals, "history": lengths, "committed_per_case": per_case}


KILL_WORKER = """
import itertools, sys
from teknikcollege.testing import concurrency
url = sys.argv[1]
ids = concurrency.prepare(url, 5)
print("ready", flush=True)
with concurrency.open_registry(url) as registry:
    for i in itertools.count():
        case_id = ids[i % len(ids)]
        trigger = "to_b" if registry.case(case_id).state == "a" else "to_a"
        registry.fire(case_id, trigger, actor=concurrency.ADMIN, note="x" * 2000)
"""


def kill_mid_batch(url: str, seconds: float = 1.0) -> dict[str, int]:
    """Fire transitions in a child process, SIGKILL it after `seconds`, then check the
    store: every case's history replays. Returns transitions per case."""
    import os
    import signal
    import time

    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_WORKER, url], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    try:
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the worker did not start")
        time.sleep(seconds)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.stdout.close()
    return check(url, [f"ping-{i}" for i in range(5)])


HOW_TO_READ = _(
    """How to read the figures (JSON):
  attempted           transitions tried, summed over every worker process
  committed           transitions stored
  conflicts           tries refused with ConcurrentUpdate: someone else was first
                      (optimistic locking at work; a web form would ask to reload)
  refused             tries not allowed in the case's state when they were made
  history             transitions in each case's history
  committed_per_case  transitions stored per case, as the workers counted them
The store holds up if attempted = committed + conflicts + refused and history equals
committed_per_case for every case: no update was lost and none stored twice. Otherwise
the tool exits with code 1.""",
)
"""What the figures mean; shown by ``--help`` and kept beside the code that makes them."""


def holds(figures: dict[str, Any]) -> bool:
    """Whether a run's figures show no lost and no duplicated update."""
    total = figures["committed"] + figures["conflicts"] + figures["refused"]
    return bool(
        figures["attempted"] == total and figures["history"] == figures["committed_per_case"]
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m teknikcollege.testing.concurrency",
        description=textwrap.fill(
            _(
                "Runs several OS processes firing transitions on the same cases at once, "
                "then checks that every case's history replays to its state with no lost "
                "and no duplicated records. The store at URL is not emptied first: use a "
                "new database.",
            ).get(),
            88,
        ),
        epilog=str(HOW_TO_READ)
        + "\n\n"
        + str(_("Example: python -m teknikcollege.testing.concurrency sqlite:////tmp/new.db 4 50")),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("url", help=str(_("the storage URL")))
    parser.add_argument(
        "workers",
        type=int,
        nargs="?",
        default=4,
        help=str(_("how many processes (4)")),
    )
    parser.add_argument(
        "rounds",
        type=int,
        nargs="?",
        default=50,
        help=str(_("transitions per process (50)")),
    )
    parser.add_argument(
        "--cases",
        type=int,
        default=3,
        help=str(_("how many cases to race on (3)")),
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: a whole run (see ``--help``), or one worker (``--work``, used
    by :func:`run` itself). Returns the exit code: 0 when the store holds up."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--work"]:
        url, ids, rounds, seed = args[1:5]
        print(json.dumps(work(url, ids.split(","), int(rounds), int(seed))))
        return 0
    parsed = _parser().parse_args(args)
    for name in ("workers", "rounds", "cases"):
        if getattr(parsed, name) < 1:
            _parser().error(str(_("{name} must be at least 1", name=name)))
    figures = run(parsed.url, parsed.workers, parsed.rounds, parsed.cases)
    print(json.dumps(figures, indent=2))
    return 0 if holds(figures) else 1


if __name__ == "__main__":
    sys.exit(main())
