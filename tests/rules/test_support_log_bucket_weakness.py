"""analyzer/rules/support/log_bucket_weakness.py tested alone: samples, outsiders, callers and each check.

What a log bucket policy must say comes from the services' guides: CloudTrail writes with
``s3:x-amz-acl = bucket-owner-full-control`` and its statement should carry ``aws:SourceArn`` (or
``aws:SourceAccount``) against the confused deputy
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html);
Config the same with ``aws:SourceAccount`` (https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html);
the confused deputy problem: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html.
"""

from __future__ import annotations

from typing import Any

from analyzer.iam.context import UNKNOWN
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource, parse_policy
from analyzer.rules.support import log_bucket_weakness as lbw

OWNER = "111111111111"
MEMBER = "222222222222"
OUTSIDER = "444444444444"
ORG = "o-abcdef1234"
BUCKET = "arn:aws:s3:::central-logs"
REF = EvidenceRef("111111111111/s3/central-logs/get-bucket-policy.json", "/Policy", "")
KNOWN = frozenset({OWNER, MEMBER})
ACL_OK = {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}


def _source(*statements: dict[str, Any]) -> PolicySource:
    return PolicySource(
        "bucket", "central-logs", parse_policy({"Version": "2012-10-17", "Statement": list(statements)}), REF
    )


def _at(n: int) -> EvidenceRef:
    return EvidenceRef(REF.file, REF.pointer, f"/Statement/{n}")


def _cloudtrail(condition: dict[str, Any] | None = None, sid: str | None = "CT", **kw: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": kw.pop("service", "cloudtrail.amazonaws.com")},
        "Action": kw.pop("action", "s3:PutObject"),
        "Resource": kw.pop("resource", f"{BUCKET}/AWSLogs/*"),
    }
    if condition is not None:
        statement["Condition"] = condition
    if sid is not None:
        statement["Sid"] = sid
    return statement


