"""Filling an empty registry for a test: the first administrator, then the records."""

from __future__ import annotations

from ..errors import NotFound
from ..models import Person, Role
from ..registry import Registry
from ..workflow.case import Actor


def seed(registry: Registry, *entities: object, admin_id: str = "admin") -> Actor:
    """Make `admin_id` (Ada Admin) the store's first administrator, unless it is one
    already (another administrator gives :class:`PermissionDenied`), and add `entities`
    as that administrator; returns the administrator as an actor.

    Changing a registry's records needs a person allowed to (see ``docs/authority.md``):
    this is the one-line start of a test that needs example data::

        admin = seed(registry, *stockholm_pilot().entities())
    """
    try:
        known = Role.ADMIN in registry.get(Person, admin_id).roles
    except NotFound:
        known = False
    if not known:
        registry.create_admin(Person(admin_id, "Ada Admin"))
    admin = Actor.of(admin_id, Role.ADMIN)
    if entities:
        registry.add(*entities, actor=admin)
    return admin
