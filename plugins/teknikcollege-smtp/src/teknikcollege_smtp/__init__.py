"""teknikcollege-smtp: e-mail notifications over SMTP, in Swedish and English."""

from __future__ import annotations

from collections.abc import Mapping

from teknikcollege import Notifier, hookimpl

from .notifier import SMTPConfig, SMTPNotifier

__all__ = ["SMTPConfig", "SMTPNotifier", "plugin"]


class _Plugin:
    @hookimpl
    def teknikcollege_notifiers(self, config: Mapping[str, str]) -> list[Notifier]:
        settings = SMTPConfig.from_env(config)
        return [SMTPNotifier(settings)] if settings is not None else []


plugin = _Plugin()
"""The plug-in object named by the ``teknikcollege`` entry point."""
