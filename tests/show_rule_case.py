"""Print what a rule fixture case actually yields, to write (and review) its ``expect``.

    .venv/bin/python -m tests.show_rule_case IDN-002                 # every case of the rule
    .venv/bin/python -m tests.show_rule_case IDN-002/fail-no-mfa     # one case
    .venv/bin/python -m tests.show_rule_case IDN-002 --diff          # only the cases whose expect differs
    .venv/bin/python -m tests.show_rule_case IDN-002 --evidence      # with each result's evidence refs

Each result is printed as status, account, region, resource and the full message, next to whether an
entry of the case's ``expect`` pins it. It is a reading aid, not an oracle: decide for every result
whether it is right before writing it into ``case.json`` (a wrong result is a bug to report, not pin).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from analyzer.audit.settings import _settings_from
from analyzer.pipeline import analyze
from tests.rule_cases import RuleCase, all_cases
from tests.test_rule_fixtures import Result, expected_results, match_results


def actual_results(case: RuleCase) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        bundle = case.materialize(Path(tmp) / "bundle")
        settings = _settings_from(case.spec.get("config", {}), "case.json")
        result = analyze(bundle, settings, only=[case.rule])
    return [
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


def show(case: RuleCase, only_diff: bool) -> None:
    got = actual_results(case)
    problems = match_results(expected_results(case), got)
    if only_diff and not problems:
        return
    print(f"== {case.id}: {case.spec.get('description', '')}")
    for r in got:
        print(f"  {r.status:13} {r.account or '-':12} {r.region or '-':9} {r.resource or '-'}\n      {r.message}")
        if "--evidence" in sys.argv:
            print("      evidence: " + " ".join(r.evidence))
            if r.details:
                print(f"      details: {r.details}")
            if r.subject:
                print(f"      subject: {r.subject}")
    for p in problems:
        print(f"  !! {p}")


def main(argv: list[str]) -> int:
    only_diff = "--diff" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    for case in all_cases():
        if not wanted or any(case.id == w or case.rule == w for w in wanted):
            show(case, only_diff)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
