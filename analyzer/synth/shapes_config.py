"""AWS Config's delivered files: configuration items, snapshot and history files, their S3 keys.

What each account's AWS Config writes to its delivery channel's bucket, in the *delivered* form
(the form of S3 files and SNS notifications, not the API's):

* Keys (unpadded ``YYYY/M/D`` folders; ``AWS::…::…`` colons kept as S3 has them):
  ``AWSLogs/<acct>/Config/<region>/YYYY/M/D/ConfigSnapshot/<acct>_Config_<region>_ConfigSnapshot_<YYYYMMDDTHHMMSSZ>_<configSnapshotId>.json.gz``
  (https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-snapshot-notification.html)
  and ``…/ConfigHistory/<acct>_Config_<region>_ConfigHistory_<ResourceType>_<start>_<end>_<n>.json.gz``
  (https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-history-notification.html).
* Files: ``{"fileVersion": "1.0", "configSnapshotId": …, "configurationItems": […]}`` (a history
  file has no ``configSnapshotId``), gzip. The developer guide's own snapshot example
  (https://docs.aws.amazon.com/config/latest/developerguide/example-s3-snapshot.html) is outdated
  (``requestId``, ``accountId``, ``configurationStateID``, ``availibilityZone``) and is NOT followed.
* Item fields and their order are those of delivered items version 1.3 as AWS Config sends them
  (``configurationItemVersion``, ``awsAccountId``, uppercase ``ARN``, ``configurationStateId`` a
  number — the capture's epoch milliseconds —, ``configurationStateMd5Hash`` empty and
  ``relatedEvents`` empty since 1.3: https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html).
  The API form (``get-resource-config-history``) names these ``version``, ``accountId``, ``arn``,
  ``configurationItemMD5Hash`` and carries ``configuration`` as a JSON string; delivered files carry
  objects (botocore ``config/2014-11-12/service-2.json`` ``ConfigurationItem``; the AWS Config RDK's
  ``convert_api_configuration`` maps one form to the other).
* IAM items: ``awsRegion`` ``"global"``, ``availabilityZone`` ``"Not Applicable"``, ``resourceId``
  the unique ID (``AIDA…``, ``AROA…``, ``AGPA…``, ``ANPA…``), policy documents URL-encoded as the
  IAM API returns them (RFC 3986: ``/`` → ``%2F``, ``*`` → ``%2A``, space → ``%20``), as in items
  captured from real accounts; attached customer managed policies appear as relationships
  ``Is attached to CustomerManagedPolicy``. Property names: the AWS Config resource schema
  (https://github.com/awslabs/aws-config-resource-schema, ``config/properties/resource-types``).
* A deleted resource's item has ``configurationItemStatus`` ``ResourceDeleted`` and a ``null``
  configuration (https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationItem.html).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from analyzer.synth import ids

Json = dict[str, Any]

ITEM_VERSION = "1.3"
FILE_VERSION = "1.0"
NOT_APPLICABLE = "Not Applicable"
GLOBAL = "global"
ATTACHED_POLICY = "Is attached to CustomerManagedPolicy"


def url_encoded(document: Mapping[str, Any]) -> str:
    """A policy document as IAM (hence Config) returns it: compact JSON, percent-encoded (RFC 3986).

    Decode with ``urllib.parse.unquote`` (not ``unquote_plus``: a ``+`` is literal).
    """
    return quote(json.dumps(document, separators=(",", ":"), ensure_ascii=False), safe="")


def config_time(moment: datetime) -> str:
    """``2026-11-20T09:58:12.345Z``: delivered items' timestamps (milliseconds, ``Z``)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def key_stamp(moment: datetime) -> str:
    """``20261120T095812Z``: the timestamps of Config object keys."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def state_id(moment: datetime) -> int:
    """``configurationStateId``: the capture's epoch milliseconds (a number in delivered files)."""
    return int(moment.timestamp() * 1000)


