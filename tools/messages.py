"""Keep the gettext catalogs in step with the code (a developer tool; needs Babel).

    python tools/messages.py update    # extract _()/_n()/N_() calls into each .po
    python tools/messages.py compile   # write each .mo next to its .po
    python tools/messages.py check     # exit 1 if a catalog is stale or incomplete

Run ``update``, translate the new (empty or fuzzy) entries in the ``.po`` files, run
``compile`` and commit the ``.po`` and ``.mo`` files together. See docs/messages.md.

The ``click`` domain is click's own messages, translated for the CLI: its ids come from
the *installed* click (see :func:`extract_click`), so after upgrading click run ``update``
and translate what is new.
"""

from __future__ import annotations

import ast
import gettext
import importlib.util
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
    "click": ROOT / "src/teknikcollege",
}
"""Each gettext domain and the package it is extracted from (its catalog is inside);
``click`` is extracted from click (:func:`extract_click`), its catalog is the core's."""

CLICK_KEYWORDS: dict[str, Any] = {"_": None, "ngettext": (1, 2)}
"""How click marks its messages (``from gettext import gettext as _``, ``ngettext``)."""


def po_path(domain: str) -> Path:
    """The Swedish ``.po`` file of `domain`."""
    return CATALOGS[domain] / "locale" / "sv" / "LC_MESSAGES" / f"{domain}.po"


def extract(domain: str) -> Catalog:
    """Every message the code of `domain` uses, as a template catalog."""
    if domain == "click":
        return extract_click()
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


def click_package() -> Path:
    """The folder of the installed click (found, not imported)."""
    spec = importlib.util.find_spec("click")
    if spec is None or spec.origin is None:
        raise SystemExit("click is not installed: pip install click")
    return Path(spec.origin).parent


def extract_click(package: Path | None = None) -> Catalog:
    """Every message the installed click (or the click in `package`) can show.

    The strings click passes to ``_()`` and ``ngettext()``, and those it shows without
    gettext that ``teknikcollege._click_text`` translates (:func:`click_unmarked`).
    """
    package = package or click_package()
    template = Catalog(project="click", locale=None, fuzzy=False)
    for filename, lineno, message, _comments, context in extract_from_dir(
        package, keywords=CLICK_KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
    ):
        template.add(message, locations=[(f"click/{filename}", lineno)], context=context)
    for path in sorted(package.glob("*.py")):
        for lineno, message in click_unmarked(path):
            template.add(message, locations=[(f"click/{path.name}", lineno)])
    return template


def click_unmarked(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, string)`` for each string of click's module `path` that reaches the user
    without being marked by ``_()``:

    - the ``name`` of each parameter type (a class attribute in ``types.py``): it is
      the metavar (``INTEGER``) and part of errors ("is not a valid integer");
    - each string given to a name that ends in ``metavar`` (``[OPTIONS]``);
    - a string stored in ``x["key"]`` where click calls ``_(x["key"])`` (``required``).

    Raises ``ValueError`` for a ``_()`` of anything else: its messages cannot be found.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    looked_up: set[str] = set()  # each x["key"] given to _()
    stored: list[tuple[str, int, str]] = []  # (x["key"], line, string)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and path.name == "types.py":
            for item in node.body:
                assigned: ast.expr
                if isinstance(item, ast.AnnAssign):
                    assigned, value = item.target, item.value
                elif isinstance(item, ast.Assign) and len(item.targets) == 1:
                    assigned, value = item.targets[0], item.value
                else:
                    continue
                name = _string(value)
                if isinstance(assigned, ast.Name) and assigned.id == "name" and name is not None:
                    yield item.lineno, name
        elif isinstance(node, ast.arguments):
            named = [*node.posonlyargs, *node.args]
            defaults = [None] * (len(named) - len(node.defaults)) + list(node.defaults)
            for arg, default in [
                *zip(named, defaults, strict=True),
                *zip(node.kwonlyargs, node.kw_defaults, strict=True),
            ]:
                string = _string(default)
                if arg.arg.endswith("metavar") and string is not None and default is not None:
                    yield default.lineno, string
        elif isinstance(node, ast.Assign) and (string := _string(node.value)) is not None:
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.endswith("metavar"):
                    yield node.lineno, string
                elif isinstance(target, ast.Subscript):
                    stored.append((ast.unparse(target), node.lineno, string))
        elif isinstance(node, ast.Call) and (key := _unmarked_lookup(path, node)) is not None:
            looked_up.add(key)
    unfound = looked_up - {key for key, _line, _string in stored}
    if unfound:
        raise ValueError(f"click/{path.name}: no strings stored in {sorted(unfound)}")
    for key, line, string in stored:
        if key in looked_up:
            yield line, string


def _unmarked_lookup(path: Path, call: ast.Call) -> str | None:
    """The ``x["key"]`` of a ``_(x["key"])``; ``None`` for a call with literal messages
    or of another function; ``ValueError`` for a lookup of anything else."""
    function = call.func.id if isinstance(call.func, ast.Name) else None
    if function not in CLICK_KEYWORDS or not call.args:
        return None
    messages = call.args[: 2 if function == "ngettext" else 1]
    if all(_string(m) is not None for m in messages):
        return None
    if function == "_" and isinstance(call.args[0], ast.Subscript):
        return ast.unparse(call.args[0])
    raise ValueError(
        f"click/{path.name}:{call.lineno}: {ast.unparse(call)}: a message tools/messages.py "
        "cannot find; teach click_unmarked() about it"
    )


def _string(node: ast.AST | None) -> str | None:
    """The string `node` is, if it is a string literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


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
