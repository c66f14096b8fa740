"""The ``teknikcollege site`` command, added to the CLI by :func:`register`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .._text import Language, _

if TYPE_CHECKING:
    import click


def register(cli: click.Group, lang: Language) -> None:
    """Add the ``site`` command to the click group `cli`, its help in `lang`."""
    import click

    from ..cli import State, _help

    def say(sv: str, en: str) -> str:
        return sv if lang == "sv" else en

    @cli.command(
        **_help(
            lang,
            "Skriv en statisk webbplats för lagret: översikt, tidslinjer, arbetsflöden, "
            "gapanalyser och historik, på svenska och engelska (kräver "
            "pip install 'teknikcollege[site]').",
            "Write a static web site of the store: overview, timelines, workflows, gap "
            "reports and history, in Swedish and English (needs "
            "pip install 'teknikcollege[site]').",
            "teknikcollege site public/",
            "teknikcollege --lang sv site public/ --on 2026-01-01",
            "teknikcollege site public/ --only sv --json",
        )
    )
    @click.argument("out", type=click.Path(file_okay=False))
    @click.option(
        "--on",
        "day",
        type=click.DateTime(["%Y-%m-%d"]),
        help=say(
            "Visa läget denna dag (ÅÅÅÅ-MM-DD; standard i dag).",
            "Show the status on this day (YYYY-MM-DD; default today).",
        ),
    )
    @click.option(
        "--only",
        "only",
        type=click.Choice(["sv", "en"]),
        help=say("Skriv bara detta språk.", "Write this language only."),
    )
    @click.pass_obj
    def site(state: State, out: str, day: datetime | None, only: str | None) -> None:
        from ..clock import FixedClock
        from ._build import _jinja, build_site

        _jinja()  # before the store is opened: say at once what to install
        clock = FixedClock(day.date()) if day is not None else None
        languages: tuple[Language, ...] = ("sv",) if only == "sv" else ("en",) if only else ()
        with state.registry(clock=clock) as registry:
            index = build_site(registry, out, state.lang, languages=languages or ("sv", "en"))
        state.out(
            {"index": str(index), "languages": list(languages or ("sv", "en"))},
            state.say(_("The site is in {folder}: open {index}", folder=out, index=str(index))),
        )
