"""The references an entity must find in the store (or beside it, in the same change).

One list, used by :meth:`Registry.add`, :meth:`Registry.save`, a batch and an import, so
that a document gets the checks an addition gets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._text import Text, _
from ..bootstrap import Dependencies
from ..errors import kind_text
from ..kinds import kind_of
from ..models import College, Judgement, Organisation, OrganisationKind, Person, Programme
from ..unit_of_work import UnitOfWork


def reference_problems(
    deps: Dependencies, uow: UnitOfWork, entity: object, pending: Iterable[object] = ()
) -> list[tuple[str, Text]]:
    """What `entity` names that does not exist: as ``(field, message)`` pairs.

    `pending` are the entities written in the same change (references may point to
    them, forwards or backwards)."""
    waiting = list(pending)

    def find(cls: type[Any], id: str) -> Any:
        for other in waiting:
            if isinstance(other, cls) and getattr(other, "id", None) == id:
                return other
        return uow.entities.get(cls, id)

    def missing(cls: type[Any], id: str) -> Text:
        return _("{kind} {id!r} does not exist", kind=kind_text(kind_of(cls)), id=id)

    problems: list[tuple[str, Text]] = []
    if isinstance(entity, Programme):
        if find(College, entity.college_id) is None:
            problems.append(("college_id", missing(College, entity.college_id)))
        fields = [("provider_id", entity.provider_id)] + [
            (f"other_provider_ids[{i}]", id) for i, id in enumerate(entity.other_provider_ids)
        ]
        for field, id in fields:
            provider = find(Organisation, id)
            if provider is None:
                problems.append((field, missing(Organisation, id)))
            elif provider.kind is not OrganisationKind.EDUCATION_PROVIDER:
                problems.append((field, _("{id!r} is not an education provider", id=id)))
    elif isinstance(entity, Judgement):
        if find(Person, entity.reviewer_id) is None:
            problems.append(("reviewer_id", missing(Person, entity.reviewer_id)))
        if entity.rule_id not in deps.rules:
            problems.append(("rule_id", _("unknown rule {id!r}", id=entity.rule_id)))
    return problems
