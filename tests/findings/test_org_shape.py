"""Identity account and log bucket: configured, from the manifest, inferred, or ambiguous."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from analyzer.audit.org_shape import resolve_shape
from analyzer.audit.settings import Settings
from analyzer.evidence import load_bundle
from tests.rule_cases import BASE


def _without_manifest(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    shutil.copytree(BASE, bundle)
    (bundle / "manifest.json").unlink()
    return bundle


def test_manifest_values_are_used_and_config_wins(tmp_path: Path) -> None:
    snapshot = load_bundle(BASE)
    shape = resolve_shape(snapshot, Settings())
    assert (shape.identity.value, shape.identity.source) == ("111111111111", "manifest")
    configured = resolve_shape(snapshot, Settings(identity_account="222222222222", log_bucket="other"))
    assert configured.identity.source == "config" and configured.log_bucket.value == "other"
    roles = {a.id: a.role for a in shape.accounts}
    assert roles == {"111111111111": "identity", "222222222222": "member", "333333333333": "management"}


def test_inference_states_its_reason(tmp_path: Path) -> None:
    shape = resolve_shape(load_bundle(_without_manifest(tmp_path)), Settings())
    assert shape.identity.value == "111111111111" and shape.identity.source == "inferred"
    assert "trust" in shape.identity.reason
    assert shape.log_bucket.value == "central-logs-111111111111" and shape.log_bucket.source == "inferred"


def test_ambiguous_inference_asks_for_the_config_value(tmp_path: Path) -> None:
    bundle = _without_manifest(tmp_path)
    # Give the member account a user, and make the identity account trust it back: a tie.
    gaad_path = bundle / "111111111111/iam/get-account-authorization-details.json"
    member_gaad = json.loads((bundle / "222222222222/iam/get-account-authorization-details.json").read_text())
    identity_gaad = json.loads(gaad_path.read_text())
    role = json.loads(json.dumps(member_gaad["RoleDetailList"][0]).replace("222222222222", "111111111111"))
    role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"] = "arn:aws:iam::222222222222:root"
    identity_gaad["RoleDetailList"] = [role]
    gaad_path.write_text(json.dumps(identity_gaad))
    user = json.loads(json.dumps(identity_gaad["UserDetailList"][0]).replace("111111111111", "222222222222"))
    member_gaad["UserDetailList"] = [user]
    (bundle / "222222222222/iam/get-account-authorization-details.json").write_text(json.dumps(member_gaad))
    shape = resolve_shape(load_bundle(bundle), Settings())
    assert shape.identity.value is None
    assert "ambiguous" in shape.identity.reason and "identity_account" in shape.identity.reason
