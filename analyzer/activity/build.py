"""Writing CloudTrail-shaped activity evidence: log files, signed digests, head-object, public keys.

Used by the rule fixtures' builder and the tests. The digests are signed as CloudTrail signs them
(see :mod:`analyzer.activity.digests`) with a key the caller supplies; its public key goes into
``list-public-keys.json`` with the fingerprint AWS uses (MD5 of the DER bytes).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from analyzer.activity.signing import string_to_sign


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def public_keys_document(key: rsa.RSAPrivateKey, start: datetime, end: datetime) -> dict[str, Any]:
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return {
        "PublicKeyList": [
            {
                "Value": base64.b64encode(der).decode("ascii"),
                "ValidityStartTime": _ts(start),
                "ValidityEndTime": _ts(end),
                "Fingerprint": fingerprint(key),
            }
        ]
    }


def fingerprint(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return hashlib.md5(der, usedforsecurity=False).hexdigest()


@dataclass
class TrailWriter:
    """Writes one account and region's log files and its chain of digests under ``root`` (a bundle), or,
    with ``sink``, into that ``{bundle path: bytes}`` mapping instead (``root`` is then unused)."""

    root: Path
    prefix: str  # bundle folder holding the bucket's AWSLogs/ tree
    bucket: str
    account: str
    region: str
    key: rsa.RSAPrivateKey
    trail: str = "org-audit"
    org: str = ""
    logs: list[tuple[str, str, datetime]] = field(default_factory=list)  # (key, sha256, delivered) since last digest
    previous: tuple[str, str, str] | None = None  # (key, sha256, signature) of the last digest
    gzip_files: bool = False
    sink: dict[str, Any] | None = None

    def _base(self, folder: str) -> str:
        org = f"{self.org}/" if self.org else ""
        return f"AWSLogs/{org}{self.account}/{folder}/{self.region}"

    def log_key(self, delivered: datetime, suffix: str = "") -> str:
        """The object key (from ``AWSLogs/`` on) of the log file delivered at ``delivered``."""
        tag = hashlib.sha256(f"{self.account}{self.region}{delivered}{suffix}".encode()).hexdigest()[:16]
        name = f"{self.account}_CloudTrail_{self.region}_{delivered:%Y%m%dT%H%MZ}_{tag}{self._extension}"
        return f"{self._base('CloudTrail')}/{delivered:%Y/%m/%d}/{name}"

    @property
    def _extension(self) -> str:
        return ".json.gz" if self.gzip_files else ".json"

    def log_file(self, delivered: datetime, records: list[dict[str, Any]], suffix: str = "") -> str:
        key = self.log_key(delivered, suffix)
        content = json.dumps({"Records": records}, separators=(",", ":")).encode()
        self._write(key, self._packed(content))
        self.logs.append((key, hashlib.sha256(content).hexdigest(), delivered))
        return key

    def _packed(self, content: bytes) -> bytes:
        """As delivered: gzip (no name, mtime 0: the same bytes every run) when ``gzip_files``."""
        return gzip.compress(content, mtime=0) if self.gzip_files else content

    def digest(self, end: datetime, hours: int = 24) -> str:
        start = end - timedelta(hours=hours)
        name = (
            f"{self.account}_CloudTrail-Digest_{self.region}_{self.trail}_{self.region}_{end:%Y%m%dT%H%M%SZ}"
            f"{self._extension}"
        )
        key = f"{self._base('CloudTrail-Digest')}/{end:%Y/%m/%d}/{name}"
        previous = self.previous
        document = {
            "awsAccountId": self.account,
            "digestStartTime": _ts(start),
            "digestEndTime": _ts(end),
            "digestS3Bucket": self.bucket,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": fingerprint(self.key),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": None,
            "oldestEventTime": None,
            "previousDigestS3Bucket": self.bucket if previous else None,
            "previousDigestS3Object": previous[0] if previous else None,
            "previousDigestHashValue": previous[1] if previous else None,
            "previousDigestHashAlgorithm": "SHA-256" if previous else None,
            "previousDigestSignature": previous[2] if previous else None,
            "logFiles": [
                {
                    "s3Bucket": self.bucket,
                    "s3Object": k,
                    "hashValue": h,
                    "hashAlgorithm": "SHA-256",
                    "newestEventTime": _ts(d),
                    "oldestEventTime": _ts(d),
                }
                for k, h, d in self.logs
            ],
        }
        content = json.dumps(document, separators=(",", ":")).encode()
        sha = hashlib.sha256(content).hexdigest()
        signature = self.key.sign(string_to_sign(document, sha), padding.PKCS1v15(), hashes.SHA256()).hex()
        packed = self._packed(content)
        self._write(key, packed)
        head = {
            "ContentLength": len(packed),
            "ContentType": "application/json",
            "Metadata": {"signature": signature, "signature-algorithm": "SHA256withRSA"},
        }
        self._write(f"{key}.head-object.json", (json.dumps(head, indent=4) + "\n").encode())
        self.logs = []
        self.previous = (key, sha, signature)
        return key

    def _write(self, key: str, content: bytes) -> None:
        if self.sink is not None:
            self.sink[f"{self.prefix}/{key}"] = content
            return
        target = self.root / self.prefix / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def record(
    name: str,
    source: str,
    when: datetime,
    account: str,
    identity: dict[str, Any],
    *,
    region: str = "us-east-1",
    ip: str = "198.51.100.7",
    request: dict[str, Any] | None = None,
    response: dict[str, Any] | None = None,
    additional: dict[str, Any] | None = None,
    error: str | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """One CloudTrail record (AWS CloudTrail User Guide, "CloudTrail record contents")."""
    found: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": _ts(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": request,
        "responseElements": response,
        "eventID": event_id or hashlib.sha256(f"{name}{when}{account}{identity}".encode()).hexdigest()[:32],
        "eventType": "AwsConsoleSignIn" if name == "ConsoleLogin" else "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    if additional is not None:
        found["additionalEventData"] = additional
    if error is not None:
        found["errorCode"] = error
        found["errorMessage"] = "denied"
    return found


def iam_user(account: str, name: str) -> dict[str, Any]:
    return {
        "type": "IAMUser",
        "principalId": f"AIDA{account}",
        "arn": f"arn:aws:iam::{account}:user/{name}",
        "accountId": account,
        "accessKeyId": "AKIAEXAMPLE",
        "userName": name,
    }


def root(account: str) -> dict[str, Any]:
    return {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root", "accountId": account}
