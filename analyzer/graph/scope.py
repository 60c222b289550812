"""Where people enter the organization: the one definition of the access paths the model is about.

The model: people exist only in the Identity account (IAM users, or IAM Identity Center identities)
and reach member accounts by assuming roles. So the ways in that matter start at a person's entry
point, and there are three kinds of them:

* ``identity``: an IAM user or (non service-linked) role of the Identity account, and an identity
  provider of the Identity account;
* ``identity-center``: the SAML provider of IAM Identity Center roles (``AWSReservedSSO_*``), in
  whichever account Identity Center provisioned them: centrally managed sign-in, MFA delegated to
  the identity provider;
* ``outside``: an IAM user of any other account, and a SAML provider of any other account that is
  not Identity Center's. These bypass the Identity account.

Everything else that can assume a role is not a person's entry point: roles trusted by AWS services
or by OIDC providers (workloads: instances, functions, CI pipelines), roles reached only from other
roles, external accounts (IDN-004) and open trusts (IDN-005). IDN-003 (MFA on every path) reads the
``identity`` and ``identity-center`` entries, IDN-010 the ``outside`` ones, and the report's access
map draws the same paths, so the three can never disagree about which paths there are.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from itertools import chain

from analyzer.graph.access import AccessGraph, AccessPath, NodeKind


class EntryKind(enum.StrEnum):
    IDENTITY = "identity"
    IDENTITY_CENTER = "identity-center"
    OUTSIDE = "outside"


@dataclass(frozen=True, slots=True)
class Entry:
    """A person's way into the organization: the node a path starts at, its account and kind."""

    node: str
    account: str | None
    kind: EntryKind


def _identity_center_provider(graph: AccessGraph, provider: str) -> bool:
    """Whether the SAML provider is the one IAM Identity Center created for its roles."""
    targets = chain(graph.graph.successors(provider), graph.assume_targets(provider))
    return any(graph.graph.nodes[target].get("sso") for target in targets)


def people_entries(graph: AccessGraph, identity: str | None) -> list[Entry]:
    """Every entry point of people in the graph, sorted by node (see the module's docstring).

    With the Identity account unknown (``None``), no entry is ``identity`` and none is ``outside``:
    only Identity Center's providers can still be told apart.
    """
    found: list[Entry] = []
    for node in graph.nodes_of(NodeKind.USER):
        account = graph.account_of(node)
        if identity is not None:
            found.append(Entry(node, account, EntryKind.IDENTITY if account == identity else EntryKind.OUTSIDE))
    if identity is not None:
        found.extend(
            Entry(role, identity, EntryKind.IDENTITY)
            for role in graph.nodes_of(NodeKind.ROLE, identity)
            if not graph.graph.nodes[role].get("service_linked")
        )
    for kind in (NodeKind.SAML_PROVIDER, NodeKind.OIDC_PROVIDER):
        for provider in graph.nodes_of(kind):
            account = graph.account_of(provider)
            if _identity_center_provider(graph, provider):
                found.append(Entry(provider, account, EntryKind.IDENTITY_CENTER))
            elif identity is not None and account == identity:
                found.append(Entry(provider, account, EntryKind.IDENTITY))
            elif identity is not None and kind is NodeKind.SAML_PROVIDER:
                found.append(Entry(provider, account, EntryKind.OUTSIDE))
    return sorted(found, key=lambda e: e.node)


def member_paths(
    graph: AccessGraph, entry: Entry, identity: str | None, *, without_mfa: bool = False
) -> dict[str, AccessPath]:
    """The roles outside the Identity account ``entry`` can become, each with its weakest way in."""
    return graph.reachable(entry.node, without_mfa=without_mfa, among=graph.outside_account(identity))


__all__ = ["Entry", "EntryKind", "member_paths", "people_entries"]
