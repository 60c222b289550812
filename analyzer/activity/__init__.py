"""Observed activity: the central bucket's CloudTrail log and digest files read as audit evidence.

:func:`read_activity` turns the activity files a loaded bundle holds into an
:class:`~analyzer.model.activity.ActivityEvidence`: the events the ACT rules need (read with DuckDB
by the SQL in ``sql/``), the days each account and region delivered log files, and the offline
integrity check of log and digest files. It is imported on first use, so that writing synthetic
activity (:mod:`analyzer.activity.build`, used by ``trustmap synth``) does not load the evidence reader.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyzer.activity.read import read_activity


def __getattr__(name: str) -> object:
    if name == "read_activity":
        from analyzer.activity.read import read_activity

        return read_activity
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["read_activity"]
