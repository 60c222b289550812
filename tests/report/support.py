"""Bundles and rules for the report tests.

``defective_bundle`` is the clean base organization with a few defects and hostile strings planted
in the evidence (a policy Sid, a role tag value and an account name holding markup). The test
rules (``TST-*``) give fixed, known results over it, so the report tests do not move when the real
catalog changes; ``analyze_defective`` runs them through the real pipeline (loader, graph, engine).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analyzer.audit.settings import Settings, Suppression
from analyzer.model.kinds import Kind
from analyzer.pipeline import ScanResult, analyze
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, passed
from analyzer.rules.context import RuleContext
from analyzer.rules.registry import RuleRegistry

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "fixtures" / "rules" / "base"
IDENTITY, DEV, MGMT = "111111111111", "222222222222", "333333333333"

HOSTILE_SID = "<script>window.__pwned=1</script>"
HOSTILE_TAG = '"><img src=x onerror="window.__pwned=2">'
HOSTILE_ACCOUNT = "Dev</style><script>window.__pwned=3</script>"
HOSTILE = (HOSTILE_SID, HOSTILE_TAG, HOSTILE_ACCOUNT)


def _edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def defective_bundle(target: Path) -> Path:
    shutil.copytree(BASE, target)
    iam = "iam/get-account-authorization-details.json"

    def widen(data: dict[str, Any]) -> None:
        for policy in data["Policies"]:
            if policy["PolicyName"] == "MyCrossAccountPolicy":
                policy["PolicyVersionList"][0]["Document"]["Statement"]["Resource"] = [f"arn:aws:iam::{DEV}:role/*"]

    def weaken(data: dict[str, Any]) -> None:
        role = data["RoleDetailList"][0]
        statement = role["AssumeRolePolicyDocument"]["Statement"][0]
        statement["Sid"] = HOSTILE_SID
        statement["Condition"] = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
        ops = json.loads(json.dumps(role))
        ops.update(
            RoleName="Ops-Role",
            RoleId="AROAOPSROLE000000001",
            Arn=f"arn:aws:iam::{DEV}:role/Ops-Role",
            Tags=[{"Key": "owner", "Value": HOSTILE_TAG}],
        )
        ops["AssumeRolePolicyDocument"]["Statement"][0] = {
            "Sid": "NoMfa",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{IDENTITY}:root"},
            "Action": "sts:AssumeRole",
        }
        data["RoleDetailList"].append(ops)

    def rename(data: dict[str, Any]) -> None:
        for account in data["Accounts"]:
            if account["Id"] == DEV:
                account["Name"] = HOSTILE_ACCOUNT

    _edit(target / IDENTITY / iam, widen)
    _edit(target / DEV / iam, weaken)
    _edit(target / "organization/list-accounts.json", rename)
    (target / MGMT / "us-east-1/cloudtrail/get-trail-status/org-audit.json").unlink()
    (target / "notes").mkdir()
    (target / "notes/readme.json").write_text('{"note": "not evidence"}\n', encoding="utf-8")
    return target


def _meta(rule_id: str, title: str, severity: Severity, pillar: Pillar, requires: tuple[Kind, ...] = ()) -> RuleMeta:
    return RuleMeta(
        id=rule_id,
        title=title,
        severity=severity,
        pillar=pillar,
        rationale=f"Why {rule_id} matters: <b>not markup</b>.",
        remediation="aws iam update-assume-role-policy",
        requires=requires,
        references=("https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles.html",),
    )


def _trust_mfa(ctx: RuleContext) -> Iterator[Outcome]:
    for account in ctx.non_identity_accounts():
        evidence = ctx.account(account)
        for role in evidence.roles if evidence else ():
            if role.trust_policy is None:
                continue
            statement = role.trust_policy.document.statements[0]
            ref = role.trust_policy.statement_ref(statement)
            tags = ", ".join(f"{k}={v}" for k, v in role.tags)
            operators = [c.operator for c in statement.conditions]
            if operators == ["Bool"]:
                yield passed(f"role {role.name} requires MFA", account=account, resource=role.arn, evidence=(ref,))
            elif operators:
                yield fail(
                    f"role {role.name} trusts with {operators[0]} (tags: {tags})",
                    account=account,
                    resource=role.arn,
                    evidence=(ref.child("Condition", operators[0]),),
                )
            else:
                yield fail(
                    f"role {role.name} trusts without MFA (tags: {tags})",
                    account=account,
                    resource=role.arn,
                    evidence=(ref,),
                    severity=Severity.CRITICAL,
                )


def _accounts(ctx: RuleContext) -> Iterator[Outcome]:
    for account in ctx.audited_accounts():
        yield passed(f"account {account} is in the organization", account=account)


def _trails(ctx: RuleContext) -> Iterator[Outcome]:
    for account in ctx.audited_accounts():
        for region in ctx.regions(account).regions:
            state = ctx.snapshot.state(Kind.TRAIL_STATUS, account, region, "org-audit")
            if not state.usable:
                yield not_evaluated(f"not evaluated: {state.describe()}", account=account, region=region)
            else:
                yield passed("trail org-audit is logging", account=account, region=region)


def test_registry() -> RuleRegistry:
    registry = RuleRegistry()
    registry.add(Rule(_meta("TST-001", "Member role trust requires MFA", Severity.HIGH, Pillar.MFA), _trust_mfa))
    registry.add(
        Rule(_meta("TST-002", "Account belongs to the organization", Severity.INFO, Pillar.IDENTITY), _accounts)
    )
    registry.add(
        Rule(
            _meta(
                "TST-003",
                "Trail logging in every region",
                Severity.MEDIUM,
                Pillar.LOGGING,
                (Kind.TRAILS, Kind.TRAIL_STATUS),
            ),
            _trails,
        )
    )
    return registry


test_registry.__test__ = False  # type: ignore[attr-defined]  # a helper, not a pytest test


def suppressing_settings() -> Settings:
    return Settings(
        suppressions=(Suppression(rule="TST-001", reason="accepted until the migration", resource="*Ops-Role"),),
        source="test.toml",
    )


def analyze_defective(tmp: Path, settings: Settings | None = None) -> ScanResult:
    bundle = defective_bundle(tmp / "bundle")
    return analyze(bundle, settings or Settings(), registry=test_registry())
