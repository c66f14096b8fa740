"""Click's own words (usage, help headings, its errors) in the CLI's language.

Click marks what it shows for gettext: its modules do ``from gettext import gettext as
_`` (and ``ngettext``), which look a message up in the process's *global* gettext domain,
in the language of the *environment* (``LANGUAGE``, ``LC_ALL``, ...). The CLI's language
is ``--lang``, chosen per run; the global domain and the environment belong to the whole
process (argparse and any other gettext user share them; child processes inherit the
environment). So rather than switch those, click's lookups are given the catalog
``locale/sv/LC_MESSAGES/click.mo`` (its ids extracted from click by
``tools/messages.py``) through a context variable:

- :func:`language` sets click's language for a block: the CLI's build and each run;
- the first Swedish block points the ``_`` and ``ngettext`` of click's modules at
  :func:`_gettext` and :func:`_ngettext`, which look in the Swedish catalog inside a
  Swedish block and call gettext's own functions outside one, so other click programs
  in the process, and English runs, get exactly what click alone gives them;
- :func:`localise` gives a built command the Swedish of the words click shows without
  gettext (the names of its types, as in ``INTEGER`` and "not a valid integer";
  ``[OPTIONS]``; ``COMMAND [ARGS]...``), and makes each ``--help`` option at once, so
  that its help is in the build's language like every other help text of the command.

A message the catalog lacks (one a newer click added) stays click's English.
"""

from __future__ import annotations

import copy
import gettext
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import click

from ._text import Catalog, Language

CATALOG = Catalog("click", Path(__file__).parent / "locale")
"""Click's messages in Swedish."""

LATE_MODULES = ("click._termui_impl", "click.shell_completion")
"""Click modules with messages that click imports only when first needed."""

_GETTEXT = gettext.gettext
_NGETTEXT = gettext.ngettext
_ACTIVE: ContextVar[gettext.NullTranslations | None] = ContextVar(
    "teknikcollege_click_language", default=None
)
_installed = False


def _gettext(message: str) -> str:
    """Click's ``_``: the Swedish of `message` in a Swedish block, else gettext's."""
    swedish = _ACTIVE.get()
    return _GETTEXT(message) if swedish is None else swedish.gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    """Click's ``ngettext``: as :func:`_gettext`, for a count `n`."""
    swedish = _ACTIVE.get()
    return (
        _NGETTEXT(singular, plural, n) if swedish is None else swedish.ngettext(singular, plural, n)
    )


def _install() -> None:
    """Point click's ``_`` and ``ngettext`` at :func:`_gettext` and :func:`_ngettext`.

    Only names that are still gettext's own are replaced: a program that gave click
    other functions keeps them. Runs once per process.
    """
    global _installed
    if _installed:
        return
    for name in LATE_MODULES:
        importlib.import_module(name)
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "click" or name.startswith("click.")):
            continue
        for attribute, theirs, ours in (
            ("_", _GETTEXT, _gettext),
            ("ngettext", _NGETTEXT, _ngettext),
        ):
            if getattr(module, attribute, None) is theirs:
                setattr(module, attribute, ours)
    _installed = True


@contextmanager
def language(lang: Language) -> Iterator[None]:
    """Click speaks `lang` inside the block (in this thread or task only).

    English changes nothing in click: its own lookups answer as without the CLI.
    """
    if lang == "sv":
        _install()
    token = _ACTIVE.set(CATALOG.swedish if lang == "sv" else None)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def localise(command: click.Command, lang: Language) -> click.Command:
    """Give `command` and its sub-commands click's words in `lang`; returns `command`.

    Call it inside ``language(lang)`` once the command has all its sub-commands and
    parameters (plug-ins' too). A type shared by several parameters (``type=int`` is
    click's one ``INT``) is copied, never renamed in place: other commands keep click's.
    """
    swedish = CATALOG.swedish if lang == "sv" else None
    ctx = click.Context(command, info_name=command.name, **command.context_settings)
    _localise(command, ctx, swedish, {})
    return command


def _localise(
    command: click.Command,
    ctx: click.Context,
    swedish: gettext.NullTranslations | None,
    types: dict[int, tuple[click.ParamType[Any], click.ParamType[Any]]],
) -> None:
    # Made here, not on first use: by then the language may be another run's.
    command.get_help_option(ctx)
    if swedish is not None:
        if command.options_metavar:
            command.options_metavar = swedish.gettext(command.options_metavar)
        if isinstance(command, click.Group) and command.subcommand_metavar:
            command.subcommand_metavar = swedish.gettext(command.subcommand_metavar)
        for param in command.params:
            param.type = _named(param.type, swedish, types)
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            sub_ctx = click.Context(sub, parent=ctx, info_name=name, **sub.context_settings)
            _localise(sub, sub_ctx, swedish, types)


def _named(
    type_: click.ParamType[Any],
    swedish: gettext.NullTranslations,
    types: dict[int, tuple[click.ParamType[Any], click.ParamType[Any]]],
) -> click.ParamType[Any]:
    """`type_`, or a copy of it with its name in Swedish (made once per type)."""
    if id(type_) not in types:  # the type is kept with its copy: its id stays its own
        named, name = type_, swedish.gettext(type_.name)
        if name != type_.name:
            named = copy.copy(type_)
            try:
                named.name = name
            except AttributeError:  # a name computed from others (click.Tuple's)
                named = type_
        types[id(type_)] = (type_, named)
    return types[id(type_)][1]
