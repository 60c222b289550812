"""Reading a directory bundle in two processes gives exactly the one-process snapshot."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.evidence import load_bundle
from analyzer.evidence.assembly import combine
from analyzer.evidence.bundle import Bundle, Member
from analyzer.evidence.loader import read_member
from analyzer.evidence.outcome import Outcome
from analyzer.evidence.parallel import child_folders, read_split
from analyzer.model.policy import PolicyDocument, PolicySource
from analyzer.model.snapshot import FileStatus, Snapshot
from analyzer.synth.generator import SynthOptions, generate

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("parallel") / "org"
    generate(out, SynthOptions(accounts=12, seed=4, regions=2, defect_rate=1.0))
    return out


def _documents(snapshot: Snapshot) -> Iterator[PolicyDocument]:
    for evidence in snapshot.accounts.values():
        for holder in (*evidence.users, *evidence.groups, *evidence.roles):
            for source in getattr(holder, "inline_policies", ()):
                yield source.document
        for role in evidence.roles:
            if isinstance(role.trust_policy, PolicySource):
                yield role.trust_policy.document


def test_two_processes_give_the_same_snapshot(bundle: Path) -> None:
    alone = load_bundle(bundle, parallel=False)
    split = load_bundle(bundle, parallel=True)
    assert split == alone
    assert split.inventory == alone.inventory and split.states == alone.states


def test_identical_policy_documents_stay_one_object(bundle: Path) -> None:
    by_value: dict[PolicyDocument, set[int]] = {}
    for document in _documents(load_bundle(bundle, parallel=True)):
        by_value.setdefault(document, set()).add(id(document))
    assert by_value and all(len(ids) == 1 for ids in by_value.values())


def test_a_failing_child_is_replaced_by_reading_its_share_here(bundle: Path) -> None:
    parent = os.getpid()

    def read(b: Bundle, member: Member, cache: dict[str, PolicyDocument]) -> Outcome:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return read_member(b, member, cache)

    with Bundle(bundle) as opened:
        folders = child_folders(opened, forced=True)
        shares = read_split(opened, folders, {}, read)
        assert len(shares) == 1  # everything read and resolved here
        assert combine(opened.name, shares) == load_bundle(bundle, parallel=False)


def test_the_child_reads_its_account_folders_and_the_parent_the_rest(bundle: Path) -> None:
    with Bundle(bundle) as opened:
        folders = child_folders(opened, forced=True)
        shares = read_split(opened, folders, {}, read_member)
    assert len(shares) == 2
    own, received = shares
    assert {row.path.split("/", 1)[0] for row in received.rows} == folders
    assert not folders & {row.path.split("/", 1)[0] for row in own.rows}
    assert "organization" in {row.path.split("/", 1)[0] for row in own.rows}


def test_evidence_outside_the_childs_folders_about_its_accounts_is_resolved_together(
    bundle: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "org"
    shutil.copytree(bundle, copy)
    with Bundle(copy) as opened:
        account = sorted(child_folders(opened, forced=True))[-1]
    stray = copy / "misc" / account / "iam" / "get-account-summary.json"
    stray.parent.mkdir(parents=True)
    shutil.copy(copy / account / "iam" / "get-account-summary.json", stray)
    alone = load_bundle(copy, parallel=False)
    assert load_bundle(copy, parallel=True) == alone
    row = next(r for r in alone.inventory if r.path == f"misc/{account}/iam/get-account-summary.json")
    assert row.status is FileStatus.LOADED and "identical copy" in row.reason
    # The same, once the stray copy says something else: a conflict, found by both ways of loading.
    stray.write_text(stray.read_text().replace('"Users"', '"Users": 999, "Usersx"', 1))
    alone = load_bundle(copy, parallel=False)
    assert load_bundle(copy, parallel=True) == alone
    row = next(r for r in alone.inventory if r.path == f"misc/{account}/iam/get-account-summary.json")
    assert row.status is FileStatus.INVALID and "conflicting evidence" in row.reason


def test_archives_and_small_bundles_are_read_in_one_process(bundle: Path, tmp_path: Path) -> None:
    with Bundle(bundle) as opened:
        assert not child_folders(opened)  # 12 account folders: not worth a second process
        assert not child_folders(opened, forced=False)
        assert child_folders(opened, forced=True) <= set(opened.account_folders())
        assert child_folders(opened, forced=True)
    archive = tmp_path / "org.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("organization/list-accounts.json", '{"Accounts": []}')
        out.writestr("111111111111/iam/get-account-summary.json", '{"SummaryMap": {}}')
        out.writestr("222222222222/iam/get-account-summary.json", '{"SummaryMap": {}}')
    with Bundle(archive) as opened:
        assert not child_folders(opened, forced=True)
