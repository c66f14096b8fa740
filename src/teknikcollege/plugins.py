"""The plug-in manager: built-ins first, then entry points, each loaded on its own.

Nothing happens at import: :func:`make_plugin_manager` builds a new manager each call.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import attrs
import pluggy

from . import hookspecs
from ._builtins import BUILTINS
from ._redact import redact_url
from ._text import N_, _, _n
from .errors import PluginError, StorageUnavailable
from .hookspecs import hookimpl as hookimpl
from .storage.port import Storage, StorageBackend

if TYPE_CHECKING:
    from .notify.port import Notifier
    from .rules.base import Rule
    from .workflow.case import Case, TransitionRecord
    from .workflow.definition import WorkflowDefinition

__all__ = [
    "ENTRY_POINT_GROUP",
    "Hooks",
    "PluginInfo",
    "PluginManager",
    "PluginWarning",
    "make_plugin_manager",
    "open_storage",
]

ENTRY_POINT_GROUP = "teknikcollege"


class PluginWarning(UserWarning):
    """A plug-in could not be loaded and was skipped."""


@attrs.frozen
class PluginInfo:
    """What is known of one plug-in, for ``teknikcollege plugins``."""

    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]
    status: str
    error: str | None = None


class PluginManager(pluggy.PluginManager):
    """pluggy's manager plus what teknikcollege reports about each plug-in."""

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT)
        self.distributions: dict[str, tuple[str, str]] = {}
        self.failed: dict[str, tuple[str, str, str]] = {}
        self.blocked: dict[str, tuple[str, str]] = {}

    def info(self) -> list[PluginInfo]:
        """Every plug-in: loaded, failed or blocked, sorted by name."""
        found = []
        for name, plugin in self.list_name_plugin():
            if plugin is None:
                continue
            dist, version = self.distributions.get(name, ("", ""))
            hooks = tuple(sorted(h.name for h in self.get_hookcallers(plugin) or ()))
            found.append(PluginInfo(name, dist, version, hooks, "loaded"))
        for name, (dist, version, error) in self.failed.items():
            found.append(PluginInfo(name, dist, version, (), "failed", error))
        for name, (dist, version) in self.blocked.items():
            found.append(PluginInfo(name, dist, version, (), "blocked"))
        return sorted(found, key=lambda p: p.name)


def _env_list(name: str) -> set[str]:
    return {part.strip() for part in os.environ.get(name, "").split(",") if part.strip()}


def make_plugin_manager(
    *,
    plugins: Iterable[object] = (),
    entry_points: bool = True,
    disable: Iterable[str] = (),
    strict: bool | None = None,
) -> PluginManager:
    """A new plug-in manager with the built-ins, `plugins`, and installed plug-ins.

    `disable` (and ``TEKNIKCOLLEGE_DISABLE_PLUGINS``, comma-separated) blocks plug-ins by
    entry-point name, distribution name, or built-in name. A plug-in that fails to load
    gives a :class:`PluginWarning` and the rest load; with `strict` (or
    ``TEKNIKCOLLEGE_STRICT_PLUGINS=1``) it raises :class:`PluginError` instead.
    """
    blocked = set(disable) | _env_list("TEKNIKCOLLEGE_DISABLE_PLUGINS")
    if strict is None:
        strict = os.environ.get("TEKNIKCOLLEGE_STRICT_PLUGINS", "") not in ("", "0")
    own_version = _version("teknikcollege")
    pm = PluginManager()
    pm.add_hookspecs(hookspecs)
    for name, plugin in BUILTINS:
        if name in blocked:
            pm.blocked[name] = ("teknikcollege", own_version)
            pm.set_blocked(name)
            continue
        pm.register(plugin, name=name)
        pm.distributions[name] = ("teknikcollege", own_version)
    for plugin in plugins:
        registered = pm.register(plugin, name=_name_of(plugin, pm))
        if registered is not None:
            pm.distributions[registered] = ("", "")
    if entry_points:
        _load_entry_points(pm, blocked, strict)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(
            _("unknown hook: {error}", error=error),
            pm.distributions.get(pm.get_name(error.plugin) or "", ("",))[0],
        ) from None
    return pm


def _name_of(plugin: object, pm: PluginManager) -> str:
    """A readable name for a plug-in object: its module, or its class."""
    base = getattr(plugin, "__name__", None) or (
        f"{type(plugin).__module__}.{type(plugin).__qualname__}"
    )
    name, n = base, 1
    while pm.has_plugin(name):
        n += 1
        name = f"{base}#{n}"
    return name


def _version(distribution: str) -> str:
    from importlib import metadata  # deferred: it costs more to import than pluggy

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return ""


def _load_entry_points(pm: PluginManager, blocked: set[str], strict: bool) -> None:
    from importlib import metadata

    for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = ep.dist.name if ep.dist else ""
        version = ep.dist.version if ep.dist else ""
        if ep.name in blocked or dist in blocked:
            pm.blocked[ep.name] = (dist, version)
            pm.set_blocked(ep.name)
            continue
        if pm.has_plugin(ep.name):
            continue
        try:
            plugin = ep.load()
            pm.register(plugin, name=ep.name)
        except Exception as error:
            text = _(
                "plug-in {name!r} from {distribution} failed to load: {error!r}",
                name=ep.name,
                distribution=dist or "?",
                error=error,
            )
            if strict:
                raise PluginError(text, dist) from error
            pm.failed[ep.name] = (dist, version, repr(error))
            warnings.warn(PluginWarning(text.en), stacklevel=3)
            continue
        pm.distributions[ep.name] = (dist, version)


