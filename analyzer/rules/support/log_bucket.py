"""The central log bucket's policy, decided with the policy engine (LOG-009, LOG-010).

LOG-009 simulates the requests CloudTrail and Config really make, as their service principals, with
the condition keys those requests carry:

* CloudTrail (CTUG ``create-s3-bucket-policy-for-cloudtrail``, ``cloudtrail-find-log-files``):
  ``s3:GetBucketAcl`` on the bucket, ``s3:PutObject`` of each region's log file under
  ``[<prefix>/]AWSLogs/[<o-id>/]<acct>/CloudTrail/<region>/...`` and, with log file validation, of the
  digest under ``.../CloudTrail-Digest/...``; ``aws:SourceAccount`` = the trail's owner,
  ``aws:SourceArn`` = the trail ARN, ``s3:x-amz-acl = bucket-owner-full-control``.
* Config (CFGUG ``s3-bucket-policy``): ``s3:GetBucketAcl``, ``s3:PutObject`` under
  ``[<prefix>/]AWSLogs/<acct>/Config/<region>/...`` with ``aws:SourceAccount`` = the account and
  ``aws:SourceArn`` = ``arn:aws:config:<region>:<acct>:*`` (the documented value, verbatim).
  ``s3:ListBucket`` is the bucket-existence check; the guide says delivery succeeds without it,
  so its refusal is reported, not failed. With a customer-managed recorder role Config first
  writes as that role (in its own account only as the role); with the service-linked role it
  always writes as the service principal.

Context keys: the ones above; ``aws:SecureTransport`` true and ``aws:ViaAWSService`` false (the
services call S3 directly over TLS); ``aws:PrincipalOrgID``, VPC and MFA keys absent (a service
principal belongs to no organization and uses no VPC endpoint of yours). ``aws:SourceOrgID`` is
the organization for a CloudTrail request on behalf of an organization account and unknown for
Config, whose guide says organization conditions do not work with its service principal; any other
key (``aws:SourceIp``, encryption headers without a KMS key ...) is unknown, and a decision that
depends on an unknown key is not counted as a working delivery.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from analyzer.iam import Decision, Principal, Request, RequestContext, evaluate
from analyzer.model.entities import BucketPolicy, DeliveryChannel, Role, Trail
from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicySource
from analyzer.rules.context import RuleContext
from analyzer.rules.support.log_delivery import normalized_prefix

CLOUDTRAIL = "cloudtrail.amazonaws.com"
CONFIG = "config.amazonaws.com"
LOG_SERVICES = (CLOUDTRAIL, CONFIG)
ACL = "bucket-owner-full-control"

#: Keys that a request made directly by a service principal never carries.
ABSENT_FOR_SERVICES = (
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:VpcSourceIp",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
)


# --------------------------------------------------------------------------- the policy
@dataclass(frozen=True, slots=True)
class PolicyLookup:
    """The bucket's policy, or the evidence state that says why there is none."""

    policy: BucketPolicy | None
    state: EvidenceState
    owner: str | None

    @property
    def absent_in_aws(self) -> bool:
        return self.policy is None and self.state.status is EvidenceStatus.ABSENT_IN_AWS


