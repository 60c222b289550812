"""Where a file sits in a bundle and what it holds: kind, account, region, item.

The documented layout gives all of it by name. Auditors also receive evidence laid out some
other way, so the kind is also recognised from the content (the top-level keys each AWS
command returns), the account from a 12-digit path segment or failing that from ARNs inside
the file, and the region from a region-shaped path segment.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from analyzer.evidence.activity_paths import activity_path
from analyzer.evidence.config_paths import API_COMMAND_KINDS
from analyzer.model.kinds import SCOPE, Kind, Scope

ACCOUNT_RE = re.compile(r"[0-9]{12}")  # use fullmatch (``$`` would accept a trailing newline)
#: us-east-1, us-gov-west-1, us-isob-east-1, cn-northwest-1, eusc-de-east-1 ... (ASCII only: a folder
#: such as ``org-export-2`` is not a region).
REGION_RE = re.compile(
    r"[a-z]{2,4}(?:-[a-z]+)*-(?:east|west|north|south|central|northeast|northwest|southeast|southwest)-[0-9]{1,2}"
)
ARN_ACCOUNT_RE = re.compile(r"arn:aws(?:-[a-z]+)*:[a-z0-9-]+:[a-z0-9-]*:([0-9]{12}):")

#: File stem (the CLI command) -> kind, for files directly named after their command.
COMMAND_KINDS: dict[str, Kind] = {
    "manifest": Kind.MANIFEST,
    "describe-organization": Kind.ORG_DESCRIBE,
    "list-accounts": Kind.ORG_ACCOUNTS,
    "list-roots": Kind.ORG_ROOTS,
    "get-account-authorization-details": Kind.IAM_AUTH_DETAILS,
    "get-account-password-policy": Kind.IAM_PASSWORD_POLICY,
    "get-account-summary": Kind.IAM_SUMMARY,
    "list-virtual-mfa-devices": Kind.IAM_VIRTUAL_MFA,
    "get-credential-report": Kind.IAM_CREDENTIAL_REPORT,
    "credential-report": Kind.IAM_CREDENTIAL_REPORT,
    "list-organizations-features": Kind.IAM_ORG_FEATURES,
    "describe-regions": Kind.EC2_REGIONS,
    "describe-trails": Kind.TRAILS,
    "describe-configuration-recorders": Kind.CONFIG_RECORDERS,
    "describe-configuration-recorder-status": Kind.CONFIG_RECORDER_STATUS,
    "describe-delivery-channels": Kind.CONFIG_CHANNELS,
    "describe-delivery-channel-status": Kind.CONFIG_CHANNEL_STATUS,
    "get-bucket-policy": Kind.S3_BUCKET_POLICY,
    "list-public-keys": Kind.CT_PUBLIC_KEYS,
    "lookup-events": Kind.CT_LOOKUP_EVENTS,
    **{name: kind for name, kind in API_COMMAND_KINDS.items() if kind is not Kind.CONFIG_RESOURCE_HISTORY},
}

#: Folder (the CLI command) -> kind, for files named after the item they describe.
ITEM_FOLDER_KINDS: dict[str, Kind] = {
    "get-trail-status": Kind.TRAIL_STATUS,
    "get-event-selectors": Kind.TRAIL_SELECTORS,
    "policies": Kind.ORG_POLICY,
    "describe-policy": Kind.ORG_POLICY,
    "targets": Kind.ORG_TARGETS,
    "list-targets-for-policy": Kind.ORG_TARGETS,
    **API_COMMAND_KINDS,
}

#: Kinds scoped to one saved answer, named after their command when not kept in a folder of their own.
_COMMAND_ITEM_KINDS = frozenset(API_COMMAND_KINDS.values())

_SUFFIXES = (".error.json", ".json.gz", ".json", ".csv", ".err")

#: A unique top-level key -> kind. Checked in order; the first key present decides.
_CONTENT_KEYS: tuple[tuple[str, Kind], ...] = (
    ("UserDetailList", Kind.IAM_AUTH_DETAILS),
    ("RoleDetailList", Kind.IAM_AUTH_DETAILS),
    ("GroupDetailList", Kind.IAM_AUTH_DETAILS),
    ("PasswordPolicy", Kind.IAM_PASSWORD_POLICY),
    ("SummaryMap", Kind.IAM_SUMMARY),
    ("VirtualMFADevices", Kind.IAM_VIRTUAL_MFA),
    ("ReportFormat", Kind.IAM_CREDENTIAL_REPORT),
    ("EnabledFeatures", Kind.IAM_ORG_FEATURES),
    ("Regions", Kind.EC2_REGIONS),
    ("Organization", Kind.ORG_DESCRIBE),
    ("Accounts", Kind.ORG_ACCOUNTS),
    ("Roots", Kind.ORG_ROOTS),
    ("Targets", Kind.ORG_TARGETS),
    ("trailList", Kind.TRAILS),
    ("EventSelectors", Kind.TRAIL_SELECTORS),
    ("AdvancedEventSelectors", Kind.TRAIL_SELECTORS),
    ("ConfigurationRecorders", Kind.CONFIG_RECORDERS),
    ("ConfigurationRecordersStatus", Kind.CONFIG_RECORDER_STATUS),
    ("DeliveryChannels", Kind.CONFIG_CHANNELS),
    ("DeliveryChannelsStatus", Kind.CONFIG_CHANNEL_STATUS),
    ("PublicKeyList", Kind.CT_PUBLIC_KEYS),
    ("publicKeyList", Kind.CT_PUBLIC_KEYS),
    ("Events", Kind.CT_LOOKUP_EVENTS),
    ("baseConfigurationItems", Kind.CONFIG_BATCH_GET),
    ("QueryInfo", Kind.CONFIG_SELECT),
)
_TRAIL_STATUS_KEYS = frozenset(
    {
        "IsLogging",
        "LatestDeliveryTime",
        "LatestDeliveryError",
        "StartLoggingTime",
        "StopLoggingTime",
        "LatestNotificationTime",
        "LatestDigestDeliveryTime",
        "TimeLoggingStarted",
    }
)
_MANIFEST_KEYS = frozenset({"collected_at", "identity_account", "log_bucket", "partition"})


class PathInfo(NamedTuple):
    """What a path says: the kind by name (None if the name is not a known command).

    A named tuple: one is made for every file, and a tuple is made several times faster than a
    frozen dataclass.
    """

    path: str
    kind: Kind | None
    account_id: str | None
    region: str | None
    item: str | None  # trail name, bucket name or SCP id
    error_record: bool  # <name>.error.json or <name>.err
    csv: bool
    stem: str


def split_name(filename: str) -> tuple[str, str]:
    for suffix in _SUFFIXES:
        if filename.endswith(suffix):
            return filename[: -len(suffix)], suffix
    return filename, ""


def _bucket_folder(folders: tuple[str, ...]) -> str | None:
    """The bucket of ``<account>/s3/<bucket>/get-bucket-policy.json`` (or of another folder layout)."""
    if len(folders) >= 2 and folders[-2] == "s3":
        return folders[-1]
    last = folders[-1] if folders else None
    if last is None or last == "s3" or ACCOUNT_RE.fullmatch(last) or REGION_RE.fullmatch(last):
        return None
    return last


@lru_cache(maxsize=8192)
def _folder_facts(folder: str) -> tuple[tuple[str, ...], str | None, str | None]:
    """(folders, account, region) of a folder path; a bundle has far fewer folders than files."""
    folders = tuple(folder.split("/")) if folder else ()
    account = next((p for p in folders if ACCOUNT_RE.fullmatch(p)), None)
    region = next((p for p in folders if REGION_RE.fullmatch(p)), None)
    return folders, account, region


@lru_cache(maxsize=1024)
def _name_facts(name: str) -> tuple[str, Kind | None, bool, bool]:
    """(stem, kind by command name, error record?, CSV?) of a file name; names repeat in every account."""
    stem, suffix = split_name(name)
    return stem, COMMAND_KINDS.get(stem), suffix in (".error.json", ".err"), suffix == ".csv"


def read_path(path: str) -> PathInfo:
    folder, _, name = path.rpartition("/")
    stem, command_kind, error_record, csv = _name_facts(name)
    if not error_record and ("AWSLogs/" in path or "list-objects-v2" in path):
        shaped = activity_path(path)
        if shaped is not None:
            return PathInfo(path, shaped.kind, shaped.account, shaped.region, shaped.item, False, False, stem)
    folders, account, region = _folder_facts(folder)
    kind: Kind | None = None
    item: str | None = None
    if folders and folders[-1] in ITEM_FOLDER_KINDS:
        kind = ITEM_FOLDER_KINDS[folders[-1]]
        item = stem
    elif command_kind is not None:
        kind = command_kind
        if kind is Kind.S3_BUCKET_POLICY:
            item = _bucket_folder(folders)
        elif kind in _COMMAND_ITEM_KINDS:
            item = stem
    return PathInfo(path, kind, account, region, item, error_record, csv, stem)


#: (account, region, kind, item) as :attr:`Snapshot.states` keys it; "" where the scope has no such part.
Slot = tuple[str, str, str, str]


#: Per kind: whether its scope has an account, a region and an item, and the kind's value (the
#: evidence state's name). A table, because every file asks.
_SLOT_PARTS: dict[Kind, tuple[bool, bool, bool, str]] = {
    kind: (
        SCOPE[kind] in (Scope.ACCOUNT, Scope.REGION, Scope.TRAIL, Scope.BUCKET, Scope.OBJECT),
        SCOPE[kind] in (Scope.REGION, Scope.TRAIL, Scope.OBJECT),
        SCOPE[kind] in (Scope.TRAIL, Scope.BUCKET, Scope.POLICY, Scope.OBJECT),
        kind.value,
    )
    for kind in Kind
}


def slot_complete(kind: Kind, account: str | None, region: str | None, item: str | None) -> bool:
    """Whether every part the kind's scope needs is known (else the evidence has no place to be)."""
    needs_account, needs_region, needs_item, _ = _SLOT_PARTS[kind]
    return bool((account or not needs_account) and (region or not needs_region) and (item or not needs_item))


