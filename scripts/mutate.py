#!/usr/bin/env python3
"""Mutation testing of trustmap's core with mutmut: does each layer's own test suite notice a change?

    make mutate                                    # every target below (hours on two cores)
    make mutate TARGETS="iam graph-assume IDN-002"  # some of them
    .venv/bin/python scripts/mutate.py --list       # the targets

Each target mutates some modules and runs only the tests of their layer (``iam`` against tests/iam,
``graph-assume`` against tests/graph, a rule module against its own fixture cases, ...). mutmut reads its
configuration from ``pyproject.toml`` in the directory it runs in, so every target runs in a copy of the
working tree under ``.mutate/<target>/`` whose ``pyproject.toml`` carries that target's ``[tool.mutmut]``
table; mutmut then runs, for each mutant, only the tests of that selection that execute the mutated
function. The score of a module is killed / (mutants - equivalent): a mutant no test executes ("no
tests") or that every test survives counts against it, unless ``scripts/mutation_equivalent.toml`` lists
it as equivalent (same behaviour as the original) with the reason. Results: one line per module, the
surviving mutants not judged equivalent (``mutmut show <name>`` in ``.mutate/<target>/`` prints the diff),
and with ``--out FILE`` a JSON record. docs/mutation.md holds the measured scores.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutate"
EQUIVALENT = ROOT / "scripts" / "mutation_equivalent.toml"
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", 37: "type check"}
TIMEOUTS = {36, 24, -24, 152, 255}


@dataclass(frozen=True)
class Target:
    name: str
    mutate: tuple[str, ...]  # globs of the modules to mutate, relative to the root
    tests: tuple[str, ...]  # the pytest selection: paths, and options such as -k

    def config(self) -> str:
        table = {
            "source_paths": ["analyzer"],
            "only_mutate": list(self.mutate),
            "also_copy": ["fixtures", "schemas", "policies", "benchmarks", "scripts"],
            "pytest_add_cli_args_test_selection": list(self.tests),
            "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q"],
        }
        lines = ["", "[tool.mutmut]"] + [f"{k} = {json.dumps(v)}" for k, v in table.items()]
        return "\n".join(lines) + "\n"


def _rule_targets() -> list[Target]:
    targets = []
    for module in sorted((ROOT / "analyzer" / "rules" / "catalog").glob("[a-z][a-z][a-z]_[0-9][0-9][0-9]_*.py")):
        rule = module.name[:7].upper().replace("_", "-")
        targets.append(Target(rule, (str(module.relative_to(ROOT)),), ("tests/test_rule_fixtures.py", "-k", rule)))
    return targets


#: The tests that run the rules (their support modules are reached only through them).
RULE_TESTS = (
    "tests/test_rule_fixtures.py",
    "tests/test_rule_shared_documents.py",
    "tests/test_region_scope.py",
    "tests/rules",
    "tests/findings/test_user_decisions.py",  # the IDN-009 memo against the engine
)


def _support_targets() -> list[Target]:
    """One target per module of ``analyzer/rules/support``, against every rule's fixture cases."""
    support = sorted((ROOT / "analyzer" / "rules" / "support").glob("[a-z]*.py"))
    return [Target(f"support-{m.stem}", (str(m.relative_to(ROOT)),), RULE_TESTS) for m in support]


_GRAPH_TESTS = (
    "tests/graph",
    "--deselect",
    "tests/graph/test_build_matches_naive.py::test_build_equals_a_per_pair_evaluation_on_random_diverse_organizations",
    "--deselect",
    "tests/graph/test_build_matches_naive.py::test_build_equals_a_per_pair_evaluation_when_no_two_principals_share_a_policy",
)

_GRAPH_OUTPUT_TESTS = (
    *_GRAPH_TESTS,
    "tests/report/test_graph_export.py",
    "tests/report/test_graph_export_size.py",
    "tests/report/test_dense_graph_outputs.py",
)

