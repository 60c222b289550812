"""The fixed list of AWS operations the collector may call, and the IAM actions they need.

``trustmap collect`` is read-only by construction: every client it creates refuses, before anything
is sent, any operation that is not listed here (see :mod:`analyzer.collect.aws`). Two listed
operations do not start with Describe/Get/List: ``iam:GenerateCredentialReport`` (the credential
report has to be generated before it can be read; it changes nothing in the account) and
``sts:AssumeRole`` (to read member accounts); two more only read (``s3:HeadObject``,
``cloudtrail:LookupEvents``, see :data:`NON_READ_VERBS`). The least-privilege policy shipped as
``policies/trustmap-collector-policy.json`` is derived from this table; a test keeps them equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Operation:
    """One API operation: botocore's service name and operation name, and the IAM action it needs."""

    service: str  # botocore service name: iam, sts, s3, ...
    name: str  # API operation name, e.g. GetAccountAuthorizationDetails
    action: str | None  # IAM action authorizing it (None: needs no permission)

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.name)

    @property
    def label(self) -> str:
        """``service:Operation``, as the manifest records calls."""
        return f"{self.service}:{self.name}"


def _op(service: str, name: str, action: str | None = "") -> Operation:
    """An operation whose IAM action is ``<service>:<name>`` unless given (None for none needed)."""
    return Operation(service, name, f"{service}:{name}" if action == "" else action)


OPERATIONS: tuple[Operation, ...] = (
    _op("sts", "GetCallerIdentity", None),  # always allowed; needs no permission
    _op("sts", "AssumeRole"),
    _op("organizations", "DescribeOrganization"),
    _op("organizations", "ListAccounts"),
    _op("organizations", "ListRoots"),
    _op("organizations", "ListPolicies"),
    _op("organizations", "DescribePolicy"),
    _op("organizations", "ListTargetsForPolicy"),
    _op("iam", "GetAccountAuthorizationDetails"),
    _op("iam", "GetAccountPasswordPolicy"),
    _op("iam", "GetAccountSummary"),
    _op("iam", "ListVirtualMFADevices"),
    _op("iam", "GenerateCredentialReport"),
    _op("iam", "GetCredentialReport"),
    _op("iam", "ListOrganizationsFeatures"),
    _op("ec2", "DescribeRegions"),
    _op("cloudtrail", "DescribeTrails"),
    _op("cloudtrail", "GetTrailStatus"),
    _op("cloudtrail", "GetEventSelectors"),
    _op("config", "DescribeConfigurationRecorders"),
    _op("config", "DescribeConfigurationRecorderStatus"),
    _op("config", "DescribeDeliveryChannels"),
    _op("config", "DescribeDeliveryChannelStatus"),
    _op("s3", "ListBuckets", "s3:ListAllMyBuckets"),
    _op("s3", "GetBucketLocation"),
    _op("s3", "GetBucketPolicy"),
    # trustmap collect --activity: the central bucket's CloudTrail objects, and where it cannot be read,
    # the recorded management events (analyzer/collect/activity.py)
    _op("s3", "ListObjectsV2", "s3:ListBucket"),
    _op("s3", "GetObject"),
    _op("s3", "HeadObject", "s3:GetObject"),
    _op("cloudtrail", "ListPublicKeys"),
    _op("cloudtrail", "LookupEvents"),
)

#: (botocore service name, operation name) of every operation the collector may call.
READ_ONLY_OPERATIONS: frozenset[tuple[str, str]] = frozenset(op.key for op in OPERATIONS)

#: Listed operations whose name is not Describe*/Get*/List*, each with the reason it is needed.
NON_READ_VERBS: dict[tuple[str, str], str] = {
    ("iam", "GenerateCredentialReport"): "the credential report must be generated before it can be read",
    ("sts", "AssumeRole"): "member accounts are read through a role assumed in each of them",
    ("s3", "HeadObject"): "reads a digest object's metadata (its signature), as GetObject does its content",
    ("cloudtrail", "LookupEvents"): "reads recorded management events where the central bucket cannot be read",
}

_BY_KEY: dict[tuple[str, str], Operation] = {op.key: op for op in OPERATIONS}


def operation(service: str, name: str) -> Operation:
    """The listed operation; KeyError for anything the collector must never call."""
    return _BY_KEY[(service, name)]


def iam_actions() -> list[str]:
    """Every IAM action the collector needs, sorted (``sts:AssumeRole`` included)."""
    return sorted({op.action for op in OPERATIONS if op.action is not None})


def collector_policy(role_name: str = "OrganizationAccountAccessRole", partition: str = "aws") -> dict[str, object]:
    """The least-privilege IAM policy for the collecting principal and the role it assumes in members."""
    reads = [a for a in iam_actions() if a != "sts:AssumeRole"]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "TrustmapReadEvidence", "Effect": "Allow", "Action": reads, "Resource": "*"},
            {
                "Sid": "TrustmapAssumeCollectorRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": f"arn:{partition}:iam::*:role/{role_name}",
            },
        ],
    }
