"""Keep the gettext catalogs in step with the code (a developer tool; needs Babel).

    python tools/messages.py update    # extract _()/_n()/N_() calls into each .po
    python tools/messages.py compile   # write each .mo next to its .po
    python tools/messages.py check     # exit 1 if a catalog is stale or incomplete

Run ``update``, translate the new (empty or fuzzy) entries in the ``.po`` files, run
``compile`` and commit the ``.po`` and ``.mo`` files together. See docs/messages.md.
"""

from __future__ import annotations

import gettext
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]

KEYWORDS: dict[str, Any] = {"_": None, "_n": (1, 2), "N_": None}
"""The functions whose string arguments are messages (see teknikcollege._text)."""

CATALOGS: dict[str, Path] = {
    "teknikcollege": ROOT / "src/teknikcollege",
    "teknikcollege_stockholm": ROOT / "plugins/teknikcollege-stockholm/src/teknikcollege_stockholm",
    "teknikcollege_vo_college": ROOT
    / "plugins/teknikcollege-vo-college/src/teknikcollege_vo_college",
    "teknikcollege_postgres": ROOT / "plugins/teknikcollege-postgres/src/teknikcollege_postgres",
    "teknikcollege_smtp": ROOT / "plugins/teknikcollege-smtp/src/teknikcollege_smtp",
}
"""Each gettext domain and the package it is extracted from (its catalog is inside)."""


def po_path(domain: str) -> Path:
    """The Swedish ``.po`` file of `domain`."""
    return CATALOGS[domain] / "locale" / "sv" / "LC_MESSAGES" / f"{domain}.po"


def extract(domain: str) -> Catalog:
    """Every message the code of `domain` uses, as a template catalog."""
    template = Catalog(project=domain, locale=None, fuzzy=False)
    package = CATALOGS[domain]
    for filename, lineno, message, comments, context in extract_from_dir(
        package,
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        template.add(
            message,
            locations=[(f"{package.name}/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def read(domain: str) -> Catalog:
    """The Swedish catalog of `domain` as committed."""
    with po_path(domain).open("rb") as f:
        return read_po(f, locale="sv", domain=domain)


def update(domain: str) -> None:
    """Merge the extracted messages into the ``.po`` (new ones empty, gone ones dropped)."""
    path = po_path(domain)
    if path.exists():
        catalog = read(domain)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(
            locale="sv",
            domain=domain,
            project=domain,
            header_comment=f"# Swedish messages of {domain}.\n# MIT licence, as the package.",
            copyright_holder="The teknikcollege developers",
            msgid_bugs_address="https://github.com/teknikcollege/teknikcollege/issues",
            last_translator="The teknikcollege developers",
            language_team="Swedish",
            fuzzy=False,
        )
    catalog.update(extract(domain), update_creation_date=False)
    with path.open("wb") as f:
        write_po(f, catalog, sort_output=True, ignore_obsolete=True, include_lineno=False)


def compiled(domain: str) -> bytes:
    """The ``.mo`` the ``.po`` of `domain` compiles to."""
    buffer = io.BytesIO()
    write_mo(buffer, read(domain))
    return buffer.getvalue()


def compile_mo(domain: str) -> None:
    """Write the ``.mo`` next to the ``.po``."""
    po_path(domain).with_suffix(".mo").write_bytes(compiled(domain))


_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)")


def fields(message: str) -> set[str]:
    """The names of the ``{placeholders}`` in `message`."""
    return set(_FIELD.findall(message))


def same_translations(a: bytes, b: bytes) -> bool:
    """Whether two ``.mo`` files translate alike (headers such as Generated-By aside)."""
    ta, tb = gettext.GNUTranslations(io.BytesIO(a)), gettext.GNUTranslations(io.BytesIO(b))
    ca = {k: v for k, v in ta._catalog.items() if k != ""}  # type: ignore[attr-defined]
    cb = {k: v for k, v in tb._catalog.items() if k != ""}  # type: ignore[attr-defined]
    return ca == cb and all(
        ta.plural(n) == tb.plural(n)  # type: ignore[attr-defined]
        for n in range(200)
    )


def problems(domain: str, mo_file: Path | None = None) -> Iterator[str]:
    """What is wrong with the catalog of `domain`; `mo_file` defaults to the committed one."""
    path = po_path(domain)
    if not path.exists():
        yield f"{path}: missing; run `python tools/messages.py update`"
        return
    catalog, template = read(domain), extract(domain)
    if catalog.plural_forms != "nplurals=2; plural=(n != 1);":
        yield f"{path}: unexpected Plural-Forms {catalog.plural_forms!r}"
    used = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    for msgid in sorted(used - have):
        yield f"{path}: not in the catalog (run update): {msgid!r}"
    for msgid in sorted(have - used):
        yield f"{path}: no longer used (run update): {msgid!r}"
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy or not all(strings):
            yield f"{path}: not translated (or fuzzy): {ids[0]!r}"
            continue
        allowed = set().union(*(fields(i) for i in ids))
        for s in strings:
            if not fields(s) <= allowed:
                yield f"{path}: {ids[0]!r}: unknown placeholders {sorted(fields(s) - allowed)}"
    mo = mo_file or path.with_suffix(".mo")
    if not mo.exists():
        yield f"{mo}: missing; run `python tools/messages.py compile`"
    elif not same_translations(mo.read_bytes(), compiled(domain)):
        yield f"{mo}: stale; run `python tools/messages.py compile`"


def main(argv: list[str]) -> int:
    """Run the command in `argv` (``update``, ``compile`` or ``check``) on every catalog."""
    command = argv[0] if argv else ""
    if command not in ("update", "compile", "check"):
        print(__doc__)
        return 2
    found = []
    for domain in CATALOGS:
        if command == "update":
            update(domain)
        elif command == "compile":
            compile_mo(domain)
        else:
            found.extend(problems(domain))
    for problem in found:
        print(problem)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
