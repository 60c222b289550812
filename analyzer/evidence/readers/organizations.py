"""AWS Organizations: the organization, its accounts, roots and service control policies."""

from __future__ import annotations

from typing import Any

from analyzer.evidence.readers.base import Collector, FileContext
from analyzer.model.entities import OrgAccount, Organization


def read_describe_organization(doc: Any, ctx: FileContext, out: Collector) -> None:
    raw = doc["Organization"]
    out.organization = Organization(
        id=raw.get("Id", ""),
        arn=raw.get("Arn", ""),
        management_account_id=raw.get("MasterAccountId", "") or raw.get("MasterAccountArn", "")[-12:],
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
                name=str(raw.get("Name", "")),
                email=str(raw.get("Email", "")),
                state=str(raw.get("State") or raw.get("Status") or "UNKNOWN"),
                ref=ref,
                parent_path=_path_parents(raw.get("Paths"), account_id),
                joined=ctx.timestamp(raw.get("JoinedTimestamp"), ref, "JoinedTimestamp"),
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
