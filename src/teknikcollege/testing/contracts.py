"""``NotifierContract`` and ``RuleContract``: conformance suites for notifier and rule
plug-ins, in the style of :class:`~teknikcollege.testing.StorageContract`.

Subclass one in your test suite and say how to make your object::

    class TestMyNotifier(NotifierContract):
        def make_notifier(self, tmp_path):
            return MyNotifier(...)

    class TestMyRules(RuleContract):
        def make_rules(self):
            return [my_rule]

pytest then runs every ``test_*`` method against it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .._text import Text
from ..examples import stockholm_pilot
from ..models import College, Person, Role, UnitKind, UnitRef
from ..notify.port import Notification, Notifier
from ..plugins import hookimpl, make_plugin_manager
from ..registry import Registry
from ..rules.assessment import subject_kind
from ..rules.base import DEFAULT_CONCEPT, Context, Rule
from ..rules.findings import Finding, Status
from ..storage.memory import MemoryStorage
from ..workflow.case import Actor
from . import strategies as tst
from .seeding import seed

# A contract's tests run once per subclass (one per plug-in) and share one notifier or
# rule set across examples on purpose: hence the suppressed health checks.
_EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.differing_executors,
        HealthCheck.too_slow,
    ],
)


def _printable_line(value: str) -> bool:
    return bool(value.strip()) and not any(unicodedata.category(c).startswith("C") for c in value)


class _Contributes:
    """A plug-in contributing given notifiers or rules."""

    def __init__(self, notifiers: Sequence[Notifier] = (), rules: Sequence[Rule] = ()) -> None:
        self._notifiers, self._rules = list(notifiers), list(rules)

    @hookimpl
    def teknikcollege_notifiers(self, config: Any) -> list[Notifier]:
        return self._notifiers

    @hookimpl
    def teknikcollege_rules(self) -> list[Rule]:
        return self._rules


# -- notifiers ------------------------------------------------------------------------


class NotifierContract:
    """What the outbox relies on from a notifier, as tests.

    A notifier has a ``name`` (non-empty, one line, stable, unique among the installed
    notifiers) and ``send(notification, recipients)``, which takes a
    :class:`~teknikcollege.Notification` and a sequence of
    :class:`~teknikcollege.Person`, returns ``None`` to acknowledge, and raises to signal
    a failure (the outbox retries it later). People without contact data for it, and no
    people at all, are not failures.

    Override :meth:`make_notifier`; optionally :meth:`make_failing_notifier` (the same
    notifier aimed at a destination that is down), :meth:`delivered` (what the
    destination received) and :meth:`plugins` (when the notifier is built in).
    """

    def make_notifier(self, tmp_path: Path) -> Notifier:
        """Return a notifier whose destination works."""
        raise NotImplementedError

    def make_failing_notifier(self, tmp_path: Path) -> Notifier | None:
        """Return the notifier with its destination down; None skips the failure tests."""
        return None

    def delivered(self, notifier: Notifier) -> list[str] | None:
        """Ids of the notifications the destination received so far, in order; None when
        the destination cannot be inspected (the delivery test is then skipped)."""
        return None

    def plugins(self, notifier: Notifier) -> list[object]:
        """The plug-ins that contribute `notifier` to a registry (default: one wrapping
        it; return ``[]`` for a built-in notifier)."""
        return [_Contributes(notifiers=[notifier])]

    @pytest.fixture
    def notifier(self, tmp_path: Path) -> Notifier:
        return self.make_notifier(tmp_path)

    def test_is_a_notifier(self, notifier: Notifier) -> None:
        assert isinstance(notifier, Notifier)
        assert callable(notifier.send)

    def test_name_is_one_stable_non_empty_line(self, notifier: Notifier, tmp_path: Path) -> None:
        assert isinstance(notifier.name, str)
        assert _printable_line(notifier.name) and notifier.name == notifier.name.strip()
        assert self.make_notifier(tmp_path).name == notifier.name

    def test_name_is_unique_among_the_installed_notifiers(self, notifier: Notifier) -> None:
        pm = make_plugin_manager(plugins=self.plugins(notifier), entry_points=False)
        registry = Registry(MemoryStorage(), plugin_manager=pm, config={})
        names = [n.name for n in registry.notifiers]
        assert names.count(notifier.name) == 1

    @_EXAMPLES
    @given(
        notification=tst.notifications(),
        recipients=st.lists(tst.people(), max_size=3, unique_by=lambda p: p.id),
    )
    def test_send_accepts_the_documented_types_and_acknowledges(
        self, notifier: Notifier, notification: Notification, recipients: list[Person]
    ) -> None:
        before = self.delivered(notifier)
        assert notifier.send(notification, recipients) is None  # type: ignore[func-returns-value]
        after = self.delivered(notifier)
        if before is not None and after is not None and any(p.email for p in recipients):
            assert after[len(before) :].count(notification.id) == 1

    @_EXAMPLES
    @given(notification=tst.notifications())
    def test_nobody_to_reach_is_not_a_failure(
        self, notifier: Notifier, notification: Notification
    ) -> None:
        erased = Person("p-gone", "Borttagen", frozenset({Role.CONTACT})).erased()
        no_address = Person("p-paper", "Pappersbrev", frozenset({Role.CONTACT}))
        for recipients in ((), (erased,), (no_address,)):
            notifier.send(notification, recipients)

    def test_a_failure_raises(self, tmp_path: Path) -> None:
        failing = self.make_failing_notifier(tmp_path)
        if failing is None:
            pytest.skip("make_failing_notifier gives None: no destination can be made to fail")
        assert failing.name == self.make_notifier(tmp_path).name
        notification = _a_notification()
        with pytest.raises(Exception):  # noqa: B017, PT011 - any exception signals failure
            failing.send(notification, [_a_person()])

    def test_the_outbox_delivers_through_it(self, notifier: Notifier) -> None:
        registry = _pilot_registry(self.plugins(notifier))
        report = registry.deliver()
        assert (report.retrying, report.dead) == (0, 0)
        assert report.delivered >= 1

    def test_the_outbox_retries_a_failure(self, tmp_path: Path) -> None:
        failing = self.make_failing_notifier(tmp_path)
        if failing is None:
            pytest.skip("make_failing_notifier gives None: no destination can be made to fail")
        registry = _pilot_registry(self.plugins(failing))
        report = registry.deliver()
        assert report.retrying >= 1
        kept = [
            (status, attempts)
            for _, name, status, attempts in registry.outbox()
            if name == failing.name
        ]
        assert kept and all(status == "pending" and attempts >= 1 for status, attempts in kept)


def _a_person() -> Person:
    return Person(
        "p-contract", "Kontrakt Testsson", frozenset({Role.CONTACT}), email="kontrakt@example.org"
    )


def _a_notification() -> Notification:
    return Notification(
        "n-contract",
        "transition",
        "withdraw",
        "case-1",
        "certification",
        "college:stockholm",
        "stockholm",
        datetime(2024, 1, 1, 9, tzinfo=timezone.utc),
        roles=(Role.CONTACT,),
        recipient_ids=("p-contract",),
        data={"from": "interest_registered", "to": "withdrawn"},
    )


def _pilot_registry(plugins: list[object]) -> Registry:
    """The pilot with a contact person who has an address, and one case withdrawn: the
    outbox then holds notifications for every notifier."""
    from ..clock import FixedClock

    pm = make_plugin_manager(plugins=plugins, entry_points=False)
    registry = Registry(
        MemoryStorage(), plugin_manager=pm, config={}, clock=FixedClock(date(2024, 1, 1))
    )
    bundle = stockholm_pilot()
    seed(registry, *bundle.entities())
    leader = Actor.of("p-leader", Role.PROCESS_LEADER)
    case = registry.open_case("certification", UnitRef(UnitKind.COLLEGE, "stockholm"), actor=leader)
    registry.fire(case.id, "withdraw", actor=leader)
    return registry


# -- rules ----------------------------------------------------------------------------


class RuleContract:
    """What assessments and guards rely on from a rule, as tests.

    A rule has a stable ``id`` in the id syntax (unique among the installed rules), a
    ``rule_set`` and ``version``, a bilingual ``title`` and ``description``, a non-empty
    ``applies_to`` of subject kinds, and ``check(subject, context)``, which returns a
    :class:`~teknikcollege.Finding` with the rule's id and a bilingual message for every
    subject of those kinds — valid or broken, with or without related data stored —
    never raising, and the same finding for the same subject and context.

    Override :meth:`make_rules`; :attr:`concept` names the college concept the rules
    belong to, :meth:`plugins` the plug-ins that contribute them (``[]`` for built-ins).
    """

    concept: str = DEFAULT_CONCEPT
    """The college concept the registry test assesses with."""

    def make_rules(self) -> Sequence[Rule]:
        """Return the rules to check (a whole rule set, or one rule)."""
        raise NotImplementedError

    def plugins(self, rules: Sequence[Rule]) -> list[object]:
        """The plug-ins that contribute `rules` to a registry (default: one wrapping
        them; return ``[]`` for built-in rules)."""
        return [_Contributes(rules=rules)]

    def subjects(self, kind: str) -> st.SearchStrategy[tuple[Any, Context]]:
        """Subjects of `kind` with a context to check them in. Colleges come with their
        organisations and programmes in the lookup, or with nothing stored; other kinds
        are drawn with ``st.from_type`` of the model of that kind."""
        if kind == "college":
            day = datetime(2024, 1, 1, 9, tzinfo=timezone.utc)
            worlds = st.sets(st.sampled_from(tst.CHECKABLE_CRITERIA)).flatmap(
                lambda broken: tst.college_worlds(on=day.date(), break_criteria=sorted(broken))
            )
            return worlds.map(lambda w: (w.college, Context(day, w.lookup()))) | st.tuples(
                st.from_type(College), tst.contexts(lookup=tst.EntityLookup())
            )
        cls = _MODELS_BY_KIND.get(kind)
        if cls is None:
            raise AssertionError(f"applies_to names {kind!r}, the kind of no public model")
        return st.tuples(st.from_type(cls), tst.contexts())

    @pytest.fixture
    def rules(self) -> Sequence[Rule]:
        made = list(self.make_rules())
        assert made, "make_rules returned no rule"
        return made

    def test_are_rules(self, rules: Sequence[Rule]) -> None:
        for r in rules:
            assert isinstance(r, Rule), r

    def test_ids_are_stable_unique_and_valid(self, rules: Sequence[Rule]) -> None:
        from ..models.syntax import ID

        ids = [r.id for r in rules]
        assert len(set(ids)) == len(ids), ids
        assert [r.id for r in self.make_rules()] == ids
        for rule_id in ids:
            assert isinstance(rule_id, str), rule_id
            ID.check(rule_id, "id")

    def test_ids_are_unique_among_the_installed_rules(self, rules: Sequence[Rule]) -> None:
        pm = make_plugin_manager(plugins=self.plugins(rules), entry_points=False)
        registry = Registry(MemoryStorage(), plugin_manager=pm, config={}, concept=self.concept)
        for r in rules:
            assert registry.rules[r.id] is not None

    def test_rule_set_and_version_are_named(self, rules: Sequence[Rule]) -> None:
        for r in rules:
            assert isinstance(r.rule_set, str) and _printable_line(r.rule_set), r.id
            assert isinstance(r.version, str) and _printable_line(r.version), r.id

    def test_title_and_description_are_bilingual(self, rules: Sequence[Rule]) -> None:
        for r in rules:
            for text in (r.title, r.description):
                assert isinstance(text, Text), r.id
                assert _printable_line(text.sv) and _printable_line(text.en), (r.id, text)

    def test_applies_to_names_subject_kinds(self, rules: Sequence[Rule]) -> None:
        for r in rules:
            assert isinstance(r.applies_to, frozenset) and r.applies_to, r.id
            for kind in r.applies_to:
                assert kind in _MODELS_BY_KIND, (r.id, kind, sorted(_MODELS_BY_KIND))

    @_EXAMPLES
    @given(data=st.data())
    def test_check_returns_a_finding_and_never_raises(
        self, rules: Sequence[Rule], data: st.DataObject
    ) -> None:
        r = data.draw(st.sampled_from(list(rules)), label="rule")
        kind = data.draw(st.sampled_from(sorted(r.applies_to)), label="kind")
        subject, context = data.draw(self.subjects(kind), label="subject")
        context = attrs.evolve(context, criteria=tuple(rules))
        finding = r.check(subject, context)
        assert isinstance(finding, Finding)
        assert finding.rule_id == r.id
        assert isinstance(finding.status, Status)
        assert finding.status is not Status.ERROR, finding.message
        assert isinstance(finding.message, Text)
        assert _printable_line(finding.message.sv) and _printable_line(finding.message.en)
        again = r.check(subject, context)
        assert (again.status, again.message) == (finding.status, finding.message)

    def test_a_registry_assesses_with_them(self, rules: Sequence[Rule]) -> None:
        pm = make_plugin_manager(plugins=self.plugins(rules), entry_points=False)
        registry = Registry(MemoryStorage(), plugin_manager=pm, config={}, concept=self.concept)
        bundle = stockholm_pilot()
        seed(registry, *bundle.entities())
        subjects: Iterable[Any] = (*bundle.colleges, *bundle.programmes)
        for subject in subjects:
            found = {f.rule_id: f for f in registry.assess(subject).findings}
            for r in rules:
                if subject_kind(subject) in r.applies_to and r in registry.criteria:
                    assert found[r.id].status is not Status.ERROR, found[r.id].message


def _models_by_kind() -> dict[str, type[Any]]:
    import teknikcollege as tc

    kinds = {}
    for name in tc.__all__:
        value = getattr(tc, name)
        if isinstance(value, type) and attrs.has(value):
            # What subject_kind gives for an instance: the class name in snake case.
            kinds[re.sub(r"(?<!^)(?=[A-Z])", "_", value.__name__).lower()] = value
    return kinds


_MODELS_BY_KIND: dict[str, type[Any]] = _models_by_kind()
