"""The pytest plug-in (entry point ``pytest11``): fixtures prefixed ``tc_``.

Imports of the library happen inside the fixtures, so loading the plug-in costs nothing.
Disable it with ``-p no:teknikcollege``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..clock import FixedClock
    from ..plugins import PluginManager
    from ..registry import Registry

DEFAULT_START = datetime(2024, 1, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def tc_clock() -> FixedClock:
    """A clock standing at 2024-01-01 09:00 UTC; move it with ``set`` or ``advance``."""
    from ..clock import FixedClock

    return FixedClock(DEFAULT_START)


@pytest.fixture
def tc_plugin_manager() -> Iterator[Callable[..., PluginManager]]:
    """A factory: ``tc_plugin_manager(MyPlugin())`` gives a manager with built-ins and
    your plug-ins only (installed entry points are not loaded); gone after the test."""
    from ..plugins import make_plugin_manager

    made: list[PluginManager] = []

    def make(*plugins: object, entry_points: bool = False) -> PluginManager:
        pm = make_plugin_manager(plugins=plugins, entry_points=entry_points)
        made.append(pm)
        return pm

    yield make
    for pm in made:
        for name, plugin in list(pm.list_name_plugin()):
            if plugin is not None:
                pm.unregister(name=name)


@pytest.fixture
def tc_registry(tc_clock: FixedClock) -> Iterator[Registry]:
    """A registry on the memory backend with the built-in plug-ins, on ``tc_clock``."""
    from ..plugins import make_plugin_manager
    from ..registry import Registry
    from ..storage.memory import MemoryStorage

    with Registry(
        MemoryStorage(),
        clock=tc_clock,
        config={},
        plugin_manager=make_plugin_manager(entry_points=False),
    ) as registry:
        yield registry


@pytest.fixture
def tc_sqlite_registry(tc_clock: FixedClock, tmp_path: Path) -> Iterator[Registry]:
    """A registry on a SQLite file in ``tmp_path``, on ``tc_clock``."""
    from ..plugins import make_plugin_manager
    from ..registry import Registry

    url = f"sqlite:///{tmp_path / 'teknikcollege.db'}"
    pm = make_plugin_manager(entry_points=False)
    with Registry.open(url, clock=tc_clock, config={}, plugin_manager=pm) as registry:
        yield registry


@pytest.fixture
def tc_stockholm(tc_registry: Registry) -> Registry:
    """``tc_registry`` holding the Stockholm pilot example data, with ``admin`` (Ada Admin)
    as the store's first administrator."""
    from ..examples import stockholm_pilot
    from .seeding import seed

    seed(tc_registry, *stockholm_pilot().entities())
    return tc_registry


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "teknikcollege: tests using teknikcollege fixtures")
