"""From a loaded bundle's activity files to the :class:`ActivityEvidence` the ACT rules read.

The loader has placed every activity file (kind, account, region, object key), resolved copies of one
object (identical: read once; different: a conflict, none used) and hashed each log file's
decompressed content. Here the used files are read: digests, head-object metadata, public keys,
listings and lookup-events in Python (they are small), log files with DuckDB.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from analyzer.activity.digests import (
    Digest,
    LogFileFact,
    covered_days,
    hexdigest,
    unlisted,
    unverified_files,
    verify,
)
from analyzer.activity.logs import LogRows, read_records
from analyzer.evidence.activity_files import LogFileError, content_of
from analyzer.evidence.activity_paths import DIGEST_KEY_RE, LOG_KEY_RE, object_key
from analyzer.evidence.bundle import Bundle, Limits
from analyzer.evidence.timestamps import parse_ts
from analyzer.model.activity import (
    ActivityEvent,
    ActivityEvidence,
    IntegrityIssue,
    IntegritySummary,
    UnverifiedFile,
    UserActivity,
)
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import ACTIVITY_KINDS, Kind
from analyzer.model.snapshot import InventoryRow, Snapshot


@dataclass(slots=True)
class _Files:
    """The activity files to read, by kind: (bundle path, account, region, item) of each used file."""

    used: dict[Kind, list[tuple[str, str, str, str]]] = field(default_factory=dict)
    blocked: dict[str, list[str]] = field(default_factory=dict)
    unusable_logs: dict[str, str] = field(default_factory=dict)  # log key -> why


def _files(snapshot: Snapshot) -> _Files:
    found = _Files()
    for (account, region, kind_value, item), state in snapshot.states.items():
        kind = Kind(kind_value)
        if kind not in ACTIVITY_KINDS:
            continue
        if state.usable and state.files:
            found.used.setdefault(kind, []).append((state.files[0], account, region, item))
            continue
        found.blocked.setdefault(account, []).append(state.describe())
        if kind is Kind.CT_LOG_FILE:
            found.unusable_logs[item] = state.describe()
    for paths in found.used.values():
        paths.sort()
    return found


def _period(bundle: Bundle, log_days: set[date]) -> tuple[tuple[date, date] | None, str]:
    try:
        manifest = json.loads(bundle.read("manifest.json"))
    except Exception:  # no manifest, or one the loader already reports
        manifest = {}
    declared = manifest.get("activity_period") if isinstance(manifest, dict) else None
    if isinstance(declared, dict):
        try:
            start, end = parse_ts(_as_ts(declared.get("start"))), parse_ts(_as_ts(declared.get("end")))
        except ValueError:
            start = end = None
        if start is not None and end is not None and start <= end:
            return (start.date(), end.date()), "manifest"
    if log_days:
        return (min(log_days), max(log_days)), "files"
    return None, "none"


def _as_ts(value: Any) -> Any:
    return f"{value}T00:00:00Z" if isinstance(value, str) and len(value) == 10 else value


def _day(match_y: str, match_m: str, match_d: str) -> date | None:
    try:
        return date(int(match_y), int(match_m), int(match_d))
    except ValueError:
        return None


@contextmanager
def _local_log_files(bundle: Bundle, paths: list[str]) -> Iterator[dict[str, str]]:
    """Filesystem paths DuckDB can read, for each bundle path: the files themselves in a directory
    bundle, copies in a temporary folder (removed afterwards) for an archive."""
    if not bundle.is_archive:
        yield {str(bundle.path / p): p for p in paths}
        return
    folder = Path(tempfile.mkdtemp(prefix="trustmap-activity-"))
    try:
        local: dict[str, str] = {}
        for index, path in enumerate(paths):
            target = folder / f"{index:08d}_{path.rsplit('/', 1)[-1]}"
            target.write_bytes(bundle.read(path))
            local[str(target)] = path
        yield local
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def read_activity(bundle_path: Path | str, snapshot: Snapshot, limits: Limits | None = None) -> ActivityEvidence:
    """The activity evidence of a bundle (``period`` None when it holds none)."""
    files = _files(snapshot)
    if not files.used and not files.blocked:
        return ActivityEvidence(period=None, period_source="none")
    limits = limits or Limits()
    rows_by_path: dict[str, InventoryRow] = {r.path: r for r in snapshot.inventory if r.kind == Kind.CT_LOG_FILE.value}
    with Bundle(Path(bundle_path), limits) as bundle:
        return _read(bundle, snapshot, files, rows_by_path, limits)


def _read(
    bundle: Bundle, snapshot: Snapshot, files: _Files, rows_by_path: dict[str, InventoryRow], limits: Limits
) -> ActivityEvidence:
    blocked = {a: list(v) for a, v in files.blocked.items()}
    sources: dict[str, set[str]] = {}
    delivery: dict[tuple[str, str], set[date]] = {}
    log_entries = files.used.get(Kind.CT_LOG_FILE, [])
    logs: dict[str, LogFileFact] = {k: LogFileFact("", "", why) for k, why in files.unusable_logs.items()}
    delivered: list[tuple[str, str, str, datetime]] = []
    for path, account, region, key in log_entries:
        match = LOG_KEY_RE.fullmatch(key)
        day = _day(match["y"], match["m"], match["d"]) if match else None
        if day is not None:
            delivery.setdefault((account, region), set()).add(day)
            stamp = datetime.strptime(match["stamp"], "%Y%m%dT%H%MZ").replace(tzinfo=UTC) if match else None
            if stamp is not None:
                delivered.append((key, account, region, stamp))
        row = rows_by_path.get(path)
        logs[key] = LogFileFact(path, row.content_sha256 if row else "")
        sources.setdefault(account, set()).add("log files")
    listed_days = _listing_days(bundle, files, sources, limits)
    for place, days in listed_days.items():
        delivery.setdefault(place, set()).update(days)
    period, period_source = _period(bundle, {d for days in delivery.values() for d in days})
    rows = _log_rows(bundle, [p for p, *_ in log_entries], blocked)
    lookup_rows, lookup_accounts = _lookup_rows(bundle, files, {a for _, a, _, _ in log_entries}, blocked, sources)
    events = _events(rows, lookup_rows, blocked=blocked)
    misplaced = rows.misplaced if rows else []
    for record in misplaced:
        blocked.setdefault(record["path_account"] or "", []).append(
            f"{record['log_file']}: a record for account {record['account_id']} in account "
            f"{record['path_account']}'s log folder (event {record['event_id']})"
        )
    checked = _integrity(bundle, snapshot, files, logs, delivered, limits, period[0] if period else None)
    integrity, summary, unverified = checked.issues, checked.summary, checked.unverified
    if period is None and (integrity or events):
        period_source = "none"
    users = _user_activity(rows, lookup_rows, blocked=blocked)
    return ActivityEvidence(
        period=period,
        period_source=period_source,
        delivery_days={place: frozenset(days) for place, days in sorted(delivery.items())},
        sources={a: tuple(sorted(s)) for a, s in sorted(sources.items())},
        event_accounts=frozenset({a for _, a, _, _ in log_entries} | lookup_accounts),
        events=events,
        mfa_deciders=_mfa_deciders(rows, lookup_rows),
        user_activity=users,
        integrity=tuple(integrity),
        integrity_summary=summary,
        unverified=tuple(unverified),
        digest_days={place: frozenset(days) for place, days in sorted(checked.digest_days.items())},
        blocked={a: tuple(sorted(set(v))) for a, v in sorted(blocked.items()) if v},
    )


def _listing_days(
    bundle: Bundle, files: _Files, sources: dict[str, set[str]], limits: Limits
) -> dict[tuple[str, str], set[date]]:
    found: dict[tuple[str, str], set[date]] = {}
    for path, *_ in files.used.get(Kind.S3_LIST_OBJECTS, []):
        document = _json(bundle, path, limits)
        for entry in document.get("Contents") or () if isinstance(document, dict) else ():
            key = entry.get("Key") if isinstance(entry, dict) else None
            match = LOG_KEY_RE.fullmatch(object_key(key)) if isinstance(key, str) else None
            day = _day(match["y"], match["m"], match["d"]) if match else None
            if match and day is not None:
                found.setdefault((match["account"], match["region"]), set()).add(day)
                sources.setdefault(match["account"], set()).add("listing")
    return found


def _json(bundle: Bundle, path: str, limits: Limits) -> Any:
    return json.loads(content_of(bundle.read(path), limits.max_member_bytes).decode("utf-8-sig"))


def _log_rows(bundle: Bundle, paths: list[str], blocked: dict[str, list[str]]) -> LogRows | None:
    if not paths:
        return None
    with _local_log_files(bundle, paths) as local:
        try:
            rows = read_records(sorted(local))
        except Exception as exc:  # duckdb.Error and what it wraps: the records could not be read
            for account in {LOG_KEY_RE.search(p)["account"] for p in paths if LOG_KEY_RE.search(p)}:  # type: ignore[index]
                blocked.setdefault(account, []).append(f"log files could not be read: {exc}")
            return None
    for found in (*rows.events.values(), rows.misplaced, rows.malformed):
        for row in found:
            row["log_file"] = local.get(row["log_file"], row["log_file"])
    for row in rows.malformed:
        match = LOG_KEY_RE.search(row["log_file"])
        blocked.setdefault(match["account"] if match else "", []).append(
            f"{row['log_file']}: its Records member is {row['shape'].lower()}, not an array of records "
            "(not a CloudTrail log file as delivered)"
        )
    return rows


def _lookup_rows(
    bundle: Bundle, files: _Files, with_logs: set[str], blocked: dict[str, list[str]], sources: dict[str, set[str]]
) -> tuple[LogRows | None, set[str]]:
    """lookup-events output, the fallback for accounts without log files: its records go through the
    same queries (written as one temporary log file per export)."""
    entries = [e for e in files.used.get(Kind.CT_LOOKUP_EVENTS, []) if e[1] not in with_logs]
    if not entries:
        return None, set()
    folder = Path(tempfile.mkdtemp(prefix="trustmap-lookup-"))
    try:
        local: dict[str, str] = {}
        for index, (path, account, region, _) in enumerate(entries):
            document = _json(bundle, path, Limits())
            records = []
            for event in document.get("Events") or ():
                try:
                    records.append(json.loads(event["CloudTrailEvent"]))
                except (ValueError, KeyError, TypeError):
                    blocked.setdefault(account, []).append(f"{path}: an event whose CloudTrailEvent is not JSON")
            name = f"AWSLogs/{account}/CloudTrail/{region}/lookup-{index:06d}.json"
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps({"Records": records}), encoding="utf-8")
            local[str(target)] = path
            sources.setdefault(account, set()).add("lookup-events")
        rows = read_records(sorted(local))
        for found in (*rows.events.values(), rows.misplaced):
            for row in found:
                row["log_file"] = local.get(row["log_file"], row["log_file"])
        return rows, {account for _, account, _, _ in entries}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _events(*parts: LogRows | None, blocked: dict[str, list[str]]) -> tuple[ActivityEvent, ...]:
    """The selected records as events, one per (query, account, eventID).

    Nothing selected is dropped silently: a record whose ``eventTime`` is not a time, and two different
    records under one ``eventID`` (CloudTrail gives each event one), are reasons in ``blocked`` for their
    account, so no pass rests on the rest. Identical copies are one event, cited from the first file by name.
    """
    kept: dict[tuple[str, str, str], ActivityEvent] = {}
    events: list[ActivityEvent] = []
    differing: dict[tuple[str, str, str], set[str]] = {}
    for rows in parts:
        if rows is None:
            continue
        for category, found in rows.events.items():
            for row in sorted(found, key=lambda r: (r["log_file"], r["event_id"] or "")):
                account = row["account_id"] or ""
                try:
                    time = parse_ts(row["event_time"])
                except ValueError:
                    time = None
                if time is None:
                    blocked.setdefault(account, []).append(
                        f"{row['log_file']}: a {row['event_name'] or 'CloudTrail'} record (event "
                        f"{row['event_id'] or 'without an ID'}) whose eventTime {row['event_time']!r} is not a time: "
                        "it cannot be placed in the period"
                    )
                    continue
                event = _event(category, row, time)
                key = (category, account, event.event_id)
                first = kept.get(key) if event.event_id else None
                if first is None:
                    kept[key] = event
                    events.append(event)
                elif dataclasses.replace(event, ref=first.ref) != first:
                    differing.setdefault(key, {first.ref.file}).add(event.ref.file)
    for (category, account, event_id), paths in sorted(differing.items()):
        name = kept[(category, account, event_id)].name or "CloudTrail"
        blocked.setdefault(account, []).append(
            f"two different {name} records with event ID {event_id} ({', '.join(sorted(paths))}): "
            "CloudTrail gives each event one ID, so at least one was not delivered as it is"
        )
    events.sort(key=lambda e: (e.time, e.account_id, e.event_id, e.category))
    return tuple(events)


def _event(category: str, row: dict[str, Any], time: datetime) -> ActivityEvent:
    return ActivityEvent(
        category=category,
        event_id=row["event_id"] or "",
        account_id=row["account_id"] or "",
        region=row["region"] or "",
        time=time,
        source=row["event_source"] or "",
        name=row["event_name"] or "",
        identity_type=row["identity_type"] or "",
        principal_arn=row["principal_arn"] or "",
        user_name=row["user_name"] or "",
        caller_account=row["caller_account"] or "",
        issuer_arn=row["issuer_arn"] or "",
        session_mfa=(row["session_mfa"] or "").lower(),
        source_ip=row["source_ip"] or "",
        error_code=row["error_code"] or "",
        shared_event_id=row["shared_event_id"] or "",
        mfa_used=row["mfa_used"] or "",
        outcome=row["outcome"] or "",
        target=row["target"] or "",
        ref=EvidenceRef(row["log_file"]),
    )


def _mfa_deciders(*parts: LogRows | None) -> frozenset[tuple[str, str, date | None]]:
    found: set[tuple[str, str, date | None]] = set()
    for rows in parts:
        for row in rows.aggregates.get("assume_role_deciders", []) if rows else ():
            try:
                day: date | None = date.fromisoformat(row["event_day"] or "")
            except ValueError:
                day = None  # no date to set against the period: counted whatever the period
            found.add((row["role_account"] or "", row["account_id"] or "", day))
    return frozenset(found)


def _user_activity(*parts: LogRows | None, blocked: dict[str, list[str]]) -> tuple[UserActivity, ...]:
    found: list[UserActivity] = []
    for rows in parts:
        if rows is None:
            continue
        for row in rows.aggregates.get("iam_user_activity", []):
            try:
                first, last = parse_ts(row["first_event"]), parse_ts(row["last_event"])
            except ValueError:
                first = last = None
            if first is None or last is None:
                blocked.setdefault(row["account_id"] or "", []).append(
                    f"the activity of {row['principal_arn'] or row['user_name']} ({row['events']} records) has an "
                    f"eventTime that is not a time ({row['first_event']!r} to {row['last_event']!r}): "
                    "it cannot be placed in the period"
                )
                continue
            found.append(
                UserActivity(
                    account_id=row["account_id"] or "",
                    principal_arn=row["principal_arn"] or "",
                    user_name=row["user_name"] or "",
                    events=int(row["events"]),
                    first_event=first,
                    last_event=last,
                    source_ips=tuple(sorted(ip for ip in row["source_ips"] or () if ip)),
                    event_names=tuple(sorted(n for n in row["event_names"] or () if n)),
                )
            )
    found.sort(key=lambda u: (u.account_id, u.principal_arn))
    return tuple(found)


@dataclass(slots=True)
class _Checked:
    """What the integrity check found (see :class:`ActivityEvidence` for each part)."""

    issues: list[IntegrityIssue]
    summary: dict[tuple[str, str], IntegritySummary]
    unverified: list[UnverifiedFile]
    digest_days: dict[tuple[str, str], set[date]]


def _integrity(
    bundle: Bundle,
    snapshot: Snapshot,
    files: _Files,
    logs: dict[str, LogFileFact],
    delivered: list[tuple[str, str, str, datetime]],
    limits: Limits,
    period_start: date | None,
) -> _Checked:
    heads: dict[str, dict[str, Any]] = {}
    for path, _, _, key in files.used.get(Kind.S3_HEAD_OBJECT, []):
        document = _json(bundle, path, limits)
        if isinstance(document, dict) and isinstance(document.get("Metadata"), dict):
            heads[key] = document["Metadata"]
    keys: dict[str, dict[str, str]] = {}
    clashing: set[tuple[str, str]] = set()
    for path, _, region, _ in files.used.get(Kind.CT_PUBLIC_KEYS, []):
        document = _json(bundle, path, limits)
        for entry in (
            (document.get("PublicKeyList") or document.get("publicKeyList") or ()) if isinstance(document, dict) else ()
        ):
            fingerprint, value = str(entry.get("Fingerprint", "")).lower(), str(entry.get("Value", ""))
            known = keys.setdefault(region, {}).get(fingerprint)
            if known is not None and known != value:
                clashing.add((region, fingerprint))
            keys[region][fingerprint] = value
    for region, fingerprint in clashing:  # two different keys under one fingerprint: neither is trusted
        del keys[region][fingerprint]
    digests: list[Digest] = []
    issues: list[IntegrityIssue] = []
    for path, account, region, key in files.used.get(Kind.CT_DIGEST_FILE, []):
        try:
            raw = content_of(bundle.read(path), limits.max_member_bytes)
            document = json.loads(raw)
        except (LogFileError, ValueError) as exc:
            issues.append(
                IntegrityIssue(
                    account_id=account,
                    region=region,
                    problem="format",
                    object_key=key,
                    message=f"digest file {key} is not readable: {exc}",
                    ref=EvidenceRef(path),
                )
            )
            continue
        metadata = heads.get(key, {})
        digests.append(
            Digest(
                path,
                key,
                account,
                region,
                hexdigest(raw),
                document,
                metadata.get("signature"),
                metadata.get("signature-algorithm"),
            )
        )
    verification = verify(digests, logs, keys, snapshot.manifest.log_bucket, period_start)
    issues.extend(verification.issues)
    newest: dict[tuple[str, str], datetime] = {}
    for digest in digests:
        place = (digest.account_id, digest.region)
        newest[place] = max(newest.get(place, digest.end), digest.end)
    issues.extend(unlisted(delivered, verification, newest))
    unverified = unverified_files(delivered, digests, verification, newest)
    places = {(d.account_id, d.region) for d in digests} | {(a, r) for _, a, r, _ in delivered}
    summary = {}
    for place in sorted(places):
        summary[place] = IntegritySummary(
            log_files=sum(1 for _, a, r, _ in delivered if (a, r) == place),
            digests=sum(1 for d in digests if (d.account_id, d.region) == place),
            digests_verified=verification.verified_digests.get(place, 0),
            log_files_listed=verification.listed.get(place, 0),
            log_files_verified=verification.verified_logs.get(place, 0),
            unverifiable=tuple(verification.unverifiable.get(place, ())),
        )
    issues.sort(key=lambda i: (i.account_id, i.region, i.object_key, i.problem, i.message))
    spans: dict[tuple[str, str], list[tuple[datetime, datetime]]] = {}
    for digest in digests:
        span = digest.span
        if digest.key in verification.verified_digest_keys and span is not None:
            spans.setdefault((digest.account_id, digest.region), []).append(span)
    return _Checked(issues, summary, unverified, {place: covered_days(found) for place, found in spans.items()})


__all__ = ["DIGEST_KEY_RE", "read_activity"]
