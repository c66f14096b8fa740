"""teknikcollege-stockholm: the Stockholm pilot's rules and example data."""

from __future__ import annotations

from typing import Any

from teknikcollege import Rule, hookimpl

from .rules import PILOT_YEARS, RULE_SET, STOCKHOLM_RULES

__all__ = ["PILOT_YEARS", "RULE_SET", "STOCKHOLM_RULES", "plugin"]


class _Plugin:
    @hookimpl
    def teknikcollege_rules(self) -> list[Rule]:
        return list(STOCKHOLM_RULES)

    @hookimpl
    def teknikcollege_register_commands(self, cli: Any) -> None:
        import click

        @cli.command("stockholm-example")
        @click.argument("file", type=click.File("w"), default="-")
        def stockholm_example(file: Any) -> None:
            """Write the Stockholm pilot's example data as JSON."""
            from teknikcollege import dumps
            from teknikcollege.examples import stockholm_pilot

            file.write(dumps(stockholm_pilot()) + "\n")


plugin = _Plugin()
"""The plug-in object named by the ``teknikcollege`` entry point."""