def find_bucket_policy(ctx: RuleContext, bucket: str) -> PolicyLookup:
    """The policy of ``bucket``, or why there is none; a conflict when several accounts' exports answer.

    Only the account that owns a bucket can read its policy: GetBucketPolicy answers any other account
    405 Method Not Allowed (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html). A
    policy (or NoSuchBucketPolicy) read from two accounts' folders is therefore a copy whose genuine
    original cannot be told apart, and the first folder in path order must not decide.
    """
    policy = ctx.snapshot.bucket_policy(bucket)
    kind = Kind.S3_BUCKET_POLICY.value
    states = sorted((k, s) for k, s in ctx.snapshot.states.items() if k[2] == kind and k[3] == bucket)
    answered = [(account, state) for (account, _, _, _), state in states if state.usable]  # one per account
    if len(answered) > 1:
        accounts = ", ".join(account for account, _ in answered)
        reason = (
            f"the policy of {bucket} was exported from accounts {accounts}, and only the "
            "account that owns a bucket can read its policy (GetBucketPolicy answers any other account 405 Method "
            "Not Allowed); keep only the export of the owner"
        )
        files = tuple(f for _, state in answered for f in state.files)
        return PolicyLookup(None, EvidenceState(kind, EvidenceStatus.CONFLICT, reason, files), ctx.identity_account)
    if policy is not None:
        loaded = states[0][1] if states else EvidenceState(kind, EvidenceStatus.LOADED)
        return PolicyLookup(policy, loaded, policy.account_id)
    if states:
        (owner, _, _, _), state = states[0]
        return PolicyLookup(None, state, owner or None)
    reason = (
        f"no get-bucket-policy file for {bucket} in the bundle (expected <owner account>/s3/{bucket}/"
        "get-bucket-policy.json, exported from the account that owns the bucket)"
    )
    return PolicyLookup(None, EvidenceState(kind, EvidenceStatus.MISSING, reason), ctx.identity_account)


# --------------------------------------------------------------------------- request contexts
def service_context(
    *, source_account: str, source_arn: str, source_org: str | None, org_known: bool, put: bool, kms_key: str | None
) -> RequestContext:
    values: dict[str, str] = {
        "aws:SecureTransport": "true",
        "aws:ViaAWSService": "false",
        "aws:SourceAccount": source_account,
        "aws:SourceArn": source_arn,
    }
    absent = list(ABSENT_FOR_SERVICES)
    if source_org is not None:
        values["aws:SourceOrgID"] = source_org
    elif org_known:
        absent.append("aws:SourceOrgID")
    if put:
        values["s3:x-amz-acl"] = ACL
        if kms_key:
            values["s3:x-amz-server-side-encryption"] = "aws:kms"
            values["s3:x-amz-server-side-encryption-aws-kms-key-id"] = kms_key
    else:
        absent += ["s3:x-amz-acl", "s3:x-amz-server-side-encryption"]
    return RequestContext.build(values, absent, absent_prefixes=("aws:PrincipalTag/",))


def role_context(*, org_id: str | None, put: bool) -> RequestContext:
    values = {"aws:SecureTransport": "true", "aws:ViaAWSService": "false"}
    if org_id:
        values["aws:PrincipalOrgID"] = org_id
    if put:
        values["s3:x-amz-acl"] = ACL
    absent = ["aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID"] + ([] if put else ["s3:x-amz-acl"])
    return RequestContext.build(values, absent)


# --------------------------------------------------------------------------- delivery checks
# Attempts, checks and verdicts are read-only by convention but not frozen: LOG-009 builds 75,000 of
# each at 1,000 accounts, and a frozen dataclass's ``__init__`` sets each field through
# ``object.__setattr__`` (several times slower).
@dataclass(slots=True)
class Attempt:
    """One way a service may write: as its service principal, or as the recorder's IAM role.

    The request, and its condition-key context, are built only when it is evaluated: the cross-region
    memo of :class:`Judge` makes that unnecessary for most (at 1,000 accounts, 4,000 evaluations of
    36,000 attempts).
    """

    principal: Principal
    action: str
    resource: str
    context: Callable[[], RequestContext]
    via: str
    identity: tuple[PolicySource, ...] = ()
    boundaries: tuple[PolicySource, ...] = ()

    def request(self) -> Request:
        return Request(self.principal, self.action, self.resource, self.context())


@dataclass(slots=True)
class DeliveryCheck:
    service: str  # CloudTrail | Config
    source: str  # the trail ARN or the delivery channel
    what: str  # log files | digest files | bucket ACL check | existence check
    region: str
    action: str
    shown: str  # the object key with <region>, or the bucket
    attempts: tuple[Attempt, ...]
    required: bool = True
    evidence: tuple[EvidenceRef, ...] = ()
    unsure: str = ""  # a way of delivering the evidence cannot judge: a refusal of the others is not final
    #: the account the service acts for (aws:SourceAccount): part of what decides the verdict, so part of
    #: the memo key (a delivery channel is named "default" in every account)
    source_account: str = ""


