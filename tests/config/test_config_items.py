"""Config's delivered files and API answers as the loader reads them: streamed, one reading per
document, latest item per resource, deletions, late items, two regions claiming the global IAM."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from analyzer.evidence.loader import load_bundle
from analyzer.model.entities import Role
from analyzer.model.evidence import EvidenceStatus
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus
from tests.evidence.test_loader import _FILE_ITEM

ACCOUNT = "111111111111"
MANIFEST = {"collected_at": "2026-03-01T10:00:00Z", "identity_account": ACCOUNT}
RECORDER = {
    **_FILE_ITEM,
    "resourceType": "AWS::Config::ConfigurationRecorder",
    "resourceId": "us-east-1-default",
    "resourceName": "default",
    "ARN": f"arn:aws:config:us-east-1:{ACCOUNT}:config-recorder/default",
    "awsRegion": "us-east-1",
    "configuration": {
        "Name": "default",
        "Recording": True,
        "RecordingGroup": {"AllSupported": True, "IncludeGlobalResourceTypes": True, "ResourceTypes": []},
    },
}
OTHER = {**_FILE_ITEM, "resourceType": "AWS::EC2::Instance", "resourceId": "i-0abc", "configuration": {"x": 1}}


def _key(region: str, day: str = "2026/3/1", stamp: str = "20260301T060000Z", snap: str = "0a1b") -> str:
    return (
        f"bucket/AWSLogs/{ACCOUNT}/Config/{region}/{day}/ConfigSnapshot/"
        f"{ACCOUNT}_Config_{region}_ConfigSnapshot_{stamp}_{snap}.json.gz"
    )


def _history(region: str, end: str = "20260301T090000Z") -> str:
    return (
        f"bucket/AWSLogs/{ACCOUNT}/Config/{region}/2026/3/1/ConfigHistory/"
        f"{ACCOUNT}_Config_{region}_ConfigHistory_AWS::IAM::Role_20260301T030000Z_{end}_1.json.gz"
    )


def _write(root: Path, rel: str, items: list[dict[str, Any]] | str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    text = items if isinstance(items, str) else json.dumps({"fileVersion": "1.0", "configurationItems": items})
    path.write_bytes(gzip.compress(text.encode(), mtime=0))


def _bundle(tmp_path: Path, files: dict[str, list[dict[str, Any]] | str]) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST))
    for rel, items in files.items():
        _write(tmp_path, rel, items)
    return tmp_path


def _role(trust_service: str = "config.amazonaws.com", **changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(_FILE_ITEM)
    item["configuration"]["assumeRolePolicyDocument"] = (
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal"
        f"%22%3A%7B%22Service%22%3A%22{trust_service}%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
    )
    item.update(changes)
    return item


def test_items_of_other_types_are_streamed_past(tmp_path: Path) -> None:
    snapshot = load_bundle(_bundle(tmp_path, {_key("us-east-1"): [OTHER, _role(), RECORDER, OTHER]}))
    account = snapshot.accounts[ACCOUNT]
    assert {i.resource_type for i in account.config_items} == {"AWS::IAM::Role", "AWS::Config::ConfigurationRecorder"}
    assert [r.name for r in account.roles] == ["audit"]
    assert account.roles[0].ref.pointer == "/configurationItems/1/configuration"
    trust = account.roles[0].trust_policy
    assert trust is not None and trust.document.statements  # URL-encoded in the item, decoded
    assert snapshot.state(Kind.IAM_AUTH_DETAILS, ACCOUNT).status is EvidenceStatus.LOADED


def test_a_repeated_top_level_key_makes_the_file_invalid(tmp_path: Path) -> None:
    body = json.dumps({"fileVersion": "1.0", "configurationItems": [_role()]})
    twice = body[:-1] + ', "configurationItems": []}'
    snapshot = load_bundle(_bundle(tmp_path, {_key("us-east-1"): twice}))
    (row,) = [r for r in snapshot.inventory if "ConfigSnapshot" in r.path]
    assert row.status is FileStatus.INVALID
    assert "appears more than once" in row.reason
    assert snapshot.state(Kind.IAM_AUTH_DETAILS, ACCOUNT).status is EvidenceStatus.INVALID


def test_a_repeated_key_in_an_item_read_makes_the_file_invalid(tmp_path: Path) -> None:
    body = json.dumps({"fileVersion": "1.0", "configurationItems": [_role(), RECORDER]})
    doubled = body.replace(
        '"configurationItemStatus": "OK"',
        '"configurationItemStatus": "OK", "configurationItemStatus": "ResourceDeleted"',
        1,
    )
    snapshot = load_bundle(_bundle(tmp_path, {_key("us-east-1"): doubled}))
    (row,) = [r for r in snapshot.inventory if "ConfigSnapshot" in r.path]
    assert row.status is FileStatus.INVALID
    assert row.problems[0].pointer.startswith("/configurationItems/0")


def test_two_different_copies_of_one_object_conflict(tmp_path: Path) -> None:
    files: dict[str, list[dict[str, Any]] | str] = {
        _key("us-east-1"): [_role(), RECORDER],
        "copy/" + _key("us-east-1"): [_role("ec2.amazonaws.com"), RECORDER],
    }
    snapshot = load_bundle(_bundle(tmp_path, files))
    assert snapshot.accounts.get(ACCOUNT) is None or not snapshot.accounts[ACCOUNT].roles
    assert snapshot.state(Kind.IAM_AUTH_DETAILS, ACCOUNT).status is EvidenceStatus.CONFLICT


def test_latest_item_wins_deleted_resources_drop_and_late_items_are_noted(tmp_path: Path) -> None:
    later = _role("ec2.amazonaws.com", configurationItemCaptureTime="2026-03-01T08:00:00.000Z", configurationStateId=2)
    deleted = {
        **_role(resourceId="AROAGONE000000000001", configurationItemCaptureTime="2026-03-01T08:30:00.000Z"),
        "configurationItemStatus": "ResourceDeleted",
        "configuration": None,
    }
    gone_before = _role(resourceId="AROAGONE000000000001")
    late = _role(
        "lambda.amazonaws.com", configurationItemCaptureTime="2026-03-03T08:00:00.000Z", configurationStateId=3
    )
    files: dict[str, list[dict[str, Any]] | str] = {
        _key("us-east-1"): [_role(), gone_before, RECORDER],
        _history("us-east-1"): [later, deleted],
        _history("us-east-1", "20260303T090000Z"): [late],
    }
    snapshot = load_bundle(_bundle(tmp_path, files))
    (role,) = snapshot.accounts[ACCOUNT].roles
    assert role.trust_policy is not None
    assert "ec2.amazonaws.com" in repr(role.trust_policy.document.statements[0])
    state = snapshot.state(Kind.IAM_AUTH_DETAILS, ACCOUNT)
    assert "1 AWS Config item(s) captured after the collection time (2026-03-01T10:00:00Z) not used" in state.reason


def test_two_regions_with_different_global_items_conflict(tmp_path: Path) -> None:
    west = {**RECORDER, "awsRegion": "us-west-2"}
    files: dict[str, list[dict[str, Any]] | str] = {
        _key("us-east-1"): [_role(), RECORDER],
        _key("us-west-2"): [_role("ec2.amazonaws.com"), west],
    }
    snapshot = load_bundle(_bundle(tmp_path, files))
    state = snapshot.state(Kind.IAM_AUTH_DETAILS, ACCOUNT)
    assert state.status is EvidenceStatus.CONFLICT
    assert "both us-east-1 and us-west-2" in state.reason


def test_without_a_recorder_recording_iam_the_list_is_incomplete(tmp_path: Path) -> None:
    only_roles = copy.deepcopy(RECORDER)
    only_roles["configuration"]["RecordingGroup"] = {"AllSupported": False, "ResourceTypes": ["AWS::IAM::Role"]}
    snapshot = load_bundle(_bundle(tmp_path, {_key("us-east-1"): [_role(), only_roles]}))
    state = snapshot.state(Kind.IAM_AUTH_DETAILS, ACCOUNT)
    assert state.status is EvidenceStatus.INCOMPLETE
    assert "does not record all of AWS::IAM::User" in state.reason
    assert not snapshot.accounts[ACCOUNT].roles


def test_an_item_of_another_account_makes_the_file_invalid(tmp_path: Path) -> None:
    foreign = _role(awsAccountId="222222222222")
    snapshot = load_bundle(_bundle(tmp_path, {_key("us-east-1"): [foreign, RECORDER]}))
    (row,) = [r for r in snapshot.inventory if "ConfigSnapshot" in r.path]
    assert row.status is FileStatus.INVALID
    assert "an item of account 222222222222" in row.reason


def test_a_select_answer_with_a_next_token_is_incomplete(tmp_path: Path) -> None:
    from tests.evidence.test_loader import VALID

    (tmp_path / ACCOUNT / "us-east-1" / "config").mkdir(parents=True)
    document = {**VALID[Kind.CONFIG_SELECT], "NextToken": "abc"}
    (tmp_path / ACCOUNT / "us-east-1" / "config" / "select-resource-config.json").write_text(json.dumps(document))
    snapshot = load_bundle(tmp_path)
    (row,) = snapshot.inventory
    assert row.status is FileStatus.INCOMPLETE


def test_an_unreadable_inline_policy_is_known_as_unreadable(tmp_path: Path) -> None:
    """Left out of the role's policies, it must still show as grants nobody can read (never as none)."""
    from analyzer.graph.gaps import UnreadablePolicies
    from tests.evidence.test_loader import _API_ITEM, _ROLE_CONFIG

    broken = [{"policyName": "hidden", "policyDocument": "%7B%22Statement%22%3A%5B"}]
    item = _role()
    item["configuration"]["rolePolicyList"] = broken
    snapshot = load_bundle(_bundle(tmp_path / "files", {_key("us-east-1"): [item, RECORDER]}))
    (role,) = snapshot.accounts[ACCOUNT].roles
    assert role.inline_policies == ()
    assert UnreadablePolicies.of(snapshot).inline(role.ref, "role") == ("hidden",)

    api = {**_API_ITEM, "configuration": json.dumps({**_ROLE_CONFIG, "rolePolicyList": broken})}
    folder = tmp_path / "api" / ACCOUNT / "us-east-1" / "config" / "get-resource-config-history"
    folder.mkdir(parents=True)
    (folder / "audit.json").write_text(json.dumps({"configurationItems": [api]}))
    snapshot = load_bundle(tmp_path / "api")
    (item_read,) = snapshot.accounts[ACCOUNT].config_items
    role = item_read.entity
    assert isinstance(role, Role) and role.inline_policies == ()
    assert UnreadablePolicies.of(snapshot).inline(role.ref, "role") == ("hidden",)