# --------------------------------------------------------------------------- sampling
def test_samples_of_object_and_bucket_level() -> None:
    statement = _source(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"{BUCKET}/AWSLogs/*", f"{BUCKET}/a?c", BUCKET, "arn:aws:s3:::other/*", f"{BUCKET}/AWSLogs/*"],
        }
    ).document.statements[0]
    assert lbw._samples(statement, BUCKET, "object") == [f"{BUCKET}/AWSLogs/x", f"{BUCKET}/axc"]
    assert lbw._samples(statement, BUCKET, "bucket") == [BUCKET]
    star = _source({"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}).document.statements[0]
    assert lbw._samples(star, BUCKET, "object") == [f"{BUCKET}/x"]
    assert lbw._samples(star, BUCKET, "bucket") == [BUCKET]
    not_resource = _source(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::other"}
    ).document.statements[0]
    assert lbw._samples(not_resource, BUCKET, "object") == [f"{BUCKET}/x"]
    assert lbw._samples(not_resource, BUCKET, "bucket") == [BUCKET]


# --------------------------------------------------------------------------- outsiders
def test_outsider_accounts_named_in_the_policy_and_a_stand_in() -> None:
    source = _source(
        _cloudtrail({"StringEquals": {"aws:SourceAccount": ["555555555555", OUTSIDER, OWNER]}}),
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:root"},
            "Action": "s3:GetObject",
            "Resource": "*",
        },
    )
    outsiders = lbw.outsider_accounts(source, KNOWN)
    assert outsiders.named == (OUTSIDER, "555555555555")
    assert outsiders.other == "000000000000"
    assert outsiders.all == (OUTSIDER, "555555555555", "000000000000")
    assert outsiders.label(OUTSIDER) == f"account {OUTSIDER}"
    assert outsiders.label("000000000000") == "principals of any other account"
    # the stand-in is never an account the policy names or a known one
    assert lbw.outsider_accounts(source, frozenset({"000000000000"})).other == "999999999999"
    assert lbw.outsider_accounts(source, frozenset({"000000000000", "999999999999"})).other == "123456789012"


def test_outsider_callers_one_per_label_of_each_kind() -> None:
    source = _source(
        {
            "Effect": "Allow",
            "Principal": {
                "AWS": [
                    f"arn:aws:iam::{OUTSIDER}:user/writer",
                    f"arn:aws:iam::{OUTSIDER}:role/writer",
                    f"arn:aws:iam::{OUTSIDER}:root",
                    f"arn:aws:iam::{MEMBER}:role/member",
                ],
                "Service": ["CloudTrail.amazonaws.com", "logs.amazonaws.com"],
                "Federated": "cognito-identity.amazonaws.com",
            },
            "Action": "s3:GetObject",
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:user/writer"},
            "Action": "s3:*",
            "Resource": "*",
        },
    )
    outsiders = lbw.outsider_accounts(source, KNOWN)
    callers = lbw.outsider_callers(source, outsiders, KNOWN)
    assert [c.label for c in callers] == [
        "anyone (Principal *)",
        f"account {OUTSIDER}",
        "principals of any other account",
        f"arn:aws:iam::{OUTSIDER}:user/writer",
        f"arn:aws:iam::{OUTSIDER}:role/writer",
        "service logs.amazonaws.com",
        "federated cognito-identity.amazonaws.com",
    ]
    by_label = {c.label: c for c in callers}
    assert by_label["anyone (Principal *)"].principal.principal_type == "anonymous"
    assert by_label[f"account {OUTSIDER}"].principal.arn == f"arn:aws:iam::{OUTSIDER}:root"
    assert by_label[f"arn:aws:iam::{OUTSIDER}:user/writer"].principal.principal_type == "user"
    assert by_label[f"arn:aws:iam::{OUTSIDER}:role/writer"].principal.principal_type == "role"
    assert by_label["federated cognito-identity.amazonaws.com"].principal.principal_type == "federated"
    plain = by_label["anyone (Principal *)"].context
    assert plain.lookup("s3:x-amz-acl") == ("bucket-owner-full-control",)
    assert plain.lookup("aws:SecureTransport") == ("true",)
    for key in ("aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceOrgID", "aws:SourceAccount", "aws:SourceArn"):
        assert plain.lookup(key) is None
    service = by_label["service logs.amazonaws.com"]
    assert service.principal.principal_type == "service"
    assert service.context.lookup("aws:SourceAccount") == ("000000000000",)
    assert service.context.lookup("aws:SourceArn") is UNKNOWN
    assert service.context.lookup("aws:SourceOrgID") is None
    assert service.context.lookup("aws:SecureTransport") == ("true",)


# --------------------------------------------------------------------------- the checks
def test_open_write_names_callers_actions_and_unknown_conditions() -> None:
    source = _source(
        {
            "Sid": "Partners",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{OUTSIDER}:root", f"arn:aws:iam::{MEMBER}:root"]},
            "Action": ["s3:PutObject", "s3:DeleteObject", "s3:PutBucketAcl", "s3:GetObject"],
            "Resource": [f"{BUCKET}/*", BUCKET],
            "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        },
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MEMBER}:root"}, "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutBucketAcl", "Resource": "*"},
    )
    found = lbw.weaknesses(source, BUCKET, KNOWN, "aws")
    assert [(w.code, w.ref) for w in found] == [("open-write", _at(0))]
    assert found[0].message == (
        f"statement Partners lets account {OUTSIDER} call s3:DeleteObject, s3:PutObject on the bucket, when "
        '{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}} (keys unknown offline): a writer outside the '
        "organization can plant, overwrite or remove log objects"
    )


def test_open_write_by_anyone_and_an_outside_user_without_sid() -> None:
    source = _source(
        {"Effect": "Allow", "Principal": "*", "NotAction": "s3:Get*", "Resource": f"{BUCKET}/logs/*"},
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:user/u"},
            "Action": "s3:PutObject",
            "Resource": f"{BUCKET}/*",
        },
    )
    found = lbw.weaknesses(source, BUCKET, KNOWN, "aws")
    assert [w.message for w in found] == [
        "statement /Statement/0 lets account 444444444444, anyone (Principal *), arn:aws:iam::444444444444:user/u, "
        "principals of any other account call s3:BypassGovernanceRetention, s3:DeleteObject, "
        "s3:DeleteObjectVersion, s3:PutObject, s3:PutObjectAcl, s3:PutObjectLegalHold, "
        "s3:PutObjectRetention on the bucket: a writer outside the "
        "organization can plant, overwrite or remove log objects",
        f"statement /Statement/1 lets arn:aws:iam::{OUTSIDER}:user/u call s3:PutObject on the bucket: a writer "
        "outside the organization can plant, overwrite or remove log objects",
    ]


