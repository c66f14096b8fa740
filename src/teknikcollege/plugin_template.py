"""A plug-in package to start from: ``teknikcollege new-plugin KIND NAME``.

:func:`new_plugin` writes a package for a storage backend, a notifier or rules: a
``pyproject.toml`` with the ``teknikcollege`` entry point, the module, a README, and tests
that run the matching conformance contract
(:class:`~teknikcollege.testing.StorageContract`,
:class:`~teknikcollege.testing.NotifierContract`,
:class:`~teknikcollege.testing.RuleContract`). It installs with pip, teknikcollege
discovers it, and its tests pass as generated. The files are filled in with
:class:`string.Template` from ``teknikcollege/templates/plugin/``.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path
from string import Template

from ._text import _
from .errors import InvalidData

KINDS: tuple[str, ...] = ("storage", "notifier", "rule")
"""What a generated plug-in can contribute."""

CONTRACTS: dict[str, str] = {
    "storage": "StorageContract",
    "notifier": "NotifierContract",
    "rule": "RuleContract",
}
"""The contract each kind's generated tests run (from :mod:`teknikcollege.testing`)."""

NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
"""A plug-in's name: lower-case words of letters and digits joined by ``-``."""

_TEMPLATES = Path(__file__).parent / "templates" / "plugin"

_DESCRIPTIONS = {
    "storage": "A teknikcollege storage backend: {name}.",
    "notifier": "A teknikcollege notifier: {name}.",
    "rule": "teknikcollege rules: {name}.",
}

_USAGE = {
    "storage": "Open a store with `teknikcollege --db {scheme}:NAME ...` or "
    '`Registry.open("{scheme}:NAME")`.',
    "notifier": "Turn it on with `{env_folder}=/some/folder` (and `{env_lang}=en` for "
    "English); `teknikcollege deliver` then writes the outbox there.",
    "rule": "Its rules join every assessment: `teknikcollege assess college:ID`.",
}


def names(kind: str, name: str) -> dict[str, str]:
    """The values the templates are filled with, for plug-in `name` of `kind`."""
    if kind not in KINDS:
        raise InvalidData(
            [("kind", _("{kind!r} is not one of {kinds}", kind=kind, kinds=", ".join(KINDS)))]
        )
    if NAME.fullmatch(name) is None:
        raise InvalidData(
            [
                (
                    "name",
                    _(
                        "{name!r} is not a plug-in name: lower-case letters and digits, "
                        "words joined by '-', starting with a letter",
                        name=name,
                    ),
                )
            ]
        )
    module = "teknikcollege_" + name.replace("-", "_")
    values = {
        "kind": kind,
        "name": name,
        "entry": name,
        "dist": f"teknikcollege-{name}",
        "module": module,
        "cls": "".join(part.capitalize() for part in name.split("-")) + kind.capitalize(),
        "scheme": name,
        "env_folder": f"TEKNIKCOLLEGE_{name.replace('-', '_').upper()}_FOLDER",
        "env_lang": f"TEKNIKCOLLEGE_{name.replace('-', '_').upper()}_LANG",
        "contract": CONTRACTS[kind],
        "core_version": _core_version(),
    }
    values["description"] = _DESCRIPTIONS[kind].format(name=name)
    values["usage"] = _USAGE[kind].format(**values)
    return values


def _core_version() -> str:
    try:
        return metadata.version("teknikcollege")
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "0.1"


def files(kind: str, name: str) -> dict[str, str]:
    """The generated package as ``{relative path: text}``."""
    values = names(kind, name)
    module = values["module"]
    layout = {
        "pyproject.toml": "common/pyproject.toml.tmpl",
        "README.md": "common/README.md.tmpl",
        f"src/{module}/__init__.py": f"{kind}/__init__.py.tmpl",
        f"src/{module}/py.typed": "common/py.typed.tmpl",
        f"tests/test_{module}.py": f"{kind}/test.py.tmpl",
    }
    return {
        path: Template((_TEMPLATES / source).read_text(encoding="utf-8")).substitute(values)
        for path, source in layout.items()
    }


def new_plugin(kind: str, name: str, folder: Path) -> Path:
    """Write the package for plug-in `name` of `kind` into a new folder
    ``teknikcollege-NAME`` inside `folder`; returns the package's folder.

    An existing package folder is never overwritten (:class:`InvalidData`).
    """
    made = files(kind, name)
    target = folder / f"teknikcollege-{name}"
    if target.exists():
        raise InvalidData(
            [("dir", _("{path} exists already; nothing was written", path=str(target)))]
        )
    for path, text in made.items():
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return target
