"""Offline log file integrity validation, as AWS documents it for a custom implementation.

AWS CloudTrail User Guide, "Custom implementations of CloudTrail log file integrity validation", and
"CloudTrail digest file structure"; the AWS CLI's ``aws cloudtrail validate-logs``
(``awscli/customizations/cloudtrail/validation.py``) is the reference implementation:

* each log file a digest lists must be there, and the SHA-256 of its decompressed bytes must equal
  ``hashValue``;
* each digest's signature (hex, in the digest object's ``signature`` metadata, or the next digest's
  ``previousDigestSignature``) must verify, RSASSA-PKCS1-v1_5 with SHA-256, with the CloudTrail
  public key of its region whose fingerprint is ``digestPublicKeyFingerprint``, over
  ``digestEndTime \\n digestS3Bucket/digestS3Object \\n hex sha256(decompressed digest) \\n
  previousDigestSignature`` (the four characters ``null`` when it is null), no trailing newline;
* the chain is unbroken: each digest names the previous one, its hash and its signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from analyzer.activity.signing import string_to_sign
from analyzer.evidence.activity_paths import DIGEST_KEY_RE, object_key
from analyzer.evidence.timestamps import parse_ts
from analyzer.model.activity import IntegrityIssue, UnverifiedFile
from analyzer.model.evidence import EvidenceRef

SIGNATURE_ALGORITHM = "SHA256withRSA"


@dataclass(slots=True)
class Digest:
    """One digest file as read: its key (from AWSLogs/ on), decompressed hash and document."""

    path: str  # bundle path
    key: str
    account_id: str
    region: str
    sha256: str
    document: dict[str, Any]
    signature: str | None = None  # from head-object metadata
    signature_algorithm: str | None = None

    @property
    def end(self) -> datetime:
        return parse_ts(self.document.get("digestEndTime")) or datetime.min

    @property
    def span(self) -> tuple[datetime, datetime] | None:
        """(digestStartTime, digestEndTime), None unless both are timestamps in that order."""
        try:
            start, end = parse_ts(self.document.get("digestStartTime")), parse_ts(self.document.get("digestEndTime"))
        except ValueError:
            return None
        return (start, end) if start is not None and end is not None and start <= end else None

    @property
    def start(self) -> datetime:
        return parse_ts(self.document.get("digestStartTime")) or self.end

    @property
    def trail_key(self) -> tuple[str, str, str, bool]:
        """The chain this digest belongs to: account, region, the name's trail part, backfill or not."""
        name = self.key.rsplit("/", 1)[-1]
        stem = name.split("_CloudTrail-Digest_", 1)[-1].rsplit("_", 1)[0]
        return self.account_id, self.region, stem.removesuffix("_backfill"), "_backfill" in name


@dataclass(slots=True)
class LogFileFact:
    """A log file in the bundle: its path and the sha256 of its decompressed content ("" when unusable)."""

    path: str
    content_sha256: str
    problem: str = ""  # conflicting copies, unreadable ...


def load_public_key(value: str) -> rsa.RSAPublicKey | None:
    """A key of ``list-public-keys``: base64 DER, PKCS#1 RSAPublicKey or SubjectPublicKeyInfo."""
    try:
        key = serialization.load_der_public_key(base64.b64decode(value, validate=True))
    except (ValueError, binascii.Error):
        return None
    return key if isinstance(key, rsa.RSAPublicKey) else None