def test_a_documented_cloudtrail_statement_has_no_weakness() -> None:
    documented = {
        **ACL_OK,
        "StringEquals": {
            "s3:x-amz-acl": "bucket-owner-full-control",
            "aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:{OWNER}:trail/org",
        },
    }
    source = _source(
        _cloudtrail(documented),
        _cloudtrail(
            {"StringEquals": {"aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:{OWNER}:trail/org"}},
            sid="Acl",
            action="s3:GetBucketAcl",
            resource=BUCKET,
        ),
    )
    assert lbw.weaknesses(source, BUCKET, KNOWN, "aws") == []


def test_missing_acl_and_confused_deputy_of_a_bare_service_statement() -> None:
    source = _source(_cloudtrail(None, sid=None, service=["cloudtrail.amazonaws.com", "config.amazonaws.com"]))
    found = lbw.weaknesses(source, BUCKET, KNOWN, "aws")
    assert [(w.code, w.ref) for w in found] == [("confused-deputy", _at(0)), ("no-acl-condition", _at(0))]
    assert found[0].message == (
        "statement /Statement/0 for cloudtrail.amazonaws.com, config.amazonaws.com: it has no aws:SourceAccount, "
        "aws:SourceArn or aws:SourceOrgID condition: any AWS account qualifies; the service would then act on this "
        "bucket for another customer's trail or recorder (confused deputy)"
    )
    assert found[1].message == (
        "statement /Statement/0 lets cloudtrail.amazonaws.com, config.amazonaws.com write objects without "
        "s3:x-amz-acl = bucket-owner-full-control: such objects belong to the writer, and the bucket owner may "
        "not be able to read them"
    )


def test_confused_deputy_with_conditions_admitting_an_outsider() -> None:
    arns = [f"arn:aws:cloudtrail:us-east-1:{OUTSIDER}:trail/any", f"arn:aws-cn:config:us-east-1:{MEMBER}:*"]
    source = _source(
        _cloudtrail({**ACL_OK, "ArnLike": {"aws:SourceArn": arns}}),
        _cloudtrail(
            {"StringEquals": {"aws:SourceAccount": MEMBER}},
            sid="Config",
            service="config.amazonaws.com",
            action="s3:GetBucketAcl",
            resource=BUCKET,
        ),
    )
    found = lbw.weaknesses(source, BUCKET, KNOWN, "aws")
    assert [(w.code, w.ref) for w in found] == [("confused-deputy", _at(0))]
    assert found[0].message == (
        "statement CT for cloudtrail.amazonaws.com: its aws:SourceAccount/aws:SourceArn/aws:SourceOrgID conditions "
        f"also admit account {OUTSIDER} (outside the org); the service would then act on this bucket for another "
        "customer's trail or recorder (confused deputy)"
    )
    # Config's source ARN: arn:<partition>:config:<region>:<account>:* (the Config guide's policy)
    config = _source(
        _cloudtrail(
            {"StringLike": {"aws:SourceArn": f"arn:aws-cn:config:*:{OUTSIDER}:*"}},
            service="config.amazonaws.com",
            action="s3:ListBucket",
            resource=BUCKET,
        )
    )
    assert [w.code for w in lbw.weaknesses(config, BUCKET, KNOWN, "aws-cn")] == ["confused-deputy"]
    assert lbw.weaknesses(config, BUCKET, KNOWN, "aws") == []


def test_a_deny_or_a_false_condition_neutralizes_the_service_statement() -> None:
    denied = _source(
        _cloudtrail(None),
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:SourceAccount": [OWNER, MEMBER]}},
        },
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
        },
    )
    assert lbw.weaknesses(denied, BUCKET, KNOWN, "aws") == []
    other_bucket = _source(_cloudtrail(None, resource="arn:aws:s3:::other/*"))
    assert lbw.weaknesses(other_bucket, BUCKET, KNOWN, "aws") == []


