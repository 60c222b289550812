"""The ``trustmap`` command line: a thin layer over the library, one module per command group.

Commands are imported when they are used: ``trustmap validate`` should not pay for pandas, jinja2
and the report writers that only ``analyze`` needs (about half a second at every start).
"""

from __future__ import annotations

import importlib

import click

from analyzer import __version__
from analyzer.cli.validate import validate

#: Command name -> the ``analyzer.cli`` module whose ``COMMANDS`` holds it. A module that is not
#: installed (an optional command) simply leaves its commands out.
LAZY_COMMANDS: dict[str, str] = {
    "analyze": "analyze",
    "collect": "collect",
    "diff": "diff",
    "explain": "rules",
    "graph": "graph",
    "paths": "graph",
    "rules": "rules",
    "synth": "synth",
    "who-can-assume": "graph",
}


class LazyGroup(click.Group):
    """A group that imports a command's module the first time the command is asked for."""

    def _load(self, module: str) -> None:
        try:
            loaded = importlib.import_module(f"analyzer.cli.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"analyzer.cli.{module}":
                raise
            return
        for command in getattr(loaded, "COMMANDS", ()):
            if command.name not in self.commands:
                self.add_command(command)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            self._load(LAZY_COMMANDS[cmd_name])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        for module in sorted(set(LAZY_COMMANDS.values())):
            self._load(module)
        return super().list_commands(ctx)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="trustmap")
def main() -> None:
    """Audit an AWS multi-account organization's centralized identity model, offline, from exported evidence."""


main.add_command(validate)