TARGETS = {
    t.name: t
    for t in [
        Target("iam", ("analyzer/iam/*.py",), ("tests/iam",)),
        *(
            Target(f"iam-{m.stem}", (f"analyzer/iam/{m.name}",), ("tests/iam",))
            for m in sorted((ROOT / "analyzer" / "iam").glob("[a-z]*.py"))
        ),
        Target("graph-assume", ("analyzer/graph/assume.py",), ("tests/graph",)),
        # The rest of the edge evaluation (issue 14 split it out of assume.py). The two random-organization
        # oracle runs (~37 s of the ~55 s of tests/graph on a loaded machine) are left out: every survivor
        # would cost them, and the per-pair oracle on the fixed organizations of the same file stays in.
        *(
            Target(f"graph-{module.replace('_', '-')}", (f"analyzer/graph/{module}.py",), _GRAPH_TESTS)
            for module in (
                "sides",
                "scp",
                "request_keys",
                "index",
                "nodes",
                "scope",
                "gaps",
                "build",
                "combine",
                "access",
            )
        ),
        # The graph's files: the report's bounded export and the serializers, also tested through the report.
        *(
            Target(f"graph-{module}", (f"analyzer/graph/{module}.py",), _GRAPH_OUTPUT_TESTS)
            for module in ("bounded", "export")
        ),
        # test_tolerance.py (schema tolerance over the whole sample organization) is 24 s of the 34 s of
        # tests/evidence and exercises the readers, not decoding: left out, every survivor would cost it.
        Target(
            "evidence-decode",
            ("analyzer/evidence/decode.py",),
            ("tests/evidence", "--ignore=tests/evidence/test_tolerance.py"),
        ),
        *_rule_targets(),
        *_support_targets(),
    ]
}


def _tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return [p for p in out.splitlines() if not p.startswith(("reports/", ".mutate/")) and (ROOT / p).is_file()]


def _workspace(target: Target) -> Path:
    """A fresh copy of the working tree with the target's mutmut configuration."""
    space = WORK / target.name
    if space.exists():
        shutil.rmtree(space)
    for rel in _tracked_files():
        dest = space / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / rel, dest)
    with (space / "pyproject.toml").open("a") as config:
        config.write(target.config())
    return space


def _results(space: Path) -> dict[str, dict[str, str]]:
    """module path -> mutant name -> status, from mutmut's ``.meta`` files."""
    found: dict[str, dict[str, str]] = {}
    for meta in sorted((space / "mutants").rglob("*.py.meta")):
        module = str(meta.relative_to(space / "mutants"))[: -len(".meta")]
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {})
        found[module] = {
            name: "timeout" if code in TIMEOUTS else STATUS.get(code, "not checked" if code is None else "suspicious")
            for name, code in sorted(codes.items(), key=lambda kv: _natural(kv[0]))
        }
    return found


KILLED = ("killed", "timeout")


def _natural(name: str) -> list[object]:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _score(statuses: dict[str, str], equivalent: dict[str, str]) -> dict[str, object]:
    """A mutant listed as equivalent but killed is a stale entry (its function was edited and the numbers
    moved): it counts as killed, not equivalent, and is reported so that the survivors are judged again."""
    stale = sorted((n for n, s in statuses.items() if n in equivalent and s in KILLED), key=_natural)
    counted = {
        n: s for n, s in statuses.items() if s not in ("skipped", "type check") and (n not in equivalent or n in stale)
    }
    killed = sum(s in KILLED for s in counted.values())
    return {
        "mutants": len(statuses),
        "equivalent": sum(n in equivalent for n in statuses) - len(stale),
        "killed": killed,
        "score": round(100 * killed / len(counted), 1) if counted else None,
        "not_killed": {n: s for n, s in counted.items() if s not in KILLED},
        "stale_equivalent": stale,
    }


def run(target: Target, jobs: int, equivalent: dict[str, str]) -> dict[str, dict[str, object]]:
    space = _workspace(target)
    log = space / "mutmut.log"
    with log.open("w") as out:
        subprocess.run(
            [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(jobs)],
            cwd=space,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    results = _results(space)
    if not results:
        raise SystemExit(f"{target.name}: mutmut produced no results, see {log}")
    return {module: _score(statuses, equivalent) for module, statuses in results.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="targets to run (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--out", type=Path, help="write the scores as JSON to this file")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    args = parser.parse_args(argv)
    if args.list:
        for t in TARGETS.values():
            print(f"{t.name:16} {' '.join(t.mutate):60} pytest {' '.join(t.tests)}")
        return 0
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}; see --list")
    equivalent = {name: entry["reason"] for name, entry in tomllib.loads(EQUIVALENT.read_text()).items()}
    record: dict[str, object] = {}
    for name in args.targets or list(TARGETS):
        target = TARGETS[name]
        for module, score in run(target, args.jobs, equivalent).items():
            record[module] = {"target": name, **score}
            print(
                f"{module}: {score['score']}% killed ({score['killed']} of {score['mutants']} mutants, "
                f"{score['equivalent']} equivalent) [{name}]"
            )
            for mutant, status in score["not_killed"].items():  # type: ignore[union-attr]
                print(f"    {status:9} {mutant}")
            for mutant in score["stale_equivalent"]:  # type: ignore[attr-defined]
                print(f"    stale     {mutant} (listed as equivalent but killed: judge the survivors again)")
        if args.out:
            args.out.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
