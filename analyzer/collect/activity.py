"""``trustmap collect --activity --since DATE [--until DATE]``: the period's CloudTrail objects of the
central bucket, copied byte for byte, with what makes them verifiable offline.

From the account that owns the bucket (read-only: ``s3:ListBucket``, ``s3:GetObject``, which also
authorizes HeadObject):

* the bucket is listed level by level (``list-objects-v2`` with a ``/`` delimiter) under each prefix the
  trails deliver to, down to ``AWSLogs/[<o-org>/]<account>/CloudTrail[-Digest]/<region>/``, then one
  listing per day of the period (digests also the day after, since the digest covering the last hours
  of a day is written after midnight); the listings are kept, per account, as
  ``<owner>/s3/<bucket>/list-objects-v2/<account>.json`` (they prove delivery);
* every listed log and digest object is downloaded to ``<owner>/s3/<bucket>/<key>`` (a copy of the
  bucket's tree, which the loader recognises anywhere), and ``head-object`` of each digest is kept
  beside it (its ``signature`` metadata); a log file a downloaded digest lists but the day folders did
  not hold (delivered the day before the period) is fetched by its key, so the digest can be checked;
* ``cloudtrail list-public-keys`` for the period, in each region with digests.

Where the bucket cannot be listed (no bucket found, its owner unreachable, access denied), each
collected account's management events come from ``cloudtrail lookup-events`` over the period in each
of its regions instead (``<account>/<region>/cloudtrail/lookup-events.json``), every page of it.

Resumable: an object already on disk with the listed size, and a complete JSON file, are not fetched
again; every file is written whole under a temporary name and renamed.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from analyzer.collect.aws import CALL_ERRORS, AccountSessions, call, failure_of
from analyzer.collect.operations import Operation, operation
from analyzer.collect.store import BundleStore, CallRecord
from analyzer.collect.tasks import Progress

LIST_OBJECTS = operation("s3", "ListObjectsV2")
GET_OBJECT = operation("s3", "GetObject")
HEAD_OBJECT = operation("s3", "HeadObject")
LIST_PUBLIC_KEYS = operation("cloudtrail", "ListPublicKeys")
LOOKUP_EVENTS = operation("cloudtrail", "LookupEvents")

_ACCOUNT_FOLDER = re.compile(r"(?:o-[a-z0-9]{10,32}/)?[0-9]{12}/$")
_KINDS = ("CloudTrail", "CloudTrail-Digest")


@dataclass(frozen=True, slots=True)
class Period:
    """The evidence period, days inclusive (manifest ``activity_period``)."""

    start: date
    end: date

    def days(self, extra: int = 0) -> list[date]:
        return [self.start + timedelta(days=d) for d in range((self.end - self.start).days + 1 + extra)]

    def as_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(slots=True)
class ActivityTally:
    downloaded: int = 0
    reused: int = 0
    failed: int = 0
    source: str = "bucket"  # bucket | lookup-events
    warnings: list[str] = field(default_factory=list)


class ActivityCollector:
    """One collection of the period's activity evidence (called after the central bucket is known)."""

    def __init__(self, sessions: AccountSessions, store: BundleStore, progress: Progress, period: Period) -> None:
        self.sessions = sessions
        self.store = store
        self.progress = progress
        self.period = period
        self.tally = ActivityTally()

    # ------------------------------------------------------------------ the bucket

    def from_bucket(self, bucket: str, owner: str, region: str, prefixes: Iterable[str]) -> bool:
        """Copy the period's objects; False when the bucket cannot be listed at all."""
        client = self.sessions.client(owner, "s3", region)
        listings: dict[str, list[dict[str, Any]]] = {}  # account -> listed objects
        listed_any = False
        for prefix in sorted(set(prefixes)) or [""]:
            roots = self._folders(client, owner, bucket, f"{prefix}AWSLogs/")
            if roots is None:
                continue
            listed_any = True
            for account_folder in self._account_folders(client, owner, bucket, roots):
                account = account_folder.rstrip("/").rsplit("/", 1)[-1]
                for kind in _KINDS:
                    regions = self._folders(client, owner, bucket, f"{account_folder}{kind}/") or []
                    for region_folder in regions:
                        extra = 1 if kind == "CloudTrail-Digest" else 0
                        for day in self.period.days(extra):
                            found = self._list(client, owner, bucket, f"{region_folder}{day:%Y/%m/%d}/")
                            listings.setdefault(account, []).extend(found or [])
        if not listed_any:
            return False
        base = f"{owner}/s3/{bucket}"
        for account, objects in sorted(listings.items()):
            objects.sort(key=lambda o: str(o.get("Key")))
            self.store.write(f"{base}/list-objects-v2/{account}.json", {"Contents": objects})
            self.progress.expect(len(objects))
            for entry in objects:
                self._download(client, owner, bucket, base, str(entry["Key"]), entry.get("Size"))
        self._listed_by_digests(client, owner, bucket, base, prefixes)
        self._public_keys(owner, {r for objects in listings.values() for r in _digest_regions(objects)})
        return True

    def _folders(self, client: Any, owner: str, bucket: str, prefix: str) -> list[str] | None:
        """The sub-folders (common prefixes) under ``prefix``; None when the listing failed."""
        try:
            found = call(client, LIST_OBJECTS.name, {"Bucket": bucket, "Prefix": prefix, "Delimiter": "/"})
        except CALL_ERRORS as exc:
            self._failed(LIST_OBJECTS, owner, None, f"{bucket}/{prefix}", exc)
            return None
        self.store.record(CallRecord(LIST_OBJECTS.label, owner, None, None, "ok"))
        return sorted(str(p["Prefix"]) for p in found.get("CommonPrefixes") or () if "Prefix" in p)

    def _account_folders(self, client: Any, owner: str, bucket: str, roots: list[str]) -> list[str]:
        found = []
        for folder in roots:
            name = folder.rsplit("/", 2)[-2] + "/"
            if re.fullmatch(r"[0-9]{12}/", name):
                found.append(folder)
            elif name.startswith("o-"):  # an organization trail's folder: the accounts are one level down
                found += [f for f in self._folders(client, owner, bucket, folder) or () if _ACCOUNT_FOLDER.search(f)]
        return found

    def _list(self, client: Any, owner: str, bucket: str, prefix: str) -> list[dict[str, Any]] | None:
        try:
            found = call(client, LIST_OBJECTS.name, {"Bucket": bucket, "Prefix": prefix})
        except CALL_ERRORS as exc:
            self._failed(LIST_OBJECTS, owner, None, f"{bucket}/{prefix}", exc)
            return None
        self.store.record(CallRecord(LIST_OBJECTS.label, owner, None, None, "ok"))
        return [dict(o) for o in found.get("Contents") or () if isinstance(o.get("Key"), str)]

    def _download(self, client: Any, owner: str, bucket: str, base: str, key: str, size: Any) -> None:
        target = self.store.path(f"{base}/{key}")
        try:
            if target.is_file() and (not isinstance(size, int) or target.stat().st_size == size):
                self.tally.reused += 1
            else:
                try:
                    body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
                except CALL_ERRORS as exc:
                    self._failed(GET_OBJECT, owner, None, f"{bucket}/{key}", exc)
                    return
                _write_bytes(target, body)
                self.tally.downloaded += 1
            if "/CloudTrail-Digest/" in key:
                head = f"{base}/{key}.head-object.json"
                if self.store.complete(head) is None:
                    try:
                        self.store.write(head, call(client, HEAD_OBJECT.name, {"Bucket": bucket, "Key": key}))
                    except CALL_ERRORS as exc:
                        self._failed(HEAD_OBJECT, owner, None, f"{bucket}/{key}", exc)
        finally:
            self.progress.advance()

    def _listed_by_digests(self, client: Any, owner: str, bucket: str, base: str, prefixes: Iterable[str]) -> None:
        """Fetch the log files the downloaded digests list that the day folders did not hold."""
        root = self.store.path(base)
        wanted: set[str] = set()
        for digest in sorted(root.rglob("*_CloudTrail-Digest_*.json*")):
            if digest.name.endswith(".head-object.json"):
                continue
            try:
                document = json.loads(_content(digest.read_bytes()))
            except (OSError, ValueError, zlib.error, EOFError):
                continue  # the analysis reports an unreadable digest
            # the digest's own key says where the bucket's AWSLogs/ tree starts (the trail's prefix)
            own = digest.relative_to(root).as_posix()
            prefix = own[: own.find("AWSLogs/")] if "AWSLogs/" in own else ""
            for entry in document.get("logFiles") or () if isinstance(document, dict) else ():
                listed = entry.get("s3Object") if isinstance(entry, dict) else None
                if not isinstance(listed, str) or "AWSLogs/" not in listed or entry.get("s3Bucket") != bucket:
                    continue
                key = prefix + listed[listed.find("AWSLogs/") :]
                if not (root / key).is_file():
                    wanted.add(key)
        self.progress.expect(len(wanted))
        for key in sorted(wanted):
            self._download(client, owner, bucket, base, key, None)

    def _public_keys(self, owner: str, regions: set[str]) -> None:
        start = datetime.combine(self.period.start - timedelta(days=1), time(), UTC)
        end = datetime.combine(self.period.end + timedelta(days=2), time(), UTC)
        for region in sorted(regions):
            file = f"{owner}/{region}/cloudtrail/list-public-keys.json"
            self._fetch_file(LIST_PUBLIC_KEYS, owner, region, file, {"StartTime": start, "EndTime": end})

    # ------------------------------------------------------------------ lookup-events

    def lookup_events(self, account: str, regions: Iterable[str]) -> None:
        """The fallback: each region's management events over the period (every page)."""
        self.tally.source = "lookup-events"
        start = datetime.combine(self.period.start, time(), UTC)
        end = datetime.combine(self.period.end + timedelta(days=1), time(), UTC)
        for region in sorted(set(regions)):
            file = f"{account}/{region}/cloudtrail/lookup-events.json"
            self._fetch_file(LOOKUP_EVENTS, account, region, file, {"StartTime": start, "EndTime": end})

    # ------------------------------------------------------------------ shared

    def _fetch_file(self, op: Operation, account: str, region: str, file: str, params: dict[str, Any]) -> None:
        self.progress.expect(1)
        try:
            if self.store.complete(file) is not None:
                self.store.record(CallRecord(op.label, account, region, file, "reused"))
                return
            try:
                document = call(self.sessions.client(account, op.service, region), op.name, params)
            except CALL_ERRORS as exc:
                failure = failure_of(exc)
                self.store.write_error(file, failure.code, failure.message)
                self.store.record(CallRecord(op.label, account, region, file, "failed", failure.code))
                self.tally.failed += 1
                return
            self.store.write(file, document)
            self.store.record(CallRecord(op.label, account, region, file, "ok"))
        finally:
            self.progress.advance()

    def _failed(self, op: Operation, account: str, region: str | None, what: str, exc: Exception) -> None:
        failure = failure_of(exc)
        self.store.record(CallRecord(op.label, account, region, None, "failed", failure.code))
        self.tally.failed += 1
        self.tally.warnings.append(f"{op.label} {what}: {failure.code}: {failure.message}")


def _digest_regions(objects: Iterable[dict[str, Any]]) -> set[str]:
    found = set()
    for entry in objects:
        parts = str(entry.get("Key", "")).split("/")
        if "CloudTrail-Digest" in parts:
            index = parts.index("CloudTrail-Digest")
            if index + 1 < len(parts):
                found.add(parts[index + 1])
    return found


def _content(data: bytes) -> bytes:
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _write_bytes(target: Path, body: bytes) -> None:
    """The object as downloaded, never half written (a temporary file renamed over the target)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
