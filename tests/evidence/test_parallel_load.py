"""Reading a directory bundle in two processes gives exactly the one-process snapshot."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from analyzer.evidence import load_bundle
from analyzer.evidence.bundle import Bundle, Member
from analyzer.evidence.loader import read_member
from analyzer.evidence.outcome import Outcome
from analyzer.evidence.parallel import can_split, read_split
from analyzer.model.policy import PolicyDocument, PolicySource
from analyzer.model.snapshot import Snapshot
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
        outcomes = read_split(opened, opened.members, {}, read)
        assert sorted(o.row.path for o in outcomes) == sorted(m.path for m in opened.members)


def test_archives_and_small_bundles_are_read_in_one_process(bundle: Path, tmp_path: Path) -> None:
    with Bundle(bundle) as opened:
        assert not can_split(opened, 10)
        assert can_split(opened, 100_000)
    archive = tmp_path / "org.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("organization/list-accounts.json", '{"Accounts": []}')
    with Bundle(archive) as opened:
        assert not can_split(opened, 100_000)
