"""Storage: the port, the in-memory backend and the SQLite backend."""

from .memory import MemoryStorage, MemoryTransaction
from .port import Delivery, Storage, Stored, Transaction
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
