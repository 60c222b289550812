"""AWS Organizations: the organization, its accounts, roots and service control policies."""

from __future__ import annotations

import re
from typing import Any

from analyzer.evidence.readers.base import Collector, FileContext, lenient_timestamp, text_or_none
from analyzer.model.entities import OrgAccount, Organization
from analyzer.model.snapshot import Problem

_ACCOUNT_ID = re.compile(r"[0-9]{12}")


def _management_account(raw: dict[str, Any], ctx: FileContext) -> str:
    """``MasterAccountId``, or the id ``MasterAccountArn`` ends with (``...:account/o-x/<id>``), saying so.

    Some exporters leave the id out and keep the ARN (Organizations API Reference, "Organization":
    the ARN of the management account is ``arn:aws:organizations::<id>:account/o-<org>/<id>``).
    """
    stated = raw.get("MasterAccountId")
    if isinstance(stated, str) and stated:
        return stated
    arn = raw.get("MasterAccountArn")
    derived = arn.rsplit("/", 1)[-1] if isinstance(arn, str) else ""
    if not _ACCOUNT_ID.fullmatch(derived):
        ctx.fail(ctx.ref("Organization"), "the management account's id is neither given nor in MasterAccountArn")
        return ""
    ctx.problems.append(
        Problem(
            "/Organization/MasterAccountId",
            f"absent; derived from MasterAccountArn: {derived}",
            "nothing to do: the ARN names the management account",
            warning=True,
        )
    )
    return derived


def read_describe_organization(doc: Any, ctx: FileContext, out: Collector) -> None:
    raw = doc["Organization"]
    out.organization = Organization(
        id=raw.get("Id", ""),
        arn=raw.get("Arn", ""),
        management_account_id=_management_account(raw, ctx),
        feature_set=raw.get("FeatureSet", ""),
        ref=ctx.ref("Organization"),
    )


def _path_parents(paths: Any, account_id: str) -> tuple[str, ...]:
    """``o-x/r-ab12/ou-ab12-aaaa/111111111111/`` -> ("r-ab12", "ou-ab12-aaaa")."""
    if not isinstance(paths, list) or not paths:
        return ()
    segments = [s for s in str(paths[0]).split("/") if s]
    return tuple(s for s in segments if s.startswith(("r-", "ou-")) and s != account_id)


def read_list_accounts(doc: Any, ctx: FileContext, out: Collector) -> None:
    for index, raw in ctx.distinct(doc, "Accounts", "Id"):
        ref = ctx.ref("Accounts", index)
        account_id = str(raw.get("Id", ""))
        out.org_accounts.append(
            OrgAccount(
                id=account_id,
                name=text_or_none(raw.get("Name")) or "",
                email=text_or_none(raw.get("Email")) or "",
                state=str(raw.get("State") or raw.get("Status") or "UNKNOWN"),
                ref=ref,
                parent_path=_path_parents(raw.get("Paths"), account_id),
                joined=lenient_timestamp(raw.get("JoinedTimestamp")),
                arn=str(raw.get("Arn") or ""),
            )
        )


def read_list_roots(doc: Any, ctx: FileContext, out: Collector) -> None:
    out.root_ids.extend(str(r.get("Id", "")) for r in doc.get("Roots") or [])


def read_describe_policy(doc: Any, ctx: FileContext, out: Collector) -> None:
    raw = doc["Policy"]
    summary = raw.get("PolicySummary") or {}
    policy_id = str(summary.get("Id") or ctx.item or "")
    if ctx.item and ctx.item.startswith("p-") and ctx.item != policy_id:
        ctx.fail(
            ctx.ref("Policy", "PolicySummary", "Id"),
            f"the file is named for policy {ctx.item} but describes {policy_id}",
            f"rename it to {policy_id}.json",
        )
        return
    ctx.item = policy_id
    policy_type = str(summary.get("Type", "SERVICE_CONTROL_POLICY")).upper()
    if policy_type != "SERVICE_CONTROL_POLICY":
        return  # RCPs, tag and backup policies do not limit sts:AssumeRole of principals
    name = str(summary.get("Name", policy_id))
    source = ctx.policy(raw.get("Content"), ctx.ref("Policy", "Content"), "scp", name, summary.get("Arn"))
    if source is None:
        ctx.fatal = True
        return
    out.scp_sources[policy_id] = (name, bool(summary.get("AwsManaged")), source)


def read_list_targets(doc: Any, ctx: FileContext, out: Collector) -> None:
    policy_id = ctx.item or ""
    if not policy_id:
        ctx.fail(ctx.ref(), "cannot tell which policy these targets belong to", "name the file <policy-id>.json")
        return
    out.scp_targets[policy_id] = tuple(sorted(str(t.get("TargetId", "")) for t in doc.get("Targets") or []))
