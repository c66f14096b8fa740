"""Build what the services need, once, from the plug-in manager and configuration."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import timedelta

import attrs

from .clock import Clock, SystemClock
from .notify.port import Notifier
from .plugins import Hooks, PluginManager
from .rules.base import DEFAULT_CONCEPT, Rule
from .unit_of_work import ObjectCache
from .workflow.engine import Workflow


@attrs.frozen
class RetryPolicy:
    """How failed deliveries are retried: `base` doubling up to `cap`, at most
    `max_attempts` attempts, each claim leased for `lease`."""

    max_attempts: int = 8
    base: timedelta = timedelta(minutes=1)
    cap: timedelta = timedelta(hours=6)
    lease: timedelta = timedelta(minutes=5)

    def retry_at_after(self, attempts: int) -> timedelta | None:
        """The wait before the next attempt after `attempts` failures (None: give up)."""
        if attempts >= self.max_attempts:
            return None
        return min(self.cap, self.base * (1 << (attempts - 1)))


@attrs.frozen
class Dependencies:
    """Everything a service takes besides its unit of work."""

    clock: Clock
    hooks: Hooks
    rules: Mapping[str, Rule]
    criteria: tuple[Rule, ...]
    workflows: Mapping[str, Workflow]
    notifiers: tuple[Notifier, ...]
    retry: RetryPolicy
    cache: ObjectCache
    concept: str


def bootstrap(
    plugin_manager: PluginManager,
    *,
    clock: Clock | None = None,
    config: Mapping[str, str] | None = None,
    criteria_sets: Iterable[str] | None = None,
    concept: str = DEFAULT_CONCEPT,
    retry: RetryPolicy | None = None,
) -> Dependencies:
    """Collect rules, workflows and notifiers from the plug-ins and wire them."""
    hooks = Hooks(plugin_manager)
    rules = {r.id: r for r in hooks.rules()}
    chosen = set(criteria_sets) if criteria_sets is not None else None
    # Criteria in force: those of this registry's concept (a Vård- och omsorgscollege
    # plug-in installed beside Teknikcollege must not judge Teknikcollege colleges),
    # optionally narrowed to some rule sets. Guards (on cases) always apply.
    criteria = tuple(
        r
        for r in rules.values()
        if r.applies_to - {"case"}
        and getattr(r, "concept", DEFAULT_CONCEPT) == concept
        and (chosen is None or r.rule_set in chosen)
    )
    workflows = {
        name: Workflow(definition, rules) for name, definition in hooks.workflows().items()
    }
    notifiers = tuple(hooks.notifiers(dict(os.environ if config is None else config)))
    return Dependencies(
        clock=clock or SystemClock(),
        hooks=hooks,
        rules=rules,
        criteria=criteria,
        workflows=workflows,
        notifiers=notifiers,
        retry=retry or RetryPolicy(),
        cache=ObjectCache(),
        concept=concept,
    )
