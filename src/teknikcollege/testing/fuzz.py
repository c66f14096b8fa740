"""A document fuzzer for :meth:`Registry.import_document <teknikcollege.Registry.import_document>`.

:func:`documents` builds import documents from a seed, quickly and reproducibly: arbitrary
JSON, documents shaped like exports, and a valid export mutated (values replaced, keys
dropped or added, records duplicated, every date set to the first or the last day of the
calendar, text given control characters, lone surrogates and NUL). :func:`answer`
imports one into a registry and says what happened, checking on the way that only
:class:`~teknikcollege.InvalidData` escapes and that a refused document changed nothing.
Give the same document to registries on several backends and compare the answers::

    from teknikcollege.testing import fuzz

    base = fuzz.base_document()
    for family, document in fuzz.documents(seed=1, count=100, base=base):
        answers = {name: fuzz.answer(make(), document) for name, make in backends.items()}
        assert len(set(answers.values())) == 1, (family, answers)
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from ..errors import InvalidData
from ..workflow.case import Actor

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "NASTY_TEXT",
    "answer",
    "base_document",
    "documents",
    "extreme_dates",
]

FIRST_DAY, LAST_DAY = "0001-01-01", "9999-12-31"
"""The first and the last day of the calendar (``date.min``, ``date.max``)."""

NASTY_TEXT = [
    "\x00",
    "a\x00b",
    "\ud800",
    "a\udfffb",
    "\udbff\udc00",
    "\r\n",
    "x\n",
    "\x1b[2J",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\u200b",
    "",
    " ",
    "-",
    "'); DROP TABLE entities; --",
    "<img src=x onerror=alert(1)>",
    "a@evil.example,b@c.d",
    "victim<attacker@evil.example>",
    "x" * 300,
    "٣",
    "ß",
    "İ",
    "🎓",
    "college:stockholm",
    "lernia\n",
    FIRST_DAY,
    LAST_DAY,
    "2027-W05-1",
    "20270201",
    "2024-02-30",
    "1899-12-31",
    "2200-01-01",
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00+00:00",
    "2024-01-01T00:00:00",
]
"""Text that has broken an import, a backend or a log line somewhere."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_SECTIONS = [
    "organisations",
    "people",
    "colleges",
    "programmes",
    "cases",
    "history",
    "steering_groups",
    "applications",
    "judgements",
    "interest_registrations",
]
_KEYS = [
    "id",
    "name",
    "title",
    "roles",
    "email",
    "college_id",
    "workflow",
    "state",
    "subject",
    "deadlines",
    "opened",
    "period",
    "start",
    "end",
    "kind",
    "process_leaders",
    "seq",
    "case_id",
    "trigger",
    "note",
    "params",
    "at",
    "amount_sek",
    "municipalities",
]


def base_document() -> dict[str, Any]:
    """A valid export with every kind of record the example data has, cases with
    deadlines and certifications, and their history."""
    from ..clock import FixedClock
    from ..examples import stockholm_pilot
    from ..models import (
        Application,
        Document,
        DocumentKind,
        InterestKind,
        InterestRegistration,
        ReviewVisit,
        Role,
        UnitKind,
        UnitRef,
    )
    from ..plugins import make_plugin_manager
    from ..registry import Registry
    from ..storage.memory import MemoryStorage
    from ..workflow.case import Actor
    from .seeding import seed

    leader, admin = Actor.of("p-leader", Role.PROCESS_LEADER), Actor.of("admin", Role.ADMIN)
    clock = FixedClock(date(2024, 1, 1))
    with Registry(
        MemoryStorage(),
        clock=clock,
        config={},
        plugin_manager=make_plugin_manager(entry_points=False),
    ) as registry:
        admin = seed(registry, *stockholm_pilot().entities())
        college = registry.open_case(
            "certification", UnitRef(UnitKind.COLLEGE, "stockholm"), actor=leader
        ).id
        registry.fire(college, "withdraw", actor=leader, note="two\nlines")
        case = registry.open_case(
            "certification",
            UnitRef(UnitKind.PROVIDER, "lernia"),
            actor=leader,
            college_id="stockholm",
        ).id
        day = date(2024, 1, 1)
        registry.add(
            Application(
                "a-1", case, day, (Document(DocumentKind.SELF_ASSESSMENT_LOCAL, "s", day),), day
            ),
            ReviewVisit(
                "v-1",
                case,
                day,
                ("p-reviewer", "p-reviewer-2"),
                national_office_id="p-office",
                pool_id="review-committee",
            ),
            InterestRegistration(
                "i-1",
                InterestKind.CERTIFICATION,
                "stockholm",
                "x",
                day,
                units=(UnitRef(UnitKind.PROVIDER, "lernia"),),
                contact_person_id="p-leader",
                steering_group_approved=True,
            ),
            actor=admin,
        )
        for trigger in (
            "approve_interest",
            "submit_application",
            "start_review",
            "hold_visit",
            "request_supplements",
        ):
            registry.fire(case, trigger, actor=admin)
        return registry.export_document()


def _leaf(rng: random.Random) -> Any:
    pick = rng.randrange(9)
    if pick == 0:
        return None
    if pick == 1:
        return rng.choice([True, False])
    if pick == 2:
        return rng.choice([0, -1, 1, 2**53, 2**53 + 1, 2**63, -(2**70), 40, 520, 521])
    if pick == 3:
        return rng.choice([0.5, -0.0, 1e308, float("inf"), float("nan"), 3.0])
    if pick in (4, 5):
        return rng.choice(NASTY_TEXT)
    if pick == 6:
        return "".join(
            chr(rng.choice([rng.randrange(32, 127), rng.randrange(0, 0x110000)]))
            for _ in range(rng.randrange(0, 8))
        )
    return rng.choice(_KEYS + _SECTIONS + ["teknikcollege/1", "certification", "college"])


