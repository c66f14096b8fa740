"""Reads inside a unit of work, as rules and the registry see them."""

from __future__ import annotations

from typing import Any, TypeVar

from .serialization import ENTITY_KINDS, from_data, to_data
from .storage.port import Transaction
from .workflow.case import Case

T = TypeVar("T")

CASE = "case"
KINDS: dict[str, type[Any]] = {**ENTITY_KINDS, CASE: Case}
"""Storage kind of every stored class, cases included."""
_KIND_OF = {cls: kind for kind, cls in KINDS.items()}


def kind_name(cls: type[Any]) -> str:
    try:
        return _KIND_OF[cls]
    except KeyError:
        raise TypeError(f"{cls.__name__} is not a stored model") from None


class TxLookup:
    """The :class:`~teknikcollege.rules.Lookup` rules see: reads inside the transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx
        self._cache: dict[tuple[str, str], Any] = {}

    def get(self, cls: type[T], id: str) -> T | None:
        kind = kind_name(cls)
        key = (kind, id)
        if key not in self._cache:
            stored = self.tx.get(kind, id)
            self._cache[key] = None if stored is None else from_data(stored.data, cls)
        value: T | None = self._cache[key]
        return value

    def find(self, cls: type[T], **where: object) -> list[T]:
        kind = kind_name(cls)
        scalar, other = {}, {}
        for name, value in where.items():
            data = to_data(value)
            if data is None or isinstance(data, (str, int, float, bool)):
                scalar[name] = data
            else:
                other[name] = data
        found = []
        for stored in self.tx.query(kind, scalar):
            if all(stored.data.get(k) == v for k, v in other.items()):
                key = (kind, stored.id)
                if key not in self._cache:
                    self._cache[key] = from_data(stored.data, cls)
                found.append(self._cache[key])
        return found
