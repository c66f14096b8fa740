"""The downstream project's own conftest: nothing teknikcollege-specific is set up here;
the fixtures come from the installed package's pytest plug-in."""

from __future__ import annotations

import pytest


@pytest.fixture
def my_actor():  # type: ignore[no-untyped-def]
    import teknikcollege as tc

    return tc.Actor.of("p-leader", "process_leader")