def _json(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.randrange(10)
    if depth > 4 or pick < 5:
        return _leaf(rng)
    if pick < 7:
        return [_json(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    if pick == 9 and depth == 0:  # deeper than any reader should follow
        deep: Any = rng.choice([[], {}])
        for _ in range(rng.choice([33, 200, 5000])):
            deep = [deep] if rng.random() < 0.5 else {"x": deep}
        return deep
    return {
        rng.choice([*_KEYS, str(_leaf(rng))]): _json(rng, depth + 1)
        for _ in range(rng.randrange(0, 4))
    }


def _shaped(rng: random.Random) -> dict[str, Any]:
    document: dict[str, Any] = {"schema": rng.choice(["teknikcollege/1"] * 4 + [_leaf(rng)])}
    for section in rng.sample(_SECTIONS, rng.randrange(0, 4)):
        document[section] = [
            {k: _json(rng, 2) for k in rng.sample(_KEYS, rng.randrange(1, 6))}
            for _ in range(rng.randrange(0, 3))
        ]
    return document


def _places(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) in `node`, depth first."""
    found: list[tuple[Any, Any]] = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in list(items):
        found.append((node, key))
        if isinstance(child, (dict, list)):
            found += _places(child)
    return found


def _with_day(value: str, day: str) -> str:
    return day + value[10:]


def _mutated(rng: random.Random, base: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(base)
    for _ in range(rng.randrange(1, 4)):
        places = _places(document)
        if not places:
            break
        parent, key = rng.choice(places)
        action = rng.randrange(7)
        value = parent[key]
        if action == 0 and isinstance(parent, dict):
            del parent[key]
        elif action == 1 and isinstance(value, str):
            cut = rng.randrange(len(value) + 1)
            parent[key] = value[:cut] + rng.choice(NASTY_TEXT) + value[cut:]
        elif action == 2 and isinstance(value, str) and _DATE.match(value):
            parent[key] = _with_day(value, rng.choice([FIRST_DAY, LAST_DAY]))
        elif action == 3 and isinstance(value, dict):
            value[rng.choice([*_KEYS, "x\r\ny", "\x00"])] = _json(rng, 3)
        elif action == 4 and isinstance(parent, list):
            # A record twice, or a copy under another id: duplicates and clashes.
            twin = copy.deepcopy(value)
            if isinstance(twin, dict) and "id" in twin and rng.random() < 0.5:
                twin["id"] = f"{twin['id']}-twin"
            parent.append(twin)
        elif action == 5 and isinstance(value, list) and value:
            parent[key] = rng.choice([value[0], "".join(map(str, value))[:20], {}])
        else:
            parent[key] = _json(rng, 2)
    return document


def extreme_dates(base: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """For every date and time in `base`: the document with that one value moved to the
    first day of the calendar, then to the last; then all of them at once, each way."""
    dated = [(p, k) for p, k in _places(base) if isinstance(p[k], str) and _DATE.match(p[k])]
    for i in range(len(dated)):
        for day in (FIRST_DAY, LAST_DAY):
            document = copy.deepcopy(base)
            parent, key = [
                (p, k) for p, k in _places(document) if isinstance(p[k], str) and _DATE.match(p[k])
            ][i]
            parent[key] = _with_day(parent[key], day)
            yield document
    for day in (FIRST_DAY, LAST_DAY):
        document = copy.deepcopy(base)
        for parent, key in _places(document):
            if isinstance(parent[key], str) and _DATE.match(parent[key]):
                parent[key] = _with_day(parent[key], day)
        yield document


def documents(
    seed: int, count: int, base: dict[str, Any] | None = None
) -> Iterator[tuple[str, Any]]:
    """`count` documents as ``(family, document)``: first the valid `base` and its
    :func:`extreme_dates` (when `base` is given), then arbitrary JSON, export-shaped
    documents and mutations of `base` drawn with `seed`."""
    rng = random.Random(seed)
    made = 0
    if base is not None:
        for document in [base, *extreme_dates(base)]:
            if made == count:
                return
            made += 1
            yield ("extreme-dates" if made > 1 else "valid"), document
    while made < count:
        made += 1
        pick = rng.randrange(10)
        if pick < 2 or (base is None and pick < 6):
            yield "json", _json(rng)
        elif pick < 4 or base is None:
            yield "shaped", _shaped(rng)
        else:
            yield "mutated", _mutated(rng, base)


Answer = tuple[str, tuple[str, ...]]
"""``("accepted", ())`` or ``("refused", error paths)``."""


def answer(registry: Any, document: Any, state: Callable[[], object] | None = None) -> Answer:
    """Import `document` into `registry`; any exception but :class:`InvalidData` is
    raised as is. After a refusal ``state()`` (default: the registry's export) must equal
    what it was before, else ``AssertionError``."""
    look = state or registry.export_document
    before = look()
    try:
        # 'admin': the administrator of a seeded store, or anyone in a store without one.
        registry.import_document(document, actor=Actor.of("admin"))
    except InvalidData as error:
        after = look()
        if after != before:
            raise AssertionError(
                f"a refused import changed the store: {_preview(document)}"
            ) from error
        return "refused", tuple(sorted({path for path, _ in error.errors}))
    return "accepted", ()


def _preview(document: Any) -> str:
    try:
        return json.dumps(document)[:300]
    except (ValueError, RecursionError):
        return "(a document too deep to show)"
