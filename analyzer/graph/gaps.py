"""Inline policies the evidence holds but could not read: unknown grants, never "no grants".

The loader keeps an account's authorization details when one policy document in it cannot be
decoded, records a problem at that document's JSON pointer, and leaves the policy out of the
principal's ``inline_policies`` (an attached managed policy without a readable document stays as an
``AttachedPolicyRef`` whose ``policy`` is None instead). This index finds those problems again by
pointer, so a caller whose inline policy was dropped is known to have grants the graph cannot see.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import CONFIG_ITEM_KINDS, Kind
from analyzer.model.snapshot import Problem, Snapshot

#: The list holding a principal's inline policies in get-account-authorization-details, by entity kind.
INLINE_LISTS: Mapping[str, str] = {"user": "UserPolicyList", "group": "GroupPolicyList", "role": "RolePolicyList"}
#: The same list in an AWS Config item's ``configuration`` (the entity's ref points at it).
CONFIG_INLINE_LISTS: Mapping[str, str] = {
    "user": "userPolicyList",
    "group": "groupPolicyList",
    "role": "rolePolicyList",
}
#: The evidence kinds whose files hold principals and their inline policies.
_IAM_KINDS = frozenset({Kind.IAM_AUTH_DETAILS.value} | {kind.value for kind in CONFIG_ITEM_KINDS})
_NAMED = re.compile(r"inline policy '(?P<name>[^']*)'")


@dataclass(frozen=True, slots=True)
class UnreadablePolicies:
    """The problems recorded inside authorization-details files, by file."""

    by_file: Mapping[str, tuple[Problem, ...]]

    @classmethod
    def of(cls, snapshot: Snapshot) -> UnreadablePolicies:
        found = {row.path: row.problems for row in snapshot.inventory if row.kind in _IAM_KINDS and row.problems}
        return cls(found)

    def inline(self, owner: EvidenceRef, entity: str) -> tuple[str, ...]:
        """Names of the inline policies of the user, group or role at ``owner`` that could not be read."""
        problems = self.by_file.get(owner.file)
        if not problems:
            return ()
        inner = f"{owner.pointer} (embedded document {owner.inner or ''}" if owner.inner is not None else None
        prefixes = tuple(
            f"{owner.pointer if inner is None else inner}/{lists[entity]}/"
            for lists in (INLINE_LISTS, CONFIG_INLINE_LISTS)
        )
        names: list[str] = []
        for problem in problems:
            prefix = next((p for p in prefixes if problem.pointer.startswith(p)), None)
            if prefix is not None and not problem.warning:
                named = _NAMED.search(problem.message)
                index = problem.pointer[len(prefix) :].split("/", 1)[0]
                names.append(named.group("name") if named else f"#{index}")
        return tuple(dict.fromkeys(names))
