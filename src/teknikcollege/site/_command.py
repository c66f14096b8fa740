"""The ``teknikcollege site`` command, added to the CLI by :func:`register`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._text import Language, Text, _

if TYPE_CHECKING:
    import click


def register(cli: click.Group, lang: Language) -> None:
    """Add the ``site`` command to the click group `cli`, its help in `lang`."""
    import click

    # The CLI's own State and help helpers are not imported: the CLI imports this module
    # (the import graph stays without cycles); the state is the CLI's ``State``.
    def say(text: Text) -> str:
        return text.get(lang)

    def help_of(text: Text, *examples: str) -> dict[str, str]:
        # As the CLI's other commands: \b keeps click from rewrapping the examples.
        heading = say(_("Examples"))
        lines = "\n".join(f"  $ {e}" for e in examples)
        return {"help": say(text), "epilog": f"\b\n{heading}:\n{lines}"}

    @cli.command(
        **help_of(
            _(
                "Write a static web site of the store: overview, timelines, workflows, gap "
                "reports and history, in Swedish and English (needs "
                "pip install 'teknikcollege[site]')."
            ),
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
        help=say(_("Show the status on this day (YYYY-MM-DD; default today).")),
    )
    @click.option(
        "--only",
        "only",
        type=click.Choice(["sv", "en"]),
        help=say(_("Write this language only.")),
    )
    @click.pass_obj
    def site(state: Any, out: str, day: datetime | None, only: str | None) -> None:
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
