"""The IDN-009 memo (:mod:`analyzer.rules.support.user_decisions`) answers exactly as the engine does.

Each scenario gives several users copies of the same documents (equal by value, so the memo may
share a decision between them) that must nevertheless be decided differently: a memo that keyed on
less than what the engine reads would hand one user's answer to another. Every answer is compared
with a direct :func:`analyzer.iam.evaluate`, in both orders of asking.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from analyzer.iam import Principal, Request, evaluate
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource, parse_policy
from analyzer.rules.support.user_decisions import Answer, UserDecisions

ACCOUNT = "111111111111"
FILE = f"{ACCOUNT}/iam/get-account-authorization-details.json"
#: (action, on the user itself or on its MFA device), as IDN-009 asks them
QUESTIONS = (
    ("iam:ChangePassword", "user"),
    ("iam:CreateAccessKey", "user"),
    ("iam:EnableMFADevice", "user"),
    ("iam:CreateVirtualMFADevice", "mfa"),
)


def _document(*statements: Mapping[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


def _allow(resource: str | list[str], action: str = "iam:*", **condition: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


OWN_USER = _allow(f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}")


def _copy(document: Mapping[str, Any], pointer: str, name: str = "SelfService") -> PolicySource:
    """A fresh copy of ``document`` (a distinct object, equal by value) at ``pointer`` in the file."""
    return PolicySource("inline", name, parse_policy(document), EvidenceRef(FILE, pointer))


@dataclass(frozen=True)
class _User:
    name: str
    sources: tuple[PolicySource, ...]
    path: str = "/"
    tags: Mapping[str, str] | None = None
    boundaries: tuple[PolicySource, ...] = ()

    def target(self, kind: str) -> str:
        return self.principal.arn if kind == "user" else f"arn:aws:iam::{ACCOUNT}:mfa/{self.name}"

    @property
    def principal(self) -> Principal:
        arn = f"arn:aws:iam::{ACCOUNT}:user{self.path}{self.name}"
        return Principal.user(arn, tags=self.tags, unique_id=f"AIDA{self.name.upper()}")


def _direct(user: _User, action: str, kind: str) -> Answer:
    decision = evaluate(
        Request(user.principal, action, user.target(kind)),
        identity_policies=user.sources,
        boundaries=user.boundaries or None,
    )
    return Answer(decision.allowed, decision.outcome, tuple(d.ref for d in decision.deciding))


def _asked(users: Sequence[_User]) -> tuple[dict[tuple[str, str], Answer], int]:
    memo = UserDecisions()
    answers: dict[tuple[str, str], Answer] = {}
    for user in users:
        caller = memo.caller(user.principal, user.sources, user.boundaries)
        for action, kind in QUESTIONS:
            answers[(user.name, action)] = caller.ask(action, user.target(kind))
    return answers, memo.evaluations


def _scenarios() -> dict[str, list[_User]]:
    named_alice = _document(_allow(f"arn:aws:iam::{ACCOUNT}:user/alice"))
    own_and_alices_device = _document(
        _allow([f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}", f"arn:aws:iam::{ACCOUNT}:mfa/alice"])
    )
    tagged = _document(_allow("*", StringEquals={"aws:PrincipalTag/team": "admins"}))
    owner = _document(_allow("*", StringEquals={"aws:PrincipalTag/owner": "${aws:username}"}))
    no_variables = _document(OWN_USER, version="2008-10-17")
    deny_bob = _document(
        OWN_USER,
        {
            "Effect": "Deny",
            "Action": "iam:CreateAccessKey",
            "Resource": "*",
            "Condition": {"StringLike": {"aws:username": "bob*"}},
        },
    )
    # every explicit deny is cited (only the first definite allow is)
    held_twice = _document(OWN_USER, {"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*"})
    shared = PolicySource("managed", "Shared", parse_policy(held_twice), EvidenceRef(FILE, "/Policies/0"))
    return {
        # a literal Resource naming one user: the same document grants alice, not bob
        "literal user": [
            _User(n, (_copy(named_alice, f"/UserDetailList/{i}"),)) for i, n in enumerate(("alice", "bob"))
        ],
        # ${aws:username} against the user's ARN: a path makes it miss
        "path": [
            _User("alice", (_copy(_document(OWN_USER), "/UserDetailList/0"),)),
            _User("bob", (_copy(_document(OWN_USER), "/UserDetailList/1"),), path="/team/"),
        ],
        # one statement, two resources: each question reads it against its own target
        "user and MFA device": [
            _User(n, (_copy(own_and_alices_device, f"/UserDetailList/{i}"),)) for i, n in enumerate(("alice", "bob"))
        ],
        # the caller's tags decide a condition
        "principal tag": [
            _User("alice", (_copy(tagged, "/UserDetailList/0"),), tags={"team": "admins"}),
            _User("bob", (_copy(tagged, "/UserDetailList/1"),), tags={"team": "devs"}),
            _User("carol", (_copy(tagged, "/UserDetailList/2"),), tags={}),
        ],
        # same tag value for both: only the variable in the condition value tells them apart
        "variable in a condition value": [
            _User("alice", (_copy(owner, "/UserDetailList/0"),), tags={"owner": "alice"}),
            _User("bob", (_copy(owner, "/UserDetailList/1"),), tags={"owner": "alice"}),
        ],
        # version 2008: ${aws:username} is literal text and matches no one; 2012 matches
        "policy version": [
            _User("alice", (_copy(no_variables, "/UserDetailList/0"),)),
            _User("bob", (_copy(_document(OWN_USER), "/UserDetailList/1"),)),
        ],
        "deny on the user name": [
            _User(n, (_copy(deny_bob, f"/UserDetailList/{i}"),)) for i, n in enumerate(("alice", "bobby", "carol"))
        ],
        # a boundary that allows nothing of IAM, against none
        "boundary": [
            _User("alice", (_copy(_document(OWN_USER), "/UserDetailList/0"),)),
            _User(
                "bob",
                (_copy(_document(OWN_USER), "/UserDetailList/1"),),
                boundaries=(_copy(_document(_allow("*", action="s3:*")), "/Policies/1", "Boundary"),),
            ),
        ],
        # one document as alice's permissions boundary and as one of bob's identity policies (bob's boundary
        # allows no IAM action): the same documents in the same order, decided differently by their role
        "boundary or identity policy": [
            _User(
                "alice",
                (_copy(_document(OWN_USER), "/UserDetailList/0"),),
                boundaries=(_copy(_document(_allow("*")), "/Policies/1", "Boundary"),),
            ),
            _User(
                "bob",
                (
                    _copy(_document(OWN_USER), "/UserDetailList/1"),
                    _copy(_document(_allow("*")), "/Policies/1", "Boundary"),
                ),
                boundaries=(_copy(_document(_allow("*", action="s3:*")), "/Policies/2", "S3Only"),),
            ),
        ],
        # one managed policy through two groups (one object twice) against two distinct copies
        "source held twice": [
            _User("alice", (shared, shared)),
            _User("bob", (_copy(held_twice, "/UserDetailList/1"), _copy(held_twice, "/UserDetailList/2"))),
        ],
    }


SCENARIOS = _scenarios()


@pytest.mark.parametrize("name", sorted(SCENARIOS))
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_every_answer_is_the_engines(name: str, reverse: bool) -> None:
    users = SCENARIOS[name][::-1] if reverse else SCENARIOS[name]
    answers, _ = _asked(users)
    expected = {(u.name, action): _direct(u, action, kind) for u in users for action, kind in QUESTIONS}
    assert answers == expected
    # the scenario is a real test of the memo: its users are decided differently (or, for a source held
    # twice, cite differently: see the test below)
    verdicts = {
        tuple((expected[(u.name, a)].allowed, expected[(u.name, a)].outcome) for a, _ in QUESTIONS) for u in users
    }
    assert len(verdicts) > 1 or name == "source held twice"


def test_copies_of_one_policy_are_evaluated_once_and_cite_their_own_statements() -> None:
    names = [f"user{i:02d}" for i in range(20)]
    users = [
        _User(n, (_copy(_document(OWN_USER), f"/UserDetailList/{i}/UserPolicyList/0"),)) for i, n in enumerate(names)
    ]
    answers, evaluations = _asked(users)
    assert evaluations == len(QUESTIONS)
    for i, name in enumerate(names):
        answer = answers[(name, "iam:ChangePassword")]
        assert answer.allowed
        assert answer.refs == (EvidenceRef(FILE, f"/UserDetailList/{i}/UserPolicyList/0/Statement/0"),)


def test_a_source_held_twice_cites_what_the_engine_cites() -> None:
    users = SCENARIOS["source held twice"]
    answers, _ = _asked(users)
    assert answers[("alice", "iam:CreateAccessKey")].refs == (EvidenceRef(FILE, "/Policies/0/Statement/1"),) * 2
    assert answers[("bob", "iam:CreateAccessKey")].refs == (
        EvidenceRef(FILE, "/UserDetailList/1/Statement/1"),
        EvidenceRef(FILE, "/UserDetailList/2/Statement/1"),
    )


OTHER_ACCOUNT = "222222222222"


@pytest.mark.parametrize("resource", ["*", "arn:aws:iam::*:user/${aws:username}"])
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
def test_one_action_on_several_resources_is_decided_for_each(resource: str, reverse: bool) -> None:
    """One caller asks one action about its own user, another user of its account and a user of another
    account: the same statements read the same (a ``*`` or account-wildcard ``Resource``), but the engine
    decides the other account's user differently (across accounts an identity grant alone is not enough:
    IAM User Guide, "Cross-account policy evaluation logic",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html),
    so the memo keys on the resource's account and evaluates each request on its own resource."""
    user = _User("alice", (_copy(_document(_allow(resource)), "/UserDetailList/0"),))
    targets = [
        user.principal.arn,
        f"arn:aws:iam::{ACCOUNT}:user/bob",
        f"arn:aws:iam::{OTHER_ACCOUNT}:user/alice",
    ]
    targets = targets[::-1] if reverse else targets
    caller = UserDecisions().caller(user.principal, user.sources, user.boundaries)
    answers = {target: caller.ask("iam:ChangePassword", target) for target in targets}
    expected = {target: _direct_on(user, "iam:ChangePassword", target) for target in targets}
    assert answers == expected
    assert expected[f"arn:aws:iam::{OTHER_ACCOUNT}:user/alice"].allowed is False
    assert expected[user.principal.arn].allowed is True
    assert expected[f"arn:aws:iam::{ACCOUNT}:user/bob"].allowed is (resource == "*")


def _direct_on(user: _User, action: str, target: str) -> Answer:
    decision = evaluate(
        Request(user.principal, action, target), identity_policies=user.sources, boundaries=user.boundaries or None
    )
    return Answer(decision.allowed, decision.outcome, tuple(d.ref for d in decision.deciding))