def test_an_overlong_name_in_a_kept_item_makes_the_file_invalid(tmp_path: Path) -> None:
    """A 20,000-character role name is no AWS name; copied into every report it would cost unbounded time."""
    item = _role()
    item["configuration"]["roleName"] = "r" * 20_000
    snapshot = load_bundle(_bundle(tmp_path, {_key("us-east-1"): [item, RECORDER]}))
    (row,) = [r for r in snapshot.inventory if "ConfigSnapshot" in r.path]
    assert row.status is FileStatus.INVALID
    assert row.problems[0].pointer == "/configurationItems/0/configuration/roleName"


def test_long_policy_text_in_the_api_form_is_read(tmp_path: Path) -> None:
    """The API form holds the whole configuration as JSON text, longer than any name: read, then its
    own strings held to the limit."""
    from tests.evidence.test_loader import _API_ITEM, _ROLE_CONFIG

    long_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": f"S{i}", "Effect": "Deny", "Action": "s3:*", "Resource": f"arn:aws:s3:::bucket-{i}/*"}
            for i in range(400)
        ],
    }
    config = {**_ROLE_CONFIG, "rolePolicyList": [{"policyName": "big", "policyDocument": json.dumps(long_policy)}]}
    api = {**_API_ITEM, "configuration": json.dumps(config)}
    assert len(api["configuration"]) > 16_384
    folder = tmp_path / ACCOUNT / "us-east-1" / "config" / "get-resource-config-history"
    folder.mkdir(parents=True)
    (folder / "audit.json").write_text(json.dumps({"configurationItems": [api]}))
    snapshot = load_bundle(tmp_path)
    (row,) = snapshot.inventory
    assert row.status is FileStatus.LOADED, row.reason
    (item,) = snapshot.accounts[ACCOUNT].config_items
    assert isinstance(item.entity, Role) and [p.name for p in item.entity.inline_policies] == ["big"]


def test_read_in_two_processes_the_snapshot_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Config's copy of the bucket sits in one folder, the CLI exports of the same accounts in others:
    the shares overlap by account and are merged as one, as the loader does for CloudTrail's copies."""
    import shutil

    from analyzer import parallel
    from tests.rule_cases import CASES, all_cases

    monkeypatch.setattr(parallel, "ACCOUNTS_PER_CHUNK", 1)  # every folder a chunk: a small bundle is shared out
    pools: list[int] = []
    real_pool = parallel._pool
    monkeypatch.setattr(parallel, "_pool", lambda workers, work: (pools.append(workers), real_pool(workers, work))[1])

    case = next(c for c in all_cases() if c.id == "EVD-004/config-drift-trust-policy-changed")
    bundle = case.materialize(tmp_path / "bundle")
    shutil.copytree(CASES.parent / "config-only" / "central-logs-111111111111", bundle / "copy-of-the-bucket")
    alone = load_bundle(bundle, jobs=1)
    shared = load_bundle(bundle, jobs=2)
    assert pools and pools[0] >= 1  # the second reading did use a worker beside this process
    assert shared == alone
    assert shared.inventory == alone.inventory and shared.states == alone.states


def test_a_decompressed_copy_is_the_same_object(tmp_path: Path) -> None:
    root = _bundle(tmp_path, {_key("us-east-1"): [_role(), RECORDER]})
    text = json.dumps({"fileVersion": "1.0", "configurationItems": [_role(), RECORDER]})
    (root / "copy" / _key("us-east-1")).parent.mkdir(parents=True)
    (root / "copy" / _key("us-east-1").removesuffix(".gz")).write_text(text)
    snapshot = load_bundle(root)
    rows = [r for r in snapshot.inventory if "ConfigSnapshot" in r.path]
    assert [r.status for r in rows] == [FileStatus.LOADED, FileStatus.LOADED]
    assert any("identical copy" in r.reason for r in rows)
    assert [r.name for r in snapshot.accounts[ACCOUNT].roles] == ["audit"]


def test_a_role_of_another_account_in_an_item_makes_the_file_invalid(tmp_path: Path) -> None:
    item = _role()
    item["configuration"]["arn"] = "arn:aws:iam::222222222222:role/audit"
    snapshot = load_bundle(_bundle(tmp_path, {_key("us-east-1"): [item, RECORDER]}))
    (row,) = [r for r in snapshot.inventory if "ConfigSnapshot" in r.path]
    assert row.status is FileStatus.INVALID
    assert "belongs to account 222222222222" in row.reason


def test_a_stale_snapshot_cannot_show_the_whole_iam(tmp_path: Path) -> None:
    """A snapshot three days before the collection: users made since are known only from history files,
    and a missing history file cannot be told from no change."""
    old = _key("us-east-1", day="2026/2/27", stamp="20260227T060000Z")
    snapshot = load_bundle(_bundle(tmp_path, {old: [_role(), RECORDER]}))
    state = snapshot.state(Kind.IAM_AUTH_DETAILS, ACCOUNT)
    assert state.status is EvidenceStatus.INCOMPLETE
    assert "was delivered 2026-02-27T06:00:00Z, over 24 h before the collection" in state.reason
