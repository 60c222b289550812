"""A CLI export and AWS Config's items of the same resources, compared: drift.

Both describe an account's IAM (``get-account-authorization-details`` and the ``AWS::IAM::*``
items) and a region's trails (``describe-trails`` and the ``AWS::CloudTrail::Trail`` items), each
as of its own capture. Compared on the facts the rules read (AWS Config Developer Guide,
"Components of a configuration item"); a difference is drift (rule EVD-004), and the verdicts use
the more recent capture: the export, taken at the collection time, since Config items captured
after it are not used (:mod:`analyzer.evidence.config_resolve`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from analyzer.model.config_items import ConfigComparison, ConfigItem, Drift
from analyzer.model.entities import AttachedPolicyRef, Group, ManagedPolicy, Role, Trail, User
from analyzer.model.evidence import EvidenceState
from analyzer.model.snapshot import AccountEvidence


def iso(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else "unknown"


def _docs(sources: Iterable[Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(((s.name, s.document) for s in sources), key=lambda pair: pair[0]))


def _arns(refs: Iterable[AttachedPolicyRef]) -> tuple[str, ...]:
    return tuple(sorted(r.arn for r in refs))


_FACTS: dict[type, dict[str, Callable[[Any], Any]]] = {
    Role: {
        "trust policy": lambda r: r.trust_policy.document if r.trust_policy else None,
        "inline policies": lambda r: _docs(r.inline_policies),
        "attached managed policies": lambda r: _arns(r.attached_policies),
        "permissions boundary": lambda r: r.boundary.arn if r.boundary else None,
    },
    User: {
        "groups": lambda u: tuple(sorted(g.lower() for g in u.group_names)),
        "inline policies": lambda u: _docs(u.inline_policies),
        "attached managed policies": lambda u: _arns(u.attached_policies),
        "permissions boundary": lambda u: u.boundary.arn if u.boundary else None,
    },
    Group: {
        "inline policies": lambda g: _docs(g.inline_policies),
        "attached managed policies": lambda g: _arns(g.attached_policies),
    },
    ManagedPolicy: {"default version document": lambda p: p.source.document if p.source else None},
}


#: What a trail's item and describe-trails both say (Config records no logging status or selectors).
_TRAIL_FACTS: dict[str, Callable[[Trail], Any]] = {
    "multi-region": lambda t: t.multi_region,
    "organization trail": lambda t: t.organization_trail,
    "global service events": lambda t: t.include_global_events,
    "log file validation": lambda t: t.log_file_validation,
    "destination bucket": lambda t: (t.s3_bucket, t.s3_prefix or ""),
    "KMS key": lambda t: t.kms_key,
}


def compare_iam(
    account: AccountEvidence,
    current: dict[tuple[str, str], ConfigItem],
    complete: bool,
    when: datetime | None,
    later: dict[tuple[str, str], ConfigItem] | None = None,
) -> tuple[int, list[Drift]]:
    """``current``: Config's items as of the collection time; ``later``: the newest item of a resource
    captured after it. A later item of a resource the export lists that states other facts is drift too
    (the resource changed between the two captures: the export's and Config's newer one); a resource
    only Config's later items know was created after the collection and is only noted."""
    entities: tuple[User | Group | Role | ManagedPolicy, ...] = (
        *account.users,
        *account.groups,
        *account.roles,
        *account.managed_policies,
    )
    exported: dict[str, Any] = {e.arn: e for e in entities if not getattr(e, "aws_managed", False)}
    used = (
        f"the verdict uses the CLI export (collected {iso(when)}), the more recent capture"
        if when
        else "which capture is more recent cannot be told (the manifest has no collected_at): the account's IAM "
        "checks are not evaluated"
    )
    drifts: list[Drift] = []
    compared = 0
    seen: set[str] = set()
    for item in current.values():
        entity = item.entity
        if getattr(entity, "aws_managed", False):
            continue  # AWS managed policies: the same in every account, not the account's own state
        arn = getattr(entity, "arn", "")
        seen.add(arn)
        other = exported.get(arn)
        if other is None:
            drifts.append(
                Drift(
                    resource=arn,
                    what="in AWS Config's items but not in the CLI export",
                    cli=None,
                    config=item,
                    used=used,
                )
            )
            continue
        compared += 1
        for what, fact in _FACTS.get(type(entity), {}).items():
            if fact(entity) != fact(other):
                drifts.append(Drift(resource=arn, what=what, cli=other.ref, config=item, used=used))
    for item in (later or {}).values():
        entity = item.entity
        other = exported.get(getattr(entity, "arn", ""))
        if other is None or getattr(entity, "aws_managed", False):
            continue
        after = (
            f"AWS Config's capture ({iso(item.captured)}) is the more recent, but after the collection time "
            f"({iso(when)}): the verdict uses the CLI export, the state as of the collection"
        )
        for what, fact in _FACTS.get(type(entity), {}).items():
            if fact(entity) != fact(other):
                drifts.append(Drift(resource=other.arn, what=what, cli=other.ref, config=item, used=after))
    if complete:
        for arn, other in sorted(exported.items()):
            if arn not in seen:
                drifts.append(
                    Drift(
                        resource=arn,
                        what="in the CLI export but not in AWS Config's items",
                        cli=other.ref,
                        config=None,
                        used=used,
                    )
                )
    return compared, drifts


def compare_trails(
    account: AccountEvidence,
    region: str,
    exported: EvidenceState,
    current: dict[tuple[str, str], ConfigItem],
    when: datetime | None,
    notes: tuple[str, ...],
) -> ConfigComparison:
    """The trails Config recorded in ``region`` against describe-trails of the same region (which
    also lists other regions' multi-region and organization trails: only Config's are looked up)."""
    aid = account.account_id
    what = f"trails in {region}"
    if not exported.usable:
        blocked = f"describe-trails cannot be used: {exported.describe()}"
        return ConfigComparison(account_id=aid, what=what, compared=0, blocked=blocked)
    listed = {t.arn: t for t in account.trails}
    used = (
        f"the verdict uses describe-trails (collected {iso(when)}), the more recent capture"
        if when
        else "which capture is more recent cannot be told (the manifest has no collected_at)"
    )
    drifts: list[Drift] = []
    compared = 0
    for item in current.values():
        trail = item.entity
        if not isinstance(trail, Trail):
            continue
        other = listed.get(trail.arn)
        if other is None:
            what_differs = "in AWS Config's items but not in describe-trails"
            drifts.append(Drift(resource=trail.arn, what=what_differs, cli=None, config=item, used=used))
            continue
        compared += 1
        for name, fact in _TRAIL_FACTS.items():
            if fact(trail) != fact(other):
                drifts.append(Drift(resource=trail.arn, what=name, cli=other.ref, config=item, used=used))
    return ConfigComparison(account_id=aid, what=what, compared=compared, drifts=tuple(drifts), notes=notes)
