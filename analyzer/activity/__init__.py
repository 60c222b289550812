"""Observed activity: the central bucket's CloudTrail log and digest files read as audit evidence.

:func:`read_activity` turns the activity files a loaded bundle holds into an
:class:`~analyzer.model.activity.ActivityEvidence`: the events the ACT rules need (read with DuckDB
by the SQL in ``sql/``), the days each account and region delivered log files, and the offline
integrity check of log and digest files.
"""

from analyzer.activity.read import read_activity

__all__ = ["read_activity"]
