"""Storage: the port, the in-memory backend and the SQLite backend.

The backends are imported on first use, so ``import teknikcollege`` opens no driver.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .port import Delivery, Storage, Stored, Transaction

if TYPE_CHECKING:
    from .memory import MemoryStorage, MemoryTransaction
    from .sqlite import SQLiteStorage, SQLiteTransaction

__all__ = [
    "Delivery",
    "MemoryStorage",
    "MemoryTransaction",
    "SQLiteStorage",
    "SQLiteTransaction",
    "Storage",
    "Stored",
    "Transaction",
]

_LAZY = {
    "MemoryStorage": ".memory",
    "MemoryTransaction": ".memory",
    "SQLiteStorage": ".sqlite",
    "SQLiteTransaction": ".sqlite",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