@dataclass(slots=True)
class Verdict:
    check: DeliveryCheck
    allowed: bool
    explanation: str
    evidence: tuple[EvidenceRef, ...]
    allowed_by: tuple[str, ...] = ()  # the statements that allow it: bucket policy Sid/place, or described
    via: str = ""  # who the allowed request was made as

    def of(self, check: DeliveryCheck) -> Verdict:
        """This verdict for ``check`` (decided alike: the same request in another region)."""
        return Verdict(check, self.allowed, self.explanation, self.evidence, self.allowed_by, self.via)


@dataclass(frozen=True, slots=True)
class DeliveryPlan:
    """What the simulated object keys and contexts need besides the trail or channel."""

    bucket: str
    partition: str
    day: date
    org_id: str | None
    org_known: bool  # the organization and its account list are known (so aws:SourceOrgID can be decided)
    org_accounts: frozenset[str]
    # the day as object keys spell it, formatted once (75,000 keys at 1,000 accounts)
    stamp: str = field(init=False)  # 20261120
    folder: str = field(init=False)  # 2026/11/20 (CloudTrail)
    config_folder: str = field(init=False)  # 2026/1/5 for January 5th: Config does not zero-pad

    def __post_init__(self) -> None:
        object.__setattr__(self, "stamp", self.day.strftime("%Y%m%d"))
        object.__setattr__(self, "folder", self.day.strftime("%Y/%m/%d"))
        object.__setattr__(self, "config_folder", f"{self.day.year}/{self.day.month}/{self.day.day}")

    def object_arn(self, key: str) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket}/{key}"

    @property
    def bucket_arn(self) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket}"


def _prefix(prefix: str | None) -> str:
    cleaned = normalized_prefix(prefix)
    return f"{cleaned}/" if cleaned else ""


def cloudtrail_checks(plan: DeliveryPlan, account: str, trail: Trail, regions: Sequence[str]) -> list[DeliveryCheck]:
    """The requests CloudTrail makes to deliver ``account``'s events of ``trail`` (org id needed for org trails)."""
    owner = trail.owner_account_id
    org_segment = f"{plan.org_id}/" if trail.organization_trail else ""
    base = f"{_prefix(trail.s3_prefix)}AWSLogs/{org_segment}{account}"
    stamp = plan.stamp
    folder = plan.folder
    source_org = plan.org_id if owner in plan.org_accounts else None

    contexts = {
        put: partial(
            service_context,
            source_account=owner,
            source_arn=trail.arn,
            source_org=source_org,
            org_known=plan.org_known,
            put=put,
            kms_key=trail.kms_key,
        )
        for put in (True, False)
    }
    service = Principal.service(CLOUDTRAIL)

    def principal_request(action: str, resource: str) -> Attempt:
        return Attempt(service, action, resource, contexts[action == "s3:PutObject"], f"service {CLOUDTRAIL}")

    checks = [
        DeliveryCheck(
            "CloudTrail",
            trail.arn,
            "bucket ACL check",
            trail.home_region,
            "s3:GetBucketAcl",
            plan.bucket,
            (principal_request("s3:GetBucketAcl", plan.bucket_arn),),
            source_account=owner,
            evidence=(trail.ref,),
        )
    ]
    for region in regions:
        log = (
            f"{base}/CloudTrail/{region}/{folder}/{account}_CloudTrail_{region}_{stamp}T0000Z_abcdefghijklmnop.json.gz"
        )
        shown = f"{base}/CloudTrail/<region>/{folder}/..."
        checks.append(
            DeliveryCheck(
                "CloudTrail",
                trail.arn,
                "log files",
                region,
                "s3:PutObject",
                shown,
                (principal_request("s3:PutObject", plan.object_arn(log)),),
                source_account=owner,
                evidence=(trail.ref,),
            )
        )
        if trail.log_file_validation:
            digest = (
                f"{base}/CloudTrail-Digest/{region}/{folder}/{account}_CloudTrail-Digest_{region}_{trail.name}_"
                f"{trail.home_region}_{stamp}T000000Z.json.gz"
            )
            checks.append(
                DeliveryCheck(
                    "CloudTrail",
                    trail.arn,
                    "digest files",
                    region,
                    "s3:PutObject",
                    f"{base}/CloudTrail-Digest/<region>/{folder}/...",
                    (principal_request("s3:PutObject", plan.object_arn(digest)),),
                    source_account=owner,
                    evidence=(trail.ref,),
                )
            )
    return checks


