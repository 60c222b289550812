"""The detection queries: plain SQL over AWS's documented CloudTrail table, kept in ``sql/``.

Each file reads a table ``cloudtrail_logs`` with the columns of the table AWS documents for querying
CloudTrail logs with Athena ("Querying AWS CloudTrail logs", Amazon Athena User Guide):
``useridentity`` a struct, ``requestparameters``/``responseelements``/``additionaleventdata`` JSON
text, read with ``json_extract_scalar``, and Athena's ``"$path"`` pseudo-column naming the log file.
trustmap builds that table in DuckDB (with a ``json_extract_scalar`` macro); an organization whose
logs outgrow one machine runs the same files in Athena or Trino where the logs are
(``trustmap activity-sql`` prints them).
"""

from __future__ import annotations

from importlib import resources

#: Query name -> what it finds, in the order `trustmap activity-sql` prints them.
EVENT_QUERIES: tuple[str, ...] = ("console_logins", "assume_role", "root_activity", "tampering")
AGGREGATE_QUERIES: tuple[str, ...] = ("iam_user_activity",)
ALL_QUERIES: tuple[str, ...] = (*EVENT_QUERIES, *AGGREGATE_QUERIES)


def query_text(name: str) -> str:
    """The SQL of one query, as kept in ``analyzer/activity/sql/<name>.sql``."""
    return resources.files("analyzer.activity").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def all_queries_text() -> str:
    return "\n".join(f"-- {name}.sql\n{query_text(name).rstrip()};\n" for name in ALL_QUERIES)
