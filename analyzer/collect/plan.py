"""What is collected and where each answer goes: the bundle layout, as tables.

The paths are the ones the loader reads (:mod:`analyzer.evidence.layout`); the calls are the ones
the AWS CLI would make with the same name (``aws iam get-account-summary`` ->
``<account>/iam/get-account-summary.json``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from analyzer.collect.operations import Operation, operation

ORG = "organization"
ENABLED_OPT_IN = frozenset({"opt-in-not-required", "opted-in"})


@dataclass(frozen=True, slots=True)
class Step:
    """A call whose whole answer is one file, with no parameters."""

    operation: Operation
    file: str  # under <account>/ (account steps) or <account>/<region>/ (region steps)


def _step(service: str, name: str, file: str) -> Step:
    return Step(operation(service, name), file)


ORG_STEPS: tuple[Step, ...] = (
    _step("organizations", "DescribeOrganization", "describe-organization.json"),
    _step("organizations", "ListRoots", "list-roots.json"),
)
LIST_ACCOUNTS = _step("organizations", "ListAccounts", "list-accounts.json")
LIST_POLICIES = _step("organizations", "ListPolicies", "list-policies.json")  # kept only on failure
DESCRIBE_POLICY = operation("organizations", "DescribePolicy")
LIST_TARGETS = operation("organizations", "ListTargetsForPolicy")

ACCOUNT_STEPS: tuple[Step, ...] = (
    _step("iam", "GetAccountAuthorizationDetails", "iam/get-account-authorization-details.json"),
    _step("iam", "GetAccountPasswordPolicy", "iam/get-account-password-policy.json"),
    _step("iam", "GetAccountSummary", "iam/get-account-summary.json"),
    _step("iam", "ListVirtualMFADevices", "iam/list-virtual-mfa-devices.json"),
)
ORG_FEATURES = _step("iam", "ListOrganizationsFeatures", "iam/list-organizations-features.json")
GENERATE_REPORT = operation("iam", "GenerateCredentialReport")
CREDENTIAL_REPORT = _step("iam", "GetCredentialReport", "iam/get-credential-report.json")
DESCRIBE_REGIONS = _step("ec2", "DescribeRegions", "ec2/describe-regions.json")
LIST_BUCKETS = operation("s3", "ListBuckets")
BUCKET_LOCATION = operation("s3", "GetBucketLocation")
BUCKET_POLICY = operation("s3", "GetBucketPolicy")

DESCRIBE_TRAILS = _step("cloudtrail", "DescribeTrails", "cloudtrail/describe-trails.json")
TRAIL_STATUS = operation("cloudtrail", "GetTrailStatus")
TRAIL_SELECTORS = operation("cloudtrail", "GetEventSelectors")
REGION_STEPS: tuple[Step, ...] = (
    _step("config", "DescribeConfigurationRecorders", "config/describe-configuration-recorders.json"),
    _step("config", "DescribeConfigurationRecorderStatus", "config/describe-configuration-recorder-status.json"),
    _step("config", "DescribeDeliveryChannels", "config/describe-delivery-channels.json"),
    _step("config", "DescribeDeliveryChannelStatus", "config/describe-delivery-channel-status.json"),
)

#: Account-level files, written as error records when the account cannot be reached at all.
ACCOUNT_FILES: tuple[str, ...] = (
    *(s.file for s in ACCOUNT_STEPS),
    CREDENTIAL_REPORT.file,
    DESCRIBE_REGIONS.file,
)


def org_file(name: str) -> str:
    return f"{ORG}/{name}"


def policy_file(policy_id: str) -> str:
    return f"{ORG}/policies/{policy_id}.json"


def targets_file(policy_id: str) -> str:
    return f"{ORG}/targets/{policy_id}.json"


def account_file(account: str, name: str) -> str:
    return f"{account}/{name}"


def region_file(account: str, region: str, name: str) -> str:
    return f"{account}/{region}/{name}"


def trail_status_file(account: str, region: str, trail: str) -> str:
    return f"{account}/{region}/cloudtrail/get-trail-status/{trail}.json"


def trail_selectors_file(account: str, region: str, trail: str) -> str:
    return f"{account}/{region}/cloudtrail/get-event-selectors/{trail}.json"


def bucket_policy_file(account: str, bucket: str) -> str:
    return f"{account}/s3/{bucket}/get-bucket-policy.json"


def active_accounts(list_accounts: Mapping[str, Any]) -> list[str]:
    """Account IDs of list-accounts whose ``State`` (or, in older answers, ``Status``) is ACTIVE."""
    found = []
    for entry in list_accounts.get("Accounts", []):
        state = entry.get("State") or entry.get("Status")
        if isinstance(entry.get("Id"), str) and str(state).upper() == "ACTIVE":
            found.append(entry["Id"])
    return sorted(set(found))


def enabled_regions(describe_regions: Mapping[str, Any]) -> list[str]:
    """Regions ec2 describe-regions lists as enabled (opt-in not required, or opted in)."""
    names = {
        r["RegionName"]
        for r in describe_regions.get("Regions", [])
        if isinstance(r.get("RegionName"), str) and r.get("OptInStatus", "opt-in-not-required") in ENABLED_OPT_IN
    }
    return sorted(names)


def home_trails(describe_trails: Mapping[str, Any], region: str) -> list[tuple[str, str]]:
    """(file name, name-or-ARN to call with) of each trail whose home is this region, once per name."""
    seen: dict[str, str] = {}
    for trail in describe_trails.get("trailList", []):
        name = trail.get("Name")
        if not isinstance(name, str) or trail.get("HomeRegion", region) != region:
            continue
        seen.setdefault(name, str(trail.get("TrailARN") or name))
    return sorted(seen.items())


def trail_buckets(describe_trails: Mapping[str, Any]) -> dict[str, str]:
    """Trail ARN (or name) -> the bucket it delivers to."""
    return {
        str(t.get("TrailARN") or t.get("Name")): t["S3BucketName"]
        for t in describe_trails.get("trailList", [])
        if isinstance(t.get("S3BucketName"), str)
    }


def trail_prefixes(describe_trails: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(bucket, key prefix) of each trail: ``S3KeyPrefix`` with a trailing ``/``, or "" without one."""
    found = set()
    for trail in describe_trails.get("trailList", []):
        bucket, prefix = trail.get("S3BucketName"), trail.get("S3KeyPrefix")
        if isinstance(bucket, str):
            found.add((bucket, f"{prefix.strip('/')}/" if isinstance(prefix, str) and prefix.strip("/") else ""))
    return found


def central_bucket(buckets_by_trail: Mapping[str, str]) -> str | None:
    """The bucket most trails deliver to (each trail counted once); on a tie the first by name."""
    counts = Counter(buckets_by_trail.values())
    if not counts:
        return None
    return min(counts, key=lambda name: (-counts[name], name))


def bucket_owner(bucket: str, listings: Mapping[str, Iterable[str]]) -> str | None:
    """The account whose s3 list-buckets holds the bucket (the first by ID if several claim it)."""
    owners = sorted(account for account, names in listings.items() if bucket in set(names))
    return owners[0] if owners else None


def location_region(location: Mapping[str, Any], fallback: str) -> str:
    """get-bucket-location's answer as a region: null means us-east-1, ``EU`` means eu-west-1."""
    constraint = location.get("LocationConstraint")
    if not constraint:
        return fallback
    return "eu-west-1" if constraint == "EU" else str(constraint)