class Hooks:
    """The one typed façade through which the host calls plug-ins.

    Every method is one ``pm.hook.…`` call plus validation of the returned records, so
    pluggy's semantics (``wrapper=True``, ``hookwrapper``, ``tryfirst``/``trylast``,
    blocking) hold for every plug-in.
    """

    def __init__(self, pm: PluginManager) -> None:
        self.pm = pm

    def _distribution(self, plugin_name: str) -> str:
        dist = self.pm.distributions.get(plugin_name, ("", ""))[0]
        return f"{plugin_name} ({dist})" if dist else plugin_name

    def _providers(self, hook: str, key: Callable[[Any], str], k: str, **kwargs: Any) -> list[str]:
        """Which plug-ins return a record with key `k` (asked only to name a clash)."""
        impls = [
            i
            for i in getattr(self.pm.hook, hook).get_hookimpls()
            if not (i.wrapper or i.hookwrapper)
        ]
        found = []
        for impl in impls:
            others = [o.plugin for o in impls if o is not impl]
            results = self.pm.subset_hook_caller(hook, others)(**kwargs)
            if any(key(r) == k for records in results for r in records or ()):
                found.append(self._distribution(impl.plugin_name))
        return found

    def _unique(
        self, hook: str, key: Callable[[Any], str], message: str, **kwargs: Any
    ) -> dict[str, Any]:
        """Every record of `hook` by `key`; a key returned twice raises :class:`PluginError`
        with `message` (a message id with ``{key!r}``, ``{first}`` and ``{second}``)."""
        found: dict[str, Any] = {}
        for records in getattr(self.pm.hook, hook)(**kwargs):
            for record in records or ():
                k = key(record)
                if k in found:
                    first, second = [*self._providers(hook, key, k, **kwargs), "?", "?"][:2]
                    raise PluginError(_(message, key=k, first=first, second=second), second)
                found[k] = record
        return found

    def storage_backends(self) -> dict[str, StorageBackend]:
        """Backends by URL scheme; a scheme claimed twice raises :class:`PluginError`."""
        return self._unique(
            "teknikcollege_storage_backends",
            lambda b: b.scheme,
            N_("URL scheme {key!r} is provided by both {first} and {second}"),
        )

    def notifiers(self, config: Mapping[str, str]) -> list[Notifier]:
        """Notifiers in name order; a name used twice raises :class:`PluginError`."""
        found = self._unique(
            "teknikcollege_notifiers",
            lambda n: n.name,
            N_("notifier {key!r} is provided by both {first} and {second}"),
            config=dict(config),
        )
        return [found[k] for k in sorted(found)]

    def rules(self) -> list[Rule]:
        """All rules; a rule id used twice raises :class:`PluginError`."""
        found = self._unique(
            "teknikcollege_rules",
            lambda r: r.id,
            N_("rule {key!r} is provided by both {first} and {second}"),
        )
        return [found[k] for k in sorted(found)]

    def workflows(self) -> dict[str, WorkflowDefinition]:
        """Workflow definitions by name, each with every plug-in's extensions applied.

        Extensions chain: each plug-in's ``teknikcollege_extend_workflow`` is called
        through pluggy on its own (with any wrappers), in pluggy's call order, and sees
        the result of the one before.
        """
        found = self._unique(
            "teknikcollege_workflows",
            lambda w: w.name,
            N_("workflow {key!r} is provided by both {first} and {second}"),
        )
        hook = "teknikcollege_extend_workflow"
        impls = self.pm.hook.teknikcollege_extend_workflow.get_hookimpls()
        plain = [i for i in impls if not (i.wrapper or i.hookwrapper)]
        result = {}
        for name, definition in sorted(found.items()):
            for impl in reversed(plain):  # pluggy calls the end of the list first
                others = [o.plugin for o in plain if o is not impl]
                for extended in self.pm.subset_hook_caller(hook, others)(definition=definition):
                    if extended is not None:
                        definition = extended
            result[name] = definition
        return result

    def register_commands(self, cli: Any) -> None:
        """Let plug-ins add CLI commands."""
        self.pm.hook.teknikcollege_register_commands(cli=cli)

    def transition_committed(self, case: Case, record: TransitionRecord) -> list[str]:
        """Tell observers; returns the error of one that raised (it never propagates)."""
        hook = self.pm.hook.teknikcollege_transition_committed
        if not hook.get_hookimpls():
            return []  # no observer (the usual case): skip the call's set-up
        try:
            hook(case=case, record=record)
        except Exception as error:
            return [repr(error)]
        return []


def open_storage(url: str, backends: Mapping[str, StorageBackend]) -> Storage:
    """Open `url` with the backend registered for its scheme."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower() if ":" in url else ""
    backend = backends.get(scheme)
    if backend is None:
        known = ", ".join(f"{s}:" for s in sorted(backends))
        url = redact_url(url)
        raise StorageUnavailable(
            _n(
                "unknown storage URL {url!r}; known scheme: {known} (install a plug-in for "
                "more, for example teknikcollege-postgres)",
                "unknown storage URL {url!r}; known schemes: {known} (install a plug-in for "
                "more, for example teknikcollege-postgres)",
                len(backends),
                url=url,
                known=known,
            )
        )
    try:
        urlsplit(url)
    except ValueError as error:  # an unbalanced '[' of an IPv6 host, say: not a backend's bug
        url = redact_url(url)
        raise StorageUnavailable(
            _("invalid storage URL {url!r}: {error}", url=url, error=error)
        ) from None
    return backend.factory(url)
