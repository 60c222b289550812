"""The request context of ``sts:AssumeRole`` from a caller to a role: the keys the evidence settles.

IAMUG "AWS global condition context keys". The caller's own keys (``aws:PrincipalArn``,
``aws:PrincipalAccount``, ``aws:PrincipalType``, ``aws:userid``, ``aws:username``, ``aws:PrincipalTag/*``,
``aws:PrincipalIsAWSService`` and ``aws:ViaAWSService`` false, the ``aws:CalledVia`` keys absent) come
from :func:`analyzer.iam.principal_context`. Here, what the organization and the role settle:

* ``aws:PrincipalOrgID``: the organization's id for a caller of a member account. For an account
  known to be outside it (the account list loaded in full, and the account is not in it) the key is
  absent or another organization's id, never ours (:class:`~analyzer.iam.context.NoneOf`): a trust
  that denies principals outside the organization then denies it. Unknown otherwise.
* ``aws:PrincipalOrgPaths``: ``o-.../r-.../ou-.../`` for a member account whose ``Paths`` were
  exported (list-accounts); for an outsider, no path starts with our organization's id.
* ``aws:ResourceAccount``: the role's account; ``aws:ResourceOrgID`` and ``aws:ResourceOrgPaths`` for a
  role of a member account.
* ``aws:ResourceTag/<key>``: the role's IAM tags, all of them (GAAD lists every tag): a key not among
  them is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from analyzer.iam.context import NoneOf
from analyzer.model.entities import Role

Values = dict[str, str | tuple[str, ...] | NoneOf]


@dataclass(frozen=True, slots=True)
class OrgContext:
    """Organization-level condition keys the evidence does know.

    ``paths``: member account -> its OU path (``o-id/r-root/ou-.../``), for accounts whose ``Paths`` are
    known; ``complete``: the organization's account list loaded in full, so an account missing from
    ``members`` is outside the organization.
    """

    org_id: str | None
    members: frozenset[str]
    paths: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    complete: bool = False

    @classmethod
    def of(cls, org_id: str | None, parent_paths: Mapping[str, tuple[str, ...]], *, complete: bool) -> OrgContext:
        """From each member account's parent path (root, OUs: ``OrgAccount.parent_path``)."""
        paths = {a: f"{org_id}/{'/'.join(p)}/" for a, p in parent_paths.items() if org_id and p}
        return cls(org_id, frozenset(parent_paths), MappingProxyType(paths), complete and bool(parent_paths))

    def outside(self, account: str) -> bool:
        """Known to be outside the organization."""
        return self.complete and account not in self.members

    def values(self, caller_account: str, role: Role) -> Values:
        """The keys of a request by an IAM principal of ``caller_account`` to assume ``role``."""
        out = self.role_values(role)
        org_id = self.org_id
        if org_id and caller_account in self.members:
            out["aws:PrincipalOrgID"] = org_id
            if caller_account in self.paths:
                out["aws:PrincipalOrgPaths"] = (self.paths[caller_account],)
        elif org_id and self.outside(caller_account):
            out["aws:PrincipalOrgID"] = NoneOf(frozenset({org_id}))
            out["aws:PrincipalOrgPaths"] = NoneOf(frozenset(), (f"{org_id}/",))
        return out

    def role_values(self, role: Role) -> Values:
        """The keys ``role`` settles as the request's resource (whoever the caller)."""
        out: Values = {"aws:ResourceAccount": role.account_id}
        if self.org_id and role.account_id in self.members:
            out["aws:ResourceOrgID"] = self.org_id
            if role.account_id in self.paths:
                out["aws:ResourceOrgPaths"] = (self.paths[role.account_id],)
        out.update((f"aws:ResourceTag/{k}", v) for k, v in role.tags)
        return out


#: Every ``aws:ResourceTag/*`` key not set by :meth:`OrgContext.values` is absent (the role's tags are known).
ROLE_TAG_PREFIXES = ("aws:resourcetag/",)
