"""The SCP levels that apply to a caller's account: root, OUs from the root down, the account.

ORGUG ``orgs_manage_policies_scps``: a request by a principal of a member account must be allowed
at every level of the account's path. What the evidence lets us say, and what we do otherwise:

* The management account is never limited by SCPs: no levels (``None``). ORGUG "Service control
  policies (SCPs)": "SCPs don't affect users or roles in the management account."
* The management account is not known (describe-organization unusable and no account ARN in
  list-accounts to derive it from, :mod:`analyzer.audit.org_shape`): every organization account
  gets its levels, and :attr:`ScpResolver.management_unknown` tells the evaluator that any of them
  may be the management account, so a denial that only SCPs make is conditional, never silent.
* No SCP in the bundle (SCPs not exported, or no organization): no SCP effect (``None``).
* The SCP evidence is incomplete (a policy named by a target file was not exported, or a policy's
  targets are unknown, ``Snapshot.scps_complete`` False): no SCP effect either. A missing policy
  could be the only ``Allow`` at its level, so applying the rest could invent a denial; the graph
  over-approximates access instead, and says so in its notes.
* An account outside the organization's account list: no SCP effect.
* A level with no targeted policy in the evidence is skipped (treated as not restricting). In a
  real organization every level has at least one SCP attached (``FullAWSAccess`` by default), so
  a level without any exported policy means the export missed it, not that it denies everything.
* An account whose ``Paths`` were not exported (``OrgAccount.parent_path`` empty): the root level
  is the root any SCP targets (an organization has one root); OU levels are unknown and skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.iam.evaluate import ScpLevel
from analyzer.model.policy import PolicySource
from analyzer.model.snapshot import Snapshot


@dataclass(slots=True)
class ScpResolver:
    """``levels(account)`` -> the :class:`ScpLevel` s to pass to the engine, or ``None`` for no SCP effect."""

    by_target: dict[str, tuple[PolicySource, ...]]
    paths: dict[str, tuple[str, ...]]  # account -> parent path (root, OUs), for accounts in the organization
    roots: tuple[str, ...]
    management: str | None
    active: bool
    notes: list[str] = field(default_factory=list)
    _cache: dict[str, tuple[ScpLevel, ...] | None] = field(default_factory=dict)

    @property
    def management_unknown(self) -> bool:
        """True when SCPs apply but which account is exempt from them (the management account) is unknown."""
        return self.active and self.management is None

    @classmethod
    def of(cls, snapshot: Snapshot, management: str | None, why_unknown: str = "") -> ScpResolver:
        targeted: dict[str, list[PolicySource]] = {}
        for scp in snapshot.scps:
            for target in scp.targets:
                targeted.setdefault(target, []).append(scp.source)
        by_target = {t: tuple(sorted(s, key=lambda p: (p.name, p.ref))) for t, s in targeted.items()}
        roots = tuple(sorted(t for t in by_target if t.startswith("r-")))
        notes: list[str] = []
        active = bool(snapshot.scps)
        if not snapshot.scps:
            notes.append("no SCP in the evidence: SCPs are not applied to any caller")
        elif not snapshot.scps_complete:
            active = False
            notes.append(
                "the SCP evidence is incomplete (a policy or its targets were not exported): SCPs are not "
                "applied, so access that an SCP may deny is still shown"
            )
        if active and management is None and snapshot.org_accounts:
            notes.append(
                f"the management account is not known ({why_unknown or 'no organization evidence'}): SCPs are "
                "applied to every organization account, and access that only an SCP denies (or only an SCP makes "
                "require MFA) is shown, conditional on the caller's account being the management account, which "
                "SCPs do not restrict"
            )
        paths = {a.id: a.parent_path for a in snapshot.org_accounts}
        pathless = sorted(a for a, p in paths.items() if not p and a != management)
        if active and pathless:
            notes.append(
                f"{len(pathless)} account(s) without Paths in list-accounts ({', '.join(pathless[:5])}"
                f"{' ...' if len(pathless) > 5 else ''}): only root and account-level SCPs are applied to them"
            )
        return cls(by_target, paths, roots, management, active, notes)

    def levels(self, account: str) -> tuple[ScpLevel, ...] | None:
        if account in self._cache:
            return self._cache[account]
        found = self._levels(account)
        self._cache[account] = found
        return found

    def _levels(self, account: str) -> tuple[ScpLevel, ...] | None:
        if not self.active or account == self.management or account not in self.paths:
            return None
        path = self.paths[account] or self.roots
        return tuple(ScpLevel(t, self.by_target[t]) for t in (*path, account) if self.by_target.get(t))
