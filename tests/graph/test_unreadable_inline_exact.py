"""Inline policies the loader could not read, found again by pointer (analyzer/graph/gaps.py).

get-account-authorization-details lists a principal's inline policies under ``UserPolicyList``,
``GroupPolicyList`` and ``RolePolicyList`` (IAM API Reference, ``UserDetail``/``GroupDetail``/``RoleDetail``:
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html); an AWS Config
item carries the same entity as a ``configuration`` document with ``userPolicyList``, ``groupPolicyList``,
``rolePolicyList`` (AWS Config resource type ``AWS::IAM::User`` ... in the configuration item). A policy
the loader dropped is a grant the graph cannot see: it must be named for the right principal only.
"""

from __future__ import annotations

from dataclasses import replace

from analyzer.graph.gaps import UnreadablePolicies
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import FileStatus, InventoryRow, Problem
from tests.graph.builders import IDENTITY, evidence, gaad, snapshot

CONFIG = f"{IDENTITY}/config/us-east-1/snapshot.json"


def _row(path: str, kind: str | None, *problems: Problem) -> InventoryRow:
    return InventoryRow(
        path=path,
        kind=kind,
        account_id=IDENTITY,
        region=None,
        size=1,
        sha256="0" * 64,
        status=FileStatus.LOADED,
        problems=problems,
    )


def _index() -> UnreadablePolicies:
    gaad_problems = (
        Problem("/UserDetailList/0/UserPolicyList/1/PolicyDocument", "inline policy 'Assume': not JSON"),
        Problem("/UserDetailList/0/UserPolicyList/2/PolicyDocument/Statement", "a statement that is not a list"),
        Problem("/UserDetailList/0/UserPolicyList/3/PolicyDocument", "inline policy 'Assume': again"),
        Problem("/UserDetailList/0/UserPolicyList/4/PolicyDocument", "inline policy 'Odd': oddity", warning=True),
        Problem("/UserDetailList/1/UserPolicyList/0/PolicyDocument", "inline policy 'Bob': not JSON"),
        Problem("/UserDetailList/0/AttachedManagedPolicies/0", "inline policy 'Nope': not an inline list"),
        Problem("/RoleDetailList/0/RolePolicyList/0/PolicyDocument", "inline policy 'RoleOne': not JSON"),
    )
    config_problems = (
        Problem(
            "/configurationItems/0/configuration (embedded document /rolePolicyList/5/policyDocument)",
            "a policy document that is not an object",
        ),
        # an entity deeper inside an embedded document: the pointer inside it continues from there
        Problem(
            "/configurationItems/2/configuration (embedded document /entity/rolePolicyList/1/policyDocument)",
            "inline policy 'Deep': not JSON",
        ),
    )
    snap = replace(
        snapshot({IDENTITY: evidence(IDENTITY)}),
        inventory=(
            _row(gaad(IDENTITY), Kind.IAM_AUTH_DETAILS.value, *gaad_problems),
            _row(CONFIG, Kind.CONFIG_SNAPSHOT_FILE.value, *config_problems),
            _row(f"{IDENTITY}/iam/other.json", "iam_credential_report", gaad_problems[0]),
            _row(f"{IDENTITY}/iam/clean.json", Kind.IAM_AUTH_DETAILS.value),
        ),
    )
    return UnreadablePolicies.of(snap)


def test_only_iam_files_with_problems_are_indexed() -> None:
    assert sorted(_index().by_file) == [CONFIG, gaad(IDENTITY)]


def test_each_principals_unreadable_inline_policies_by_name_or_position_once_each() -> None:
    index = _index()
    alice = EvidenceRef(gaad(IDENTITY), "/UserDetailList/0")
    assert index.inline(alice, "user") == ("Assume", "#2")  # the warning is no gap, the managed list no inline
    assert index.inline(EvidenceRef(gaad(IDENTITY), "/UserDetailList/1"), "user") == ("Bob",)
    assert index.inline(EvidenceRef(gaad(IDENTITY), "/RoleDetailList/0"), "role") == ("RoleOne",)
    assert index.inline(EvidenceRef(gaad(IDENTITY), "/RoleDetailList/0"), "group") == ()
    assert index.inline(EvidenceRef(f"{IDENTITY}/iam/clean.json", "/UserDetailList/0"), "user") == ()


def test_a_config_items_embedded_configuration_is_searched_under_its_own_list_names() -> None:
    index = _index()
    role = EvidenceRef(CONFIG, "/configurationItems/0/configuration", "")
    assert index.inline(role, "role") == ("#5",)
    assert index.inline(EvidenceRef(CONFIG, "/configurationItems/0/configuration"), "role") == ()
    assert index.inline(EvidenceRef(CONFIG, "/configurationItems/1/configuration", ""), "role") == ()
    deep = EvidenceRef(CONFIG, "/configurationItems/2/configuration", "/entity")
    assert index.inline(deep, "role") == ("Deep",)
    assert index.inline(EvidenceRef(CONFIG, "/configurationItems/2/configuration", ""), "role") == ()
