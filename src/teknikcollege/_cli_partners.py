"""The commands for the people and bodies around a college and for its figures: councils
and their members, the region's membership of the national association, the students
of a programme per year, and the interest forms of companies and providers with their
outcome.

Added by :func:`register` (called from :func:`teknikcollege._cli_process.register`) to
the groups the process commands made (``college``, ``programme``, ``record``), plus the
group ``council``. They store through the public :class:`~teknikcollege.Registry` API
like every other command.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from . import errors
from ._cli_process import _choice, _common, _no_local_college, _today, _updated
from ._text import Language, _
from .models import (
    ByGender,
    College,
    Council,
    CouncilKind,
    InterestKind,
    InterestOutcome,
    InterestRegistration,
    Member,
    Membership,
    Organisation,
    OrganisationKind,
    Period,
    Person,
    Programme,
    Sector,
    YearFigures,
)
from .models._validation import MAX_INT
from .registry import Registry

if TYPE_CHECKING:
    from .cli import State

T = TypeVar("T")

_COUNT = re.compile(r"[0-9]{1,16}")
"""A count as written on the command line: ASCII digits only (``int()`` would also take
``" 7"``, ``"+7"``, ``"1_000"`` and other scripts' digits)."""


def _single(values: Sequence[str], option: str, lang: Language) -> None:
    """Refuse a list written into one value of a repeating option (``--programme a,b``)."""
    for value in values:
        if "," in value or any(c.isspace() for c in value):
            raise click.BadParameter(
                _(
                    "{value!r} holds more than one value: repeat {option} for each",
                    value=value,
                    option=option,
                ).get(lang),
                param_hint=option,
            )


def _by_gender(spec: str | None, option: str, lang: Language) -> ByGender:
    """``WOMEN:MEN`` or ``WOMEN:MEN:UNSPECIFIED`` as a :class:`ByGender` (none: zero)."""
    if spec is None:
        return ByGender()
    parts = spec.split(":")
    if len(parts) not in (2, 3) or not all(_COUNT.fullmatch(p) for p in parts):
        raise click.BadParameter(
            _(
                "{value!r}: write WOMEN:MEN or WOMEN:MEN:UNSPECIFIED, whole numbers "
                "(for example 8:16 or 8:15:1)",
                value=spec,
            ).get(lang),
            param_hint=option,
        )
    counts = [int(p) for p in parts]
    if any(c > MAX_INT for c in counts):
        raise click.BadParameter(
            _("{value!r}: at most {max} each", value=spec, max=MAX_INT).get(lang),
            param_hint=option,
        )
    return ByGender(*counts)


def _referred(registry: Registry, cls: type[T], id: str, path: str) -> T:
    """The stored `cls` `id` an option refers to; a reference to nothing is
    :class:`~teknikcollege.InvalidData` at `path` (exit code 1, as in the other
    commands)."""
    try:
        return registry.get(cls, id)
    except errors.NotFound as error:
        raise errors.InvalidData.at(path, error.text) from None


def _organisation(registry: Registry, id: str, path: str) -> Organisation:
    return _referred(registry, Organisation, id, path)


def register(cli: click.Group, lang: Language, kit: ModuleType) -> None:
    """Add the commands to `cli` with help texts in `lang`; `kit` is
    :mod:`teknikcollege.cli`, whose helpers they share."""
    _completer, _college_items = kit._completer, kit._college_items
    college_group: click.Group = cli.commands["college"]  # type: ignore[assignment]
    programme_group: click.Group = cli.commands["programme"]  # type: ignore[assignment]
    record_group: click.Group = cli.commands["record"]  # type: ignore[assignment]

    day, h, helped, done = _common(lang, kit)
    today = _today
    count: dict[str, Any] = {"type": click.IntRange(min=0, max=MAX_INT), "default": 0}

    def council_of(college: College, council_id: str) -> tuple[int, Council]:
        for i, council in enumerate(college.councils):
            if council.id == council_id:
                return i, council
        known = ", ".join(c.id for c in college.councils) or "-"
        raise kit.UnknownName(
            "council",
            council_id,
            _(
                "the college {college!r} has no council {council!r} (known: {known})",
                college=college.id,
                council=council_id,
                known=known,
            ),
        )

    def changed_college(
        state: State, registry: Registry, college_id: str, change: Callable[[College], College]
    ) -> College:
        return _updated(state, registry, College, college_id, change)

    # -- councils --------------------------------------------------------------------------

    @cli.group(
        **helped(
            _(
                "Councils of a college (branch, vocational, programme and competence "
                "councils) and their members."
            ),
            "teknikcollege council add gavleborg yrkesrad-industri --name 'Yrkesråd industri' "
            "--kind vocational_council --local gavle-sandviken",
            "teknikcollege council member gavleborg yrkesrad-industri p-chair --sector company "
            "--organisation acme",
        )
    )
    def council() -> None:
        pass

    @council.command(
        "add",
        **helped(
            _(
                "Add a council to a college: of the whole college, of one local college "
                "(--local), or of some programmes (--programme repeats)."
            ),
            "teknikcollege council add gavleborg branschrad --name 'Branschråd teknik' "
            "--kind branch_council",
            "teknikcollege council add gavleborg yrkesrad-svets --name 'Yrkesråd svets' "
            "--kind vocational_council --local gavle-sandviken --programme svets --json",
        ),
    )
    @click.argument("college_id", shell_complete=_completer(_college_items))
    @click.argument("id")
    @click.option("--name", required=True, help=h(_("The council's name.")))
    @click.option("--kind", required=True, type=_choice(list(CouncilKind)))
    @click.option("--local", "local_id", help=h(_("The local college whose council it is.")))
    @click.option(
        "--programme",
        "programmes",
        multiple=True,
        help=h(_("A programme of the college the council is for.")),
    )
    @click.pass_obj
    def council_add(
        state: State,
        college_id: str,
        id: str,
        name: str,
        kind: str,
        local_id: str | None,
        programmes: tuple[str, ...],
    ) -> None:
        _single(programmes, "--programme", lang)
        made = Council(id, name, CouncilKind(kind), (), local_id, programmes)

        def change(c: College) -> College:
            if any(existing.id == id for existing in c.councils):
                raise errors.InvalidData.at(
                    "councils", _("the college already has a council {id!r}", id=id)
                )
            if local_id is not None and c.local_college(local_id) is None:
                raise _no_local_college(kit, c.id, local_id)
            return attrs.evolve(c, councils=(*c.councils, made))

        with state.registry() as registry:
            for i, programme_id in enumerate(programmes):
                path = f"programme_ids[{i}]"
                found = _referred(registry, Programme, programme_id, path)
                if found.college_id != college_id:
                    raise errors.InvalidData.at(
                        path,
                        _(
                            "programme {programme!r} belongs to college {college!r}",
                            programme=programme_id,
                            college=found.college_id,
                        ),
                    )
            changed_college(state, registry, college_id, change)
        done(state, made, _("council {id!r} added", id=id))

    @council.command(
        "member",
        **helped(
            _("Add a member to a council: a person, the sector and organisation they speak for."),
            "teknikcollege council member gavleborg branschrad p-chair --sector company "
            "--organisation acme",
            "teknikcollege council member gavleborg branschrad p-leader --sector region --json",
        ),
    )
    @click.argument("college_id", shell_complete=_completer(_college_items))
    @click.argument("council_id")
    @click.argument("person_id")
    @click.option("--sector", required=True, type=_choice(list(Sector)))
    @click.option("--organisation", help=h(_("The organisation the member comes from.")))
    @click.pass_obj
    def council_member(
        state: State,
        college_id: str,
        council_id: str,
        person_id: str,
        sector: str,
        organisation: str | None,
    ) -> None:
        member = Member(person_id, Sector(sector), organisation)

        def change(c: College) -> College:
            i, found = council_of(c, council_id)
            if any(m.person_id == person_id for m in found.members):
                raise errors.InvalidData.at(
                    f"councils[{i}].members",
                    _(
                        "{person!r} is already a member of {council!r}",
                        person=person_id,
                        council=council_id,
                    ),
                )
            councils = list(c.councils)
            councils[i] = attrs.evolve(found, members=(*found.members, member))
            return attrs.evolve(c, councils=tuple(councils))

        with state.registry() as registry:
            registry.get(Person, person_id)
            if organisation is not None:
                _organisation(registry, organisation, "organisation_id")
            changed_college(state, registry, college_id, change)
        done(state, member, _("{person!r} joined {group!r}", person=person_id, group=council_id))

    # -- the national association ----------------------------------------------------------

    @college_group.command(
        "membership",
        **helped(
            _(
                "The college's membership of the national association: --from starts one "
                "(when its interest registration is approved), --end ends the current one."
            ),
            "teknikcollege college membership gavleborg rts --from 2024-02-15 "
            "--interest interest-2024",
            "teknikcollege college membership gavleborg rts --end 2030-12-31 --json",
        ),
    )
    @click.argument("college_id", shell_complete=_completer(_college_items))
    @click.argument("association_id")
    @click.option("--from", "start", **day, help=h(_("The first day (default: today).")))
    @click.option("--until", "until", **day, help=h(_("The last day, if it is known.")))
    @click.option(
        "--interest",
        "interest_id",
        help=h(_("The interest registration whose approval began it.")),
    )
    @click.option("--end", "end", **day, help=h(_("End the current membership on this day.")))
    @click.pass_obj
    def college_membership(
        state: State,
        college_id: str,
        association_id: str,
        start: date | None,
        until: date | None,
        interest_id: str | None,
        end: date | None,
    ) -> None:
        if end is not None and (start or until or interest_id):
            raise click.UsageError(
                state.say(
                    _("--end ends a membership: give it without --from, --until or --interest")
                ),
                ctx=click.get_current_context(),
            )
        with state.registry() as registry:
            association = _organisation(registry, association_id, "association_id")
            if association.kind is not OrganisationKind.NATIONAL_BODY:
                raise errors.InvalidData.at(
                    "association_id",
                    _(
                        "organisation {id!r} is not a national body (it is {kind})",
                        id=association_id,
                        kind=association.kind.value,
                    ),
                )
            if end is not None:
                ended = ending(registry, college_id, association_id, end, state)
                done(
                    state,
                    ended,
                    _(
                        "membership of {association!r} ends on {day}",
                        association=association_id,
                        day=end.isoformat(),
                    ),
                )
                return
            first = today(registry, start)
            if interest_id is not None:
                interest_problems(registry, college_id, interest_id, first)
            made = Membership(association_id, Period(first, until), interest_id)
            changed_college(
                state,
                registry,
                college_id,
                lambda c: attrs.evolve(c, memberships=(*c.memberships, made)),
            )
        done(
            state,
            made,
            _(
                "member of {association!r} from {day}",
                association=association_id,
                day=first.isoformat(),
            ),
        )

    def ending(
        registry: Registry, college_id: str, association_id: str, end: date, state: State
    ) -> Membership:
        ended: list[Membership] = []

        def change(c: College) -> College:
            current = [
                i
                for i, m in enumerate(c.memberships)
                if m.association_id == association_id and m.period.end is None
            ]
            if not current:
                raise errors.InvalidData.at(
                    "memberships",
                    _(
                        "the college {college!r} has no open membership of {association!r}",
                        college=c.id,
                        association=association_id,
                    ),
                )
            memberships = list(c.memberships)
            i = current[0]
            memberships[i] = attrs.evolve(
                memberships[i], period=Period(memberships[i].period.start, end)
            )
            ended.append(memberships[i])
            return attrs.evolve(c, memberships=tuple(memberships))

        changed_college(state, registry, college_id, change)
        return ended[0]

    def interest_problems(
        registry: Registry, college_id: str, interest_id: str, first: date
    ) -> None:
        registration = _referred(
            registry, InterestRegistration, interest_id, "interest_registration_id"
        )
        if registration.college_id != college_id:
            raise errors.InvalidData.at(
                "interest_registration_id",
                _(
                    "interest registration {id!r} is college {college!r}'s",
                    id=interest_id,
                    college=registration.college_id,
                ),
            )
        if registration.kind is not InterestKind.CERTIFICATION:
            raise errors.InvalidData.at(
                "interest_registration_id",
                _(
                    "interest registration {id!r} is a partner's wish to take part, not the "
                    "region's registration for certification",
                    id=interest_id,
                ),
            )
        if registration.outcome not in (None, InterestOutcome.APPROVED):
            raise errors.InvalidData.at(
                "interest_registration_id",
                _(
                    "interest registration {id!r} was not approved ({outcome})",
                    id=interest_id,
                    outcome=registration.outcome.value,
                ),
            )
        if first < registration.registered:
            raise errors.InvalidData.at(
                "period.start",
                _(
                    "the membership begins before its interest registration ({day})",
                    day=registration.registered.isoformat(),
                ),
            )

    # -- students --------------------------------------------------------------------------

    gender: dict[str, Any] = {"metavar": "WOMEN:MEN[:UNSPECIFIED]"}

    @programme_group.command(
        "figures",
        **helped(
            _(
                "Record a programme's students in one year: places, intake, enrolled and "
                "completed (by gender, WOMEN:MEN or WOMEN:MEN:UNSPECIFIED), diplomas and "
                "certificates. Figures, not records of students; --replace corrects a year."
            ),
            "teknikcollege programme figures svets --year 2025 --places 24 --intake 4:20 "
            "--enrolled 4:19 --completed 3:15 --certificates 14",
            "teknikcollege programme figures svets --year 2025 --places 24 --intake 5:19 "
            "--enrolled 5:18:1 --completed 4:15 --certificates 16 --replace --json",
        ),
    )
    @click.argument("programme_id")
    @click.option("--year", required=True, type=click.IntRange(min=1990, max=2200))
    @click.option("--places", **count, help=h(_("Places offered.")))
    @click.option("--intake", **gender, help=h(_("Those admitted.")))
    @click.option("--enrolled", **gender, help=h(_("Those enrolled.")))
    @click.option("--completed", **gender, help=h(_("Those who completed.")))
    @click.option("--diplomas", **count, help=h(_("Teknikcollege diplomas awarded.")))
    @click.option("--certificates", **count, help=h(_("Teknikcollege certificates awarded.")))
    @click.option("--replace", is_flag=True, help=h(_("Replace the year's figures on record.")))
    @click.pass_obj
    def programme_figures(
        state: State,
        programme_id: str,
        year: int,
        places: int,
        intake: str | None,
        enrolled: str | None,
        completed: str | None,
        diplomas: int,
        certificates: int,
        replace: bool,
    ) -> None:
        figures = YearFigures(
            year,
            places,
            _by_gender(intake, "--intake", lang),
            _by_gender(enrolled, "--enrolled", lang),
            _by_gender(completed, "--completed", lang),
            diplomas,
            certificates,
        )

        def change(p: Programme) -> Programme:
            known = p.figures_for(year)
            if known is not None and not replace:
                raise errors.InvalidData.at(
                    "figures",
                    _(
                        "programme {programme!r} has figures for {year} already: give "
                        "--replace to correct them",
                        programme=p.id,
                        year=year,
                    ),
                )
            kept = tuple(f for f in p.figures if f.year != year)
            return attrs.evolve(p, figures=tuple(sorted((*kept, figures), key=lambda f: f.year)))

        with state.registry() as registry:
            _updated(state, registry, Programme, programme_id, change)
        done(
            state,
            figures,
            _("figures of {programme!r} for {year} recorded", programme=programme_id, year=year),
        )

    # -- the outcome of an interest registration -------------------------------------------

    @record_group.command(
        "interest-outcome",
        **helped(
            _(
                "Record what came of an interest registration: approved, declined or "
                "withdrawn, on --date."
            ),
            "teknikcollege record interest-outcome ir-acme --outcome approved --date 2024-02-01",
            "teknikcollege record interest-outcome ir-acme --outcome withdrawn --json",
        ),
    )
    @click.argument("id")
    @click.option("--outcome", required=True, type=_choice(list(InterestOutcome)))
    @click.option(
        "--date",
        "on",
        **day,
        help=h(_("The day it was decided (default: the command line's today).")),
    )
    @click.pass_obj
    def record_interest_outcome(state: State, id: str, outcome: str, on: date | None) -> None:
        def change(r: InterestRegistration) -> InterestRegistration:
            if r.outcome is not None and r.decided is not None:
                raise errors.InvalidData.at(
                    "outcome",
                    _(
                        "interest registration {id!r} was decided already: {outcome} on {day}",
                        id=r.id,
                        outcome=r.outcome.value,
                        day=r.decided.isoformat(),
                    ),
                )
            return attrs.evolve(r, outcome=InterestOutcome(outcome), decided=decided)

        with state.registry() as registry:
            decided = today(registry, on)
            entity = _updated(state, registry, InterestRegistration, id, change)
        done(
            state,
            entity,
            _(
                "interest registration {id!r}: {outcome} on {day}",
                id=id,
                outcome=outcome,
                day=decided.isoformat(),
            ),
        )
