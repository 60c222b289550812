"""Materialize rule test cases: ``fixtures/rules/base`` + a case's overlay - its removals.

A case lives in ``fixtures/rules/<RULE-ID>/<case-name>/`` with:

* ``case.json``: ``{"description": str, "remove": [bundle paths], "config": {...TOML-equivalent
  settings...}, "expect": [{"status": "fail"|"pass"|"not_evaluated", "account": str|null,
  "region": str|null, "resource": str|null, "message_contains": str | [str, ...] (the reason the
  result gives) or "message": str (the whole message): one of the two is required, "severity": str
  (optional), "message_lacks": str (optional: a claim the message must not make),
  "evidence_contains": str | [str, ...] (optional: each a substring of one of the result's evidence
  references, ``path#pointer``), "evidence": [str, ...] (optional: the result's references exactly, in
  order), "details": {...} (optional: the result's details, exactly), "subject": str|null and "about": str|null
  (optional: the result's subject, and what its verdict is about, checked through its subject fingerprint)}]}``.
  ``expect`` lists every result of the rule: the driver (tests/test_rule_fixtures.py) requires the
  rule's results to be exactly these, as a multiset of
  (status, account, region, resource), each saying what its entry pins.
  ``python -m tests.show_rule_case <RULE>[/<case>]`` prints what a case actually yields.
* ``overlay/``: files that replace or add to the base bundle (same relative paths).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "fixtures" / "rules"
BASE = CASES / "base"


@dataclass(frozen=True)
class RuleCase:
    rule: str
    name: str
    path: Path
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.rule}/{self.name}"

    def materialize(self, target: Path) -> Path:
        shutil.copytree(BASE, target)
        for rel in self.spec.get("remove", []):
            victim = target / rel
            if victim.is_dir():
                shutil.rmtree(victim)
            elif victim.exists():
                victim.unlink()
            else:
                raise AssertionError(f"{self.id}: remove names {rel}, which the base does not have")
        overlay = self.path / "overlay"
        if overlay.is_dir():
            for source in sorted(overlay.rglob("*")):
                if source.is_file():
                    dest = target / source.relative_to(overlay)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, dest)
        return target


def all_cases() -> list[RuleCase]:
    cases = []
    for case_file in sorted(CASES.glob("*/*/case.json")):
        rule = case_file.parent.parent.name
        cases.append(RuleCase(rule, case_file.parent.name, case_file.parent, json.loads(case_file.read_text())))
    return cases
