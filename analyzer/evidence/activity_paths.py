"""Activity evidence recognised by the shape of its path: the central bucket's CloudTrail objects.

A copy of the bucket's ``AWSLogs/`` tree (or of any part of it) can sit anywhere in a bundle; its
files are recognised by the key layout CloudTrail writes (AWS CloudTrail User Guide, "Finding your
CloudTrail log files" and "CloudTrail digest file structure"):

* ``AWSLogs/[<o-org>/]<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16>.json.gz``
* ``AWSLogs/[<o-org>/]<acct>/CloudTrail-Digest/<region>/YYYY/MM/DD/``
  ``<acct>_CloudTrail-Digest_<region>_<trail>_<home>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz``
* ``<digest key>.head-object.json``: ``aws s3api head-object`` of that digest (its ``signature`` metadata)

The account and region come from the key (not from a 12-digit folder above ``AWSLogs/``, which is
usually the bucket owner's); the item is the key from ``AWSLogs/`` on, which names the object
whatever prefix the bucket or the bundle put before it. An uncompressed ``.json`` copy is accepted.

Listings of the bucket live with the bucket: ``<acct>/s3/<bucket>/list-objects-v2[/<name>].json``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from analyzer.evidence.config_paths import config_path
from analyzer.model.kinds import Kind

_REGION = r"[a-z]{2,4}(?:-[a-z]+)*-[a-z]+-[0-9]{1,2}"
_ORG = r"(?:o-[a-z0-9]{10,32}/)?"
LOG_KEY_RE = re.compile(
    rf"AWSLogs/{_ORG}(?P<account>[0-9]{{12}})/CloudTrail/(?P<region>{_REGION})/"
    r"(?P<y>[0-9]{4})/(?P<m>[0-9]{2})/(?P<d>[0-9]{2})/"
    rf"(?P=account)_CloudTrail_(?P=region)_(?P<stamp>[0-9]{{8}}T[0-9]{{4}}Z)_[A-Za-z0-9]{{16}}\.json(?:\.gz)?"
)
DIGEST_KEY_RE = re.compile(
    rf"AWSLogs/{_ORG}(?P<account>[0-9]{{12}})/CloudTrail-Digest/(?P<region>{_REGION})/"
    r"(?P<y>[0-9]{4})/(?P<m>[0-9]{2})/(?P<d>[0-9]{2})/"
    rf"(?P=account)_CloudTrail-Digest_(?P=region)_(?P<trail>.+)_(?P<home>{_REGION})_"
    r"(?P<stamp>[0-9]{8}T[0-9]{6}Z)(?P<backfill>_backfill)?\.json(?:\.gz)?"
)
_HEAD_SUFFIX = ".head-object.json"
_LISTING_RE = re.compile(
    r"(?:^|/)(?P<account>[0-9]{12})/s3/(?P<bucket>[^/]+)/list-objects-v2(?:/(?P<name>[^/]+?))?\.json(?:\.gz)?$"
)


class ActivityPath(NamedTuple):
    kind: Kind
    account: str
    region: str | None
    item: str  # the object key from AWSLogs/ on (log, digest, head-object) or <bucket>/<listing name>


def _key_match(path: str, pattern: re.Pattern[str]) -> re.Match[str] | None:
    start = path.rfind("AWSLogs/")
    if start < 0 or (start > 0 and path[start - 1] != "/"):
        return None
    return pattern.fullmatch(path, start)


def activity_path(path: str) -> ActivityPath | None:
    """The activity kind and place of a bundle path, or None when its shape is not one of them."""
    if "AWSLogs/" in path:
        if path.endswith(_HEAD_SUFFIX):
            digest = path[: -len(_HEAD_SUFFIX)]
            found = _key_match(digest, DIGEST_KEY_RE)
            if found:
                return ActivityPath(Kind.S3_HEAD_OBJECT, found["account"], found["region"], object_key(digest))
            return None
        for kind, pattern in ((Kind.CT_LOG_FILE, LOG_KEY_RE), (Kind.CT_DIGEST_FILE, DIGEST_KEY_RE)):
            found = _key_match(path, pattern)
            if found:
                return ActivityPath(kind, found["account"], found["region"], object_key(path))
        if "/Config/" in path:
            delivered = config_path(path)
            if delivered is not None:
                return ActivityPath(*delivered)
        return None
    if "list-objects-v2" in path:
        listing = _LISTING_RE.search(path)
        if listing:
            name = listing["name"] or "list-objects-v2"
            return ActivityPath(Kind.S3_LIST_OBJECTS, listing["account"], None, f"{listing['bucket']}/{name}")
    return None


def object_key(path: str) -> str:
    """The part of a path or S3 key from ``AWSLogs/`` on (the whole of it when there is none)."""
    start = path.rfind("AWSLogs/")
    return path[start:] if start >= 0 else path
