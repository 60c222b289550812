"""How :mod:`analyzer.rules.support.trust` reads trust and identity policies (IDN-002, IDN-004 ... IDN-006,
IDN-008, IDN-010 rest on it).

AWS semantics pinned here:

* Principal element: an account id and ``arn:aws:iam::<id>:root`` name the whole account; a user, role
  or assumed-role session ARN names that principal; a unique id (``AROA...``) names a deleted principal
  that belongs to no account one can name; ``NotPrincipal`` with ``Allow`` applies to everyone not listed.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
* Condition operators: ``...IfExists`` is true when the key is absent, negated operators are true for any
  value not listed, so neither confines a ``"*"`` principal to an account or organization.
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
* ``aws:PrincipalOrgID``, ``aws:PrincipalAccount``, ``aws:PrincipalArn``, ``aws:SourceAccount``,
  ``aws:ResourceAccount``, ``aws:ResourceOrgID``, ``aws:ResourceOrgPaths``:
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
* IAM role ARNs have no region (``arn:aws:iam::<account>:role/<path/name>``):
  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from analyzer.iam import Principal
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource, Statement, parse_policy
from analyzer.rules.support import trust

FILE = "111111111111/iam/get-account-authorization-details.json"
TRUST_POINTER = "/RoleDetailList/0/AssumeRolePolicyDocument"
ORG = "o-abc123"


def _source(*statements: dict[str, Any]) -> PolicySource:
    document = parse_policy({"Version": "2012-10-17", "Statement": list(statements)})
    return PolicySource("trust", "Role", document, EvidenceRef(FILE, TRUST_POINTER))


def _statement(condition: dict[str, Any] | None = None, **fields: Any) -> Statement:
    raw: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*", **fields}
    if condition is not None:
        raw["Condition"] = condition
    return parse_policy({"Version": "2012-10-17", "Statement": [raw]}).statements[0]


# ------------------------------------------------------------------------------ Resource patterns of roles


@pytest.mark.parametrize(
    ("pattern", "reach"),
    [
        ("*", "*"),
        ("arn:aws:iam::*:role/*", "*"),
        ("arn:aws:iam::*", "*"),  # fewer than six parts: the wildcard spans account and resource
        ("arn:aws:iam::12345678901?:role/x", "*"),
        ("arn:aws:iam::123456789012:role/Admin", "123456789012"),
        ("arn:aws:iam::123456789012:*", "123456789012"),
        ("arn:aws:iam::123456789012:r*", "123456789012"),
        ("arn:aws:iam::123456789012:role*", "123456789012"),
        ("arn:aws:iam::123456789012:ro?e/x", "123456789012"),
        ("arn:aws:*:*:123456789012:role/x", "123456789012"),
        # the resource is everything after the fifth colon, colons included
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html)
        ("arn:aws:iam::123456789012:role/team:*", "123456789012"),
        ("arn:aws:iam::123456789012:user/x", None),
        ("arn:aws:iam::123456789012:u*", None),
        ("arn:aws:iam::123456789012:Xrole", None),  # no wildcard: a resource that is not a role
        ("arn:aws:iam::${aws:PrincipalAccount}:role/*", None),  # the caller's own account only
        ("arn:aws:iam::\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662:role/x", None),
        ("arn:aws:iam:us-east-1:123456789012:role/x", None),  # IAM ARNs have no region
        ("arn:aws:s3:::bucket", None),
        ("role/*", None),
    ],
)
def test_role_pattern_reach(pattern: str, reach: str | None) -> None:
    assert trust.role_pattern_reach(pattern) == reach


# ------------------------------------------------------------------------------ target confined to our org


def _ours(account: str) -> bool:
    return account in {"111111111111", "222222222222"}


@pytest.mark.parametrize(
    ("condition", "with_org", "without_org", "unknown_without_org"),
    [
        ({"StringEquals": {"aws:ResourceAccount": ["111111111111", "222222222222"]}}, True, True, False),
        ({"StringEquals": {"aws:ResourceAccount": ["111111111111", "999999999999"]}}, False, False, False),
        ({"StringEquals": {"aws:ResourceAccount": "${aws:PrincipalAccount}"}}, True, True, False),
        ({"StringEquals": {"aws:ResourceAccount": "1111111111*"}}, False, False, False),
        ({"StringEqualsIfExists": {"aws:ResourceAccount": "111111111111"}}, False, False, False),
        ({"StringNotEquals": {"aws:ResourceAccount": "111111111111"}}, False, False, False),
        ({"StringEquals": {"aws:ResourceOrgID": ORG}}, True, False, True),
        ({"StringEquals": {"aws:ResourceOrgID": "o-other"}}, False, False, True),
        ({"StringEquals": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}, True, True, False),
        ({"StringNotEquals": {"aws:ResourceOrgID": ORG}}, False, False, False),
        ({"StringLike": {"aws:ResourceOrgPaths": f"{ORG}/r-ab12/*"}}, True, False, True),
        ({"StringLike": {"aws:ResourceOrgPaths": f"{ORG}x/r-ab12/*"}}, False, False, True),
        ({"StringLike": {"aws:ResourceOrgPaths": "${aws:PrincipalOrgPaths}"}}, True, True, False),
        (
            {"StringEquals": {"aws:PrincipalAccount": "111111111111"}},
            False,
            False,
            False,
        ),  # the caller's, not the target's
        # one confining clause is enough, whatever the others say
        (
            {"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:ResourceAccount": "111111111111"}},
            True,
            True,
            False,
        ),
        (
            {
                "StringEquals": {"aws:ResourceOrgID": "o-other", "aws:ResourceAccount": "111111111111"},
            },
            True,
            True,
            True,
        ),
    ],
)
def test_confined_to_org_and_unknown_org(
    condition: dict[str, Any], with_org: bool, without_org: bool, unknown_without_org: bool
) -> None:
    statement = _statement(condition)
    assert trust.confined_to_org(statement, ORG, _ours) is with_org
    assert trust.confined_to_org(statement, None, _ours) is without_org
    assert trust.org_condition_unknown(statement, None) is unknown_without_org
    assert trust.org_condition_unknown(statement, ORG) is False


# ------------------------------------------------------------------------------ who an Allow names

OPEN_TO_ORG = {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "sts:AssumeRole",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": [ORG, "${aws:PrincipalOrgID}"]}},
}
OPEN_TO_ACCOUNTS = {
    "Sid": "Accounts",
    "Effect": "Allow",
    "Principal": {"AWS": "*"},
    "Action": "sts:AssumeRole",
    "Condition": {
        "StringEquals": {"aws:PrincipalAccount": "333333333333"},
        "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444444444444:role/*"},
    },
}
LOOSE = {
    "Effect": "Allow",
    "Principal": "*",
    "Action": "sts:AssumeRole",
    "Condition": {
        "StringNotEquals": {"aws:PrincipalAccount": "333333333333"},
        "StringLike": {"aws:PrincipalOrgID": "o-*"},
        "StringEqualsIfExists": {"aws:SourceAccount": "555555555555"},
    },
}
NOT_PRINCIPAL = {
    "Effect": "Allow",
    "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"},
    "Action": "sts:AssumeRole",
}
NAMED = {
    "Effect": "Allow",
    "Principal": {
        "AWS": [
            "111111111111",
            "arn:aws:iam::222222222222:root",
            "arn:aws:iam::222222222222:user/u",
            "AROAEXAMPLEDELETED",
            "arn:aws:sts::222222222222:assumed-role/R/s",
        ]
    },
    "Action": "sts:AssumeRole",
}
DENIED = {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}
MIXED = _source(OPEN_TO_ORG, OPEN_TO_ACCOUNTS, LOOSE, NOT_PRINCIPAL, NAMED, DENIED)


def _at(index: int) -> str:
    return f"{TRUST_POINTER}/Statement/{index}"


def test_open_statements_are_star_and_not_principal_allows() -> None:
    assert [s.pointer for s in trust.open_statements(MIXED)] == [f"/Statement/{i}" for i in range(4)]


def test_aws_entries_name_accounts_and_principals_of_allows_only() -> None:
    entries = [(e.value, e.account, e.whole_account, e.ref) for e in trust.aws_entries(MIXED)]
    ref = EvidenceRef(FILE, _at(4))
    assert entries == [
        ("111111111111", "111111111111", True, ref),
        ("arn:aws:iam::222222222222:root", "222222222222", True, ref),
        ("arn:aws:iam::222222222222:user/u", "222222222222", False, ref),
        ("AROAEXAMPLEDELETED", None, False, ref),
        ("arn:aws:sts::222222222222:assumed-role/R/s", "222222222222", False, ref),
    ]
    grouped = [(account, [e.value for e in es]) for account, es in trust.entries_by_account(trust.aws_entries(MIXED))]
    assert grouped == [
        ("111111111111", ["111111111111"]),
        (
            "222222222222",
            [
                "arn:aws:iam::222222222222:root",
                "arn:aws:iam::222222222222:user/u",
                "arn:aws:sts::222222222222:assumed-role/R/s",
            ],
        ),
    ]


def test_condition_entries_are_the_accounts_an_open_statement_is_confined_to() -> None:
    entries = [(e.value, e.account, e.whole_account, e.ref) for e in trust.condition_entries(MIXED)]
    assert entries == [
        ("333333333333", "333333333333", True, EvidenceRef(FILE, _at(1))),
        ("arn:aws:iam::444444444444:role/*", "444444444444", True, EvidenceRef(FILE, _at(1))),
    ]


def test_condition_entries_read_no_account_from_an_organization_id() -> None:
    """``aws:PrincipalOrgID`` holds the caller's organization id (``o-...``): a value shaped like an account id
    names no account, and the account clause after it in the same block is still read (both must hold)."""
    source = _source(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:PrincipalOrgID": "111111111111", "aws:PrincipalAccount": "333333333333"}
            },
        }
    )
    assert [(e.value, e.account) for e in trust.condition_entries(source)] == [("333333333333", "333333333333")]


def test_org_confined_clauses_name_literal_organizations() -> None:
    assert [(s.pointer, org) for s, org in trust.org_confined_clauses(MIXED)] == [("/Statement/0", ORG)]
    assert [(s.pointer, org) for s, org in trust.foreign_org_clauses(MIXED, "o-xyz")] == [("/Statement/0", ORG)]
    assert trust.foreign_org_clauses(MIXED, ORG) == []
    assert trust.foreign_org_clauses(MIXED, None) == []  # our id unknown: no other org can be told apart


def test_narrowing_and_loose_clauses() -> None:
    texts = [
        ([c.text for c in trust.narrowing_clauses(s)], [c.text for c in trust.loose_principal_clauses(s)])
        for s in MIXED.document.statements
    ]
    assert texts[0] == ([f'{{"StringEquals": {{"aws:PrincipalOrgID": ["{ORG}", "${{aws:PrincipalOrgID}}"]}}}}'], [])
    assert texts[1] == (
        [
            '{"StringEquals": {"aws:PrincipalAccount": "333333333333"}}',
            '{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444444444444:role/*"}}',
        ],
        [],
    )
    assert texts[2] == (
        [],
        [
            '{"StringNotEquals": {"aws:PrincipalAccount": "333333333333"}}',
            '{"StringLike": {"aws:PrincipalOrgID": "o-*"}}',
            '{"StringEqualsIfExists": {"aws:SourceAccount": "555555555555"}}',
        ],
    )
    assert texts[3:] == [([], []), ([], []), ([], [])]


@pytest.mark.parametrize(
    ("condition", "narrows"),
    [
        ({"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::444444444444:role/R"}}, True),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/R"}}, False),  # any account
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::44444444444?:role/R"}}, False),
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::4444444444444:role/R"}}, False),  # 13 digits
        ({"ArnLike": {"aws:PrincipalArn": "not-an-arn"}}, False),
        # a role of the caller's own name in any account: the variable does not pin the account
        ({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/${aws:username}"}}, False),
        # a whole value that is one policy variable is one value of the request, no pattern
        # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html)
        ({"StringEquals": {"aws:PrincipalArn": "${aws:ResourceAccount}"}}, True),
        ({"StringLike": {"aws:PrincipalAccount": "3333333333*"}}, False),
        ({"StringEquals": {"aws:PrincipalAccount": ""}}, False),
        ({"StringEquals": {"aws:PrincipalAccount": "${aws:ResourceAccount}"}}, True),  # the role's own account
        ({"StringEquals": {"aws:PrincipalAccount": ["333333333333", "*"]}}, False),  # every value must pin
        ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": ORG}}, True),
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ORG}}, False),  # true when the key is absent
        ({"StringEqualsIgnoreCase": {"aws:SourceAccount": "333333333333"}}, True),
        ({"NumericEquals": {"aws:PrincipalAccount": "333333333333"}}, False),
        ({"StringEquals": {"aws:username": "alice"}}, False),  # not a narrowing key
    ],
)
def test_what_narrows_an_open_statement(condition: dict[str, Any], narrows: bool) -> None:
    statement = _statement(condition, Principal="*")
    assert bool(trust.narrowing_clauses(statement)) is narrows


# ------------------------------------------------------------------------------ Deny guards

_GUARD_CONDITION = {"StringNotEquals": {"aws:PrincipalOrgID": ORG}}


@pytest.mark.parametrize(
    ("statement", "guards"),
    [
        ({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": _GUARD_CONDITION}, True),
        ({"Effect": "Deny", "Principal": "*", "Action": "sts:*", "Condition": _GUARD_CONDITION}, True),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG, "aws:PrincipalAccount": "333333333333"}},
            },
            True,
        ),
        ({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}, False),  # denies everyone
        ({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole", "Condition": _GUARD_CONDITION}, False),
        (
            {
                "Effect": "Deny",
                "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
                "Action": "sts:AssumeRole",
                "Condition": _GUARD_CONDITION,
            },
            False,
        ),
        (
            {"Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "Action": "sts:AssumeRole", "Condition": _GUARD_CONDITION},
            False,
        ),
        ({"Effect": "Deny", "Principal": "*", "Action": "sts:TagSession", "Condition": _GUARD_CONDITION}, False),
        ({"Effect": "Deny", "Principal": "*", "NotAction": "sts:TagSession", "Condition": _GUARD_CONDITION}, False),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}},
            },
            True,
        ),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}},
            },
            False,
        ),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"StringNotLike": {"aws:PrincipalOrgID": "o-*"}},
            },
            False,
        ),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": ORG}, "Bool": {"aws:SecureTransport": "false"}},
            },
            False,  # also needs another key to hold: callers outside the org without it are not refused
        ),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::333333333333:role/*"}},
            },
            True,
        ),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"ForAllValues:StringNotEquals": {"aws:PrincipalOrgID": ORG}},
            },
            True,  # holds for a missing key and for any other organization: every outsider refused (IAMUG,
            # reference_policies_condition-single-vs-multi-valued-context-keys, ForAllValues)
        ),
        (
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sts:AssumeRole",
                "Condition": {"ForAnyValue:StringNotEquals": {"aws:PrincipalOrgID": ORG}},
            },
            False,  # false for a missing key: a caller in no organization is not refused
        ),
    ],
)
def test_deny_guards(statement: dict[str, Any], guards: bool) -> None:
    source = _source(statement)
    assert trust.deny_guards(source) == (list(source.document.statements) if guards else [])


def test_deny_guards_read_past_a_deny_of_other_actions() -> None:
    guard = {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": _GUARD_CONDITION}
    source = _source({**guard, "Action": "sts:TagSession"}, guard)
    assert trust.deny_guards(source) == [source.document.statements[1]]


# ------------------------------------------------------------------------------ callers and MFA verdicts

ACCOUNT = "111111111111"
ROLE = "arn:aws:iam::222222222222:role/Target"
ANY_USER = Principal.user(f"arn:aws:iam::{ACCOUNT}:user/any-user")
ANY_ROLE = Principal.role(f"arn:aws:iam::{ACCOUNT}:role/any-role")
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def _allow(condition: dict[str, Any] | None = None, principal: Any = ACCOUNT, **fields: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole", **fields}
    if condition is not None:
        raw["Condition"] = condition
    return raw


def test_callers_of_a_whole_account_without_principal_conditions_are_two_stand_ins() -> None:
    source = _source(_allow())
    assert trust.callers_in_account(source, ACCOUNT, [Principal.user(f"arn:aws:iam::{ACCOUNT}:user/zed")]) == [
        (f"account {ACCOUNT}", ANY_ROLE),
        (f"account {ACCOUNT}", ANY_USER),
    ]
    in_china = trust.callers_in_account(source, ACCOUNT, [], partition="aws-cn", account_name="Dev")
    assert [(label, p.arn) for label, p in in_china] == [
        ("Dev", f"arn:aws-cn:iam::{ACCOUNT}:role/any-role"),
        ("Dev", f"arn:aws-cn:iam::{ACCOUNT}:user/any-user"),
    ]
    assert trust.callers_in_account(source, "222222222222", []) == []  # the policy does not name that account


def test_callers_of_a_whole_account_with_principal_conditions_are_its_members_and_arn_patterns() -> None:
    """``aws:PrincipalArn`` patterns of the account are asked about with their wildcards filled in;
    principals named by ARN keep their own label (the first naming wins)."""
    source = _source(
        _allow(
            {
                "StringEquals": {"aws:PrincipalType": "AssumedRole"},  # read past a clause on another key
                "ArnLike": {
                    "aws:PrincipalArn": [
                        f"arn:aws:iam::{ACCOUNT}:role/Ops*",
                        "arn:aws:iam::222222222222:user/other-account",
                        f"arn:aws:iam::{ACCOUNT}:user/a?c",
                    ]
                },
            }
        ),
        _allow(
            principal=[
                f"arn:aws:iam::{ACCOUNT}:user/bob",
                f"arn:aws:sts::{ACCOUNT}:assumed-role/R/s1",
                f"arn:aws:iam::{ACCOUNT}:user/bob",
                "arn:aws:iam::222222222222:user/elsewhere",
            ]
        ),
    )
    assert trust.principal_dependent(source)
    callers = trust.callers_in_account(
        source, ACCOUNT, [Principal.user(f"arn:aws:iam::{ACCOUNT}:user/zed")], account_name="Dev (111111111111)"
    )
    assert [(label, p.arn, p.session_name) for label, p in callers] == [
        (f"arn:aws:iam::{ACCOUNT}:role/Opsx (of Dev (111111111111))", f"arn:aws:iam::{ACCOUNT}:role/Opsx", None),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/R/s1", f"arn:aws:iam::{ACCOUNT}:role/R", "s1"),
        (f"arn:aws:iam::{ACCOUNT}:user/axc (of Dev (111111111111))", f"arn:aws:iam::{ACCOUNT}:user/axc", None),
        (f"arn:aws:iam::{ACCOUNT}:user/bob", f"arn:aws:iam::{ACCOUNT}:user/bob", None),
        (f"arn:aws:iam::{ACCOUNT}:user/zed (of Dev (111111111111))", f"arn:aws:iam::{ACCOUNT}:user/zed", None),
    ]


def test_callers_named_before_another_account_and_members_named_by_arn_are_asked_once() -> None:
    """Entries of other accounts before the account's own are passed over, not the end of the reading; a
    member the policy also names by ARN is asked about once, under the name the policy gives it, while a
    session of a member role is a caller of its own (its session name can be matched)."""
    bob = f"arn:aws:iam::{ACCOUNT}:user/bob"
    ops = f"arn:aws:iam::{ACCOUNT}:role/Ops"
    source = _source(
        _allow(
            principal=["arn:aws:iam::222222222222:user/elsewhere", bob, f"arn:aws:sts::{ACCOUNT}:assumed-role/Ops/s"]
        ),
        _allow({"StringEquals": {"aws:PrincipalTag/team": "ops"}}),
    )
    members = [Principal.user(bob), Principal.role(ops), Principal.user(f"arn:aws:iam::{ACCOUNT}:user/bob2")]
    callers = trust.callers_in_account(source, ACCOUNT, members, account_name="Dev")
    assert [(label, p.arn, p.session_name) for label, p in callers] == [
        (f"{ops} (of Dev)", ops, None),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/Ops/s", ops, "s"),
        (bob, bob, None),
        (f"arn:aws:iam::{ACCOUNT}:user/bob2 (of Dev)", f"arn:aws:iam::{ACCOUNT}:user/bob2", None),
    ]


def test_principal_conditions_without_members_fall_back_to_stand_ins() -> None:
    source = _source(_allow({"StringEquals": {"aws:PrincipalTag/team": "ops"}}))
    assert trust.principal_dependent(source)
    assert trust.callers_in_account(source, ACCOUNT, []) == [
        (f"account {ACCOUNT}", ANY_ROLE),
        (f"account {ACCOUNT}", ANY_USER),
    ]
    assert not trust.principal_dependent(_source(_allow(MFA)))


@pytest.mark.parametrize(
    ("statements", "verdict", "witnesses", "clauses"),
    [
        ([_allow(MFA)], "enforced", [0], [MFA]),
        (
            [_allow({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}})],
            "weak",
            [0],
            [{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}],
        ),
        ([_allow()], "absent", [0], []),
        (
            [_allow(MFA), {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Condition": MFA}],
            "denied",
            [0],
            [MFA],
        ),
        (
            [_allow({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}), _allow(MFA)],
            "enforced",
            [0, 1],
            [{"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}, MFA],
        ),
    ],
)
def test_trust_mfa_verdict_witnesses_and_clauses(
    statements: list[dict[str, Any]], verdict: str, witnesses: list[int], clauses: list[dict[str, Any]]
) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html"""
    found = trust.trust_mfa(_source(*statements), ANY_USER, ROLE, "the label")
    assert found is not None
    assert (found.caller, found.label, found.verdict) == (ANY_USER, "the label", verdict)
    assert found.refs == tuple(EvidenceRef(FILE, _at(i)) for i in witnesses)
    assert [c.text for c in found.clauses] == [json.dumps(c, sort_keys=True) for c in clauses]


