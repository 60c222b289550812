"""Tiny in-memory snapshots for graph tests, built through the model dataclasses (no bundle on disk)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

from analyzer.audit.org_shape import OrgShape, resolve_shape
from analyzer.audit.settings import Settings
from analyzer.graph.access import AccessGraph
from analyzer.graph.build import build_access_graph
from analyzer.model.entities import (
    AttachedPolicyRef,
    Group,
    OrgAccount,
    Organization,
    Role,
    ServiceControlPolicy,
    User,
)
from analyzer.model.evidence import EvidenceRef, EvidenceState, EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicySource, canonical_text, parse_policy_text
from analyzer.model.snapshot import AccountEvidence, Manifest, Snapshot

IDENTITY = "111111111111"
MEMBER = "222222222222"
MGMT = "333333333333"
EXTERNAL = "999999999999"
ORG_ID = "o-a1b2c3d4e5"
ROOT_ID = "r-a1b2"
OU_ID = "ou-a1b2-members1"

MFA_TRUE = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def gaad(account: str) -> str:
    return f"{account}/iam/get-account-authorization-details.json"


def unique_id(prefix: str, name: str) -> str:
    return prefix + hashlib.sha256(name.encode()).hexdigest()[:16].upper()


def doc(*statements: Mapping[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def source(kind: str, name: str, document: Mapping[str, Any], ref: EvidenceRef, arn: str | None = None) -> PolicySource:
    parsed = parse_policy_text(canonical_text(document))
    return PolicySource(kind=kind, name=name, document=parsed, ref=ref, arn=arn)  # type: ignore[arg-type]


def allow_assume(*resources: str, condition: Mapping[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": list(resources)}
    if condition:
        statement["Condition"] = dict(condition)
    return statement


def trust_statement(principal: Any, condition: Mapping[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}
    if condition:
        statement["Condition"] = dict(condition)
    return statement


def managed(account: str, name: str, document: Mapping[str, Any], index: int = 0) -> AttachedPolicyRef:
    arn = f"arn:aws:iam::{account}:policy/{name}"
    ref = EvidenceRef(gaad(account), f"/Policies/{index}/PolicyVersionList/0/Document")
    return AttachedPolicyRef(arn=arn, name=name, ref=ref, policy=source("managed", name, document, ref, arn))


def inline(owner_ref: EvidenceRef, list_key: str, name: str, document: Mapping[str, Any]) -> PolicySource:
    return source("inline", name, document, owner_ref.child(list_key, 0, "PolicyDocument"))


def user(
    account: str,
    name: str,
    *,
    index: int = 0,
    groups: Sequence[str] = (),
    policies: Sequence[Mapping[str, Any]] = (),
    attached: Sequence[AttachedPolicyRef] = (),
    boundary: AttachedPolicyRef | None = None,
) -> User:
    ref = EvidenceRef(gaad(account), f"/UserDetailList/{index}")
    return User(
        account_id=account,
        arn=f"arn:aws:iam::{account}:user/{name}",
        name=name,
        user_id=unique_id("AIDA", f"{account}/{name}"),
        path="/",
        ref=ref,
        group_names=tuple(groups),
        inline_policies=tuple(inline(ref, "UserPolicyList", f"{name}-inline-{i}", p) for i, p in enumerate(policies)),
        attached_policies=tuple(attached),
        boundary=boundary,
    )


def group(
    account: str,
    name: str,
    *,
    index: int = 0,
    policies: Sequence[Mapping[str, Any]] = (),
    attached: Sequence[AttachedPolicyRef] = (),
) -> Group:
    ref = EvidenceRef(gaad(account), f"/GroupDetailList/{index}")
    return Group(
        account_id=account,
        arn=f"arn:aws:iam::{account}:group/{name}",
        name=name,
        group_id=unique_id("AGPA", f"{account}/{name}"),
        path="/",
        ref=ref,
        inline_policies=tuple(inline(ref, "GroupPolicyList", f"{name}-inline-{i}", p) for i, p in enumerate(policies)),
        attached_policies=tuple(attached),
    )


def role(
    account: str,
    name: str,
    trust: Mapping[str, Any] | None,
    *,
    index: int = 0,
    path: str = "/",
    policies: Sequence[Mapping[str, Any]] = (),
    attached: Sequence[AttachedPolicyRef] = (),
    boundary: AttachedPolicyRef | None = None,
    tags: Mapping[str, str] | None = None,
) -> Role:
    ref = EvidenceRef(gaad(account), f"/RoleDetailList/{index}")
    arn = f"arn:aws:iam::{account}:role{path}{name}"
    trust_source = source("trust", name, trust, ref.child("AssumeRolePolicyDocument"), arn) if trust else None
    return Role(
        account_id=account,
        arn=arn,
        name=name,
        role_id=unique_id("AROA", f"{account}/{name}"),
        path=path,
        ref=ref,
        trust_policy=trust_source,
        inline_policies=tuple(inline(ref, "RolePolicyList", f"{name}-inline-{i}", p) for i, p in enumerate(policies)),
        attached_policies=tuple(attached),
        boundary=boundary,
        tags=tuple(sorted((tags or {}).items())),
    )


def scp(policy_id: str, document: Mapping[str, Any], *targets: str) -> ServiceControlPolicy:
    ref = EvidenceRef(f"organization/policies/{policy_id}.json", "/Policy/Content", "")
    return ServiceControlPolicy(
        id=policy_id,
        name=policy_id,
        aws_managed=policy_id == "p-FullAWSAccess",
        source=source("scp", policy_id, document, ref),
        targets=tuple(targets),
        targets_known=True,
    )


FULL_ACCESS = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})


def org_account(
    account: str, name: str, parents: Sequence[str] = (ROOT_ID,), *, management: str | None = MGMT
) -> OrgAccount:
    """An ACTIVE account as list-accounts has it; ``management=None``: an entry without its ``Arn``."""
    ref = EvidenceRef("organization/list-accounts.json", f"/Accounts/{account}")
    arn = f"arn:aws:organizations::{management}:account/{ORG_ID}/{account}" if management else ""
    return OrgAccount(
        id=account,
        name=name,
        email=f"{name}@example.com",
        state="ACTIVE",
        ref=ref,
        parent_path=tuple(parents),
        arn=arn,
    )


def snapshot(
    accounts: Mapping[str, AccountEvidence],
    *,
    org_accounts: Sequence[OrgAccount] | None = None,
    scps: Sequence[ServiceControlPolicy] = (),
    identity: str | None = IDENTITY,
    management: str = MGMT,
    scps_complete: bool | None = None,
    described: bool = True,
    listed: bool = True,
) -> Snapshot:
    """``described=False``: describe-organization is missing (the organization is known from list-accounts only).

    ``listed``: list-accounts loaded in full (an account not in it is known to be outside the organization);
    False: it is missing, so membership is known only for the accounts given.
    """
    if org_accounts is None:
        names = {IDENTITY: "Identity", MEMBER: "Development", MGMT: "Management"}
        org_accounts = [org_account(a, names.get(a, a), management=management) for a in sorted(set(accounts) | {MGMT})]
    organization = Organization(
        id=ORG_ID,
        arn=f"arn:aws:organizations::{management}:organization/{ORG_ID}",
        management_account_id=management,
        feature_set="ALL",
        ref=EvidenceRef("organization/describe-organization.json", "/Organization"),
    )
    return Snapshot(
        bundle_name="memory",
        bundle_sha256="0" * 64,
        manifest=Manifest(identity_account=identity),
        organization=organization if described else None,
        org_accounts=tuple(org_accounts),
        scps=tuple(scps),
        scps_complete=bool(scps) if scps_complete is None else scps_complete,
        accounts=dict(accounts),
        bucket_policies=(),
        inventory=(),
        states={("", "", Kind.ORG_ACCOUNTS.value, ""): EvidenceState(Kind.ORG_ACCOUNTS.value, EvidenceStatus.LOADED)}
        if listed and org_accounts
        else {},
    )


def evidence(
    account: str, *, users: Sequence[User] = (), groups: Sequence[Group] = (), roles: Sequence[Role] = ()
) -> AccountEvidence:
    return AccountEvidence(account_id=account, users=tuple(users), groups=tuple(groups), roles=tuple(roles))


def build(snap: Snapshot) -> tuple[AccessGraph, OrgShape]:
    shape = resolve_shape(snap, Settings())
    return build_access_graph(snap, shape), shape
