"""analyzer/rules/support/log_bucket_tls.py tested alone: the callers sent without TLS and the verdict.

The protection asked for is a bucket-policy Deny of requests whose ``aws:SecureTransport`` is ``false``
(AWS Config managed rule s3-bucket-ssl-requests-only,
https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html; the key in
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-securetransport).
``aws:PrincipalOrgID`` is in a request only when the principal belongs to an organization (same page,
#condition-keys-principalorgid): an anonymous caller carries none.
"""

from __future__ import annotations

import json
from typing import Any

from analyzer.iam.context import UNKNOWN, NoneOf
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource, parse_policy
from analyzer.rules.support.log_bucket_tls import (
    SAMPLE_KEY,
    TLS_ACTIONS,
    deny_named_accounts,
    tls_callers,
    tls_verdict,
)

OWNER = "111111111111"
MEMBER = "222222222222"
THIRD = "333333333333"
ORG = "o-abcdef1234"
BUCKET_ARN = "arn:aws:s3:::central-logs"
REF = EvidenceRef("111111111111/s3/central-logs/get-bucket-policy.json", "/Policy", "")
INSECURE = {"Bool": {"aws:SecureTransport": "false"}}


def _source(*statements: dict[str, Any]) -> PolicySource:
    return PolicySource(
        "bucket", "central-logs", parse_policy({"Version": "2012-10-17", "Statement": list(statements)}), REF
    )


def _deny(sid: str | None = None, principal: Any = "*", condition: Any = None, **kw: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Deny",
        "Principal": principal,
        "Action": kw.pop("action", "s3:*"),
        "Resource": kw.pop("resource", [BUCKET_ARN, f"{BUCKET_ARN}/*"]),
        "Condition": INSECURE if condition is None else condition,
    }
    if sid is not None:
        statement["Sid"] = sid
    return statement


def test_the_constants_are_what_a_request_without_tls_would_do() -> None:
    assert TLS_ACTIONS == ("s3:GetObject", "s3:PutObject")
    assert SAMPLE_KEY == "AWSLogs/any-object"


def test_callers_anyone_the_owner_and_the_first_other_member() -> None:
    callers = tls_callers(OWNER, (OWNER, MEMBER, THIRD), ORG, "aws-us-gov")
    assert [c.label for c in callers] == [
        "anyone",
        "a principal of the bucket owner's account 111111111111",
        "a principal of account 222222222222",
    ]
    anyone, owner, member = callers
    assert anyone.principal.principal_type == "anonymous"
    assert owner.principal.arn == "arn:aws-us-gov:iam::111111111111:role/any-role"
    assert owner.principal.principal_type == "role"
    assert member.principal.arn == "arn:aws-us-gov:iam::222222222222:role/any-role"
    for caller in callers:
        assert caller.context.lookup("aws:SecureTransport") == ("false",)
        assert caller.context.lookup("aws:SourceIp") is UNKNOWN
    # an anonymous caller belongs to no organization: the organization keys are absent
    for key in ("aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceOrgID"):
        assert anyone.context.lookup(key) is None
    assert owner.context.lookup("aws:PrincipalOrgID") == (ORG,)
    assert member.context.lookup("aws:PrincipalOrgID") == (ORG,)
    assert owner.context.lookup("aws:PrincipalOrgPaths") is UNKNOWN


def test_callers_without_organization_id_or_other_member_or_owner() -> None:
    alone = tls_callers(OWNER, (OWNER,), None, "aws")
    assert [c.label for c in alone] == ["anyone", "a principal of the bucket owner's account 111111111111"]
    assert alone[1].context.lookup("aws:PrincipalOrgID") is UNKNOWN
    assert alone[1].context.lookup("aws:SecureTransport") == ("false",)
    ownerless = tls_callers(None, (MEMBER, THIRD), ORG, "aws")
    assert [c.label for c in ownerless] == ["anyone", "a principal of account 222222222222"]
    assert tls_callers(None, (), ORG, "aws")[0].label == "anyone"
    assert len(tls_callers(None, (), ORG, "aws")) == 1


def test_a_deny_for_everyone_refuses_every_request_and_is_cited_once() -> None:
    source = _source(_deny("DenyInsecure"), _deny(None, action="s3:GetObject", resource=f"{BUCKET_ARN}/*"))
    verdict = tls_verdict(source, BUCKET_ARN, tls_callers(OWNER, (OWNER, MEMBER), ORG, "aws"))
    assert verdict.refused
    assert verdict.open == ()
    assert verdict.undecided == ()
    assert verdict.refused_by == (
        EvidenceRef(REF.file, REF.pointer, "/Statement/0"),
        EvidenceRef(REF.file, REF.pointer, "/Statement/1"),
    )
    assert verdict.deny_labels == ("DenyInsecure", "/Statement/1")


def test_a_deny_for_puts_by_members_leaves_the_rest_open_grouped_by_caller() -> None:
    members_only = {**INSECURE, "StringEquals": {"aws:PrincipalOrgID": ORG}}
    source = _source(_deny("Puts", action="s3:PutObject", condition=members_only))
    verdict = tls_verdict(source, BUCKET_ARN, tls_callers(OWNER, (OWNER, MEMBER), ORG, "aws"))
    assert not verdict.refused
    assert verdict.open == (
        "anyone (s3:GetObject, s3:PutObject)",
        "a principal of the bucket owner's account 111111111111 (s3:GetObject)",
        "a principal of account 222222222222 (s3:GetObject)",
    )
    assert verdict.undecided == ()
    assert verdict.deny_labels == ("Puts",)


