"""The detection queries: plain SQL over AWS's documented CloudTrail table, kept in ``sql/``.

Each file reads a table ``cloudtrail_logs`` with the columns of the table AWS documents for querying
CloudTrail logs with Athena ("Querying AWS CloudTrail logs", Amazon Athena User Guide):
``useridentity`` a struct, ``requestparameters``/``responseelements``/``additionaleventdata`` JSON
text, read with ``json_extract_scalar``, and Athena's ``"$path"`` pseudo-column naming the log file.
trustmap builds that table in DuckDB (with a ``json_extract_scalar`` macro); an organization whose
logs outgrow one machine runs the same files in Athena or Trino where the logs are
(``trustmap activity-sql`` prints them).

A query may read a shared subquery kept in its own file (:data:`SUBQUERIES`): its text is then the
subquery as a ``WITH`` clause followed by the file, one complete statement.
"""

from __future__ import annotations

from importlib import resources

#: Query name -> what it finds, in the order `trustmap activity-sql` prints them.
EVENT_QUERIES: tuple[str, ...] = ("console_logins", "assume_role", "root_activity", "tampering")
AGGREGATE_QUERIES: tuple[str, ...] = ("iam_user_activity", "assume_role_deciders")
ALL_QUERIES: tuple[str, ...] = (*EVENT_QUERIES, *AGGREGATE_QUERIES)
#: Query name -> the subquery (a file of ``sql/``, named as the query reads it) it is built on.
SUBQUERIES: dict[str, str] = {"assume_role": "assume_role_calls", "assume_role_deciders": "assume_role_calls"}


def _file_text(name: str) -> str:
    return resources.files("analyzer.activity").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def query_text(name: str) -> str:
    """The SQL of one query, as kept in ``analyzer/activity/sql/<name>.sql``, with its subquery if any."""
    body = _file_text(name)
    subquery = SUBQUERIES.get(name)
    if subquery is None:
        return body
    return f"WITH {subquery} AS (\n{_file_text(subquery).rstrip()}\n)\n{body}"


def all_queries_text() -> str:
    return "\n".join(f"-- {name}.sql\n{query_text(name).rstrip()};\n" for name in ALL_QUERIES)
