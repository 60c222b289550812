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
    EVERY_CALLER,
    SAMPLE_KEY,
    TLS_ACTIONS,
    deny_named_accounts,
    deny_named_organizations,
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
NO_ORG = "a principal of an account in no organization"
OTHER_ORG = "a principal of an account of another organization"


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
        NO_ORG,
        OTHER_ORG,
    ]
    anyone, owner, member, no_org, other_org = callers
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
    # outside the organization: an account in no organization carries no organization keys, one of another
    # organization its own id (one no Deny names), never ours; both accounts are ones no Deny names
    assert no_org.principal.arn == "arn:aws-us-gov:iam::999999999999:role/any-role"
    assert other_org.principal.arn == "arn:aws-us-gov:iam::999999999999:role/any-role"
    assert no_org.context.lookup("aws:PrincipalOrgID") is None
    assert no_org.context.lookup("aws:PrincipalOrgPaths") is None
    assert other_org.context.lookup("aws:PrincipalOrgID") == ("o-anotherorganization",)
    assert other_org.context.lookup("aws:PrincipalOrgPaths") == ("o-anotherorganization/r-0000/",)


def test_callers_without_organization_id_or_other_member_or_owner() -> None:
    alone = tls_callers(OWNER, (OWNER,), None, "aws")
    assert [c.label for c in alone] == [
        "anyone",
        "a principal of the bucket owner's account 111111111111",
        NO_ORG,
        OTHER_ORG,
    ]
    assert alone[1].context.lookup("aws:PrincipalOrgID") is UNKNOWN
    assert alone[1].context.lookup("aws:SecureTransport") == ("false",)
    ownerless = tls_callers(None, (MEMBER, THIRD), ORG, "aws")
    assert [c.label for c in ownerless] == ["anyone", "a principal of account 222222222222", NO_ORG, OTHER_ORG]
    assert [c.label for c in tls_callers(None, (), ORG, "aws")] == ["anyone", NO_ORG, OTHER_ORG]


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
        f"{NO_ORG} (s3:GetObject, s3:PutObject)",
        f"{OTHER_ORG} (s3:GetObject, s3:PutObject)",
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
        (f"{EVERY_CALLER} (s3:GetObject)", (vpce_text,)),
        (f"{EVERY_CALLER} (s3:PutObject)", tuple(sorted((ip_text, vpce_text)))),
    )
    assert EVERY_CALLER == "every caller tried: anonymous, and principals of accounts in and outside the organization"


def test_undecided_requests_of_some_callers_are_listed_one_by_one() -> None:
    outsiders = {**INSECURE, "StringNotEquals": {"aws:PrincipalOrgID": ORG}}
    vpce = {**INSECURE, "StringNotEquals": {"aws:SourceVpce": "vpce-1"}}
    source = _source(_deny("Outsiders", condition=outsiders), _deny("Vpce", condition=vpce))
    verdict = tls_verdict(source, BUCKET_ARN, tls_callers(OWNER, (OWNER, MEMBER), ORG, "aws"))
    assert verdict.open == ()
    assert verdict.undecided == (
        (
            "a principal of the bucket owner's account 111111111111 (s3:GetObject, s3:PutObject), "
            "a principal of account 222222222222 (s3:GetObject, s3:PutObject)",
            (json.dumps({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}),),
        ),
    )
    assert verdict.deny_labels == ("Outsiders",)


def test_a_deny_covering_only_some_prefixes_does_not_protect_every_object() -> None:
    source = _source(_deny("Digests", resource=f"{BUCKET_ARN}/AWSLogs/*/CloudTrail-Digest/*"))
    verdict = tls_verdict(source, BUCKET_ARN, tls_callers(OWNER, (OWNER,), ORG, "aws"))
    assert verdict.open == (f"{EVERY_CALLER} (s3:GetObject, s3:PutObject)",)
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
        NO_ORG,
        OTHER_ORG,
        "a principal of account 333333333333",
        "a principal of account 444444444444",
    ]
    assert callers[5].context.lookup("aws:PrincipalOrgID") == (ORG,)
    outsider = callers[6].context
    assert outsider.lookup("aws:PrincipalOrgID") == NoneOf(frozenset({ORG}))
    assert outsider.lookup("aws:SecureTransport") == ("false",)
    assert (
        tls_callers(OWNER, (OWNER,), None, "aws", ("444444444444",))[4].context.lookup("aws:PrincipalOrgID") is UNKNOWN
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
    assert verdict.open == (
        f"{NO_ORG} (s3:GetObject, s3:PutObject)",
        f"{OTHER_ORG} (s3:GetObject, s3:PutObject)",
        "a principal of account 444444444444 (s3:GetObject, s3:PutObject)",
    )


def test_an_ifexists_deny_on_the_organization_id_leaves_other_organizations_open() -> None:
    """...IfExists holds when the key is absent (IAMUG 'Condition operators',
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists):
    such a Deny refuses anonymous callers, members and accounts in no organization, but a principal of another
    organization carries its own aws:PrincipalOrgID and is not refused."""
    source = _source(_deny("OrgOrNone", condition={**INSECURE, "StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}}))
    verdict = tls_verdict(source, BUCKET_ARN, tls_callers(OWNER, (OWNER, MEMBER), ORG, "aws"))
    assert verdict.open == (f"{OTHER_ORG} (s3:GetObject, s3:PutObject)",)
    assert verdict.undecided == ()


def test_organizations_named_in_deny_statements_are_tried_too() -> None:
    """A Deny can exempt another organization only by naming its id (aws:PrincipalOrgID,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid)."""
    partner = "o-partner12345"
    exempt = {**INSECURE, "StringNotEquals": {"aws:PrincipalOrgID": [ORG, partner]}}
    source = _source(
        _deny("ExceptUsAndPartner", condition=exempt),
        _deny("Members", condition={**INSECURE, "StringEquals": {"aws:PrincipalOrgID": ORG}}),
    )
    assert deny_named_organizations(source) == (ORG, partner)
    callers = tls_callers(OWNER, (OWNER,), ORG, "aws", (), deny_named_organizations(source))
    labels = [c.label for c in callers]
    assert labels[-1] == f"a principal of an account of organization {partner}"
    assert callers[-1].context.lookup("aws:PrincipalOrgID") == (partner,)
    assert callers[-1].context.lookup("aws:PrincipalOrgPaths") == (f"{partner}/r-0000/",)
    verdict = tls_verdict(source, BUCKET_ARN, callers)
    assert verdict.open == (f"a principal of an account of organization {partner} (s3:GetObject, s3:PutObject)",)
    # "another organization" stands for an id no Deny names, and never ours
    taken = tls_callers(OWNER, (OWNER,), "o-anotherorganization", "aws", (), ("o-anotherorganization1",))
    assert taken[3].context.lookup("aws:PrincipalOrgID") == ("o-anotherorganization2",)
    assert (
        deny_named_organizations(
            _source(_deny(condition={**INSECURE, "StringEquals": {"aws:PrincipalOrgID": "xo-abcdefghij1"}}))
        )
        == ()
    )


def test_the_outside_account_is_one_no_deny_names() -> None:
    callers = tls_callers(OWNER, (OWNER, "999999999999"), ORG, "aws", ("999999999998", "999999999997"))
    assert {c.principal.arn for c in callers if c.label in (NO_ORG, OTHER_ORG)} == {
        "arn:aws:iam::999999999996:role/any-role"
    }