def test_a_deny_on_an_unknown_key_is_undecided_with_its_clauses() -> None:
    vpce = {**INSECURE, "StringNotEquals": {"aws:SourceVpce": "vpce-1"}}
    ip = {**INSECURE, "NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
    source = _source(
        _deny("Reads", action="s3:GetObject", condition=vpce),
        _deny("Writes", action="s3:PutObject", condition={**vpce, **ip}),
    )
    verdict = tls_verdict(source, BUCKET_ARN, tls_callers(OWNER, (OWNER,), ORG, "aws"))
    assert not verdict.refused
    assert verdict.open == ()
    assert verdict.refused_by == ()
    vpce_text = json.dumps({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})
    ip_text = json.dumps({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    assert verdict.undecided == (
        ("anyone (s3:GetObject), a principal of the bucket owner's account 111111111111 (s3:GetObject)", (vpce_text,)),
        (
            "anyone (s3:PutObject), a principal of the bucket owner's account 111111111111 (s3:PutObject)",
            tuple(sorted((ip_text, vpce_text))),
        ),
    )


def test_a_deny_covering_only_some_prefixes_does_not_protect_every_object() -> None:
    source = _source(_deny("Digests", resource=f"{BUCKET_ARN}/AWSLogs/*/CloudTrail-Digest/*"))
    verdict = tls_verdict(source, BUCKET_ARN, tls_callers(OWNER, (OWNER,), ORG, "aws"))
    assert verdict.open == (
        "anyone (s3:GetObject, s3:PutObject)",
        "a principal of the bucket owner's account 111111111111 (s3:GetObject, s3:PutObject)",
    )
    assert verdict.refused_by == ()
    assert verdict.deny_labels == ()


def test_open_and_undecided_together_are_not_refused() -> None:
    vpce = {**INSECURE, "StringNotEquals": {"aws:SourceVpce": "vpce-1"}}
    source = _source(_deny("Reads", action="s3:GetObject", condition=vpce))
    verdict = tls_verdict(source, BUCKET_ARN, tls_callers(OWNER, (OWNER,), ORG, "aws"))
    assert verdict.open and verdict.undecided
    assert not verdict.refused
    only_undecided = tls_verdict(
        _source(_deny("All", condition=vpce)), BUCKET_ARN, tls_callers(OWNER, (OWNER,), ORG, "aws")
    )
    assert only_undecided.open == ()
    assert not only_undecided.refused


def test_accounts_named_in_deny_statements_are_tried_too() -> None:
    """A Deny can exempt an account only by naming it (aws:PrincipalAccount, aws:PrincipalArn, NotPrincipal:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalaccount)."""
    exempt = {**INSECURE, "StringNotEquals": {"aws:PrincipalAccount": ["444444444444", THIRD]}}
    source = _source(
        _deny("Exempt", condition=exempt),
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::555555555555:root"},
            "Action": "s3:GetObject",
            "Resource": "*",
        },
        _deny(
            "Digits",
            action="s3:GetObject",
            condition={**INSECURE, "StringEquals": {"aws:SourceVpce": "vpce-1234567890123"}},
        ),
    )
    assert deny_named_accounts(source) == (THIRD, "444444444444")
    callers = tls_callers(OWNER, (OWNER, MEMBER, THIRD), ORG, "aws", (MEMBER, THIRD, "444444444444"))
    assert [c.label for c in callers] == [
        "anyone",
        "a principal of the bucket owner's account 111111111111",
        "a principal of account 222222222222",
        "a principal of account 333333333333",
        "a principal of account 444444444444",
    ]
    assert callers[3].context.lookup("aws:PrincipalOrgID") == (ORG,)
    outsider = callers[4].context
    assert outsider.lookup("aws:PrincipalOrgID") == NoneOf(frozenset({ORG}))
    assert outsider.lookup("aws:SecureTransport") == ("false",)
    assert (
        tls_callers(OWNER, (OWNER,), None, "aws", ("444444444444",))[2].context.lookup("aws:PrincipalOrgID") is UNKNOWN
    )
    verdict = tls_verdict(source, BUCKET_ARN, callers)
    assert verdict.open == (
        "a principal of account 333333333333 (s3:PutObject)",
        "a principal of account 444444444444 (s3:PutObject)",
    )


def test_a_deny_on_the_organization_id_refuses_members_not_outsiders() -> None:
    outsiders_exempt = {**INSECURE, "StringEquals": {"aws:PrincipalOrgID": ORG}}
    source = _source(
        _deny("Members", condition=outsiders_exempt),
        _deny("Anon", condition={**INSECURE, "Null": {"aws:PrincipalAccount": "true"}}),
    )
    callers = tls_callers(OWNER, (OWNER, MEMBER), ORG, "aws", ("444444444444",))
    verdict = tls_verdict(source, BUCKET_ARN, callers)
    assert verdict.open == ("a principal of account 444444444444 (s3:GetObject, s3:PutObject)",)