def verify_signature(key: rsa.RSAPublicKey, signature_hex: str, message: bytes) -> bool:
    try:
        key.verify(bytes.fromhex(signature_hex), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(slots=True)
class Verification:
    issues: list[IntegrityIssue] = field(default_factory=list)
    verified_digests: dict[tuple[str, str], int] = field(default_factory=dict)
    listed: dict[tuple[str, str], int] = field(default_factory=dict)
    verified_logs: dict[tuple[str, str], int] = field(default_factory=dict)
    unverifiable: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    listed_keys: set[str] = field(default_factory=set)
    #: digests whose signature verified; a log file is verified only through one of them
    verified_digest_keys: set[str] = field(default_factory=set)
    #: digest key -> why its signature could not be checked (no signature, no public key ...)
    unchecked_digests: dict[str, str] = field(default_factory=dict)
    #: log files present, listed with a matching hash by a digest whose signature verified
    verified_log_keys: set[str] = field(default_factory=set)
    #: log key -> why its (matching) hash proves nothing: the digests listing it could not be checked
    unchecked_logs: dict[str, str] = field(default_factory=dict)

    def issue(self, digest_or_place: Digest | tuple[str, str], problem: str, key: str, message: str, path: str) -> None:
        if isinstance(digest_or_place, Digest):
            account, region = digest_or_place.account_id, digest_or_place.region
        else:
            account, region = digest_or_place
        self.issues.append(
            IntegrityIssue(
                account_id=account,
                region=region,
                problem=problem,
                object_key=key,
                message=message,
                ref=EvidenceRef(path) if path else None,
            )
        )

    def cannot(self, digest: Digest, why: str) -> None:
        found = self.unverifiable.setdefault((digest.account_id, digest.region), [])
        if why not in found:
            found.append(why)
        self.unchecked_digests[digest.key] = why


def verify(
    digests: list[Digest],
    logs: dict[str, LogFileFact],
    keys: dict[str, dict[str, str]],
    bucket: str | None,
    period_start: date | None = None,
) -> Verification:
    """Check every digest, the log files each lists and the chains they form.

    ``logs``: log file key (from AWSLogs/ on) -> what the bundle holds; ``keys``: region -> fingerprint
    -> base64 public key (a fingerprint given two different values is left out by the caller).
    ``period_start``: the evidence period's first day; a chain's oldest digest naming a previous digest
    that ended on or after it names one the bundle should hold.
    """
    result = Verification()
    by_key = {d.key: d for d in digests}
    chains: dict[tuple[str, str, str, bool], list[Digest]] = {}
    for digest in digests:
        chains.setdefault(digest.trail_key, []).append(digest)
    next_signature: dict[str, str] = {}
    for chain in chains.values():
        chain.sort(key=lambda d: (d.end, d.key))
        for newer in chain:
            previous = newer.document.get("previousDigestS3Object")
            signature = newer.document.get("previousDigestSignature")
            if isinstance(previous, str) and isinstance(signature, str):
                next_signature[object_key(previous)] = signature
    for digest in sorted(digests, key=lambda d: d.key):
        _check_digest(result, digest, next_signature.get(digest.key), keys, bucket)
        _check_listed_logs(result, digest, logs)
    for chain in chains.values():
        _check_chain(result, chain, by_key)
        if period_start is not None:
            _check_chain_start(result, chain[0], by_key, period_start)
    return result


def _check_chain_start(result: Verification, oldest: Digest, by_key: dict[str, Digest], period_start: date) -> None:
    """The oldest digest of a chain may name a previous one from before the period (not collected); one
    that ended inside the period was deleted or not copied, and the log files it listed with it."""
    previous = oldest.document.get("previousDigestS3Object")
    if not isinstance(previous, str) or object_key(previous) in by_key:
        return
    match = DIGEST_KEY_RE.search(previous)
    try:
        ended = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%SZ").date() if match else None
    except ValueError:  # a name-shaped key with an impossible date: nothing to place it by
        ended = None
    if ended is not None and ended >= period_start:
        result.issue(
            oldest,
            "chain",
            object_key(previous),
            f"digest chain broken: {oldest.key} names the previous digest {previous}, which ended on "
            f"{ended.isoformat()}, inside the evidence period, and is not found",
            oldest.path,
        )


def _check_digest(
    result: Verification,
    digest: Digest,
    next_signature: str | None,
    keys: dict[str, dict[str, str]],
    bucket: str | None,
) -> None:
    doc, place = digest.document, (digest.account_id, digest.region)
    where = doc.get("digestS3Object")
    if not isinstance(where, str) or object_key(where) != digest.key:
        result.issue(
            digest,
            "moved",
            digest.key,
            f"digest file {digest.key} says it was written as {where}: it has been moved from its original location",
            digest.path,
        )
    if bucket is not None and doc.get("digestS3Bucket") != bucket:
        result.issue(
            digest,
            "moved",
            digest.key,
            f"digest file {digest.key} names bucket {doc.get('digestS3Bucket')}, not the central bucket {bucket}",
            digest.path,
        )
    if doc.get("digestSignatureAlgorithm") != SIGNATURE_ALGORITHM or (
        digest.signature_algorithm not in (None, SIGNATURE_ALGORITHM)
    ):
        result.issue(
            digest,
            "signature",
            digest.key,
            f"digest file {digest.key} is signed with "
            f"{doc.get('digestSignatureAlgorithm')}/{digest.signature_algorithm}, not {SIGNATURE_ALGORITHM}",
            digest.path,
        )
        return
    signature = digest.signature or next_signature
    if digest.signature and next_signature and digest.signature.lower() != next_signature.lower():
        result.issue(
            digest,
            "chain",
            digest.key,
            f"digest file {digest.key}: its signature metadata differs "
            "from the previousDigestSignature of the next digest",
            digest.path,
        )
    if signature is None:
        result.cannot(digest, "no signature (no head-object output for it, no later digest repeating it)")
        return
    fingerprint = str(doc.get("digestPublicKeyFingerprint", "")).lower()
    value = keys.get(digest.region, {}).get(fingerprint)
    if value is None:
        result.cannot(digest, f"public key not found in region {digest.region} for fingerprint {fingerprint}")
        return
    key = load_public_key(value)
    if key is None:
        result.cannot(digest, f"unable to load the public key with fingerprint {fingerprint}")
        return
    if verify_signature(key, signature, string_to_sign(doc, digest.sha256)):
        result.verified_digests[place] = result.verified_digests.get(place, 0) + 1
        result.verified_digest_keys.add(digest.key)
    else:
        result.issue(
            digest,
            "signature",
            digest.key,
            f"digest file {digest.key}: signature verification failed "
            "(the digest was modified or not signed by CloudTrail)",
            digest.path,
        )


def _check_listed_logs(result: Verification, digest: Digest, logs: dict[str, LogFileFact]) -> None:
    place = (digest.account_id, digest.region)
    entries = digest.document.get("logFiles")
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        key = object_key(str(entry.get("s3Object", "")))
        result.listed_keys.add(key)
        result.listed[place] = result.listed.get(place, 0) + 1
        fact = logs.get(key)
        if fact is None:
            result.issue(
                digest, "missing", key, f"log file {key}, listed in digest {digest.key}, is not found", digest.path
            )
        elif fact.problem:
            result.issue(digest, "modified", key, f"log file {key} cannot be verified: {fact.problem}", fact.path)
        elif entry.get("hashAlgorithm", "SHA-256") != "SHA-256":
            result.issue(
                digest,
                "modified",
                key,
                f"log file {key}: digest lists hash algorithm {entry.get('hashAlgorithm')}, not SHA-256",
                digest.path,
            )
        elif fact.content_sha256 != str(entry.get("hashValue", "")).lower():
            result.issue(
                digest,
                "modified",
                key,
                f"log file {key}: hash value doesn't match the digest {digest.key} ({_which_modified(result, digest)})",
                fact.path,
            )
        elif digest.key in result.verified_digest_keys:
            if key not in result.verified_log_keys:
                result.verified_logs[place] = result.verified_logs.get(place, 0) + 1
            result.verified_log_keys.add(key)
        elif digest.key in result.unchecked_digests:  # the hash matches a digest nobody can vouch for
            result.unchecked_logs.setdefault(
                key, f"the digest listing it cannot be verified: {result.unchecked_digests[digest.key]}"
            )


def _which_modified(result: Verification, digest: Digest) -> str:
    """What a log file's hash differing from its digest's shows: only a digest whose signature verified
    vouches for the hash it lists; otherwise the digest may be the file that was edited."""
    if digest.key in result.verified_digest_keys:
        return "the file was modified after delivery"
    if digest.key in result.unchecked_digests:
        return (
            "the file or the digest was modified after delivery; the digest's signature could not be checked: "
            + result.unchecked_digests[digest.key]
        )
    return "the file or the digest was modified after delivery; the digest's signature does not verify"


def _check_chain(result: Verification, chain: list[Digest], by_key: dict[str, Digest]) -> None:
    for older, newer in pairwise(chain):
        doc = newer.document
        previous = doc.get("previousDigestS3Object")
        if previous is None:
            result.issue(
                newer,
                "chain",
                newer.key,
                f"digest chain broken: {newer.key} starts a new chain after "
                f"{older.key}; no log files were validated between {older.document.get('digestEndTime')} "
                f"and {doc.get('digestStartTime')}",
                newer.path,
            )
            continue
        named = by_key.get(object_key(str(previous)))
        if named is None:
            result.issue(
                newer,
                "chain",
                object_key(str(previous)),
                f"digest chain broken: {newer.key} names the previous digest {previous}, which is not found",
                newer.path,
            )
            continue
        if named is not older:
            result.issue(
                newer,
                "chain",
                newer.key,
                f"digest chain broken: {newer.key} names {named.key} as previous, but {older.key} came between",
                newer.path,
            )
        if str(doc.get("previousDigestHashValue", "")).lower() != named.sha256:
            result.issue(
                newer,
                "chain",
                named.key,
                f"digest chain broken: the hash of {named.key} does not match "
                f"previousDigestHashValue in {newer.key} (the previous digest was modified)",
                named.path,
            )


def unlisted(
    logs: Iterable[tuple[str, str, str, datetime]],
    verification: Verification,
    newest_end: dict[tuple[str, str], datetime],
) -> list[IntegrityIssue]:
    """Log files no digest lists though they were delivered before the newest digest of their account
    and region: CloudTrail lists every delivered file (validation on) in the next hour's digest."""
    found = []
    for key, account, region, delivered in logs:
        end = newest_end.get((account, region))
        if end is None or key in verification.listed_keys or delivered >= end:
            continue
        found.append(
            IntegrityIssue(
                account_id=account,
                region=region,
                problem="unlisted",
                object_key=key,
                message=f"log file {key} is not listed in any digest, though digests up to "
                f"{end:%Y-%m-%dT%H:%M:%SZ} are present (added after delivery?)",
            )
        )
    return found


def unverified_files(
    logs: Iterable[tuple[str, str, str, datetime]],
    digests: Iterable[Digest],
    verification: Verification,
    newest_end: dict[tuple[str, str], datetime],
) -> list[UnverifiedFile]:
    """The files nothing shows were changed but whose integrity could not be checked: digests whose
    signature cannot be checked, and log files no verified digest vouches for (listed only by such a
    digest, delivered after the newest digest, or with no digest at all for their account and region).
    Log files already named by an :class:`IntegrityIssue` (missing, modified, unlisted) are not repeated."""
    failed = {i.object_key for i in verification.issues if i.problem in ("missing", "modified")}
    found = [
        UnverifiedFile(
            account_id=d.account_id,
            region=d.region,
            object_key=d.key,
            first_day=d.start.date(),
            last_day=d.end.date(),
            reason=f"the digest cannot be verified: {verification.unchecked_digests[d.key]}",
        )
        for d in digests
        if d.key in verification.unchecked_digests
    ]
    for key, account, region, delivered in logs:
        if key in verification.verified_log_keys or key in failed:
            continue
        end = newest_end.get((account, region))
        if key in verification.unchecked_logs:
            why = verification.unchecked_logs[key]
        elif end is None:
            why = f"no digest file in the bundle covers the log files of account {account} in {region}"
        elif delivered >= end:
            why = (
                f"delivered after the newest digest in the bundle (ending {end:%Y-%m-%dT%H:%M:%SZ}); "
                "collect again once CloudTrail has delivered the digest covering it"
            )
        else:
            continue  # listed by no digest though delivered before the newest: an "unlisted" issue
        found.append(
            UnverifiedFile(
                account_id=account,
                region=region,
                object_key=key,
                first_day=delivered.date(),
                last_day=delivered.date(),
                reason=why,
            )
        )
    found.sort(key=lambda u: (u.account_id, u.region, u.first_day, u.object_key))
    return found


#: Consecutive digests whose spans are at most this far apart count as one continuous coverage.
DIGEST_SLACK = timedelta(minutes=5)


def covered_days(spans: Iterable[tuple[datetime, datetime]]) -> set[date]:
    """The days wholly inside the (start, end) spans of a region's verified digests. CloudTrail writes a
    digest every hour for each region a trail covers, even one listing no log file, so a day its verified
    digests cover end to end had delivery running all day (CloudTrail User Guide, "Validating CloudTrail
    log file integrity"); a day covered in part shows nothing about the rest."""
    found: set[date] = set()
    merged: list[list[datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + DIGEST_SLACK:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        day = start.date() if start.time() == time() else start.date() + timedelta(days=1)
        while datetime.combine(day + timedelta(days=1), time(), start.tzinfo) <= end and len(found) < 100_000:
            found.add(day)
            day += timedelta(days=1)
    return found


def hexdigest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
