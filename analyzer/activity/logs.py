"""Reading CloudTrail records with DuckDB: only the fields and events the rules need.

One scan (:data:`_SCAN`): DuckDB's ``read_json_objects`` decompresses and parses each ``.json.gz`` file
whole, in parallel; its ``Records`` array is split into records kept as JSON text, and only those the
queries can select (:data:`PREFILTER`, over the JSON text) are stored. Those few are then given the
members the queries read (:data:`RECORD_STRUCTURE`) in the table ``cloudtrail_logs`` (Athena's column
names), and the detection queries run over that small table. Converting every record to a struct in
the scan instead (``read_json`` with a ``columns`` type) cost five times the parse itself, whatever the
members named (benchmarks/RESULTS.md, "Activity logs").

Memory: a log file is one JSON document (``{"Records": [...]}``), so ``maximum_object_size`` must
hold the largest file; DuckDB's JSON reader allocates a buffer of twice that size for every file in
flight (one or more per thread), whatever the files' real sizes. A fixed 64 or 128 MiB therefore
costs hundreds of MiB for a handful of tiny files and ran out of a 1 GB memory limit under the test
suite. The size is now taken from the files themselves (:func:`object_size_for`), the threads are
bounded, the memory limit follows from both, and spills go to a private temporary folder (DuckDB's
default for an in-memory database is ``.tmp`` in the current directory), removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from analyzer.activity.queries import AGGREGATE_QUERIES, EVENT_QUERIES, query_text

#: The members of a record the queries read (AWS CloudTrail User Guide, "CloudTrail record contents"), as
#: DuckDB's ``json_transform`` structure: members not named here are never materialized.
RECORD_STRUCTURE: dict[str, Any] = {
    "eventTime": "VARCHAR",
    "eventSource": "VARCHAR",
    "eventName": "VARCHAR",
    "awsRegion": "VARCHAR",
    "sourceIPAddress": "VARCHAR",
    "errorCode": "VARCHAR",
    "eventID": "VARCHAR",
    "recipientAccountId": "VARCHAR",
    "sharedEventID": "VARCHAR",
    "userIdentity": {
        "type": "VARCHAR",
        "arn": "VARCHAR",
        "accountId": "VARCHAR",
        "userName": "VARCHAR",
        "principalId": "VARCHAR",
        "sessionContext": {"attributes": {"mfaAuthenticated": "VARCHAR"}, "sessionIssuer": {"arn": "VARCHAR"}},
    },
    "requestParameters": "JSON",
    "responseElements": "JSON",
    "additionalEventData": "JSON",
}

#: The records any query may select (the rest are counted, never kept), and those whose recipient
#: account differs from the account of the log file's path; over each record as JSON text. (An AWS
#: service assuming a role on its own behalf is no person: assume_role.sql leaves those out.)
PREFILTER = """
    (rec->>'eventName' = 'AssumeRole' AND rec->'userIdentity'->>'type' IS DISTINCT FROM 'AWSService')
    OR rec->>'eventName' IN ('ConsoleLogin', 'StopLogging', 'DeleteTrail', 'UpdateTrail',
        'PutEventSelectors', 'StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel',
        'PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'UpdateAssumeRolePolicy')
    OR rec->'userIdentity'->>'type' IN ('IAMUser', 'Root')
    OR (rec->>'recipientAccountId') IS DISTINCT FROM path_account
"""

#: One scan of the files: each parsed whole (yyjson, in DuckDB's threads), its ``Records`` array split
#: into records as JSON text, and only the records the prefilter keeps given the members the queries
#: read, in the columns of AWS's documented Athena table for CloudTrail (``responseElements`` only for
#: console sign-ins, the one event whose answer a query reads: an AssumeRole's holds credentials, a third
#: of the record). A file whose ``Records`` is not an array leaves one row of NULLs with its ``shape``,
#: so that it is named rather than read as empty. Measured (benchmarks/RESULTS.md, "Activity logs"):
#: converting every record to a struct in the scan (``read_json`` with a ``columns`` type) cost five
#: times the parse itself, whatever the members named.
_SCAN = f"""
CREATE OR REPLACE TEMP TABLE cloudtrail_scan AS
SELECT
    filename AS "$path",
    path_account,
    shape,
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
    CASE WHEN r.eventName = 'ConsoleLogin' THEN r.responseElements END AS responseelements,
    r.additionalEventData AS additionaleventdata
FROM (
    SELECT filename, path_account, shape,
        CASE WHEN rec IS NOT NULL THEN json_transform(rec, '{json.dumps(RECORD_STRUCTURE)}') END AS r
    FROM (
        SELECT filename, regexp_extract(filename, 'AWSLogs/(?:o-[a-z0-9]+/)?([0-9]{{12}})/', 1) AS path_account,
            json_type(json, '$.Records') AS shape,
            unnest(CASE WHEN json_type(json, '$.Records') = 'ARRAY' THEN json_extract(json, '$.Records[*]')
                ELSE [NULL::JSON] END) AS rec
        FROM read_json_objects($files, filename = true, format = 'auto', maximum_object_size = {{object_size}})
    )
    WHERE rec IS NULL OR {PREFILTER}
)
"""  # noqa: S608 (built from this module's constants, no outside text)

#: The kept records, as the detection queries read them (Athena's ``cloudtrail_logs``).
_LOAD = """
CREATE OR REPLACE TEMP VIEW cloudtrail_logs AS
SELECT * EXCLUDE (shape) FROM cloudtrail_scan WHERE shape = 'ARRAY'
"""


@dataclass(frozen=True, slots=True)
class LogRows:
    """What the queries returned: rows as dicts (file paths as DuckDB saw them)."""

    events: dict[str, list[dict[str, Any]]]  # query name -> rows
    aggregates: dict[str, list[dict[str, Any]]]
    misplaced: list[dict[str, Any]]  # records whose recipientAccountId is not the path's account
    malformed: list[dict[str, Any]] = field(default_factory=list)  # files whose Records is not an array


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


#: At most this many DuckDB threads: the scan is I/O and decompression; more threads only add buffers.
MAX_THREADS = 4
_MIB = 1 << 20


def document_size(path: str | Path) -> int:
    """The decompressed size of a log file: its gzip trailer's ISIZE (the loader has checked that it is
    one gzip stream within the per-file limit), or its size when it is plain JSON."""
    with open(path, "rb") as handle:
        if handle.read(2) != b"\x1f\x8b":
            return os.fstat(handle.fileno()).st_size
        handle.seek(-4, os.SEEK_END)
        return int(struct.unpack("<I", handle.read(4))[0])


def object_size_for(largest: int) -> int:
    """``maximum_object_size`` for documents up to ``largest`` bytes: a power of two, at least 1 MiB."""
    size = _MIB
    while size <= largest:
        size <<= 1
    return size


def memory_budget(object_size: int, threads: int) -> int:
    """Room for the reader's buffers (two object sizes per file in flight, up to two files per thread)
    plus 512 MiB for the table and the queries (which spill beyond it)."""
    return 4 * object_size * threads + 512 * _MIB


def connect(
    temp_directory: str, threads: int | None = None, memory_limit: int | None = None
) -> duckdb.DuckDBPyConnection:
    threads = max(1, min(threads or os.cpu_count() or 1, MAX_THREADS))
    config: dict[str, str | bool | int | float | list[str]] = {
        "threads": threads,
        "memory_limit": f"{memory_limit or 1024 * _MIB}B",
        "preserve_insertion_order": False,
        "temp_directory": temp_directory,
    }
    con = duckdb.connect(config=config)
    con.execute("SET enable_progress_bar = false")  # it writes to the terminal of whoever runs trustmap
    con.execute("CREATE OR REPLACE MACRO json_extract_scalar(j, p) AS json_extract_string(j, p)")
    return con


def load_records(con: duckdb.DuckDBPyConnection, files: Sequence[str], object_size: int) -> None:
    """Fill ``cloudtrail_logs`` from the log files (at least one), none larger than ``object_size``."""
    con.execute(_SCAN.replace("{object_size}", str(int(object_size))), {"files": list(files)})
    con.execute(_LOAD)


def read_records(files: Sequence[str], *, threads: int | None = None, memory_limit: int | None = None) -> LogRows:
    """Run every query over the log files: one in-memory DuckDB, closed (and its spill folder removed)
    before returning. Raises ``duckdb.Error`` when the files cannot be read."""
    object_size = object_size_for(max(document_size(f) for f in files))
    threads = max(1, min(threads or os.cpu_count() or 1, MAX_THREADS))
    spill = tempfile.mkdtemp(prefix="trustmap-duckdb-")
    try:
        con = connect(spill, threads, memory_limit or memory_budget(object_size, threads))
        try:
            load_records(con, files, object_size)
            return run_queries(con)
        finally:
            con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def run_queries(con: duckdb.DuckDBPyConnection) -> LogRows:
    events = {name: _rows(con, query_text(name)) for name in EVENT_QUERIES}
    aggregates = {name: _rows(con, query_text(name)) for name in AGGREGATE_QUERIES}
    misplaced = _rows(
        con,
        'SELECT "$path" AS log_file, eventid AS event_id, recipientaccountid AS account_id, path_account '
        "FROM cloudtrail_logs WHERE recipientaccountid IS DISTINCT FROM path_account",
    )
    malformed = _rows(
        con,
        """SELECT DISTINCT "$path" AS log_file, coalesce(shape, 'missing') AS shape """
        "FROM cloudtrail_scan WHERE shape IS DISTINCT FROM 'ARRAY' ORDER BY 1",
    )
    return LogRows(events, aggregates, misplaced, malformed)