def role_policies(role: Role) -> tuple[tuple[PolicySource, ...], tuple[PolicySource, ...]]:
    """(identity policies, boundaries) of a role whose documents are in the evidence."""
    identity = (*role.inline_policies, *(a.policy for a in role.attached_policies if a.policy is not None))
    boundary = (role.boundary.policy,) if role.boundary is not None and role.boundary.policy is not None else ()
    return identity, boundary


def config_checks(
    plan: DeliveryPlan, channel: DeliveryChannel, role: Role | None, bucket_owner: str | None
) -> list[DeliveryCheck]:
    """The requests Config makes to deliver ``channel``'s files, with the recorder's role as an alternative."""
    account, region = channel.account_id, channel.region
    source_arn = f"arn:{plan.partition}:config:{region}:{account}:*"
    folder = plan.config_folder
    stamp = plan.stamp
    prefix = _prefix(channel.s3_prefix)
    key = (
        f"{prefix}AWSLogs/{account}/Config/{region}/{folder}/ConfigHistory/"
        f"{account}_Config_{region}_ConfigHistory_AWS::IAM::Role_{stamp}T000000Z_{stamp}T010000Z_1.json.gz"
    )
    shown = f"{prefix}AWSLogs/{account}/Config/<region>/{folder}/ConfigHistory/..."
    same_account = bucket_owner == account
    service = Principal.service(CONFIG)
    service_contexts = {
        put: partial(
            service_context,
            source_account=account,
            source_arn=source_arn,
            source_org=None,
            org_known=False,
            put=put,
            kms_key=None,
        )
        for put in (True, False)
    }

    def attempts(action: str, resource: str) -> tuple[Attempt, ...]:
        put = action == "s3:PutObject"
        found: list[Attempt] = []
        if role is not None:
            identity, boundaries = role_policies(role)
            org = plan.org_id if account in plan.org_accounts else None
            principal = Principal.role(role.arn, tags=dict(role.tags))
            context = partial(role_context, org_id=org, put=put)
            found.append(
                Attempt(principal, action, resource, context, f"recorder role {role.arn}", identity, boundaries)
            )
        if role is None or not same_account:
            found.append(Attempt(service, action, resource, service_contexts[put], f"service {CONFIG}"))
        return tuple(found)

    refs = (channel.ref,)
    return [
        DeliveryCheck(
            "Config",
            f"delivery channel {channel.name}",
            "bucket ACL check",
            region,
            "s3:GetBucketAcl",
            plan.bucket,
            attempts("s3:GetBucketAcl", plan.bucket_arn),
            source_account=account,
            evidence=refs,
        ),
        DeliveryCheck(
            "Config",
            f"delivery channel {channel.name}",
            "existence check",
            region,
            "s3:ListBucket",
            plan.bucket,
            attempts("s3:ListBucket", plan.bucket_arn),
            required=False,
            source_account=account,
            evidence=refs,
        ),
        DeliveryCheck(
            "Config",
            f"delivery channel {channel.name}",
            "configuration history",
            region,
            "s3:PutObject",
            shown,
            attempts("s3:PutObject", plan.object_arn(key)),
            source_account=account,
            evidence=refs,
        ),
    ]


# --------------------------------------------------------------------------- judging
def _explain(decision: Decision, via: str) -> str:
    if decision.outcome == "explicit_deny":
        return f"as {via}: refused by {decision.deciding[0].describe()}"
    if decision.outcome == "implicit_deny":
        return f"as {via}: {decision.reason}"
    parts = []
    if decision.conditional:
        texts = " and ".join(sorted({c.text for c in decision.conditional}))
        # every statement a conditional Allow rests on is among the deciding ones, with its unknown clauses
        allowed_by = ", ".join(d.describe() for d in decision.deciding if d.unknown)
        parts.append(f"allowed by {allowed_by} only if {texts}")
    for deny in decision.conditional_denies:
        texts = " and ".join(sorted({c.text for c in deny.unknown}))
        parts.append(f"refused by {deny.describe()} if {texts}")
    return f"as {via}: delivery depends on conditions the service's request does not settle offline: " + "; ".join(
        parts
    )


