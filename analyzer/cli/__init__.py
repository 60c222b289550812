"""The ``trustmap`` command line: a thin layer over the library, one module per command group."""

from __future__ import annotations

import click

from analyzer import __version__
from analyzer.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="trustmap")
def main() -> None:
    """Audit an AWS multi-account organization's centralized identity model, offline, from exported evidence."""


main.add_command(validate)

# Commands owned by later stages register themselves here when present.
for _module in ("analyze", "graph", "rules", "diff", "synth", "collect"):
    try:
        _mod = __import__(f"analyzer.cli.{_module}", fromlist=["COMMANDS"])
    except ModuleNotFoundError as _exc:
        if _exc.name != f"analyzer.cli.{_module}":
            raise
        continue
    for _command in getattr(_mod, "COMMANDS", ()):
        main.add_command(_command)
