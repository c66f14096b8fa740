"""teknikcollege-postgres: the ``postgresql://`` storage backend."""

from __future__ import annotations

from teknikcollege import StorageBackend, hookimpl

from ._messages import _
from .storage import PostgresStorage

__all__ = ["PostgresStorage", "plugin"]


class _Plugin:
    @hookimpl
    def teknikcollege_storage_backends(self) -> list[StorageBackend]:
        return [
            StorageBackend(
                "postgresql",
                PostgresStorage,
                _("PostgreSQL (psycopg 3)"),
            )
        ]


plugin = _Plugin()
"""The plug-in object named by the ``teknikcollege`` entry point."""
