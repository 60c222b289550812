"""The ``trustmap`` command line: a thin layer over the library, one module per command group.

Commands are imported when they are used: ``trustmap validate`` should not pay for pandas, jinja2
and the report writers that only ``analyze`` needs (about half a second at every start), nor
``trustmap synth``, ``rules`` or ``--help`` for the evidence loader (0.1 s).

:func:`run` is the entry point of a process of its own (``python -m analyzer``): the command, then
a fast exit (see its docstring). In-process callers (tests, ``CliRunner``) call :func:`main`.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

import click

from analyzer import __version__

#: Command name -> the ``analyzer.cli`` module whose ``COMMANDS`` holds it. A module that is not
#: installed (an optional command) simply leaves its commands out.
LAZY_COMMANDS: dict[str, str] = {
    "activity-sql": "activity",
    "analyze": "analyze",
    "collect": "collect",
    "diff": "diff",
    "explain": "rules",
    "graph": "graph",
    "paths": "graph",
    "rules": "rules",
    "synth": "synth",
    "validate": "validate",
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


#: Exit status when stdout or stderr cannot be flushed at exit (what CPython returns then).
EXIT_FLUSH_FAILED = 120


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """Run one command in this process, then end the process without tearing the interpreter down.

    A normal interpreter exit frees every module and every object of the run one by one, which
    achieves nothing for a process that is ending and takes 0.05-0.1 s after analyzing one large
    account (more at scale). So, as mypy does: the exit hooks run (``atexit``), stdout and stderr
    are flushed, and ``os._exit`` ends the process with the command's exit status. Files are always
    written through ``with`` blocks, so nothing else is left in a buffer. When other threads still
    run (normally joined at exit), or a profiler or tracer is installed (``python -m cProfile -m
    analyzer`` prints its report after the program), the normal exit is taken instead.
    """
    try:
        main.main(args=list(argv) if argv is not None else None)
        status = 0  # not reached in standalone mode: click always raises SystemExit
    except SystemExit as done:
        if threading.active_count() > 1 or sys.getprofile() is not None or sys.gettrace() is not None:
            raise  # threads to join, or a profiler / coverage tool that reports after the program ends
        status = _status(done.code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or EXIT_FLUSH_FAILED
    os._exit(status)


def _status(code: object) -> int:
    """The process exit status of ``SystemExit(code)``, as the interpreter computes it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1
