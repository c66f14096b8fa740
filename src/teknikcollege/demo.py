"""The Stockholm pilot walked from pilot to ordinary operation.

:func:`run_demo` drives a :class:`~teknikcollege.Registry` through the whole process and
reports each dated step; ``teknikcollege demo`` prints them. Every step goes through the
public API, exactly as an application would.

Which dates are real: the sources give the pilot's partners and funders, its three
years, and the autumn-2021 start of Industriteknik bas. Every exact day in the walk is
illustrative, and each step says so (:attr:`Step.illustrative`); the certification
dates in particular are invented (a later Region Stockholm page only hoped for an
approval around the turn of 2025/26).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import attrs

from ._text import Language, Text, _, _n
from .clock import FixedClock
from .errors import StorageUnavailable
from .examples import LATER_MEMBERS_JOIN, PILOT_START, REVIEWER_POOL, stockholm_pilot
from .models import (
    AnnualReport,
    Application,
    College,
    Document,
    DocumentKind,
    InterestKind,
    InterestRegistration,
    Judgement,
    Membership,
    OperationalPlan,
    Outcome,
    Period,
    Person,
    Protocol,
    ReportLevel,
    ReviewVisit,
    Role,
    SatisfactionSurvey,
    Supplement,
    UnitKind,
    UnitRef,
    compile_surveys,
)
from .registry import Registry
from .storage.sqlite import APPLICATION_ID
from .workflow.case import Actor

ADMIN = Actor.of("admin", Role.ADMIN)
LEADER = Actor.of("p-leader", Role.PROCESS_LEADER)
OFFICE = Actor.of("p-office", Role.NATIONAL_OFFICE)
REVIEWER = Actor.of("p-reviewer", Role.REVIEWER)

COLLEGE = UnitRef(UnitKind.COLLEGE, "stockholm")
PROVIDERS = (UnitRef(UnitKind.PROVIDER, "lernia"), UnitRef(UnitKind.PROVIDER, "mtk"))
"""The providers of the two programmes: a programme is certified only at a certified
provider, so they are certified with the college, before the programmes."""
PROGRAMMES = (
    UnitRef(UnitKind.PROGRAMME, "industriteknik-bas"),
    UnitRef(UnitKind.PROGRAMME, "cnc-operator"),
)
JUDGED = ("industry-skills-needs", "learning-environment", "education-within-tc")
PROVIDER_JUDGED = "provider-quality-work"


@attrs.frozen
class Step:
    """One dated step of the demo and what came of it; `illustrative` when no source
    gives the date (the text then says so too)."""

    day: date
    text: Text
    detail: str = ""
    illustrative: bool = True


def _illustrative(text: Text) -> Text:
    """`text` marked as the text of a step whose date no source gives."""
    return _("{step} [illustrative date]", step=text)


Echo = Callable[[Step], None]


class _Walk:
    def __init__(self, registry: Registry, clock: FixedClock, echo: Echo, lang: Language):
        self.registry, self.clock, self.echo, self.lang = registry, clock, echo, lang
        self.cases: dict[UnitRef, str] = {}

    def at(
        self,
        day: date,
        text: Text,
        action: Callable[[], str] | None = None,
        *,
        illustrative: bool = True,
    ) -> None:
        """Move the clock to `day`, then do `action` and report what it says."""
        self.clock.set(day)
        shown = _illustrative(text) if illustrative else text
        self.echo(Step(day, shown, action() if action else "", illustrative))

    def say(self, text: Text) -> str:
        """`text` in the walk's language (for the details of a step)."""
        return text.get(self.lang)

    def fire(self, unit: UnitRef, trigger: str, actor: Actor, **params: str) -> str:
        record = self.registry.fire(self.cases[unit], trigger, actor=actor, params=params)
        return f"{unit}: {record.source} → {record.dest}"

    def each(
        self,
        trigger: str,
        actor: Actor,
        units: tuple[UnitRef, ...] | None = None,
        **params: str,
    ) -> str:
        return "\n".join(self.fire(u, trigger, actor, **params) for u in units or tuple(self.cases))

    def sweep(self) -> str:
        fired = self.registry.tick().fired
        return "\n".join(
            self.say(
                _(
                    "{subject}: {trigger} (time rule)",
                    subject=self.registry.case(case).subject,
                    trigger=trigger,
                )
            )
            for case, trigger in fired
        )

    def report(self) -> str:
        college = self.registry.get(College, "stockholm")
        return self.registry.assess(college).report(self.lang)

    def yearly(self, year: int, filed: date) -> None:
        """The yearly follow-up of `year`, filed on `filed`: the next year's operational
        plan, the annual reports of the regional and each local steering group, each
        provider's satisfaction survey compiled to the region's, and the national
        reporting (what a recertification looks for)."""
        college = self.registry.get(College, COLLEGE.id)
        providers = [
            SatisfactionSurvey(
                f"survey-{year}-{p.id}",
                "stockholm",
                year,
                9,
                4 + i,
                60,
                78.0 + i,
                level=ReportLevel.PROVIDER,
                provider_id=p.id,
            )
            for i, p in enumerate(PROVIDERS)
        ]
        self.registry.add(
            OperationalPlan(f"plan-{year + 1}", "stockholm", year + 1, filed),
            AnnualReport(f"ar-{year}", "stockholm", year, ReportLevel.REGIONAL, filed),
            *(
                AnnualReport(
                    f"ar-{year}-{local.id}",
                    "stockholm",
                    year,
                    ReportLevel.LOCAL,
                    filed,
                    local_college_id=local.id,
                )
                for local in college.local_colleges
            ),
            AnnualReport(f"rts-{year}", "stockholm", year, ReportLevel.NATIONAL, filed),
            *providers,
            compile_surveys(f"survey-{year}", providers, ReportLevel.REGIONAL),
            actor=LEADER,
        )

    def join_rts(self, day: date) -> str:
        """The approved interest registration makes the region a member of RTS."""
        college = self.registry.get(College, COLLEGE.id)
        membership = Membership("rts", Period(day), "interest-2022")
        self.registry.save(
            attrs.evolve(college, memberships=(*college.memberships, membership)), actor=OFFICE
        )
        return self.say(_("membership: rts from {day}", day=day.isoformat()))

    def review(self, round: int, start: date) -> None:
        """Application, review, visit, protocol: one round for every open case."""
        prepared = date(start.year, start.month, 1)
        for unit, case_id in self.cases.items():
            kinds = list(DocumentKind)[:-1]
            self.registry.add(
                Application(
                    f"app-{round}-{unit.id}",
                    case_id,
                    prepared,
                    tuple(Document(k, k.value.replace("_", " "), prepared) for k in kinds),
                    steering_group_approved_on=prepared,
                ),
                actor=LEADER,
            )
        self.at(
            start,
            _(
                "The regional steering group approves the application; the process leader "
                "submits it"
            ),
            lambda: self.each("submit_application", LEADER),
        )
        self.at(
            date(start.year, start.month, 8),
            _("RTS starts the review"),
            lambda: self.each("start_review", OFFICE),
        )
        visit = date(start.year, start.month + 1, 12)
        for unit, case_id in self.cases.items():
            self.registry.add(
                ReviewVisit(
                    f"visit-{round}-{unit.id}",
                    case_id,
                    visit,
                    ("p-reviewer", "p-reviewer-2"),
                    ("sodertorn",),
                    national_office_id="p-office",
                    pool_id=REVIEWER_POOL,
                    round=round,
                ),
                actor=OFFICE,
            )

        def held() -> str:
            # The reviewers judge on the day of the visit, in its round.
            judged = [(COLLEGE, rule_id) for rule_id in JUDGED]
            judged += [(p, PROVIDER_JUDGED) for p in PROVIDERS if p in self.cases]
            for unit, rule_id in judged:
                self.registry.record_judgement(
                    Judgement(
                        f"judgement-{round}-{unit.id}-{rule_id}",
                        rule_id,
                        unit.id,
                        "p-reviewer",
                        visit,
                        Outcome.PASSED,
                        "observed during the review visit",
                        visit_id=f"visit-{round}-{unit.id}",
                        round=round,
                    ),
                    actor=REVIEWER,
                )
            return self.each("hold_visit", REVIEWER)

        self.at(visit, _("Review visit: two reviewers and one RTS representative"), held)