def snapshot_id(seed: str) -> str:
    """A UUID-shaped ``configSnapshotId`` derived from ``seed``."""
    h = ids.hex_token(seed, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def day_folder(account_id: str, region: str, moment: datetime) -> str:
    """``AWSLogs/<acct>/Config/<region>/YYYY/M/D`` (unpadded month and day)."""
    utc = moment.astimezone(UTC)
    return f"AWSLogs/{account_id}/Config/{region}/{utc.year}/{utc.month}/{utc.day}"


def snapshot_key(account_id: str, region: str, delivered: datetime, snapshot: str) -> str:
    name = f"{account_id}_Config_{region}_ConfigSnapshot_{key_stamp(delivered)}_{snapshot}.json.gz"
    return f"{day_folder(account_id, region, delivered)}/ConfigSnapshot/{name}"


def history_key(account_id: str, region: str, resource_type: str, start: datetime, end: datetime, n: int = 1) -> str:
    name = f"{account_id}_Config_{region}_ConfigHistory_{resource_type}_{key_stamp(start)}_{key_stamp(end)}_{n}.json.gz"
    return f"{day_folder(account_id, region, end)}/ConfigHistory/{name}"


def snapshot_file(snapshot: str, items: Sequence[Json]) -> Json:
    return {"fileVersion": FILE_VERSION, "configSnapshotId": snapshot, "configurationItems": list(items)}


def history_file(items: Sequence[Json]) -> Json:
    return {"fileVersion": FILE_VERSION, "configurationItems": list(items)}


def gzipped(document: Json) -> bytes:
    """Compact JSON, gzip with mtime 0 (same document, same bytes)."""
    raw = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return gzip.compress(raw, compresslevel=6, mtime=0)


def configuration_item(
    *,
    account_id: str,
    region: str,
    resource_type: str,
    resource_id: str,
    resource_name: str | None,
    arn: str | None,
    captured: datetime,
    configuration: Json | None,
    status: str = "OK",
    supplementary: Json | None = None,
    tags: Mapping[str, str] | None = None,
    relationships: Sequence[Json] = (),
    created: datetime | None = None,
    availability_zone: str | None = NOT_APPLICABLE,
) -> Json:
    """One delivered configuration item, keys in the order AWS Config writes them."""
    deleted = status == "ResourceDeleted"
    return {
        "relatedEvents": [],
        "relationships": [] if deleted else list(relationships),
        "configuration": None if deleted else configuration,
        "supplementaryConfiguration": {} if deleted or supplementary is None else supplementary,
        "tags": {} if deleted else dict(tags or {}),
        "configurationItemVersion": ITEM_VERSION,
        "configurationItemCaptureTime": config_time(captured),
        "configurationStateId": state_id(captured),
        "awsAccountId": account_id,
        "configurationItemStatus": status,
        "resourceType": resource_type,
        "resourceId": resource_id,
        "resourceName": resource_name,
        "ARN": arn,
        "awsRegion": region,
        "availabilityZone": availability_zone,
        "configurationStateMd5Hash": "",
        "resourceCreationTime": None if deleted or created is None else config_time(created),
    }


# --------------------------------------------------------------------------- IAM, from GAAD entries


def _cli_time(text: str) -> str:
    """GAAD's CLI timestamp (``2026-03-02T09:14:51+00:00``) as a delivered item's ``….000Z``."""
    return config_time(ids.utc(text))


def _inline(policies: Sequence[Json]) -> list[Json]:
    return [{"policyName": p["PolicyName"], "policyDocument": url_encoded(p["PolicyDocument"])} for p in policies]


def _attached(policies: Sequence[Json]) -> list[Json]:
    return [{"policyName": p["PolicyName"], "policyArn": p["PolicyArn"]} for p in policies]


def _boundary(detail: Json) -> Json | None:
    boundary = detail.get("PermissionsBoundary")
    if not boundary:
        return None
    return {
        "permissionsBoundaryType": boundary["PermissionsBoundaryType"],
        "permissionsBoundaryArn": boundary["PermissionsBoundaryArn"],
    }


def _tags(detail: Json) -> list[Json]:
    return [{"key": t["Key"], "value": t["Value"]} for t in detail.get("Tags", [])]


def user_configuration(detail: Json) -> Json:
    """An ``AWS::IAM::User`` configuration from a GAAD ``UserDetailList`` entry.

    No MFA devices, access keys, login profile or password data: Config records none of them.
    ``userPolicyList`` is ``null`` when the user has no inline policy, as observed in real items.
    """
    inline = _inline(detail["UserPolicyList"])
    return {
        "path": detail["Path"],
        "userName": detail["UserName"],
        "userId": detail["UserId"],
        "arn": detail["Arn"],
        "createDate": _cli_time(detail["CreateDate"]),
        "userPolicyList": inline or None,
        "groupList": list(detail["GroupList"]),
        "attachedManagedPolicies": _attached(detail["AttachedManagedPolicies"]),
        "permissionsBoundary": _boundary(detail),
        "tags": _tags(detail),
    }


def group_configuration(detail: Json) -> Json:
    return {
        "path": detail["Path"],
        "groupName": detail["GroupName"],
        "groupId": detail["GroupId"],
        "arn": detail["Arn"],
        "createDate": _cli_time(detail["CreateDate"]),
        "groupPolicyList": _inline(detail["GroupPolicyList"]),
        "attachedManagedPolicies": _attached(detail["AttachedManagedPolicies"]),
    }


def role_configuration(detail: Json, trust: Mapping[str, Any] | None = None) -> Json:
    """An ``AWS::IAM::Role`` configuration from a GAAD ``RoleDetailList`` entry (``trust`` overrides
    its trust policy: a drifted capture)."""
    last_used = detail.get("RoleLastUsed") or {}
    return {
        "path": detail["Path"],
        "roleName": detail["RoleName"],
        "roleId": detail["RoleId"],
        "arn": detail["Arn"],
        "createDate": _cli_time(detail["CreateDate"]),
        "assumeRolePolicyDocument": url_encoded(trust if trust is not None else detail["AssumeRolePolicyDocument"]),
        "instanceProfileList": [],
        "rolePolicyList": _inline(detail["RolePolicyList"]),
        "attachedManagedPolicies": _attached(detail["AttachedManagedPolicies"]),
        "permissionsBoundary": _boundary(detail),
        "tags": _tags(detail),
        "roleLastUsed": (
            {"lastUsedDate": _cli_time(last_used["LastUsedDate"]), "region": last_used.get("Region")}
            if "LastUsedDate" in last_used
            else None
        ),
    }


def policy_configuration(detail: Json) -> Json:
    """An ``AWS::IAM::Policy`` configuration from a GAAD ``Policies`` entry: every version, each
    document URL-encoded, ``isDefaultVersion`` on the default one (whether Config lists only the
    default version is not documented; a reader must use the default)."""
    return {
        "policyName": detail["PolicyName"],
        "policyId": detail["PolicyId"],
        "arn": detail["Arn"],
        "path": detail["Path"],
        "defaultVersionId": detail["DefaultVersionId"],
        "attachmentCount": detail["AttachmentCount"],
        "permissionsBoundaryUsageCount": detail["PermissionsBoundaryUsageCount"],
        "isAttachable": detail["IsAttachable"],
        "description": detail.get("Description"),
        "createDate": _cli_time(detail["CreateDate"]),
        "updateDate": _cli_time(detail["UpdateDate"]),
        "policyVersionList": [
            {
                "document": url_encoded(v["Document"]),
                "versionId": v["VersionId"],
                "isDefaultVersion": v["IsDefaultVersion"],
                "createDate": _cli_time(v["CreateDate"]),
            }
            for v in detail["PolicyVersionList"]
        ],
    }


def policy_relationships(attached: Sequence[Json], policy_ids: Mapping[str, str]) -> list[Json]:
    """``Is attached to CustomerManagedPolicy`` for each attached policy Config records (customer managed)."""
    return [
        {
            "resourceType": "AWS::IAM::Policy",
            "resourceId": policy_ids[p["PolicyArn"]],
            "resourceName": p["PolicyName"],
            "name": ATTACHED_POLICY,
        }
        for p in attached
        if p["PolicyArn"] in policy_ids
    ]


# --------------------------------------------------------------------------- CloudTrail, S3, Config


def trail_configuration(trail: Json) -> Json:
    """An ``AWS::CloudTrail::Trail`` configuration from a ``describe-trails`` entry (schema property
    names; no logging status or selectors: Config does not record them)."""
    return {
        "name": trail["Name"],
        "trailARN": trail["TrailARN"],
        "homeRegion": trail["HomeRegion"],
        "s3BucketName": trail["S3BucketName"],
        "s3KeyPrefix": trail.get("S3KeyPrefix"),
        "snsTopicName": trail.get("SnsTopicName"),
        "snsTopicARN": trail.get("SnsTopicARN"),
        "includeGlobalServiceEvents": trail["IncludeGlobalServiceEvents"],
        "isMultiRegionTrail": trail["IsMultiRegionTrail"],
        "isOrganizationTrail": trail.get("IsOrganizationTrail", False),
        "logFileValidationEnabled": trail["LogFileValidationEnabled"],
        "hasCustomEventSelectors": trail.get("HasCustomEventSelectors", False),
        "hasInsightSelectors": trail.get("HasInsightSelectors", False),
        "kmsKeyId": trail.get("KmsKeyId"),
        "cloudWatchLogsLogGroupArn": trail.get("CloudWatchLogsLogGroupArn"),
        "cloudWatchLogsRoleArn": trail.get("CloudWatchLogsRoleArn"),
    }


def bucket_configuration(bucket: str, owner_id: str, created: datetime) -> Json:
    return {"name": bucket, "owner": {"displayName": None, "id": owner_id}, "creationDate": config_time(created)}


def bucket_supplementary(policy_text: str | None) -> Json:
    """``supplementaryConfiguration`` of an ``AWS::S3::Bucket``: ``BucketPolicy.policyText`` is the
    policy as JSON text (``null`` without a policy), as the ``s3-bucket-policy-*`` rules read it."""
    return {
        "BucketPolicy": {"policyText": policy_text},
        "BucketVersioningConfiguration": {"status": "Enabled", "isMfaDeleteEnabled": None},
        "PublicAccessBlockConfiguration": {
            "blockPublicAcls": True,
            "ignorePublicAcls": True,
            "blockPublicPolicy": True,
            "restrictPublicBuckets": True,
        },
        "ServerSideEncryptionConfiguration": {
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256", "kmsMasterKeyID": None}}]
        },
    }


def recorder_configuration(recorder: Json, *, recording: bool) -> Json:
    """An ``AWS::Config::ConfigurationRecorder`` configuration (PascalCase, as the resource schema
    names it) from a ``describe-configuration-recorders`` entry."""
    group = recorder["recordingGroup"]
    mode = recorder.get("recordingMode", {})
    return {
        "Name": recorder["name"],
        "RoleARN": recorder["roleARN"],
        "RecordingGroup": {
            "AllSupported": group["allSupported"],
            "IncludeGlobalResourceTypes": group["includeGlobalResourceTypes"],
            "ResourceTypes": list(group.get("resourceTypes", [])),
            "ExclusionByResourceTypes": {
                "ResourceTypes": list(group.get("exclusionByResourceTypes", {}).get("resourceTypes", []))
            },
            "RecordingStrategy": {"UseOnly": group.get("recordingStrategy", {}).get("useOnly")},
        },
        "RecordingMode": {
            "RecordingFrequency": mode.get("recordingFrequency", "CONTINUOUS"),
            "RecordingModeOverrides": [],
        },
        "Recording": recording,
    }
