"""The commands for the whole process by hand: partners, people, colleges, steering groups,
programmes, the records of a certification case, and the cases themselves.

Added to the ``teknikcollege`` group by :func:`register` (called from
:func:`teknikcollege.cli.build_cli`). Every command stores through the public
:class:`~teknikcollege.Registry` API, takes its day from the command line's clock
(``--today`` / ``TEKNIKCOLLEGE_TODAY``) unless ``--date`` says otherwise, and prints what it
stored (as JSON with ``--json``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from . import errors, plugin_template
from ._text import Language, Text, _
from .clock import parse_day
from .codes import OrganisationNumber
from .models import (
    Agreement,
    AgreementKind,
    AnnualReport,
    Application,
    College,
    CollegeKind,
    Contribution,
    ContributionKind,
    Document,
    DocumentKind,
    Funding,
    GroupLevel,
    InterestKind,
    InterestOutcome,
    InterestRegistration,
    Judgement,
    LocalCollege,
    Member,
    OperationalPlan,
    Organisation,
    OrganisationKind,
    Orientation,
    Outcome,
    Period,
    Person,
    Programme,
    ProgrammeForm,
    Protocol,
    ProviderKind,
    ReportLevel,
    ReviewerPool,
    ReviewVisit,
    Role,
    SatisfactionSurvey,
    Sector,
    SteeringGroup,
    Supplement,
)
from .models.common import local_day
from .models.process import checksum
from .registry import Registry
from .serialization import to_data

if TYPE_CHECKING:
    from .cli import State

T = TypeVar("T")


def _day(lang: Language) -> Callable[[Any, Any, Any], date | None]:
    """An option callback reading a day written ``YYYY-MM-DD`` strictly (as
    :func:`~teknikcollege.clock.parse_day`); a bad one is a usage error."""

    def convert(ctx: Any, param: Any, value: Any) -> date | None:
        if value is None or isinstance(value, date):
            return value
        try:
            return parse_day(value)
        except errors.InvalidData as error:
            raise click.BadParameter(error.message(lang), ctx=ctx, param=param) from None

    return convert


def _choice(values: Sequence[Any]) -> Any:
    return click.Choice([v.value for v in values])


def _pairs(specs: Sequence[str], parts: int, option: str, lang: Language) -> list[list[str]]:
    """Each of `specs` split at ``:`` into exactly `parts` non-empty pieces."""
    found = []
    for spec in specs:
        pieces = spec.split(":", parts - 1)
        if len(pieces) != parts or not all(pieces):
            raise click.BadParameter(
                _("{value!r} does not have the form shown in --help", value=spec).get(lang),
                param_hint=option,
            )
        found.append(pieces)
    return found


def _updated(
    state: State, registry: Registry, cls: type[T], id: str, change: Callable[[T], T]
) -> T:
    """Read `id`, apply `change`, save it as the acting person unless someone else changed
    it meanwhile."""
    version = registry.version(cls, id)
    changed = change(registry.get(cls, id))
    registry.save(changed, actor=state.acting(), expected_version=version)
    return changed


def _college_changed(state: State, college_id: str, change: Callable[[College], College]) -> None:
    """Apply `change` to a stored college (see :func:`_updated`)."""
    with state.registry() as registry:
        _updated(state, registry, College, college_id, change)


def _group_of(
    college: College, group_id: str, unknown: Callable[[str, str, Text], Exception]
) -> tuple[int | None, SteeringGroup]:
    """Where steering group `group_id` sits in `college`: ``None`` for the regional group,
    else the index of its local college."""
    if college.steering_group is not None and college.steering_group.id == group_id:
        return None, college.steering_group
    for i, local in enumerate(college.local_colleges):
        if local.steering_group is not None and local.steering_group.id == group_id:
            return i, local.steering_group
    known = ", ".join(g.id for g in college.steering_groups()) or "-"
    raise unknown(
        "steering group",
        group_id,
        _(
            "the college {college!r} has no steering group {group!r} (known: {known})",
            college=college.id,
            group=group_id,
            known=known,
        ),
    )


def _with_group(college: College, where: int | None, group: SteeringGroup) -> College:
    if where is None:
        return attrs.evolve(college, steering_group=group)
    locals_ = list(college.local_colleges)
    locals_[where] = attrs.evolve(locals_[where], steering_group=group)
    return attrs.evolve(college, local_colleges=tuple(locals_))


def _today(registry: Registry, given: date | None) -> date:
    """`given`, else today in Stockholm by the registry's clock."""
    return given or local_day(registry.now())


def _no_local_college(kit: ModuleType, college_id: str, local_id: str) -> Exception:
    """The error for a local college `college_id` does not have (exit code 3)."""
    error: Exception = kit.UnknownName(
        "local college",
        local_id,
        _(
            "the college {college!r} has no local college {local!r}",
            college=college_id,
            local=local_id,
        ),
    )
    return error


def _common(
    lang: Language, kit: ModuleType
) -> tuple[
    dict[str, Any],
    Callable[[Text], str],
    Callable[..., dict[str, str]],
    Callable[[State, object, Text], None],
]:
    """What every command module shares: the option of a day, a help text in `lang`, a
    command's help with its examples, and printing what was stored."""

    def h(text: Text) -> str:
        return text.get(lang)

    def helped(text: Text, *examples: str) -> dict[str, str]:
        made: dict[str, str] = kit._help(lang, text, *examples)
        return made

    def done(state: State, entity: object, text: Text) -> None:
        state.out(to_data(entity), kit.one_line(state.say(text)))

    return {"callback": _day(lang), "metavar": "YYYY-MM-DD"}, h, helped, done


