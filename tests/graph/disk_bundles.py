"""Bundles on disk for CLI tests: ``fixtures/rules/base`` plus roles and grants added to its exports.

The base bundle: alice (Identity account 111111111111, group Staff) may assume Dev-Admin-Role in the
Development account 222222222222, whose trust requires MFA. :func:`dense_bundle` adds N roles to the
Development account that may all assume each other: each trusts the account root, and each one's
identity policy allows ``sts:AssumeRole`` on ``*`` (within one account the trust naming the account
and the caller's grant together allow it: IAM User Guide, "Policy evaluation logic", cross-account
vs. same-account requests).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.rule_cases import BASE

IDENTITY = "111111111111"
DEV = "222222222222"
ALICE = f"arn:aws:iam::{IDENTITY}:user/alice"
DEV_ADMIN = f"arn:aws:iam::{DEV}:role/Dev-Admin-Role"
MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
ASSUME_ANY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}


def copy_base(target: Path) -> Path:
    shutil.copytree(BASE, target)
    return target


@contextmanager
def authorization_details(bundle: Path, account: str) -> Iterator[dict[str, Any]]:
    """The account's get-account-authorization-details export, written back when the block ends."""
    path = bundle / account / "iam" / "get-account-authorization-details.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    yield data
    path.write_text(json.dumps(data, indent=1, ensure_ascii=True), encoding="utf-8")


def trust(*statements: Mapping[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def trusting(principal: str, condition: Mapping[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A trust statement allowing ``principal`` (an ARN, an account id or ``*``) to assume the role."""
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": principal},
        "Action": "sts:AssumeRole",
        **extra,
    }
    if condition:
        statement["Condition"] = dict(condition)
    return statement


def role_entry(
    account: str, name: str, trust_policy: Mapping[str, Any], *, number: int, policies: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": f"AROAZ{number:015d}",
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": "2026-01-12T09:00:00+00:00",
        "AssumeRolePolicyDocument": dict(trust_policy),
        "InstanceProfileList": [],
        "RolePolicyList": [
            {"PolicyName": f"inline-{i}", "PolicyDocument": dict(policy)} for i, policy in enumerate(policies)
        ],
        "AttachedManagedPolicies": [],
        "Tags": [],
    }


def add_roles(bundle: Path, account: str, roles: Sequence[tuple[str, Mapping[str, Any], bool]]) -> list[str]:
    """Add roles (name, trust policy, whether its identity policy allows sts:AssumeRole on ``*``); their ARNs."""
    with authorization_details(bundle, account) as data:
        start = len(data["RoleDetailList"])
        for offset, (name, trust_policy, assume_any) in enumerate(roles):
            policies = [ASSUME_ANY] if assume_any else []
            data["RoleDetailList"].append(
                role_entry(account, name, trust_policy, number=start + offset, policies=policies)
            )
    return [f"arn:aws:iam::{account}:role/{name}" for name, _, _ in roles]


def let_alice_assume_any_role(bundle: Path) -> None:
    with authorization_details(bundle, IDENTITY) as data:
        data["UserDetailList"][0]["UserPolicyList"].append({"PolicyName": "assume-any", "PolicyDocument": ASSUME_ANY})


def set_trust(bundle: Path, account: str, role_name: str, trust_policy: Mapping[str, Any]) -> None:
    with authorization_details(bundle, account) as data:
        (entry,) = [r for r in data["RoleDetailList"] if r["RoleName"] == role_name]
        entry["AssumeRolePolicyDocument"] = dict(trust_policy)


def dense_bundle(target: Path, roles: int) -> Path:
    """The base bundle with ``roles`` roles in the Development account that may all assume each other."""
    copy_base(target)
    root = trust(trusting(f"arn:aws:iam::{DEV}:root"))
    add_roles(target, DEV, [(f"Dense-{i:04d}", root, True) for i in range(roles)])
    return target


def jump_bundle(target: Path) -> tuple[Path, str]:
    """alice reaches Dev-Admin-Role directly with MFA enforced, and without MFA through a jump role.

    Dev-Admin-Role also trusts the Jump role by ARN without MFA; Jump trusts the Identity account
    without MFA; alice may assume any role. Returns the bundle and Jump's ARN.
    """
    copy_base(target)
    let_alice_assume_any_role(target)
    (jump,) = add_roles(target, DEV, [("Jump", trust(trusting(f"arn:aws:iam::{IDENTITY}:root")), True)])
    set_trust(target, DEV, "Dev-Admin-Role", trust(trusting(f"arn:aws:iam::{IDENTITY}:root", MFA_TRUE), trusting(jump)))
    return target, jump