def test_split_by_membership_when_the_account_list_is_unusable() -> None:
    source = _source(
        {
            "Sid": "Named",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:root"},
            "Action": "s3:PutObject",
            "Resource": "*",
        },
        {"Sid": "Any", "Effect": "Allow", "Principal": "*", "Action": "s3:DeleteObject", "Resource": "*"},
        {
            "Sid": "Other",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::555555555555:root"},
            "Action": "s3:GetObject",
            "Resource": "*",
        },
    )
    decided, undecided = lbw.split_by_membership(source, BUCKET, KNOWN, "aws", unsure=False)
    assert [(w.statement.sid, w.code) for w in decided] == [("Named", "open-write"), ("Any", "open-write")]
    assert undecided == []
    decided, undecided = lbw.split_by_membership(source, BUCKET, KNOWN, "aws", unsure=True)
    assert [(w.statement.sid, w.code) for w in decided] == [("Any", "open-write")]
    assert decided[0].message.startswith(
        "statement Any lets anyone (Principal *), principals of any other account call"
    )
    assert [(w.statement.sid, accounts) for w, accounts in undecided] == [("Named", (OUTSIDER,))]
    # a weakness whose statement names no unknown account hangs on all of them
    wide = _source(
        {
            "Sid": "Members",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": [OWNER, OUTSIDER, "555555555555"]}},
        },
        {
            "Sid": "Reader",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::666666666666:root"},
            "Action": "s3:GetObject",
            "Resource": "*",
        },
        {
            "Sid": "Writer",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::666666666666:root"},
            "Action": "s3:PutObject",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalAccount": "666666666666"}},
        },
    )
    _, undecided = lbw.split_by_membership(wide, BUCKET, KNOWN, "aws", unsure=True)
    assert [(w.statement.sid, accounts) for w, accounts in undecided] == [
        ("Members", (OUTSIDER, "555555555555")),
        ("Writer", ("666666666666",)),
    ]


def test_a_source_arn_built_from_a_policy_variable_admits_any_account() -> None:
    """``${aws:SourceAccount}`` in a 2012-10-17 policy is the request's own value
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html): the condition holds for
    every account's trail, so it confines nothing (a confused deputy). In a policy without that Version the text
    is literal and matches no trail ARN."""
    variable = {"StringLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:${aws:SourceAccount}:trail/*"}}
    source = _source(_cloudtrail({**ACL_OK, **variable}))
    found = lbw.weaknesses(source, BUCKET, KNOWN, "aws")
    assert [(w.code, w.ref) for w in found] == [("confused-deputy", _at(0))]
    assert found[0].message == (
        "statement CT for cloudtrail.amazonaws.com: its aws:SourceAccount/aws:SourceArn/aws:SourceOrgID conditions "
        "also admit principals of any other account (outside the org); the service would then act on this bucket "
        "for another customer's trail or recorder (confused deputy)"
    )
    literal = PolicySource(
        "bucket", "central-logs", parse_policy({"Statement": [_cloudtrail({**ACL_OK, **variable})]}), REF
    )
    assert lbw.weaknesses(literal, BUCKET, KNOWN, "aws") == []


def test_the_deputy_request_a_service_makes_for_another_account() -> None:
    """What CloudTrail and Config send when acting for an account: aws:SourceAccount and aws:SourceArn of that
    account's trail or recorder, over TLS, with bucket-owner-full-control; a service principal carries no
    aws:PrincipalOrgID and, for an account outside the organization, no aws:SourceOrgID of ours (the pages above;
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceorgid)."""
    trail = lbw._deputy_context("cloudtrail.amazonaws.com", OUTSIDER, "aws-us-gov")
    assert trail.lookup("aws:SourceAccount") == (OUTSIDER,)
    assert trail.lookup("aws:SourceArn") == (f"arn:aws-us-gov:cloudtrail:us-east-1:{OUTSIDER}:trail/any",)
    assert trail.lookup("s3:x-amz-acl") == ("bucket-owner-full-control",)
    assert trail.lookup("aws:SecureTransport") == ("true",)
    assert trail.lookup("aws:SourceOrgID") is None
    assert trail.lookup("aws:PrincipalOrgID") is None
    assert trail.lookup("aws:SourceIp") is UNKNOWN
    config = lbw._deputy_context("config.amazonaws.com", OUTSIDER, "aws")
    assert config.lookup("aws:SourceArn") == (f"arn:aws:config:us-east-1:{OUTSIDER}:*",)