def slot_for(kind: Kind, account: str | None, region: str | None, item: str | None) -> Slot:
    """The state key of a kind at a place, keeping only the parts its scope has."""
    keep_account, keep_region, keep_item, name = _SLOT_PARTS[kind]
    return (
        (account or "") if keep_account else "",
        (region or "") if keep_region else "",
        name,
        (item or "") if keep_item else "",
    )


def kind_name(kind: Kind) -> str:
    """``kind.value``, looked up (the enum's ``value`` property is a Python call)."""
    return _SLOT_PARTS[kind][3]


def scoped_place(kind: Kind, account: str | None, region: str | None) -> tuple[str | None, str | None]:
    """(account, region) trimmed to what the kind's scope has (None for a part it has not, or unknown)."""
    keep_account, keep_region, _, _ = _SLOT_PARTS[kind]
    return (account or None) if keep_account else None, (region or None) if keep_region else None


def kind_from_content(document: Any) -> Kind | None:
    """Recognise an AWS command's output by its top-level keys."""
    if not isinstance(document, dict) and not isinstance(document, Mapping):
        return None
    for key, kind in _CONTENT_KEYS:
        if key in document:
            return kind
    if "Policies" in document and isinstance(document.get("Policies"), list) and "Marker" in document:
        return Kind.IAM_AUTH_DETAILS
    policy = document.get("Policy")
    if isinstance(policy, str):
        return Kind.S3_BUCKET_POLICY
    if isinstance(policy, Mapping) and "Content" in policy:
        return Kind.ORG_POLICY
    if _TRAIL_STATUS_KEYS & set(document):
        return Kind.TRAIL_STATUS
    if "Content" in document and "GeneratedTime" in document:
        return Kind.IAM_CREDENTIAL_REPORT
    if "configurationItems" in document:
        return Kind.CONFIG_SNAPSHOT_FILE if "fileVersion" in document else Kind.CONFIG_RESOURCE_HISTORY
    if _MANIFEST_KEYS & set(document):
        return Kind.MANIFEST
    return None


_JSON_SCALARS = (bool, int, float, type(None))


def accounts_in(document: Any, limit: int = 2000) -> Counter[str]:
    """Account IDs named in ARNs inside a document (a bounded walk over its strings)."""
    found: Counter[str] = Counter()
    stack: list[Any] = [document]
    seen = 0
    while stack and seen < limit:
        value = stack.pop()
        seen += 1
        if isinstance(value, str):
            if value.startswith("arn:"):
                match = ARN_ACCOUNT_RE.match(value)
                if match:
                    found[match.group(1)] += 1
        elif isinstance(value, dict):  # what JSON parses to, tested before the (slower) abstract Mapping
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif not isinstance(value, _JSON_SCALARS) and isinstance(value, Mapping):
            stack.extend(value.values())
    return found