def register(cli: click.Group, lang: Language, kit: ModuleType) -> None:
    """Add the process commands to `cli` with help texts in `lang`; `kit` is
    :mod:`teknikcollege.cli`, whose helpers they share."""
    # The helpers come from the cli module itself, handed in: importing it here would
    # make the two modules import each other.
    _actor, _case_items, _college_items = kit._actor, kit._case_items, kit._college_items
    _completer, _help, _subject, one_line = kit._completer, kit._help, kit._subject, kit.one_line

    day, h, helped, done = _common(lang, kit)
    today = _today

    review_round: dict[str, Any] = {
        "type": click.IntRange(min=1),
        "default": 1,
        "show_default": True,
        "help": h(_("The review round (1 for the first; a recertification is the next).")),
    }
    supplements_round: dict[str, Any] = {
        "type": click.IntRange(min=1),
        "default": 1,
        "show_default": True,
        "help": h(_("The round of supplements (1 for the protocol after the visit).")),
    }

    date_option = click.option(
        "--date",
        "on",
        **day,
        help=h(_("The day of the record (default: the command line's today).")),
    )

    # -- organisations and people --------------------------------------------------------

    @cli.group(
        **helped(
            _("Partner organisations: municipalities, regions, companies, providers."),
            "teknikcollege organisation add gavle --name 'Gävle kommun' --kind municipality "
            "--municipality-code 2180",
            "teknikcollege organisation add vux-gavle --name 'Vuxenutbildningen Gävle' "
            "--kind education_provider --provider-kind municipal_adult_education",
        )
    )
    def organisation() -> None:
        pass

    @organisation.command(
        "add",
        **helped(
            _("Add an organisation."),
            "teknikcollege organisation add region-x --name 'Region X' --kind region "
            "--county-code 21",
            "teknikcollege organisation add acme --name 'Acme AB' --kind company "
            "--org-number 556084-0976 --json",
        ),
    )
    @click.argument("id")
    @click.option("--name", required=True, help=h(_("The organisation's name.")))
    @click.option("--kind", required=True, type=_choice(list(OrganisationKind)))
    @click.option(
        "--provider-kind",
        type=_choice(list(ProviderKind)),
        help=h(_("For an education provider: its kind.")),
    )
    @click.option("--municipality-code", help=h(_("For a municipality: its code (e.g. 2180).")))
    @click.option("--county-code", help=h(_("For a region: its county code (e.g. 21).")))
    @click.option("--org-number", help=h(_("The organisation number, NNNNNN-NNNN.")))
    @click.pass_obj
    def organisation_add(
        state: State,
        id: str,
        name: str,
        kind: str,
        provider_kind: str | None,
        municipality_code: str | None,
        county_code: str | None,
        org_number: str | None,
    ) -> None:
        entity = Organisation(
            id,
            name,
            OrganisationKind(kind),
            org_number=OrganisationNumber.parse(org_number) if org_number else None,
            provider_kind=ProviderKind(provider_kind) if provider_kind else None,
            municipality_code=municipality_code,
            county_code=county_code,
        )
        with state.registry() as registry:
            registry.add(entity, actor=state.acting())
        done(state, entity, _("organisation {id!r} added", id=id))

    @cli.group(
        **helped(
            _("People and their roles."),
            "teknikcollege person add p-leader --name 'Kim Processledare' "
            "--role process_leader --email kim@example.org",
        )
    )
    def person() -> None:
        pass

    @person.command(
        "add",
        **helped(
            _("Add a person (only the name is required; --role may be repeated)."),
            "teknikcollege person add p-chair --name 'Alex Ordförande' --role chair "
            "--role member --organisation acme",
            "teknikcollege person add p-rev --name 'Gran Skare' --role reviewer --json",
        ),
    )
    @click.argument("id")
    @click.option("--name", required=True, help=h(_("The person's name.")))
    @click.option("--role", "roles", multiple=True, type=_choice(list(Role)))
    @click.option("--email", help=h(_("Where notifications reach the person.")))
    @click.option("--organisation", help=h(_("The organisation the person comes from.")))
    @click.pass_obj
    def person_add(
        state: State,
        id: str,
        name: str,
        roles: tuple[str, ...],
        email: str | None,
        organisation: str | None,
    ) -> None:
        entity = Person(
            id,
            name,
            frozenset(Role(r) for r in roles),
            email=email,
            organisation_id=organisation,
        )
        with state.registry() as registry:
            registry.add(entity, actor=state.acting())
        done(state, entity, _("person {id!r} added", id=id))

    @person.command(
        "pool",
        **helped(
            _("Add the national reviewer pool a visit's reviewers come from (--member repeats)."),
            "teknikcollege person pool review-committee --name 'Granskningskommittén' "
            "--member p-rev1 --member p-rev2",
        ),
    )
    @click.argument("id")
    @click.option("--name", required=True, help=h(_("The pool's name.")))
    @click.option("--member", "members", multiple=True, help=h(_("A reviewer in the pool.")))
    @click.option("--from", "start", help=h(_("The first day of the pool (YYYY-MM-DD).")))
    @click.option("--until", "end", **day, help=h(_("The last day of the pool, if it ends.")))
    @click.pass_obj
    def person_pool(
        state: State,
        id: str,
        name: str,
        members: tuple[str, ...],
        start: str | None,
        end: date | None,
    ) -> None:
        with state.registry() as registry:
            first = parse_day(start, "--from") if start else local_day(registry.now())
            entity = ReviewerPool(id, name, Period(first, end), members)
            registry.add(entity, actor=state.acting())
        done(state, entity, _("reviewer pool {id!r} added", id=id))

    # -- colleges ------------------------------------------------------------------------

    @cli.group(
        **helped(
            _("Colleges: members, agreements, funding, local colleges."),
            "teknikcollege college add gavleborg --name 'Teknikcollege Gävleborg' "
            "--county 21 --municipality 2180 --municipality 2181 --municipality 2104",
            "teknikcollege college show gavleborg --json",
        )
    )
    def college() -> None:
        pass

    @college.command(
        "add",
        **helped(
            _("Add a college (--municipality, --process-leader and --branch-area repeat)."),
            "teknikcollege college add gavleborg --name 'Teknikcollege Gävleborg' "
            "--county 21 --municipality 2180 --municipality 2181 --municipality 2104 "
            "--process-leader p-leader --branch-area industry "
            "--pilot-from 2024-01-15 --pilot-until 2026-12-31",
        ),
    )
    @click.argument("id")
    @click.option("--name", required=True, help=h(_("The college's name.")))
    @click.option("--county", required=True, help=h(_("The county code (e.g. 21).")))
    @click.option(
        "--municipality",
        "municipalities",
        multiple=True,
        required=True,
        help=h(_("A member municipality's code; repeat for each.")),
    )
    @click.option("--kind", type=_choice(list(CollegeKind)), default=CollegeKind.REGIONAL.value)
    @click.option("--process-leader", "leaders", multiple=True, help=h(_("A person's id.")))
    @click.option("--branch-area", "areas", multiple=True, help=h(_("e.g. industry, technology")))
    @click.option("--pilot-from", **day, help=h(_("The first day of a pilot period.")))
    @click.option("--pilot-until", **day, help=h(_("The last day of a pilot period.")))
    @click.pass_obj
    def college_add(
        state: State,
        id: str,
        name: str,
        county: str,
        municipalities: tuple[str, ...],
        kind: str,
        leaders: tuple[str, ...],
        areas: tuple[str, ...],
        pilot_from: date | None,
        pilot_until: date | None,
    ) -> None:
        pilot = Period(pilot_from, pilot_until) if pilot_from else None
        entity = College(
            id,
            name,
            county,
            municipalities,
            kind=CollegeKind(kind),
            process_leaders=leaders,
            branch_areas=areas,
            pilot=pilot,
        )
        with state.registry() as registry:
            registry.add(entity, actor=state.acting())
        done(state, entity, _("college {id!r} added", id=id))

    @college.command(
        "show",
        **helped(
            _("Show a college with its groups, agreements and funding."),
            "teknikcollege college show gavleborg",
            "teknikcollege college show gavleborg --json",
        ),
    )
    @click.argument("college_id", shell_complete=_completer(_college_items))
    @click.pass_obj
    def college_show(state: State, college_id: str) -> None:
        with state.registry() as registry:
            found = registry.get(College, college_id)
        municipalities = " ".join(found.municipalities)
        lines = [f"{found.id}: {found.name} ({found.county_code}) {municipalities}"]
        for g in found.steering_groups():
            members = ", ".join(
                m.person_id + ("*" if m.person_id == g.chair else "") for m in g.members
            )
            lines.append(f"  {g.id}: {members}")
        lines += [
            f"  {a.id} {a.kind.value} {a.period.start} – {a.period.end or ''}"
            for a in found.agreements
        ]
        for c in found.councils:
            where = f" ({c.local_college_id})" if c.local_college_id else ""
            members = ", ".join(m.person_id for m in c.members)
            lines.append(f"  {c.id} {c.kind.value}{where}: {members}")
        lines += [
            f"  {m.association_id} {m.period.start} – {m.period.end or ''}"
            for m in found.memberships
        ]
        state.out(to_data(found), "\n".join(one_line(line) for line in lines))

    @college.command(
        "agreement",
        **helped(
            _("Add an agreement to a college (--municipality and --party repeat)."),
            "teknikcollege college agreement gavleborg samverkan-2024 --kind collaboration "
            "--from 2024-01-15 --until 2029-12-31 --municipality 2180 --municipality 2181",
            "teknikcollege college agreement gavleborg loi-acme --kind letter_of_intent "
            "--from 2024-01-15 --until 2029-12-31 --party acme --party vux-gavle",
        ),
    )
    @click.argument("college_id", shell_complete=_completer(_college_items))
    @click.argument("id")
    @click.option("--kind", required=True, type=_choice(list(AgreementKind)))
    @click.option("--from", "start", required=True, **day)
    @click.option("--until", "end", **day, help=h(_("The last day (none: open-ended).")))
    @click.option("--municipality", "municipalities", multiple=True)
    @click.option("--party", "parties", multiple=True, help=h(_("An organisation's id.")))
    @click.option(
        "--political-decision",
        is_flag=True,
        help=h(_("An attached agreement's political decision has been taken.")),
    )
    @click.pass_obj
    def college_agreement(
        state: State,
        college_id: str,
        id: str,
        kind: str,
        start: date,
        end: date | None,
        municipalities: tuple[str, ...],
        parties: tuple[str, ...],
        political_decision: bool,
    ) -> None:
        agreement = Agreement(
            id,
            AgreementKind(kind),
            Period(start, end),
            municipalities=municipalities,
            parties=parties,
            political_decision=political_decision,
        )
        _college_changed(
            state, college_id, lambda c: attrs.evolve(c, agreements=(*c.agreements, agreement))
        )
        done(state, agreement, _("agreement {id!r} added", id=id))

    @college.command(
        "funding",
        **helped(
            _("Record money from a funder for a period."),
            "teknikcollege college funding gavleborg --funder region-x --amount 1000000 "
            "--from 2024-01-01 --until 2024-12-31",
        ),
    )
    @click.argument("college_id", shell_complete=_completer(_college_items))
    @click.option("--funder", required=True, help=h(_("An organisation's id.")))
    @click.option("--amount", required=True, type=int, help=h(_("Whole kronor.")))
    @click.option("--from", "start", required=True, **day)
    @click.option("--until", "end", **day)
    @click.pass_obj
    def college_funding(
        state: State, college_id: str, funder: str, amount: int, start: date, end: date | None
    ) -> None:
        funding = Funding(funder, amount, Period(start, end))
        _college_changed(
            state, college_id, lambda c: attrs.evolve(c, funding=(*c.funding, funding))
        )
        done(state, funding, _("funding from {id!r} added", id=funder))

    @college.command(
        "local",
        **helped(
            _("Add a local college (--municipality and --provider repeat)."),
            "teknikcollege college local gavleborg gavle-sandviken --name "
            "'Teknikcollege Gävle-Sandviken' --municipality 2180 --municipality 2181 "
            "--provider vux-gavle",
        ),
    )
    @click.argument("college_id", shell_complete=_completer(_college_items))
    @click.argument("id")
    @click.option("--name", required=True)
    @click.option("--municipality", "municipalities", multiple=True, required=True)
    @click.option("--provider", "providers", multiple=True, help=h(_("An organisation's id.")))
    @click.pass_obj
    def college_local(
        state: State,
        college_id: str,
        id: str,
        name: str,
        municipalities: tuple[str, ...],
        providers: tuple[str, ...],
    ) -> None:
        local = LocalCollege(id, name, municipalities, provider_ids=providers)
        _college_changed(
            state, college_id, lambda c: attrs.evolve(c, local_colleges=(*c.local_colleges, local))
        )
        done(state, local, _("local college {id!r} added", id=id))

    # -- steering groups -----------------------------------------------------------------

    @cli.group(
        **helped(
            _("Steering groups and their members."),
            "teknikcollege group add gavleborg gavleborg-regional --name 'Regional styrgrupp'",
            "teknikcollege group member gavleborg gavleborg-regional p-chair --sector company "
            "--organisation acme --chair",
        )
    )
    def group() -> None:
        pass

    @group.command(
        "add",
        **helped(
            _("Add a college's regional steering group, or a local one with --local."),
            "teknikcollege group add gavleborg gavleborg-regional --name 'Regional styrgrupp'",
            "teknikcollege group add gavleborg gavle-local --name 'Lokal styrgrupp' "
            "--local gavle-sandviken",
        ),
    )
    @click.argument("college_id", shell_complete=_completer(_college_items))
    @click.argument("id")
    @click.option("--name", required=True)
    @click.option("--local", "local_id", help=h(_("The local college the group governs.")))
    @click.pass_obj
    def group_add(state: State, college_id: str, id: str, name: str, local_id: str | None) -> None:
        level = GroupLevel.LOCAL if local_id else GroupLevel.REGIONAL
        made = SteeringGroup(id, name, level)

        def change(c: College) -> College:
            if local_id is None:
                if c.steering_group is not None:
                    raise errors.InvalidData(
                        [
                            (
                                "steering_group",
                                _(
                                    "the college already has the regional steering group {group!r}",
                                    group=c.steering_group.id,
                                ),
                            )
                        ]
                    )
                return attrs.evolve(c, steering_group=made)
            for i, local in enumerate(c.local_colleges):
                if local.id == local_id:
                    if local.steering_group is not None:
                        raise errors.InvalidData(
                            [
                                (
                                    "steering_group",
                                    _(
                                        "the local college already has the steering group "
                                        "{group!r}",
                                        group=local.steering_group.id,
                                    ),
                                )
                            ]
                        )
                    return _with_group(c, i, made)
            raise _no_local_college(kit, c.id, local_id)

        _college_changed(state, college_id, change)
        done(state, made, _("steering group {id!r} added", id=id))

    @group.command(
        "member",
        **helped(
            _("Add a member to a steering group; --chair makes them its chair."),
            "teknikcollege group member gavleborg gavleborg-regional p-chair --sector company "
            "--organisation acme --chair",
            "teknikcollege group member gavleborg gavleborg-regional p-gavle "
            "--sector municipality --organisation gavle --json",
        ),
    )
    @click.argument("college_id", shell_complete=_completer(_college_items))
    @click.argument("group_id")
    @click.argument("person_id")
    @click.option("--sector", required=True, type=_choice(list(Sector)))
    @click.option("--organisation", help=h(_("The organisation the member comes from.")))
    @click.option("--chair", is_flag=True, help=h(_("Make the member the group's chair.")))
    @click.pass_obj
    def group_member(
        state: State,
        college_id: str,
        group_id: str,
        person_id: str,
        sector: str,
        organisation: str | None,
        chair: bool,
    ) -> None:
        member = Member(person_id, Sector(sector), organisation)

        def change(c: College) -> College:
            where, found = _group_of(c, group_id, kit.UnknownName)
            grown = attrs.evolve(
                found,
                members=(*found.members, member),
                chair=person_id if chair else found.chair,
            )
            return _with_group(c, where, grown)

        with state.registry() as registry:
            registry.get(Person, person_id)
            _updated(state, registry, College, college_id, change)
        done(state, member, _("{person!r} joined {group!r}", person=person_id, group=group_id))

    # -- programmes ----------------------------------------------------------------------

    @cli.group(
        **helped(
            _("Programmes (utbildningar)."),
            "teknikcollege programme add svets --title Svetsare --form vocational_adult "
            "--weeks 40 --provider vux-gavle --college gavleborg",
        )
    )
    def programme() -> None:
        pass

    @programme.command(
        "add",
        **helped(
            _(
                "Add a programme (--branch-area, --orientation and --contribution repeat; "
                "a contribution is COMPANY:KIND:COUNT, an orientation ID:TITLE)."
            ),
            "teknikcollege programme add svets --title Svetsare --form vocational_adult "
            "--weeks 40 --provider vux-gavle --college gavleborg --branch-area industry "
            "--start 2024-02-01 --pilot --contribution acme:apl_places:6 "
            "--contribution acme:supervisors:2 --orientation mig:MIG-svetsning",
        ),
    )
    @click.argument("id")
    @click.option("--title", required=True)
    @click.option("--form", required=True, type=_choice(list(ProgrammeForm)))
    @click.option("--weeks", required=True, type=int)
    @click.option("--provider", required=True, help=h(_("The education provider's id.")))
    @click.option("--college", "college_id", required=True)
    @click.option("--branch-area", "areas", multiple=True)
    @click.option("--orientation", "orientations", multiple=True, metavar="ID:TITLE")
    @click.option("--start", **day, help=h(_("The day the programme starts.")))
    @click.option(
        "--pilot", is_flag=True, help=h(_("The programme was built during the college's pilot."))
    )
    @click.option("--contribution", "contributions", multiple=True, metavar="COMPANY:KIND:COUNT")
    @click.option("--local-college", "local_college", help=h(_("The local college it belongs to.")))
    @click.option(
        "--also-provider", "others", multiple=True, help=h(_("Another provider running it."))
    )
    @click.pass_obj
    def programme_add(
        state: State,
        id: str,
        title: str,
        form: str,
        weeks: int,
        provider: str,
        college_id: str,
        areas: tuple[str, ...],
        orientations: tuple[str, ...],
        start: date | None,
        pilot: bool,
        contributions: tuple[str, ...],
        local_college: str | None,
        others: tuple[str, ...],
    ) -> None:
        given = []
        for company, kind, count in _pairs(contributions, 3, "--contribution", lang):
            try:
                given.append(Contribution(company, ContributionKind(kind), int(count)))
            except ValueError:
                raise click.BadParameter(
                    _(
                        "{value!r}: KIND is one of {kinds} and COUNT a whole number",
                        value=":".join((company, kind, count)),
                        kinds=", ".join(k.value for k in ContributionKind),
                    ).get(lang),
                    param_hint="--contribution",
                ) from None
        entity = Programme(
            id,
            title,
            ProgrammeForm(form),
            weeks,
            provider,
            college_id,
            branch_areas=areas,
            orientations=tuple(
                Orientation(o, t) for o, t in _pairs(orientations, 2, "--orientation", lang)
            ),
            start=start,
            created_in_pilot=pilot,
            contributions=tuple(given),
            other_provider_ids=others,
            local_college_id=local_college,
        )
        with state.registry() as registry:
            registry.add(entity, actor=state.acting())
        done(state, entity, _("programme {id!r} added", id=id))

    # -- records of the process ------------------------------------------------------------

    @cli.group(
        **helped(
            _(
                "Record what happened: interest registrations, applications, visits, "
                "protocols, supplements, judgements, annual reports (a postponement is "
                "recorded by 'case fire CASE grant_postponement')."
            ),
            "teknikcollege record visit visit-1 CASE-ID --reviewer p-rev1 --reviewer p-rev2",
            "teknikcollege record annual-report ar-2024 --college gavleborg --year 2024",
        )
    )
    def record() -> None:
        pass

    @record.command(
        "interest",
        **helped(
            _(
                "Record an interest registration: the region's, to be certified (--unit "
                "repeats: KIND:ID), or a company's or provider's, to take part (--kind "
                "participation, with what it offers: --branch-area, --contribution and "
                "--programme repeat); --outcome records what came of it."
            ),
            "teknikcollege record interest interest-2024 --college gavleborg "
            "--registrant region-x --unit college:gavleborg --unit programme:svets "
            "--contact p-leader --expected 2025-01-15 --approved",
            "teknikcollege record interest ir-acme --kind participation --college gavleborg "
            "--registrant acme --branch-area industry --contribution apl_places "
            "--contribution summer_jobs --programme svets --outcome approved",
        ),
    )
    @click.argument("id")
    @click.option("--college", "college_id", required=True)
    @click.option("--registrant", required=True, help=h(_("The registering organisation's id.")))
    @click.option(
        "--kind", type=_choice(list(InterestKind)), default=InterestKind.CERTIFICATION.value
    )
    @click.option("--unit", "units", multiple=True, help=h(_("college:ID, programme:ID, ...")))
    @click.option("--contact", help=h(_("The contact person's id.")))
    @click.option("--expected", **day, help=h(_("When the application is expected.")))
    @click.option(
        "--approved",
        is_flag=True,
        help=h(_("The regional steering group approved sending it.")),
    )
    @click.option("--note", default="")
    @click.option("--branch-area", "areas", multiple=True, help=h(_("A branch area it offers.")))
    @click.option(
        "--contribution",
        "offers",
        multiple=True,
        type=_choice(list(ContributionKind)),
        help=h(_("What it offers: APL places, supervisors, internships, summer jobs.")),
    )
    @click.option(
        "--programme", "programmes", multiple=True, help=h(_("A programme it wants to join."))
    )
    @click.option(
        "--outcome",
        type=_choice(list(InterestOutcome)),
        help=h(_("What came of it, decided on --decided (default: the record's day).")),
    )
    @click.option("--decided", **day, help=h(_("The day the outcome was decided.")))
    @date_option
    @click.pass_obj
    def record_interest(
        state: State,
        id: str,
        college_id: str,
        registrant: str,
        kind: str,
        units: tuple[str, ...],
        contact: str | None,
        expected: date | None,
        approved: bool,
        note: str,
        areas: tuple[str, ...],
        offers: tuple[str, ...],
        programmes: tuple[str, ...],
        outcome: str | None,
        decided: date | None,
        on: date | None,
    ) -> None:
        if decided is not None and outcome is None:
            raise click.BadParameter(
                _("a decision day needs --outcome").get(lang), param_hint="--decided"
            )
        refs = tuple(_subject(u, lang) for u in units)
        with state.registry() as registry:
            registry.get(College, college_id)
            for path, cls, ref in (
                ("registrant_id", Organisation, registrant),
                ("contact_person_id", Person, contact),
                *((f"programme_ids[{i}]", Programme, p) for i, p in enumerate(programmes)),
            ):
                if ref is None:
                    continue
                try:
                    registry.get(cls, ref)
                except errors.NotFound as missing:  # a reference to nothing: exit code 1
                    raise errors.InvalidData.at(path, missing.text) from None
            registered = today(registry, on)
            entity = InterestRegistration(
                id,
                InterestKind(kind),
                college_id,
                registrant,
                registered,
                units=refs,
                contact_person_id=contact,
                expected_application=expected,
                steering_group_approved=approved,
                note=note,
                branch_areas=areas,
                contributions=tuple(ContributionKind(c) for c in offers),
                programme_ids=programmes,
                outcome=InterestOutcome(outcome) if outcome else None,
                decided=(decided or registered) if outcome else None,
            )
            registry.add(entity, actor=state.acting())
        done(state, entity, _("interest registration {id!r} recorded", id=id))

    @record.command(
        "application",
        **helped(
            _(
                "Record an application with its documents (--document repeats: KIND or "
                "KIND:TITLE; --all-documents hands in one of each kind)."
            ),
            "teknikcollege record application app-1 CASE-ID --all-documents "
            "--approved-on 2025-01-10",
            "teknikcollege record application app-2 CASE-ID --document self_assessment_local "
            "--document 'action_plan_local:Handlingsplan 2025' --approved-on 2025-01-10",
        ),
    )
    @click.argument("id")
    @click.argument("case_id", shell_complete=_completer(_case_items))
    @click.option("--document", "documents", multiple=True, metavar="KIND[:TITLE]")
    @click.option(
        "--file",
        "files",
        multiple=True,
        metavar="KIND:PATH",
        help=h(_("A document kept in a file: referred to by its path, with its SHA-256.")),
    )
    @click.option("--all-documents", is_flag=True)
    @click.option(
        "--approved-on",
        **day,
        help=h(_("The day the regional steering group approved the application.")),
    )
    @date_option
    @click.pass_obj
    def record_application(
        state: State,
        id: str,
        case_id: str,
        documents: tuple[str, ...],
        files: tuple[str, ...],
        all_documents: bool,
        approved_on: date | None,
        on: date | None,
    ) -> None:
        kinds = [k.value for k in DocumentKind]
        kept: list[tuple[str, Path]] = []
        for spec in files:
            kind, _colon, path = spec.partition(":")
            if kind not in kinds or not path:
                raise click.BadParameter(
                    _(
                        "{value!r}: KIND:PATH, the kind one of {kinds}",
                        value=spec,
                        kinds=", ".join(kinds),
                    ).get(lang),
                    param_hint="--file",
                )
            if not Path(path).is_file():
                raise click.BadParameter(
                    _("{path!r} is not a file", path=path).get(lang), param_hint="--file"
                )
            kept.append((kind, Path(path)))
        named: list[tuple[str, str]] = []
        for spec in documents:
            kind, _colon, title = spec.partition(":")
            if kind not in kinds:
                raise click.BadParameter(
                    _(
                        "{value!r}: the kind is one of {kinds}",
                        value=spec,
                        kinds=", ".join(kinds),
                    ).get(lang),
                    param_hint="--document",
                )
            named.append((kind, title or kind.replace("_", " ")))
        if all_documents:
            named += [
                (k, k.replace("_", " "))
                for k in kinds
                if k != DocumentKind.OTHER.value
                and k not in {n for n, _t in named} | {n for n, _p in kept}
            ]
        with state.registry() as registry:
            registry.case(case_id)
            received = today(registry, on)
            if approved_on is not None and approved_on < received:
                received = approved_on  # prepared, and its documents in, by its approval
            entity = Application(
                id,
                case_id,
                received,
                tuple(Document(DocumentKind(k), t, received) for k, t in named)
                + tuple(
                    Document(
                        DocumentKind(k),
                        path.name,
                        received,
                        reference=str(path),
                        sha256=checksum(path.read_bytes()),
                    )
                    for k, path in kept
                ),
                steering_group_approved_on=approved_on,
            )
            registry.add(entity, actor=state.acting())
        done(state, entity, _("application {id!r} recorded", id=id))

    @record.command(
        "visit",
        **helped(
            _(
                "Record a review visit (--reviewer and --sampled repeat; the visit guard "
                "needs two reviewers)."
            ),
            "teknikcollege record visit visit-1 CASE-ID --reviewer p-rev1 --reviewer p-rev2 "
            "--pool review-committee --office p-office --sampled gavle-sandviken",
        ),
    )
    @click.argument("id")
    @click.argument("case_id", shell_complete=_completer(_case_items))
    @click.option("--reviewer", "reviewers", multiple=True, help=h(_("A reviewer's id.")))
    @click.option("--sampled", multiple=True, help=h(_("A local college visited as a sample.")))
    @click.option("--pool", help=h(_("The reviewer pool the reviewers come from.")))
    @click.option("--office", help=h(_("The national office's representative on the visit.")))
    @click.option("--round", "round_", **review_round)
    @date_option
    @click.pass_obj
    def record_visit(
        state: State,
        id: str,
        case_id: str,
        reviewers: tuple[str, ...],
        sampled: tuple[str, ...],
        pool: str | None,
        office: str | None,
        round_: int,
        on: date | None,
    ) -> None:
        with state.registry() as registry:
            registry.case(case_id)
            entity = ReviewVisit(
                id,
                case_id,
                today(registry, on),
                reviewers,
                sampled,
                national_office_id=office,
                pool_id=pool,
                round=round_,
            )
            registry.add(entity, actor=state.acting())
        done(state, entity, _("review visit {id!r} recorded", id=id))

    @record.command(
        "protocol",
        **helped(
            _("Record the protocol after a visit (--supplement repeats: what is asked for)."),
            "teknikcollege record protocol protocol-1 CASE-ID "
            "--supplement 'updated local action plan'",
        ),
    )
    @click.argument("id")
    @click.argument("case_id", shell_complete=_completer(_case_items))
    @click.option("--supplement", "supplements", multiple=True)
    @click.option(
        "--supplements-due",
        **day,
        help=h(_("The day the supplements are due, if the protocol states another.")),
    )
    @click.option("--round", "round_", **supplements_round)
    @date_option
    @click.pass_obj
    def record_protocol(
        state: State,
        id: str,
        case_id: str,
        supplements: tuple[str, ...],
        supplements_due: date | None,
        round_: int,
        on: date | None,
    ) -> None:
        with state.registry() as registry:
            registry.case(case_id)
            entity = Protocol(
                id, case_id, today(registry, on), supplements, supplements_due, round_
            )
            registry.add(entity, actor=state.acting())
        done(state, entity, _("protocol {id!r} recorded", id=id))

    @record.command(
        "supplement",
        **helped(
            _("Record a supplement sent after the protocol."),
            "teknikcollege record supplement supplement-1 CASE-ID "
            "--description 'Updated local action plan'",
        ),
    )
    @click.argument("id")
    @click.argument("case_id", shell_complete=_completer(_case_items))
    @click.option("--description", required=True)
    @click.option("--round", "round_", **supplements_round)
    @date_option
    @click.pass_obj
    def record_supplement(
        state: State, id: str, case_id: str, description: str, round_: int, on: date | None
    ) -> None:
        with state.registry() as registry:
            registry.case(case_id)
            entity = Supplement(id, case_id, today(registry, on), description, round_)
            registry.add(entity, actor=state.acting())
        done(state, entity, _("supplement {id!r} recorded", id=id))

    @record.command(
        "judgement",
        **helped(
            _(
                "Record a reviewer's judgement on a criterion; the actor is the reviewer "
                "and may not belong to the college."
            ),
            "teknikcollege record judgement j-1 --rule learning-environment "
            "--subject gavleborg --outcome passed --evidence 'seen on the visit' "
            "--actor p-rev1:reviewer",
        ),
    )
    @click.argument("id")
    @click.option("--rule", "rule_id", required=True)
    @click.option("--subject", required=True, help=h(_("The id of the college or programme.")))
    @click.option("--outcome", required=True, type=_choice(list(Outcome)))
    @click.option("--evidence", required=True)
    @click.option("--valid-until", **day)
    @click.option("--visit", "visit_id", help=h(_("The review visit the judgement came from.")))
    @click.option(
        "--round",
        "round_",
        type=click.IntRange(min=1),
        help=h(_("The review round (default: the visit's, else the case's current one).")),
    )
    @date_option
    @click.pass_obj
    def record_judgement(
        state: State,
        id: str,
        rule_id: str,
        subject: str,
        outcome: str,
        evidence: str,
        valid_until: date | None,
        visit_id: str | None,
        round_: int | None,
        on: date | None,
    ) -> None:
        who = state.acting()
        with state.registry() as registry:
            entity = Judgement(
                id,
                rule_id,
                subject,
                who.id,
                today(registry, on),
                Outcome(outcome),
                evidence,
                valid_until,
                visit_id,
                round_,
            )
            registry.record_judgement(entity, actor=who)
        done(state, entity, _("judgement {id!r} recorded", id=id))

    @record.command(
        "annual-report",
        **helped(
            _("Record a steering group's annual report."),
            "teknikcollege record annual-report ar-2024 --college gavleborg --year 2024",
            "teknikcollege record annual-report ar-2024-gavle --college gavleborg "
            "--year 2024 --level local --local-college gavle-sandviken",
        ),
    )
    @click.argument("id")
    @click.option("--college", "college_id", required=True)
    @click.option("--year", required=True, type=int)
    @click.option("--level", type=_choice(list(ReportLevel)), default=ReportLevel.REGIONAL.value)
    @click.option("--local-college")
    @date_option
    @click.pass_obj
    def record_annual_report(
        state: State,
        id: str,
        college_id: str,
        year: int,
        level: str,
        local_college: str | None,
        on: date | None,
    ) -> None:
        with state.registry() as registry:
            registry.get(College, college_id)
            entity = AnnualReport(
                id, college_id, year, ReportLevel(level), today(registry, on), local_college
            )
            registry.add(entity, actor=state.acting())
        done(state, entity, _("annual report {id!r} recorded", id=id))

    @record.command(
        "survey",
        **helped(
            _("Record the yearly satisfaction survey: respondents and the index (0–100)."),
            "teknikcollege record survey survey-2024 --college gavleborg --year 2024 "
            "--companies 12 --teachers 8 --students 90 --index 76.5",
        ),
    )
    @click.argument("id")
    @click.option("--college", "college_id", required=True)
    @click.option("--year", required=True, type=int)
    @click.option("--companies", type=int, default=0)
    @click.option("--teachers", type=int, default=0)
    @click.option("--students", type=int, default=0)
    @click.option("--index", type=float)
    @click.option(
        "--level",
        type=_choice(list(ReportLevel)),
        default=ReportLevel.REGIONAL.value,
        help=h(_("Whose survey: a provider's, a local college's or the region's.")),
    )
    @click.option("--provider", "provider_id", help=h(_("The provider of a provider's survey.")))
    @click.option("--local-college", help=h(_("The local college of a local college's survey.")))
    @click.option("--company-index", type=float)
    @click.option("--teacher-index", type=float)
    @click.option("--student-index", type=float)
    @click.pass_obj
    def record_survey(
        state: State,
        id: str,
        college_id: str,
        year: int,
        companies: int,
        teachers: int,
        students: int,
        index: float | None,
        level: str,
        provider_id: str | None,
        local_college: str | None,
        company_index: float | None,
        teacher_index: float | None,
        student_index: float | None,
    ) -> None:
        entity = SatisfactionSurvey(
            id,
            college_id,
            year,
            companies,
            teachers,
            students,
            index,
            ReportLevel(level),
            provider_id,
            local_college,
            company_index,
            teacher_index,
            student_index,
        )
        with state.registry() as registry:
            registry.get(College, college_id)
            registry.add(entity, actor=state.acting())
        done(state, entity, _("satisfaction survey {id!r} recorded", id=id))

    @record.command(
        "plan",
        **helped(
            _("Record the college's operational plan for a year (adopted on --date)."),
            "teknikcollege record plan plan-2025 --college gavleborg --year 2025 --date 2025-01-20",
        ),
    )
    @click.argument("id")
    @click.option("--college", "college_id", required=True)
    @click.option("--year", required=True, type=int)
    @date_option
    @click.pass_obj
    def record_plan(state: State, id: str, college_id: str, year: int, on: date | None) -> None:
        with state.registry() as registry:
            registry.get(College, college_id)
            entity = OperationalPlan(id, college_id, year, today(registry, on))
            registry.add(entity, actor=state.acting())
        done(state, entity, _("operational plan {id!r} recorded", id=id))

    # -- cases -----------------------------------------------------------------------------

    @cli.group(
        **helped(
            _("Cases: open them, fire their triggers, see their state and history."),
            "teknikcollege case open certification college:gavleborg "
            "--actor p-leader:process_leader --id cert-gavleborg",
            "teknikcollege case fire cert-gavleborg approve_interest "
            "--actor p-office:national_office",
        )
    )
    def case() -> None:
        pass

    @case.command(
        "open",
        **helped(
            _("Open a case of a workflow for a unit (KIND:ID)."),
            "teknikcollege case open college-lifecycle college:gavleborg "
            "--actor p-leader:process_leader --id life-gavleborg",
            "teknikcollege case open certification programme:svets "
            "--actor p-leader:process_leader --json",
        ),
    )
    @click.argument("workflow")
    @click.argument("subject")
    @click.option("--id", "case_id", help=h(_("The case's id (default: one is made up).")))
    @click.option("--college", "college_id", help=h(_("A provider's college.")))
    @click.option("--note", default="", help=h(_("A note kept in the history.")))
    @click.pass_obj
    def case_open(
        state: State,
        workflow: str,
        subject: str,
        case_id: str | None,
        college_id: str | None,
        note: str,
    ) -> None:
        ref = _subject(subject, lang)
        who = state.acting()
        with state.registry() as registry:
            opened = registry.open_case(
                workflow, ref, actor=who, college_id=college_id, case_id=case_id, note=note
            )
        state.out(
            to_data(opened),
            one_line(f"{opened.id}: {opened.workflow} {opened.subject} — {opened.state}"),
        )

    for name in ("fire", "show", "history"):
        case.add_command(cli.commands[name], name)

    @case.command(
        "list",
        **helped(
            _("List cases, optionally of one workflow, state or college."),
            "teknikcollege case list --college gavleborg",
            "teknikcollege case list --workflow certification --state certified --json",
        ),
    )
    @click.option("--workflow")
    @click.option("--state", "in_state")
    @click.option("--college", "college_id")
    @click.pass_obj
    def case_list(
        state: State, workflow: str | None, in_state: str | None, college_id: str | None
    ) -> None:
        where = {
            k: v
            for k, v in (("workflow", workflow), ("state", in_state), ("college_id", college_id))
            if v
        }
        with state.registry() as registry:
            found = registry.cases(**where)
        state.out(
            [to_data(c) for c in found],
            "\n".join(
                one_line(f"{c.id}  {c.workflow:<18} {c.subject!s:<36} {c.state}") for c in found
            ),
        )

    @case.command(
        "triggers",
        **helped(
            _("The triggers an actor might fire now, and why one would be refused."),
            "teknikcollege case triggers CASE-ID --actor p-leader:process_leader",
            "teknikcollege case triggers CASE-ID --actor p-office:national_office --json",
        ),
    )
    @click.argument("case_id", shell_complete=_completer(_case_items))
    @click.pass_obj
    def case_triggers(state: State, case_id: str) -> None:
        who = state.acting()
        with state.registry() as registry:
            options = registry.available(case_id, who)
        lines = []
        for o in options:
            mark = "+" if o.possible else "-"
            lines.append(one_line(f"{mark} {o.trigger} → {o.dest}"))
            if not o.permitted:
                lines.append(one_line("    " + state.say(_("the role does not allow it"))))
            lines += [
                one_line(f"    {f.rule_id}: {state.say(f.message)}")
                for f in o.findings
                if not f.passed
            ]
        state.out(
            [
                {
                    "trigger": o.trigger,
                    "dest": o.dest,
                    "permitted": o.permitted,
                    "possible": o.possible,
                    "findings": [to_data(f) for f in o.findings],
                }
                for o in options
            ],
            "\n".join(lines),
        )

    # -- plug-ins --------------------------------------------------------------------------

    @cli.command(
        "new-plugin",
        **helped(
            _(
                "Write a plug-in package to start from: KIND is storage, notifier or rule. "
                "It installs with pip, is discovered, and its tests run the matching "
                "contract."
            ),
            "teknikcollege new-plugin rule gavleborg-rules",
            "teknikcollege new-plugin notifier teams --dir plugins",
            "teknikcollege new-plugin storage jsonfile --json",
        ),
    )
    @click.argument("kind", type=click.Choice(list(plugin_template.KINDS)))
    @click.argument("name")
    @click.option(
        "--dir",
        "folder",
        default=".",
        type=click.Path(file_okay=False),
        help=h(_("The folder to write the package into (default: the current one).")),
    )
    @click.pass_obj
    def new_plugin(state: State, kind: str, name: str, folder: str) -> None:
        target = plugin_template.new_plugin(kind, name, Path(folder))
        written = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
        text = _(
            "{kind} plug-in {name!r} written to {path}; try: pip install -e '{path}[test]' "
            "&& pytest {path}",
            kind=kind,
            name=name,
            path=str(target),
        )
        state.out(
            {"kind": kind, "name": name, "path": str(target), "files": written},
            one_line(state.say(text)),
        )
