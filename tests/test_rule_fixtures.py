"""One parametrised driver for every rule's fixture cases (fixtures/rules/<ID>/<case>/).

Every outcome is pinned: the rule's results must be exactly the case's ``expect``, as a multiset of
(status, account, region, resource), and every expected entry carries a ``message_contains`` fragment
(the reason, not only a name), or a list of fragments, that its result's message must hold, or the
whole ``message``; optionally ``evidence_contains`` (a fragment, or a list of fragments, each found in
one of the result's evidence refs) or ``evidence`` (the result's refs exactly, in order: what a
result must not cite is pinned too), ``details`` (the result's details, exactly), ``subject`` (the result's
subject, exactly: the JSON report's ``details.subject`` and part of its fingerprint) and ``about`` (what the
verdict is about, checked through the result's ``subject_fingerprint``; ``null``: none). A rule that drops a
result, adds one, changes a status or says something else fails its case, whatever the status; no two
failures of the rule may share a fingerprint.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from analyzer.audit.settings import _settings_from
from analyzer.findings.result import subject_fingerprint
from analyzer.pipeline import analyze
from analyzer.rules.base import Status
from analyzer.rules.registry import default_registry
from tests.rule_cases import BASE, RuleCase, all_cases

CASES = all_cases()


@dataclass(frozen=True)
class Result:
    status: str
    account: str
    region: str
    resource: str
    message: str
    severity: str
    evidence: tuple[str, ...] = ()  # each ref as path#pointer
    details: dict[str, Any] = field(default_factory=dict)
    rule: str = ""
    subject: str = ""
    subject_fingerprint: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.status, self.account, self.region, self.resource)

    def __str__(self) -> str:
        return f"{self.status} {self.account or '-'} {self.region or '-'} {self.resource or '-'}: {self.message}"


def expected_results(case: RuleCase) -> list[dict[str, Any]]:
    return list(case.spec["expect"])


def _expected_key(entry: dict[str, Any]) -> tuple[str, str, str, str]:
    return (entry["status"], entry.get("account") or "", entry.get("region") or "", entry.get("resource") or "")


def _says_why(entry: dict[str, Any]) -> bool:
    """Whether the entry pins what the result says: a non-empty ``message_contains`` or the whole ``message``."""
    return bool(entry.get("message_contains") or entry.get("message"))


def _says(entry: dict[str, Any], result: Result) -> bool:
    """Whether ``result`` is what ``entry`` describes: its fragment, no forbidden claim, its severity."""
    if "message" in entry and entry["message"] != result.message:
        return False
    fragments = entry.get("message_contains", "")
    if not all(f in result.message for f in ([fragments] if isinstance(fragments, str) else fragments)):
        return False
    if "message_lacks" in entry and entry["message_lacks"] in result.message:
        return False
    if "evidence" in entry and tuple(entry["evidence"]) != result.evidence:
        return False
    wanted_refs = entry.get("evidence_contains", [])
    for wanted in [wanted_refs] if isinstance(wanted_refs, str) else wanted_refs:
        if not any(wanted in ref for ref in result.evidence):
            return False
    if "details" in entry and entry["details"] != result.details:
        return False
    if "subject" in entry and (entry["subject"] or "") != result.subject:
        return False
    about = entry.get("about")
    if "about" in entry and result.subject_fingerprint != (subject_fingerprint(result.rule, about) if about else ""):
        return False
    return "severity" not in entry or entry["severity"] == result.severity


def _matching(entries: list[dict[str, Any]], results: list[Result]) -> bool:
    """A one-to-one pairing of entries and results (same key) where every result says its entry exists."""
    owner: dict[int, int] = {}  # result index -> entry index

    def place(i: int, seen: set[int]) -> bool:
        for j, result in enumerate(results):
            if j in seen or not _says(entries[i], result):
                continue
            seen.add(j)
            if j not in owner or place(owner[j], seen):
                owner[j] = i
                return True
        return False

    return all(place(i, set()) for i in range(len(entries)))


def match_results(expect: list[dict[str, Any]], got: list[Result]) -> list[str]:
    """What differs between a case's ``expect`` and the rule's results (empty when they agree)."""
    problems = [f"expected entry without message_contains or message: {e}" for e in expect if not _says_why(e)]
    want, have = Counter(_expected_key(e) for e in expect), Counter(r.key for r in got)
    problems += [f"missing result {k} x{n}" for k, n in sorted((want - have).items())]
    problems += [f"unexpected result {k} x{n}" for k, n in sorted((have - want).items())]
    for key in sorted(set(want) & set(have)):
        entries = [e for e in expect if _expected_key(e) == key]
        results = [r for r in got if r.key == key]
        if want[key] == have[key] and not _matching(entries, results):
            problems.append(f"results {key} do not say what {entries} expects")
    return problems


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case: RuleCase, tmp_path: Path) -> None:
    bundle = case.materialize(tmp_path / "bundle")
    settings = _settings_from(case.spec.get("config", {}), "case.json")
    result = analyze(bundle, settings, only=[case.rule])
    got = [
        Result(
            f.status.value,
            f.account or "",
            f.region or "",
            f.resource or "",
            f.message,
            f.severity.value,
            tuple(str(ref) for ref in f.evidence),
            dict(f.details),
            f.rule,
            f.subject or "",
            f.subject_fingerprint or "",
        )
        for f in result.findings
        if f.rule == case.rule
    ]
    assert not [r for r in got if r.status == Status.ERROR.value], [str(r) for r in got]
    # A result's fingerprint is how a later run, a suppression or a comparison recognises it: two results
    # of one rule sharing one (two sign-ins of one user, told apart only by their events; a channel's and the
    # trails' not-evaluated results in one region) would be one, whatever their status.
    fingerprints = Counter(f.fingerprint for f in result.findings if f.rule == case.rule)
    assert not [k for k, n in fingerprints.items() if n > 1], "results sharing a fingerprint"
    problems = match_results(expected_results(case), got)
    assert not problems, "\n".join([*problems, "results:", *(str(r) for r in got)])


def test_every_rule_has_fail_pass_and_not_evaluated_cases() -> None:
    by_rule: dict[str, set[str]] = {}
    for case in CASES:
        by_rule.setdefault(case.rule, set()).update(e["status"] for e in case.spec["expect"])
    missing = {
        rule.id: sorted({"fail", "pass", "not_evaluated"} - by_rule.get(rule.id, set())) for rule in default_registry()
    }
    assert not {k: v for k, v in missing.items() if v}, missing


def test_base_bundle_passes_every_rule(tmp_path: Path) -> None:
    result = analyze(BASE)
    bad = [f for f in result.findings if f.status in (Status.FAIL, Status.ERROR)]
    assert not bad, "\n".join(f"{f.rule} {f.account} {f.resource}: {f.message}" for f in bad)