def test_trust_mfa_of_a_caller_the_policy_does_not_trust_is_none() -> None:
    source = _source(_allow(principal="333333333333"))
    assert trust.trust_mfa(source, ANY_USER, ROLE, "x") is None
    assert trust.worst_mfa(source, ROLE, [("role", ANY_ROLE), ("user", ANY_USER)]) is None


def test_a_not_principal_deny_spares_the_caller_it_lists() -> None:
    """``Deny`` with ``NotPrincipal`` listing the account and the user does not apply to that user; it
    would to a user with a permissions boundary, but the trust alone is read for a caller without one
    (a boundary only denies more), so the Allow without MFA lets the listed user in.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"""
    source = _source(
        _allow(),
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:root", ANY_USER.arn]},
            "Action": "sts:AssumeRole",
        },
    )
    found = trust.trust_mfa(source, ANY_USER, ROLE, "user")
    assert found is not None and (found.verdict, found.refs) == ("absent", (EvidenceRef(FILE, _at(0)),))
    not_listed = trust.trust_mfa(source, ANY_ROLE, ROLE, "role")
    assert not_listed is not None and not_listed.verdict == "denied"


def test_a_trust_statement_with_a_resource_is_read_against_the_role_asked_about() -> None:
    """IAM refuses a trust policy with a ``Resource`` element (MalformedPolicyDocument: Has prohibited field
    Resource), so only hand-made evidence has one; the engine reads it as it reads any ``Resource``: the
    statement applies to the roles it names (IDN-002 reads such a trust per role)."""
    other = "arn:aws:iam::222222222222:role/Other"
    source = _source(_allow(MFA, Resource=ROLE), _allow(Resource=other))
    found = trust.trust_mfa(source, ANY_USER, ROLE, "user")
    assert found is not None and (found.verdict, found.refs) == ("enforced", (EvidenceRef(FILE, _at(0)),))
    worst = trust.worst_mfa(source, other, [("user", ANY_USER)])
    assert worst is not None and (worst.verdict, worst.refs) == ("absent", (EvidenceRef(FILE, _at(1)),))
    assert trust.worst_mfa(_source(_allow(Resource=other)), ROLE, [("user", ANY_USER)]) is None