def judge(check: DeliveryCheck, lookup: PolicyLookup) -> Verdict:
    """Allowed when one attempt is allowed whatever the unknown keys are; otherwise why not, per attempt."""
    policy = lookup.policy.source if lookup.policy is not None else None
    reasons: list[str] = []
    evidence: list[EvidenceRef] = []
    for attempt in check.attempts:
        decision = evaluate(
            attempt.request(),
            identity_policies=attempt.identity,
            boundaries=attempt.boundaries or None,
            resource_policy=policy,
            resource_account=lookup.owner,
        )
        evidence.extend(d.ref for d in (*decision.deciding, *decision.conditional_denies))
        if decision.definite:
            labels = tuple(d.label if d.source.kind == "bucket" else d.describe() for d in decision.deciding)
            text = f"allowed as {attempt.via} by {', '.join(labels) or decision.reason}"
            return Verdict(check, True, text, tuple(dict.fromkeys(evidence)), labels, attempt.via)
        reasons.append(_explain(decision, attempt.via))
    return Verdict(check, False, "; ".join(reasons), tuple(dict.fromkeys(evidence)))


# --------------------------------------------------------------------------- many accounts and regions
#: A region name (``us-east-1``, ``us-gov-west-1``, ``cn-north-1`` ...).
_REGION = re.compile(r"\b[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d\b")
#: A key segment right after ``CloudTrail/`` or ``Config/`` that is not a plain ``*``: a region filter.
_REGION_SEGMENT = re.compile(r"(?:CloudTrail|CloudTrail-Digest|Config)/(?!\*)")


def region_neutral(source: PolicySource) -> bool:
    """True when nothing in the policy can tell one region's delivery from another's.

    Then a delivery decided for one region is decided for all: the object keys and contexts of
    two regions differ only in the region name, which the policy never mentions.
    """
    return not any(
        _REGION.search(s.source_json) or _REGION_SEGMENT.search(s.source_json) for s in source.document.statements
    )


@dataclass
class Judge:
    """:func:`judge` with a memo across regions when the policy is :func:`region_neutral`.

    A check attempted as an IAM role (the Config recorder's) is shared across regions only when the
    role's policies are region-neutral too: they are evaluated as well.
    """

    lookup: PolicyLookup
    neutral: bool = False
    _memo: dict[tuple[object, ...], Verdict] = field(default_factory=dict)
    _alike: dict[tuple[str, ...], bool] = field(default_factory=dict)  # by the attempts' vias

    @classmethod
    def of(cls, lookup: PolicyLookup) -> Judge:
        return cls(lookup, lookup.policy is not None and region_neutral(lookup.policy.source))

    def alike(self, check: DeliveryCheck) -> bool:
        """Whether ``check`` is decided alike in every region: the bucket policy and the policies of each
        caller it is attempted as are :func:`region_neutral`."""
        if not self.neutral:
            return False
        return self._alike_as(tuple(a.via for a in check.attempts), check)

    def _alike_as(self, vias: tuple[str, ...], check: DeliveryCheck) -> bool:
        found = self._alike.get(vias)
        if found is None:
            found = self._alike[vias] = all(
                region_neutral(source) for a in check.attempts for source in (*a.identity, *a.boundaries)
            )
        return found

    def __call__(self, check: DeliveryCheck) -> Verdict:
        if not self.neutral:
            return judge(check, self.lookup)
        vias = tuple(a.via for a in check.attempts)
        if not self._alike_as(vias, check):
            return judge(check, self.lookup)
        key = (check.service, check.source_account, check.source, check.what, check.action, check.shown, vias)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = judge(check, self.lookup)
        return found.of(check)  # built directly (dataclasses.replace is several times slower)