def test_organization_conditions_confine_the_service_statement() -> None:
    by_source_org = _source(_cloudtrail({**ACL_OK, "StringEquals": {**ACL_OK["StringEquals"], "aws:SourceOrgID": ORG}}))
    assert lbw.weaknesses(by_source_org, BUCKET, KNOWN, "aws") == []
    # aws:PrincipalOrgID is never in a service principal's request: the statement admits no outside account
    by_principal_org = _source(_cloudtrail({"StringEquals": {**ACL_OK["StringEquals"], "aws:PrincipalOrgID": ORG}}))
    assert [w.code for w in lbw.weaknesses(by_principal_org, BUCKET, KNOWN, "aws")] == []


def test_split_by_membership_decides_a_partition_wide_source_arn() -> None:
    any_trail = _source(_cloudtrail({**ACL_OK, "ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:*:trail/*"}}))
    decided, undecided = lbw.split_by_membership(any_trail, BUCKET, KNOWN, "aws", unsure=True)
    assert [w.code for w in decided] == ["confused-deputy"]
    assert undecided == []


def test_an_allow_with_not_principal_is_open_to_everyone_else() -> None:
    """An Allow with NotPrincipal grants every principal but those named (IAM User Guide, "AWS JSON policy
    elements: NotPrincipal", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html)."""
    source = _source(
        {
            "Sid": "AllButOne",
            "Effect": "Allow",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{OUTSIDER}:root"},
            "Action": "s3:PutObject",
            "Resource": f"{BUCKET}/*",
            "Condition": {
                "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                "StringEquals": {"aws:SourceVpce": "vpce-1"},
            },
        }
    )
    found = lbw.weaknesses(source, BUCKET, KNOWN, "aws")
    assert [w.message for w in found] == [
        "statement AllButOne lets anyone (Principal *), principals of any other account call s3:PutObject on the "
        'bucket, when {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}} and {"StringEquals": {"aws:SourceVpce": '
        '"vpce-1"}} (keys unknown offline): a writer outside the organization can plant, overwrite or remove log '
        "objects"
    ]


def test_a_service_statement_requiring_tls_but_no_acl_still_lacks_the_acl_condition() -> None:
    """The services write over TLS (aws:SecureTransport true): a statement that only requires TLS accepts any ACL."""
    source = _source(
        _cloudtrail(
            {
                "Bool": {"aws:SecureTransport": "true"},
                "StringEquals": {"aws:SourceArn": f"arn:aws:cloudtrail:us-east-1:{OWNER}:trail/org"},
            }
        )
    )
    assert [w.code for w in lbw.weaknesses(source, BUCKET, KNOWN, "aws")] == ["no-acl-condition"]


def test_confused_deputy_names_every_admitted_outsider() -> None:
    source = _source(
        _cloudtrail(
            {"StringEquals": {**ACL_OK["StringEquals"], "aws:SourceAccount": [OUTSIDER, "555555555555", OWNER]}}
        )
    )
    found = lbw.weaknesses(source, BUCKET, KNOWN, "aws")
    assert [w.message for w in found] == [
        "statement CT for cloudtrail.amazonaws.com: its aws:SourceAccount/aws:SourceArn/aws:SourceOrgID conditions "
        f"also admit account {OUTSIDER}, account 555555555555 (outside the org); the service would then act on this "
        "bucket for another customer's trail or recorder (confused deputy)"
    ]


def test_callers_after_a_not_principal_statement_and_their_organization_keys() -> None:
    """Outside callers carry no aws:PrincipalOrgID (IAM User Guide, aws:PrincipalOrgID: present only for a member
    of an organization): a grant confined to the organization does not open the bucket to them."""
    confined = {"StringEquals": {"aws:PrincipalOrgID": ORG}}
    source = _source(
        {
            "Effect": "Allow",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{MEMBER}:root"},
            "Action": "s3:GetObject",
            "Resource": "*",
        },
        {
            "Sid": "Confined",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:user/a", "Federated": "cognito-identity.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": "*",
            "Condition": confined,
        },
        {
            "Sid": "Open",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{OUTSIDER}:user/b"},
            "Action": "s3:PutObject",
            "Resource": "*",
        },
    )
    found = lbw.weaknesses(source, BUCKET, KNOWN, "aws")
    assert [w.message for w in found] == [
        f"statement Open lets arn:aws:iam::{OUTSIDER}:user/b call s3:PutObject on the bucket: a writer outside the "
        "organization can plant, overwrite or remove log objects"
    ]