def test_worst_mfa_is_the_weakest_demand_first_on_ties() -> None:
    users_without_mfa = _source(_allow(MFA), _allow({"StringEquals": {"aws:PrincipalType": "User"}}))
    worst = trust.worst_mfa(users_without_mfa, ROLE, [("role", ANY_ROLE), ("user", ANY_USER)])
    assert worst is not None and (worst.label, worst.verdict, worst.refs) == (
        "user",
        "absent",
        (EvidenceRef(FILE, _at(1)),),
    )
    tie = trust.worst_mfa(_source(_allow()), ROLE, [("role", ANY_ROLE), ("user", ANY_USER)])
    assert tie is not None and (tie.label, tie.verdict) == ("role", "absent")


# ------------------------------------------------------------------------------ small readers


@pytest.mark.parametrize(
    ("value", "arn", "session"),
    [
        (f"arn:aws:iam::{ACCOUNT}:user/u", f"arn:aws:iam::{ACCOUNT}:user/u", None),
        (f"arn:aws:iam::{ACCOUNT}:role/path/R", f"arn:aws:iam::{ACCOUNT}:role/path/R", None),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/R/sess", f"arn:aws:iam::{ACCOUNT}:role/R", "sess"),
        (ACCOUNT, None, None),
        (f"arn:aws:iam::{ACCOUNT}:root", None, None),
        (f"arn:aws:iam::{ACCOUNT}:group/g", None, None),
        ("arn:aws:s3:::bucket", None, None),
        ("nonsense", None, None),
    ],
)
def test_caller_for(value: str, arn: str | None, session: str | None) -> None:
    caller = trust.caller_for(value)
    assert (caller.arn if caller else None, caller.session_name if caller else None) == (arn, session)
    if caller is not None:
        assert caller.principal_type == ("user" if ":user/" in value else "role")


