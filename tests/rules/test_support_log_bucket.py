"""analyzer/rules/support/log_bucket.py tested alone: the requests CloudTrail and Config make, and their verdicts.

The requests follow the services' guides:

* CloudTrail: ``s3:GetBucketAcl`` on the bucket, ``s3:PutObject`` of
  ``[prefix/]AWSLogs/[o-id/]<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<stamp>_<unique>.json.gz``
  and of the digest
  ``.../CloudTrail-Digest/<region>/.../<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<stamp>.json.gz``,
  with ``aws:SourceArn`` the trail and ``aws:SourceAccount`` its owner, ``s3:x-amz-acl`` =
  ``bucket-owner-full-control``
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html,
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html,
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html).
* Config: ``s3:GetBucketAcl``, ``s3:ListBucket`` and ``s3:PutObject`` of
  ``[prefix/]AWSLogs/<account>/Config/<region>/...`` with ``aws:SourceAccount`` the account and
  ``aws:SourceArn`` ``arn:aws:config:<region>:<account>:*``; with a customer recorder role Config writes
  as that role first, in the bucket's own account only as the role
  (https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from analyzer.iam.context import UNKNOWN
from analyzer.model.entities import AttachedPolicyRef, BucketPolicy, DeliveryChannel, Role, Trail
from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.policy import PolicySource, parse_policy
from analyzer.rules.support import log_bucket as lb

OWNER = "111111111111"
MEMBER = "222222222222"
ORG = "o-abcdef1234"
REF = EvidenceRef(f"{OWNER}/s3/logs/get-bucket-policy.json", "/Policy", "")
TRAIL_REF = EvidenceRef(f"{OWNER}/cloudtrail/us-east-1/describe-trails.json", "/trailList/0")
CHANNEL_REF = EvidenceRef(f"{MEMBER}/config/eu-west-1/describe-delivery-channels.json", "/DeliveryChannels/0")
PLAN = lb.DeliveryPlan("logs", "aws", date(2026, 1, 5), ORG, True, frozenset({OWNER, MEMBER}))
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{OWNER}:trail/org"
CONFIG_KEY = (
    f"cfg/AWSLogs/{MEMBER}/Config/eu-west-1/2026/1/5/ConfigHistory/{MEMBER}_Config_eu-west-1_ConfigHistory_"
    "AWS::IAM::Role_20260105T000000Z_20260105T010000Z_1.json.gz"
)


def _source(
    *statements: dict[str, Any], kind: str = "bucket", name: str = "logs", ref: EvidenceRef = REF
) -> PolicySource:
    document = parse_policy({"Version": "2012-10-17", "Statement": list(statements)})
    return PolicySource(kind, name, document, ref)  # type: ignore[arg-type]


def _lookup(*statements: dict[str, Any]) -> lb.PolicyLookup:
    policy = BucketPolicy(bucket="logs", account_id=OWNER, source=_source(*statements))
    return lb.PolicyLookup(policy, EvidenceState("s3_bucket_policy", EvidenceStatus.LOADED), OWNER)


def _trail(**kw: Any) -> Trail:
    fields: dict[str, Any] = {
        "arn": TRAIL_ARN,
        "name": "org",
        "home_region": "us-east-1",
        "owner_account_id": OWNER,
        "seen_in_account": OWNER,
        "seen_in_region": "us-east-1",
        "ref": TRAIL_REF,
        "multi_region": True,
        "organization_trail": True,
        "include_global_events": True,
        "log_file_validation": True,
        "s3_bucket": "logs",
        "s3_prefix": "/p/",
        "sns_topic": None,
        "kms_key": None,
    }
    fields.update(kw)
    return Trail(**fields)


def _channel() -> DeliveryChannel:
    return DeliveryChannel(
        account_id=MEMBER,
        region="eu-west-1",
        name="default",
        ref=CHANNEL_REF,
        s3_bucket="logs",
        s3_prefix="cfg",
        sns_topic=None,
    )


def _role(*, boundary: bool = True) -> Role:
    ref = EvidenceRef(f"{MEMBER}/iam/get-account-authorization-details.json", "/RoleDetailList/0")
    managed = _source(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}, kind="managed", name="X", ref=ref.child("x")
    )
    fence = _source({"Effect": "Allow", "Action": "*", "Resource": "*"}, kind="boundary", name="B", ref=ref.child("b"))
    return Role(
        account_id=MEMBER,
        arn=f"arn:aws:iam::{MEMBER}:role/recorder",
        name="recorder",
        role_id="AROAEXAMPLE",
        path="/",
        ref=ref,
        trust_policy=None,
        inline_policies=(
            _source(
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, kind="inline", name="S3", ref=ref.child("s3")
            ),
        ),
        attached_policies=(
            AttachedPolicyRef(arn="arn:aws:iam::aws:policy/X", name="X", ref=ref, policy=managed),
            AttachedPolicyRef(arn="arn:aws:iam::aws:policy/Y", name="Y", ref=ref, policy=None),
        ),
        boundary=AttachedPolicyRef(arn="arn:aws:iam::aws:policy/B", name="B", ref=ref, policy=fence)
        if boundary
        else None,
        tags=(("team", "logs"),),
    )


# --------------------------------------------------------------------------- the plan and the requests
def test_plan_spells_the_day_as_each_service_does() -> None:
    plan = lb.DeliveryPlan("logs", "aws", date(2026, 1, 5), ORG, True, frozenset({OWNER, MEMBER}))  # not PLAN:
    # built at import, before a mutation test switches a change of __post_init__ on
    assert (plan.stamp, plan.folder, plan.config_folder) == ("20260105", "2026/01/05", "2026/1/5")
    assert plan.bucket_arn == "arn:aws:s3:::logs"
    assert plan.object_arn("a/b") == "arn:aws:s3:::logs/a/b"


def test_cloudtrail_checks_of_an_organization_trail_with_validation() -> None:
    checks = lb.cloudtrail_checks(PLAN, MEMBER, _trail(), ["us-east-1", "eu-west-1"])
    base = f"p/AWSLogs/{ORG}/{MEMBER}"
    assert [(c.what, c.region, c.action, c.shown) for c in checks] == [
        ("bucket ACL check", "us-east-1", "s3:GetBucketAcl", "logs"),
        ("log files", "us-east-1", "s3:PutObject", f"{base}/CloudTrail/<region>/2026/01/05/..."),
        ("digest files", "us-east-1", "s3:PutObject", f"{base}/CloudTrail-Digest/<region>/2026/01/05/..."),
        ("log files", "eu-west-1", "s3:PutObject", f"{base}/CloudTrail/<region>/2026/01/05/..."),
        ("digest files", "eu-west-1", "s3:PutObject", f"{base}/CloudTrail-Digest/<region>/2026/01/05/..."),
    ]
    for check in checks:
        assert (check.service, check.source, check.source_account) == ("CloudTrail", TRAIL_ARN, OWNER)
        assert check.evidence == (TRAIL_REF,)
        assert check.required
        assert check.unsure == ""
        assert [a.via for a in check.attempts] == ["service cloudtrail.amazonaws.com"]
        assert check.attempts[0].principal.arn == "cloudtrail.amazonaws.com"
        assert check.attempts[0].identity == () and check.attempts[0].boundaries == ()
    assert [c.attempts[0].resource for c in checks] == [
        "arn:aws:s3:::logs",
        f"arn:aws:s3:::logs/{base}/CloudTrail/us-east-1/2026/01/05/{MEMBER}_CloudTrail_us-east-1_20260105T0000Z_"
        "abcdefghijklmnop.json.gz",
        f"arn:aws:s3:::logs/{base}/CloudTrail-Digest/us-east-1/2026/01/05/{MEMBER}_CloudTrail-Digest_us-east-1_org_"
        "us-east-1_20260105T000000Z.json.gz",
        f"arn:aws:s3:::logs/{base}/CloudTrail/eu-west-1/2026/01/05/{MEMBER}_CloudTrail_eu-west-1_20260105T0000Z_"
        "abcdefghijklmnop.json.gz",
        f"arn:aws:s3:::logs/{base}/CloudTrail-Digest/eu-west-1/2026/01/05/{MEMBER}_CloudTrail-Digest_eu-west-1_org_"
        "us-east-1_20260105T000000Z.json.gz",
    ]
    get, put = checks[0].attempts[0].request(), checks[1].attempts[0].request()
    assert get.action == "s3:GetBucketAcl" and put.action == "s3:PutObject"
    for request in (get, put):
        assert request.lookup("aws:SourceAccount") == (OWNER,)
        assert request.lookup("aws:SourceArn") == (TRAIL_ARN,)
        assert request.lookup("aws:SourceOrgID") == (ORG,)
        assert request.lookup("aws:SecureTransport") == ("true",)
        assert request.lookup("aws:ViaAWSService") == ("false",)
        for key in lb.ABSENT_FOR_SERVICES:
            assert request.lookup(key) is None
        assert request.lookup("aws:PrincipalTag/team") is None
        assert request.lookup("aws:SourceIp") is UNKNOWN
    assert put.lookup("s3:x-amz-acl") == ("bucket-owner-full-control",)
    assert put.lookup("s3:x-amz-server-side-encryption") is UNKNOWN
    assert get.lookup("s3:x-amz-acl") is None
    assert get.lookup("s3:x-amz-server-side-encryption") is None


def test_cloudtrail_checks_of_an_account_trail_without_validation_with_kms() -> None:
    key = f"arn:aws:kms:us-east-1:{OWNER}:key/k"
    trail = _trail(organization_trail=False, log_file_validation=False, s3_prefix=None, kms_key=key)
    checks = lb.cloudtrail_checks(PLAN, OWNER, trail, ["us-east-1"])
    assert [c.what for c in checks] == ["bucket ACL check", "log files"]
    assert checks[1].shown == f"AWSLogs/{OWNER}/CloudTrail/<region>/2026/01/05/..."
    put = checks[1].attempts[0].request()
    assert put.lookup("s3:x-amz-server-side-encryption") == ("aws:kms",)
    assert put.lookup("s3:x-amz-server-side-encryption-aws-kms-key-id") == (key,)
    # a trail owned outside the organization: no aws:SourceOrgID, known absent when the organization is known
    outside = _trail(owner_account_id="999999999999", arn="arn:aws:cloudtrail:us-east-1:999999999999:trail/x")
    request = lb.cloudtrail_checks(PLAN, OWNER, outside, ["us-east-1"])[1].attempts[0].request()
    assert request.lookup("aws:SourceOrgID") is None
    unknown_org = lb.DeliveryPlan("logs", "aws", date(2026, 1, 5), None, False, frozenset())
    request = lb.cloudtrail_checks(unknown_org, OWNER, outside, ["us-east-1"])[1].attempts[0].request()
    assert request.lookup("aws:SourceOrgID") is UNKNOWN


def test_config_checks_as_the_role_then_the_service_across_accounts() -> None:
    role = _role()
    checks = lb.config_checks(PLAN, _channel(), role, OWNER)
    assert [(c.what, c.action, c.shown, c.required) for c in checks] == [
        ("bucket ACL check", "s3:GetBucketAcl", "logs", True),
        ("existence check", "s3:ListBucket", "logs", False),
        (
            "configuration history",
            "s3:PutObject",
            f"cfg/AWSLogs/{MEMBER}/Config/<region>/2026/1/5/ConfigHistory/...",
            True,
        ),
    ]
    for check in checks:
        assert (check.service, check.source, check.region, check.source_account) == (
            "Config",
            "delivery channel default",
            "eu-west-1",
            MEMBER,
        )
        assert check.evidence == (CHANNEL_REF,)
        assert [a.via for a in check.attempts] == [f"recorder role {role.arn}", "service config.amazonaws.com"]
    as_role, as_service = checks[2].attempts
    assert as_role.resource == as_service.resource == f"arn:aws:s3:::logs/{CONFIG_KEY}"
    assert checks[0].attempts[0].resource == "arn:aws:s3:::logs"
    assert as_role.principal.arn == role.arn and as_role.principal.tags == (("team", "logs"),)
    assert (as_role.identity, as_role.boundaries) == lb.role_policies(role)
    role_put = as_role.request()
    assert role_put.lookup("aws:PrincipalOrgID") == (ORG,)
    assert role_put.lookup("s3:x-amz-acl") == ("bucket-owner-full-control",)
    for key in ("aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID"):
        assert role_put.lookup(key) is None
    assert role_put.lookup("aws:SecureTransport") == ("true",)
    assert role_put.lookup("aws:ViaAWSService") == ("false",)
    assert checks[0].attempts[0].request().lookup("s3:x-amz-acl") is None
    service_put = as_service.request()
    assert service_put.lookup("aws:SourceAccount") == (MEMBER,)
    assert service_put.lookup("aws:SourceArn") == (f"arn:aws:config:eu-west-1:{MEMBER}:*",)
    assert service_put.lookup("aws:SourceOrgID") is UNKNOWN  # organization conditions do not work for Config
    assert service_put.lookup("s3:x-amz-acl") == ("bucket-owner-full-control",)
    assert checks[0].attempts[1].request().lookup("s3:x-amz-acl") is None


def test_config_checks_in_the_bucket_account_and_without_a_role() -> None:
    role = _role()
    same = lb.config_checks(PLAN, _channel(), role, MEMBER)
    assert [[a.via for a in c.attempts] for c in same] == [[f"recorder role {role.arn}"]] * 3
    service_only = lb.config_checks(PLAN, _channel(), None, MEMBER)
    assert [[a.via for a in c.attempts] for c in service_only] == [["service config.amazonaws.com"]] * 3
    outside = lb.DeliveryPlan("logs", "aws", date(2026, 1, 5), ORG, True, frozenset({OWNER}))
    role_put = lb.config_checks(outside, _channel(), role, MEMBER)[2].attempts[0].request()
    assert role_put.lookup("aws:PrincipalOrgID") is UNKNOWN


def test_role_policies_skip_documents_not_in_the_evidence() -> None:
    role = _role()
    identity, boundaries = lb.role_policies(role)
    assert [p.name for p in identity] == ["S3", "X"]
    assert [p.name for p in boundaries] == ["B"]
    assert lb.role_policies(_role(boundary=False))[1] == ()


# --------------------------------------------------------------------------- judging
def _put_check(
    lookup_statements: list[dict[str, Any]], role: Role | None = None
) -> tuple[lb.Verdict, lb.DeliveryCheck]:
    check = lb.config_checks(PLAN, _channel(), role, OWNER)[2]
    return lb.judge(check, _lookup(*lookup_statements)), check


CONFIG_ALLOW = {
    "Sid": "ConfigWrite",
    "Effect": "Allow",
    "Principal": {"Service": "config.amazonaws.com"},
    "Action": "s3:PutObject",
    "Resource": "arn:aws:s3:::logs/cfg/AWSLogs/*",
}


def test_judge_allowed_by_the_bucket_policy_as_the_service() -> None:
    verdict, check = _put_check([CONFIG_ALLOW])
    assert verdict.allowed
    assert verdict.explanation == "allowed as service config.amazonaws.com by ConfigWrite"
    assert verdict.allowed_by == ("ConfigWrite",)
    assert verdict.via == "service config.amazonaws.com"
    assert verdict.evidence == (EvidenceRef(REF.file, REF.pointer, "/Statement/0"),)
    assert verdict.check is check
    again = verdict.of(lb.config_checks(PLAN, _channel(), None, OWNER)[0])
    assert (again.allowed, again.explanation, again.evidence, again.allowed_by, again.via) == (
        True,
        verdict.explanation,
        verdict.evidence,
        verdict.allowed_by,
        verdict.via,
    )
    assert again.check.what == "bucket ACL check"


def test_judge_refused_explicitly_implicitly_and_conditionally() -> None:
    deny = {"Sid": "NoConfig", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": "*"}
    verdict, _ = _put_check([CONFIG_ALLOW, deny])
    assert not verdict.allowed
    assert verdict.explanation == "as service config.amazonaws.com: refused by bucket policy logs statement NoConfig"
    assert verdict.evidence == (EvidenceRef(REF.file, REF.pointer, "/Statement/1"),)
    assert verdict.allowed_by == () and verdict.via == ""
    verdict, _ = _put_check([])
    assert not verdict.allowed
    assert verdict.explanation.startswith("as service config.amazonaws.com: ")
    assert verdict.evidence == ()
    conditional = {**CONFIG_ALLOW, "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}
    maybe_deny = {**deny, "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}}
    verdict, _ = _put_check([conditional, maybe_deny])
    assert not verdict.allowed
    assert verdict.explanation == (
        "as service config.amazonaws.com: delivery depends on conditions the service's request does not settle "
        'offline: allowed by bucket policy logs statement ConfigWrite only if {"IpAddress": {"aws:SourceIp": '
        '"203.0.113.0/24"}}; refused by bucket policy logs statement NoConfig if {"StringNotEquals": '
        '{"aws:RequestedRegion": "eu-west-1"}}'
    )
    assert verdict.evidence == (
        EvidenceRef(REF.file, REF.pointer, "/Statement/0"),
        EvidenceRef(REF.file, REF.pointer, "/Statement/1"),
    )


def test_judge_tries_the_role_then_the_service_and_joins_the_reasons() -> None:
    role = _role()
    deny_role = {
        "Sid": "NoRole",
        "Effect": "Deny",
        "Principal": {"AWS": role.arn},
        "Action": "s3:PutObject",
        "Resource": "*",
    }
    verdict, _ = _put_check([deny_role, CONFIG_ALLOW], role)
    assert verdict.allowed
    assert verdict.via == "service config.amazonaws.com"
    assert verdict.explanation == "allowed as service config.amazonaws.com by ConfigWrite"
    assert verdict.evidence == (
        EvidenceRef(REF.file, REF.pointer, "/Statement/0"),
        EvidenceRef(REF.file, REF.pointer, "/Statement/1"),
    )
    verdict, _ = _put_check([deny_role], role)
    assert not verdict.allowed
    reasons = verdict.explanation.split("; ")
    assert reasons[0] == f"as recorder role {role.arn}: refused by bucket policy logs statement NoRole"
    assert reasons[1].startswith("as service config.amazonaws.com: ")
    # the role's own policies decide too: allowed as the role, described by its identity policy
    allow_role = {
        "Sid": "Role",
        "Effect": "Allow",
        "Principal": {"AWS": role.arn},
        "Action": "s3:PutObject",
        "Resource": "*",
    }
    verdict, _ = _put_check([allow_role], role)
    assert verdict.allowed and verdict.via == f"recorder role {role.arn}"
    assert verdict.allowed_by == (
        "inline policy S3 statement /Statement/0",
        "permissions boundary B statement /Statement/0",
        "Role",
    )
    assert verdict.explanation == (
        f"allowed as recorder role {role.arn} by inline policy S3 statement /Statement/0, permissions boundary B "
        "statement /Statement/0, Role"
    )
    role_ref = role.inline_policies[0].ref
    assert verdict.evidence == (
        EvidenceRef(role_ref.file, role_ref.pointer + "/Statement/0"),
        EvidenceRef(role_ref.file, role_ref.pointer[: -len("/s3")] + "/b/Statement/0"),
        EvidenceRef(REF.file, REF.pointer, "/Statement/0"),
    )


def test_region_neutral_and_the_memo_across_regions() -> None:
    assert lb.region_neutral(_source(CONFIG_ALLOW))
    assert not lb.region_neutral(
        _source({**CONFIG_ALLOW, "Resource": "arn:aws:s3:::logs/AWSLogs/*/Config/eu-west-1/*"})
    )
    assert not lb.region_neutral(_source({**CONFIG_ALLOW, "Resource": "arn:aws:s3:::logs/AWSLogs/*/CloudTrail/e*"}))
    assert lb.region_neutral(_source({**CONFIG_ALLOW, "Resource": "arn:aws:s3:::logs/AWSLogs/*/CloudTrail/*"}))
    assert not lb.region_neutral(
        _source(
            {
                **CONFIG_ALLOW,
                "Resource": "arn:aws:s3:::logs/AWSLogs/*/Config/*",
                "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:config:us-gov-west-1:1:*"}},
            }
        )
    )
    lookup = _lookup(CONFIG_ALLOW)
    judge = lb.Judge.of(lookup)
    assert judge.neutral
    assert not lb.Judge.of(
        lb.PolicyLookup(None, EvidenceState("s3_bucket_policy", EvidenceStatus.MISSING), OWNER)
    ).neutral
    first = lb.config_checks(PLAN, _channel(), None, OWNER)[2]
    verdict = judge(first)
    assert verdict.allowed and verdict.check is first
    assert judge.alike(first)
    assert not lb.Judge(lookup).alike(first)  # not known neutral: nothing is shared


def test_judge_explains_every_unknown_clause_and_every_conditional_statement() -> None:
    """Two Allows that apply only under keys the service's request leaves unknown (its source address, the
    requested region, an encryption header without a KMS key), and a Deny under two of them: each statement
    and each clause is named, clauses joined with "and", statements with ","."""
    two_clauses = {
        **CONFIG_ALLOW,
        "Condition": {
            "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
            "StringEquals": {"aws:RequestedRegion": "eu-west-1"},
        },
    }
    encrypted = {
        **CONFIG_ALLOW,
        "Sid": "ConfigWriteEncrypted",
        "Condition": {
            "Bool": {"aws:SecureTransport": "true"},  # known (true): not part of the explanation
            "StringLike": {"s3:x-amz-server-side-encryption": "aws:kms"},
        },
    }
    deny = {
        "Sid": "NoConfig",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": "*",
        "Condition": {
            "StringNotEquals": {"aws:RequestedRegion": "eu-west-1"},
            "NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"},
        },
    }
    verdict, _ = _put_check([two_clauses, encrypted, deny])
    assert verdict.allowed is False
    assert verdict.explanation == (
        "as service config.amazonaws.com: delivery depends on conditions the service's request does not settle "
        "offline: allowed by bucket policy logs statement ConfigWrite, bucket policy logs statement "
        'ConfigWriteEncrypted only if {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}} and {"StringEquals": '
        '{"aws:RequestedRegion": "eu-west-1"}} and {"StringLike": {"s3:x-amz-server-side-encryption": "aws:kms"}}; '
        'refused by bucket policy logs statement NoConfig if {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}} and '
        '{"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}'
    )
    assert verdict.evidence == tuple(EvidenceRef(REF.file, REF.pointer, f"/Statement/{i}") for i in range(3))
    assert verdict.allowed_by == () and verdict.via == ""


def test_judge_without_a_bucket_policy() -> None:
    """A bucket with no policy (NoSuchBucketPolicy) grants nothing: a service principal is refused (it is granted
    only by a resource policy), while a role of the bucket's own account writes under its identity policies alone
    (IAM User Guide, policy evaluation logic within a single account:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html)."""
    absent = lb.PolicyLookup(None, EvidenceState("s3_bucket_policy", EvidenceStatus.ABSENT_IN_AWS), MEMBER)
    assert absent.absent_in_aws
    service_put = lb.config_checks(PLAN, _channel(), None, MEMBER)[2]
    verdict = lb.judge(service_put, absent)
    assert verdict.allowed is False
    assert verdict.explanation == (
        "as service config.amazonaws.com: service config.amazonaws.com can only be granted access by a resource "
        "policy, and none applies"
    )
    assert verdict.evidence == ()
    role = _role()
    verdict = lb.judge(lb.config_checks(PLAN, _channel(), role, MEMBER)[2], absent)
    assert verdict.allowed is True and verdict.via == f"recorder role {role.arn}"
    assert verdict.allowed_by == (
        "inline policy S3 statement /Statement/0",
        "permissions boundary B statement /Statement/0",
    )


def _regional_role() -> Role:
    """The recorder role of :func:`_role` whose inline policy grants one region's Config prefix only."""
    role = _role(boundary=False)
    regional = _source(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::logs/cfg/AWSLogs/*/Config/eu-west-1/*"},
        kind="inline",
        name="S3",
        ref=role.ref.child("s3"),
    )
    arn = f"arn:aws:iam::{MEMBER}:role/regional-recorder"
    return dataclasses.replace(
        role, arn=arn, name="regional-recorder", inline_policies=(regional,), attached_policies=()
    )


def test_judge_alike_asks_each_caller_s_own_policies() -> None:
    """A check made as the service is alike in every region under a region-neutral bucket policy; one made as a
    recorder role whose policy names a region is not, even after the service's was asked about first."""
    judge = lb.Judge.of(_lookup(CONFIG_ALLOW))
    as_service = lb.config_checks(PLAN, _channel(), None, OWNER)[2]
    as_regional_role = lb.config_checks(PLAN, _channel(), _regional_role(), OWNER)[2]
    as_neutral_role = lb.config_checks(PLAN, _channel(), _role(), OWNER)[2]
    assert judge.alike(as_service)
    assert not judge.alike(as_regional_role)
    assert judge.alike(as_neutral_role)
    assert judge(as_regional_role).via == "service config.amazonaws.com"  # the role is refused cross-account


def test_judge_names_the_bucket_action_a_cross_account_recorder_role_lacks() -> None:
    """A recorder role in another account needs an identity-policy Allow as well as the bucket policy's (IAM User
    Guide, cross-account policy evaluation logic:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html): a role
    allowed only s3:PutObject is refused the bucket ACL and existence checks, each named by its action."""
    role = _role(boundary=False)
    put_only = _source(
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"},
        kind="inline",
        name="S3",
        ref=role.ref.child("s3"),
    )
    role = dataclasses.replace(role, inline_policies=(put_only,), attached_policies=())
    grant = {
        "Sid": "Recorder",
        "Effect": "Allow",
        "Principal": {"AWS": role.arn},
        "Action": ["s3:GetBucketAcl", "s3:ListBucket", "s3:PutObject"],
        "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
    }
    acl, existence, put = (lb.judge(c, _lookup(grant)) for c in lb.config_checks(PLAN, _channel(), role, OWNER))
    service_refused = (
        "as service config.amazonaws.com: no statement in the bucket policy logs allows service config.amazonaws.com"
    )
    for verdict, action in ((acl, "s3:GetBucketAcl"), (existence, "s3:ListBucket")):
        assert verdict.allowed is False
        assert verdict.explanation == (
            f"as recorder role {role.arn}: cross-account request: no identity policy of {role.arn} allows {action} on "
            f"arn:aws:s3:::logs; {service_refused}"
        )
    assert (
        put.allowed
        and put.explanation
        == f"allowed as recorder role {role.arn} by inline policy S3 statement /Statement/0, Recorder"
    )
