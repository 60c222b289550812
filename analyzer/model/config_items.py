"""AWS Config configuration items as the loader keeps them: one record per item of a type trustmap
reads, already turned into the entity it describes (or into nothing, for a deleted resource).

Which item describes a resource as of the evidence time, and so which entity the rules see, is
decided once the whole bundle is read (:mod:`analyzer.evidence.config_resolve`): the latest
capture wins, deleted resources drop out, and a CLI export of the same resource is compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from analyzer.model.entities import BucketPolicy, ConfigRecorder, Group, ManagedPolicy, Role, Trail, User
from analyzer.model.evidence import EvidenceRef

#: What an item can become.
ConfigEntity = User | Group | Role | ManagedPolicy | Trail | BucketPolicy | ConfigRecorder

#: The resource types read, and the global ones (recorded in one region, ``awsRegion: "global"``).
IAM_TYPES: tuple[str, ...] = ("AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy")
READ_TYPES: frozenset[str] = frozenset(
    {*IAM_TYPES, "AWS::CloudTrail::Trail", "AWS::S3::Bucket", "AWS::Config::ConfigurationRecorder"}
)
#: ``configurationItemStatus`` values that mean the resource is gone (AWS Config API Reference,
#: ConfigurationItem: https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationItem.html).
DELETED_STATUSES: frozenset[str] = frozenset({"ResourceDeleted", "ResourceDeletedNotRecorded"})


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigItem:
    account_id: str
    region: str  # where it was recorded: the region of the delivered file or of the API call
    aws_region: str  # the item's own awsRegion ("global" for IAM)
    resource_type: str
    resource_id: str
    resource_name: str | None
    status: str
    captured: datetime | None
    state_id: int | None  # configurationStateId: orders one resource's items
    ref: EvidenceRef  # the item in its file
    kind: str  # the evidence kind of its file
    snapshot: str | None = None  # the snapshot file's key (a snapshot lists every recorded resource)
    entity: ConfigEntity | None = None  # None: deleted, not recorded, or unreadable
    no_bucket_policy: bool = False  # an S3 bucket whose BucketPolicy.policyText is null
    fingerprint: str = ""  # the decoded content, compact: equal fingerprints, same resource state

    @property
    def deleted(self) -> bool:
        return self.status in DELETED_STATUSES

    @property
    def key(self) -> tuple[str, str]:
        """The resource: (type, id)."""
        return self.resource_type, self.resource_id

    @property
    def is_global(self) -> bool:
        return self.aws_region == "global"


@dataclass(frozen=True, slots=True, kw_only=True)
class Drift:
    """One resource described differently by a CLI export and by AWS Config."""

    resource: str  # its ARN
    what: str  # what differs: "trust policy", "inline policies", "present in AWS Config only" ...
    cli: EvidenceRef | None  # None: the CLI export does not list the resource
    config: ConfigItem | None  # None: AWS Config's complete list lacks the resource
    used: str  # which capture the verdicts use, and why


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigComparison:
    """A CLI export and AWS Config's items of one account, compared resource by resource."""

    account_id: str
    what: str  # "IAM" or "trails"
    compared: int  # resources both describe
    drifts: tuple[Drift, ...] = ()
    blocked: str = ""  # why no comparison could be made ("" when it was)
    notes: tuple[str, ...] = ()  # e.g. items captured after the collection time, not used
