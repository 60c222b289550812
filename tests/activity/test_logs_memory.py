"""DuckDB's reading of log files stays within a small memory limit whatever the number of files.

The JSON reader allocates a buffer of twice ``maximum_object_size`` for each file in flight; with the
former fixed 64 MiB (128 MiB before) a handful of tiny files needed several hundred MiB, and the ACT
fixtures ran out of the 1 GB limit under the full suite. The size now follows the largest file.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from analyzer.activity.build import iam_user, record
from analyzer.activity.logs import connect, document_size, load_records, object_size_for, read_records
from analyzer.synth import ids

ACCOUNT = "111111111111"


def _log_files(folder: Path, count: int) -> list[str]:
    files = []
    for index in range(count):
        when = ids.utc(f"2026-11-18T{index % 24:02d}:{index % 60:02d}:00Z")
        login = record(
            "ConsoleLogin",
            "signin.amazonaws.com",
            when,
            ACCOUNT,
            iam_user(ACCOUNT, f"user{index}"),
            response={"ConsoleLogin": "Success"},
            additional={"MFAUsed": "No"},
            event_id=f"event-{index:04d}",
        )
        path = folder / f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/18/{index:04d}.json.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(json.dumps({"Records": [login]}).encode(), mtime=0))
        files.append(str(path))
    return files


def test_many_small_files_are_read_within_a_256_mib_limit(tmp_path: Path) -> None:
    files = _log_files(tmp_path, 60)
    rows = read_records(files, threads=4, memory_limit=256 << 20)
    assert len(rows.events["console_logins"]) == 60
    assert {r["user_name"] for r in rows.aggregates["iam_user_activity"]} == {f"user{i}" for i in range(60)}


def test_the_object_size_follows_the_largest_decompressed_file(tmp_path: Path) -> None:
    (small,) = _log_files(tmp_path, 1)
    assert document_size(small) == len(gzip.decompress(Path(small).read_bytes()))
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"Records": []}))
    assert document_size(plain) == plain.stat().st_size
    assert object_size_for(10) == 1 << 20
    assert object_size_for((1 << 20) + 1) == 2 << 20
    assert object_size_for(40 << 20) == 64 << 20


def test_a_document_larger_than_the_object_size_is_still_read_whole(tmp_path: Path) -> None:
    """``maximum_object_size`` sizes DuckDB's buffers; a larger file is read completely, never cut short."""
    user = iam_user(ACCOUNT, "busy")
    records = [
        record("GetObject", "s3.amazonaws.com", ids.utc("2026-11-18T01:00:00Z"), ACCOUNT, user, event_id=f"e{i}")
        for i in range(6000)
    ]
    path = tmp_path / f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/11/18/big.json.gz"
    path.parent.mkdir(parents=True)
    raw = json.dumps({"Records": records}).encode()
    assert len(raw) > 2 << 20
    path.write_bytes(gzip.compress(raw, mtime=0))
    spill = tmp_path / "spill"
    spill.mkdir()
    con = connect(str(spill), threads=1)
    try:
        load_records(con, [str(path)], object_size_for(0))  # 1 MiB
        assert con.execute("SELECT count(*) FROM cloudtrail_logs").fetchone() == (6000,)
    finally:
        con.close()


def test_spills_go_to_the_given_private_folder(tmp_path: Path) -> None:
    """Not DuckDB's default ``.tmp`` of the current directory (an in-memory database's spill place)."""
    con = connect(str(tmp_path), threads=1)
    try:
        assert con.execute("SELECT current_setting('temp_directory')").fetchone() == (str(tmp_path),)
    finally:
        con.close()


def test_a_file_whose_records_are_not_an_array_is_named_not_read_as_empty(tmp_path: Path) -> None:
    """A hostile file with ``"Records": {}`` (or none) must not pass as a file without events."""
    (good,) = _log_files(tmp_path, 1)
    odd = Path(good).with_name("odd.json")
    odd.write_text(json.dumps({"Records": {"eventName": "ConsoleLogin"}}))
    none = Path(good).with_name("none.json")
    none.write_text(json.dumps({"records": []}))
    rows = read_records([good, str(odd), str(none)])
    assert len(rows.events["console_logins"]) == 1
    assert sorted((Path(r["log_file"]).name, r["shape"]) for r in rows.malformed) == [
        ("none.json", "missing"),
        ("odd.json", "OBJECT"),
    ]