def test_statement_names_and_clause_texts() -> None:
    assert trust.statement_names(MIXED.document.statements) == (
        "/Statement/0, Accounts, /Statement/2, /Statement/3, /Statement/4, /Statement/5"
    )
    assert (
        trust.statement_names([*MIXED.document.statements[:2], MIXED.document.statements[1]])
        == "/Statement/0, Accounts"
    )
    assert trust.clause_texts(MIXED.document.statements[1].conditions) == (
        '{"StringEquals": {"aws:PrincipalAccount": "333333333333"}}; '
        '{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::444444444444:role/*"}}'
    )


@pytest.mark.parametrize(
    ("condition", "found"),
    [
        ({"StringEquals": {"sts:ExternalId": "secret"}}, True),
        ({"StringLike": {"sts:externalid": "sec*"}}, True),
        ({"StringEqualsIfExists": {"sts:ExternalId": "secret"}}, False),  # true without an external id
        ({"StringNotEquals": {"sts:ExternalId": "secret"}}, False),
        ({"StringEquals": {"aws:SourceAccount": "333333333333"}}, False),
    ],
)
def test_external_id_clause(condition: dict[str, Any], found: bool) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html"""
    clause = trust.external_id_clause(_statement(condition))
    assert (clause is not None) is found


@pytest.mark.parametrize(
    ("fields", "grants"),
    [
        ({"Action": "sts:AssumeRole"}, True),
        ({"Action": ["s3:GetObject", "sts:Assume*"]}, True),
        ({"Action": "sts:AssumeRoleWithSAML"}, False),
        ({"NotAction": "s3:*"}, True),  # NotAction with Allow grants every action not listed
        ({"NotAction": "sts:*"}, False),
        ({"Action": "sts:AssumeRole", "Effect": "Deny"}, False),
    ],
)
def test_assume_role_grants(fields: dict[str, Any], grants: bool) -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"""
    raw = {"Effect": "Allow", "Resource": "*", **fields}
    document = parse_policy({"Version": "2012-10-17", "Statement": [raw]})
    assert trust.assume_role_grants(document) == (list(document.statements) if grants else [])