def run_demo(registry: Registry, clock: FixedClock, echo: Echo, lang: Language = "en") -> str:
    """Walk the Stockholm pilot from pilot to ordinary operation; returns the final state
    of the college lifecycle. `clock` must be the registry's clock."""
    walk = _Walk(registry, clock, echo, lang)
    clock.set(PILOT_START)
    # As the pilot starts: Region Stockholm with Huddinge and Södertälje.
    bundle = stockholm_pilot(PILOT_START)
    # The store's first administrator, made once, loads the example's records.
    registry.create_admin(Person(ADMIN.id, "Ada Admin"))
    registry.add(*bundle.entities(), actor=ADMIN)
    life = registry.open_case("college-lifecycle", COLLEGE, actor=LEADER).id
    walk.at(
        PILOT_START,
        _("Region Stockholm starts the pilot with Huddinge and Södertälje"),
        lambda: f"college-lifecycle: {life} (pilot)",
    )
    walk.at(
        date(2021, 10, 18),
        _(
            "Industriteknik bas (vocational adult education, Lernia) starts in autumn 2021 (from "
            "the source; the day is illustrative)"
        ),
        illustrative=False,
    )
    registry.add(
        InterestRegistration(
            "interest-2022",
            InterestKind.CERTIFICATION,
            "stockholm",
            "region-stockholm",
            date(2022, 3, 1),
            units=(COLLEGE, *PROVIDERS, *PROGRAMMES),
            contact_person_id="p-leader",
            expected_application=date(2022, 9, 1),
            steering_group_approved=True,
        ),
        actor=LEADER,
    )
    # In the order of the tree: the college, its providers, their programmes; 'approve'
    # goes down it in this order.
    for unit in (COLLEGE, *PROVIDERS, *PROGRAMMES):
        walk.cases[unit] = registry.open_case(
            "certification", unit, actor=LEADER, college_id=COLLEGE.id
        ).id
    walk.at(
        date(2022, 3, 1),
        _("Interest registration for the college, its two providers and two programmes"),
        walk.report,
    )
    walk.at(
        date(2022, 3, 15),
        _("RTS approves the interest registration; the region joins RTS"),
        lambda: walk.each("approve_interest", OFFICE) + "\n" + walk.join_rts(date(2022, 3, 15)),
    )

    def join() -> str:
        # The college as it stands from now: four members, the second agreement, the
        # local college Teknikcollege Järfälla and Haninge in Teknikcollege Södertörn.
        current = registry.get(College, COLLEGE.id)
        joined = stockholm_pilot(LATER_MEMBERS_JOIN).colleges[0]
        registry.save(attrs.evolve(joined, memberships=current.memberships), actor=LEADER)
        return walk.say(
            _(
                "member municipalities: {municipalities}",
                municipalities=", ".join(joined.municipalities),
            )
        )

    walk.at(
        LATER_MEMBERS_JOIN,
        _("Järfälla and Haninge join through a collaboration agreement"),
        join,
    )
    walk.review(1, date(2022, 9, 1))
    registry.add(
        Protocol(
            "protocol-1", walk.cases[COLLEGE], date(2022, 11, 7), ("updated local action plan",)
        ),
        actor=OFFICE,
    )
    walk.at(
        date(2022, 11, 7),
        _("Protocol: the college is asked for supplements within three months"),
        lambda: (
            walk.fire(COLLEGE, "request_supplements", REVIEWER, issued_on="2022-11-07")
            + "\n"
            + walk.each(
                "issue_protocol", REVIEWER, (*PROVIDERS, *PROGRAMMES), issued_on="2022-11-07"
            )
        ),
    )
    walk.at(
        date(2023, 1, 7),
        _("Reminder: the supplements are due on 2023-02-07"),
        lambda: walk.say(
            Text.join(
                [
                    _n("{n} reminder queued", "{n} reminders queued", registry.tick().reminders),
                    _n("{n} delivered", "{n} delivered", registry.deliver().delivered),
                ]
            )
        ),
    )
    registry.add(
        Supplement(
            "supplement-1",
            walk.cases[COLLEGE],
            date(2023, 1, 20),
            "Updated local action plan for Järfälla",
        ),
        actor=LEADER,
    )
    walk.at(
        date(2023, 1, 20),
        _("The college submits its supplements"),
        lambda: walk.fire(COLLEGE, "submit_supplements", LEADER),
    )
    walk.at(
        date(2023, 2, 15),
        _("Industrirådet decides: certified for three years"),
        lambda: walk.report() + "\n" + walk.each("approve", OFFICE),
    )
    walk.at(
        date(2023, 2, 20),
        _("The college is certified"),
        lambda: f"college-lifecycle: {registry.fire(life, 'certify', actor=OFFICE).dest}",
    )
    walk.yearly(2023, date(2024, 1, 31))
    walk.yearly(2024, date(2025, 1, 31))

    def ordinary() -> str:
        record = registry.fire(
            life,
            "enter_ordinary_operation",
            actor=LEADER,
            note="pilot ended; college and pilot programmes certified",
        )
        return f"college-lifecycle: {record.source} → {record.dest}"

    walk.at(
        date(2024, 10, 1),
        _("The pilot has ended: ordinary operation"),
        ordinary,
    )
    walk.at(
        date(2025, 8, 15),
        _("Recertification opens six months before expiry"),
        walk.sweep,
    )
    walk.cases = {COLLEGE: walk.cases[COLLEGE]}
    walk.yearly(2025, date(2026, 1, 31))
    walk.review(2, date(2025, 10, 1))
    walk.at(
        date(2025, 12, 1),
        _("Protocol without supplements"),
        lambda: walk.fire(COLLEGE, "issue_protocol", REVIEWER),
    )
    walk.at(
        date(2026, 1, 20),
        _("Recertified for five years"),
        lambda: walk.fire(COLLEGE, "approve", OFFICE),
    )
    walk.at(
        date(2026, 2, 16),
        _("The providers' and programmes' certifications expire when nobody renews them"),
        walk.sweep,
    )
    college_case = registry.case(walk.cases[COLLEGE])
    periods = "; ".join(
        f"#{c.number} {c.valid_from} – {c.valid_until}" for c in college_case.certifications
    )
    state = registry.case(life).state
    walk.at(
        date(2026, 2, 16),
        _("The college is in {state}", state=state),
        lambda: walk.say(_("certification periods: {periods}", periods=periods)),
    )
    return state


_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_teknikcollege_database(path: Path) -> bool:
    """Whether `path` is a SQLite file marked as teknikcollege's (``application_id``).

    The header is read first, so that no other file is ever opened by SQLite; the
    ``application_id`` is then asked of SQLite read-only, since a database whose last
    writer did not checkpoint has the id in its write-ahead log, not yet in the header.
    """
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError:
        return False
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return False
    if int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return True
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return bool(db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID)
        finally:
            db.close()
    except (sqlite3.Error, ValueError, OSError):
        return False


def delete_database(path: Path) -> bool:
    """Delete the teknikcollege database at `path` with its ``-wal`` and ``-shm`` files.

    Returns whether there was one. Anything else at `path` (another program's database,
    any other file, a folder) is left alone and raises :class:`StorageUnavailable`.
    """
    if not path.exists() and not path.is_symlink():
        return False
    if path.is_symlink() or not path.is_file() or not is_teknikcollege_database(path):
        raise StorageUnavailable(
            _(
                "{path} is not a teknikcollege database; it is not deleted. Choose another "
                "file with --db",
                path=path,
            )
        )
    for suffix in ("-wal", "-shm", ""):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return True
