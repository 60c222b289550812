"""Reading CloudTrail records with DuckDB: only the fields and events the rules need.

DuckDB's ``read_json`` decompresses and parses the ``.json.gz`` files in parallel and out of core;
the record type given to it (:data:`RECORD_TYPE`) makes it materialize only the members the queries
read. One scan fills the table ``cloudtrail_logs`` (Athena's column names) with the records the
queries can select (:data:`PREFILTER`); the detection queries then run over that small table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from analyzer.activity.queries import AGGREGATE_QUERIES, EVENT_QUERIES, query_text

#: The members of a record the queries read (AWS CloudTrail User Guide, "CloudTrail record contents").
RECORD_TYPE = (
    "STRUCT("
    "eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, awsRegion VARCHAR, sourceIPAddress VARCHAR, "
    "errorCode VARCHAR, eventID VARCHAR, recipientAccountId VARCHAR, sharedEventID VARCHAR, "
    "userIdentity STRUCT(type VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR, principalId VARCHAR, "
    "sessionContext STRUCT(attributes STRUCT(mfaAuthenticated VARCHAR), sessionIssuer STRUCT(arn VARCHAR))), "
    "requestParameters JSON, responseElements JSON, additionalEventData JSON"
    ")[]"
)

#: The records any query may select (the rest are counted, never kept), and those whose recipient
#: account differs from the account of the log file's path.
PREFILTER = """
    r.eventName IN ('ConsoleLogin', 'AssumeRole', 'StopLogging', 'DeleteTrail', 'UpdateTrail',
        'PutEventSelectors', 'StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel',
        'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'UpdateAssumeRolePolicy')
    OR r.userIdentity.type IN ('IAMUser', 'Root')
    OR r.recipientAccountId IS DISTINCT FROM path_account
"""

_LOAD = f"""
CREATE OR REPLACE TEMP TABLE cloudtrail_logs AS
SELECT
    filename AS "$path",
    path_account,
    r.eventID AS eventid,
    r.recipientAccountId AS recipientaccountid,
    r.awsRegion AS awsregion,
    r.eventTime AS eventtime,
    r.eventSource AS eventsource,
    r.eventName AS eventname,
    r.userIdentity AS useridentity,
    r.sourceIPAddress AS sourceipaddress,
    r.errorCode AS errorcode,
    r.sharedEventID AS sharedeventid,
    r.requestParameters AS requestparameters,
    r.responseElements AS responseelements,
    r.additionalEventData AS additionaleventdata
FROM (
    SELECT filename, regexp_extract(filename, 'AWSLogs/(?:o-[a-z0-9]+/)?([0-9]{{12}})/', 1) AS path_account,
        unnest(Records) AS r
    FROM read_json($files, filename = true, format = 'auto', maximum_object_size = 67108864,
        columns = {{Records: '{RECORD_TYPE}'}})
)
WHERE {PREFILTER}
"""  # noqa: S608 (built from this module's constants, no outside text)


@dataclass(frozen=True, slots=True)
class LogRows:
    """What the queries returned: rows as dicts (file paths as DuckDB saw them)."""

    events: dict[str, list[dict[str, Any]]]  # query name -> rows
    aggregates: dict[str, list[dict[str, Any]]]
    misplaced: list[dict[str, Any]]  # records whose recipientAccountId is not the path's account


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def connect(threads: int | None = None, memory_limit: str = "1536MB") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"memory_limit": memory_limit, "preserve_insertion_order": False})
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.execute("CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)")
    return con


def load_records(con: duckdb.DuckDBPyConnection, files: Sequence[str]) -> None:
    """Fill ``cloudtrail_logs`` from the log files (at least one)."""
    con.execute(_LOAD, {"files": list(files)})


def run_queries(con: duckdb.DuckDBPyConnection) -> LogRows:
    events = {name: _rows(con, query_text(name)) for name in EVENT_QUERIES}
    aggregates = {name: _rows(con, query_text(name)) for name in AGGREGATE_QUERIES}
    misplaced = _rows(
        con,
        'SELECT "$path" AS log_file, eventid AS event_id, recipientaccountid AS account_id, path_account '
        "FROM cloudtrail_logs WHERE recipientaccountid IS DISTINCT FROM path_account",
    )
    return LogRows(events, aggregates, misplaced)
