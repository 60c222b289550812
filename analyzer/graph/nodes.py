"""Graph nodes: what a name in the evidence or in a trust policy stands for, and its node key.

Keys follow :mod:`analyzer.graph.access`: the ARN of a user, group or role; the root ARN
(``arn:<p>:iam::<acct>:root``) of an account, ours or external; the service name of a service
principal; the provider ARN (or the issuer name such as ``accounts.google.com``) of a federated
provider; ``*`` for anyone; the bare unique id of a deleted principal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from analyzer.graph.access import NodeKind
from analyzer.iam.arn import account_principal, assumed_role_parts, is_unique_id, parse_arn, root_arn

ANYONE = "*"


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """A node to add: its key and attributes (``in_evidence`` is False for a name we only saw in a trust)."""

    key: str
    kind: NodeKind
    account: str
    label: str
    in_evidence: bool = False


@dataclass(frozen=True, slots=True)
class KnownPrincipals:
    """What the evidence holds, for resolving names written in trust policies."""

    partition: str
    accounts: Mapping[str, str]  # account id -> label ("Name (id)" or the id)
    principals: Mapping[str, NodeSpec]  # users and roles in the evidence, by ARN
    unique_ids: Mapping[str, NodeSpec]  # the same, by AIDA/AROA unique id
    roles_by_name: Mapping[tuple[str, str], str]  # (account, role name) -> role ARN


def account_node(account: str, known: KnownPrincipals, partition: str | None = None) -> NodeSpec:
    key = root_arn(account, partition or known.partition)
    if account in known.accounts:
        return NodeSpec(key, NodeKind.ACCOUNT, account, known.accounts[account], True)
    return NodeSpec(key, NodeKind.EXTERNAL_ACCOUNT, account, f"external account {account}")


def aws_principal_node(value: str, known: KnownPrincipals) -> NodeSpec | None:
    """The node an ``AWS`` principal value names, or ``None`` when it is not a valid principal."""
    if value == ANYONE:
        return NodeSpec(ANYONE, NodeKind.ANYONE, "", "anyone (*)")
    account = account_principal(value)
    if account is not None:
        return account_node(account[0], known, account[1])
    if is_unique_id(value):
        holder = known.unique_ids.get(value)
        if holder is not None:
            return holder
        return NodeSpec(value, NodeKind.DELETED_PRINCIPAL, "", f"deleted principal {value}")
    session = assumed_role_parts(value)
    if session is not None:
        _, acct, name, _ = session
        role = known.roles_by_name.get((acct, name))
        if role is not None:
            return known.principals[role]
        return NodeSpec(value, NodeKind.ROLE, acct, f"session {value}")
    arn = parse_arn(value)
    if arn is None:
        return None
    if value in known.principals:
        return known.principals[value]
    kinds = {("iam", "user"): NodeKind.USER, ("iam", "role"): NodeKind.ROLE, ("sts", "federated-user"): NodeKind.USER}
    kind = kinds.get((arn.service, arn.resource_type))
    if kind is None:
        return None
    return NodeSpec(value, kind, arn.account, arn.resource_name)


def federated_node(value: str) -> NodeSpec:
    arn = parse_arn(value)
    if arn is not None and arn.resource_type == "saml-provider":
        return NodeSpec(value, NodeKind.SAML_PROVIDER, arn.account, arn.resource_name)
    if arn is not None:
        return NodeSpec(value, NodeKind.OIDC_PROVIDER, arn.account, arn.resource.split("/", 1)[-1])
    return NodeSpec(value, NodeKind.OIDC_PROVIDER, "", value)


def service_node(value: str) -> NodeSpec:
    return NodeSpec(value, NodeKind.SERVICE, "", value)


def is_saml_provider(value: str) -> bool:
    arn = parse_arn(value)
    return arn is not None and arn.service == "iam" and arn.resource_type == "saml-provider"
