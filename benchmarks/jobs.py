"""``trustmap analyze`` with one process and with several, now and at an earlier commit, in one run.

    python benchmarks/jobs.py [--accounts 500] [--jobs 1,2] [--rounds 3] [--before COMMIT]
                              [--results benchmarks/RESULTS.md]

The organization is ``trustmap synth --accounts N`` (15 regions, seed 0), cached under
``benchmarks/cache/`` as :mod:`benchmarks.run` caches it. Each configuration runs as a fresh process
(the wrapper of :mod:`benchmarks.run`: wall time, CPU of the process and its workers, peak memory of
all of them), and the configurations take turns, round after round, so that every one meets the
same load of the machine; the load average when each run started is kept. Configurations:

* ``--before COMMIT`` (optional): that commit's code, extracted with ``git archive``, as it runs by
  default, and forced into one process (its thresholds raised past any bundle, from the command line);
* this checkout with ``--jobs N`` for each N of ``--jobs``.

It also checks that every configuration wrote the same report files, byte for byte. The table, and
``benchmarks/jobs-notes.md`` after it, is written into RESULTS.md as the section "## Parallel jobs"
(replaced when it exists, kept by ``benchmarks/run.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import LIMIT_ARGS, ROOT, WRAPPER, cached_bundle, machine

SECTION = "## Parallel jobs"
#: Hand-written reading of the numbers, appended to the section as it is.
NOTES = Path(__file__).resolve().parent / "jobs-notes.md"

#: Runs the CLI of a commit from before ``--jobs``, in one process: its three fork mechanisms'
#: thresholds raised past any bundle.
ONE_PROCESS_BEFORE = (
    "import sys, analyzer.evidence.parallel as e, analyzer.findings.parallel as f, analyzer.report.writer as w;"
    "e.MIN_PARALLEL_ACCOUNTS = f.MIN_PARALLEL_FILES = w.MIN_BACKGROUND_SIZE = w.MIN_CSV_CHILD_SIZE = 10**12;"
    "from analyzer.cli import main; sys.argv[0] = 'trustmap'; main()"
)


#: One in-process analysis with ``--jobs`` = argv[2]: per phase, wall time and the CPU time of this
#: process and of its workers (counted once each pool has ended), as JSON.
SPLIT = """
import json, resource, sys, tempfile, time
from pathlib import Path
from analyzer.evidence import Limits, load_bundle
from analyzer.evidence.loader import collector_paused
from analyzer.pipeline import analyze_snapshot
from analyzer.report.writer import ReportWriter, default_formats
jobs = int(sys.argv[2])
def now():
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime
marks = [now()]
with collector_paused():
    snapshot = load_bundle(sys.argv[1], Limits(max_members=int(sys.argv[3])), jobs=jobs)
    marks.append(now())
    result = analyze_snapshot(snapshot, jobs=jobs)
    marks.append(now())
    ReportWriter(Path(tempfile.mkdtemp()) / "out", default_formats(), jobs=jobs).finish(result)
    marks.append(now())
names = ["load", "graph and rules", "reports"]
print(json.dumps({n: [b[i] - a[i] for i in range(3)] for n, a, b in zip(names, marks, marks[1:])}))
"""


@dataclass
class Config:
    label: str
    code: Path  # the checkout whose analyzer runs
    argv: list[str]  # after the python executable; the bundle and --out are added
    runs: list[dict[str, float]] = field(default_factory=list)


def _run(config: Config, bundle: Path, out: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(config.code))
    argv = [sys.executable, *config.argv, str(bundle), "--out", str(out), *LIMIT_ARGS]
    load = os.getloadavg()[0]
    answer = subprocess.run(  # from the checkout's folder: `-c` and `-m` put it first on the path
        [sys.executable, "-c", WRAPPER, *argv], capture_output=True, text=True, env=env, check=True, cwd=config.code
    )
    data = json.loads(answer.stdout.strip().splitlines()[-1])
    if data["rc"] != 0:
        raise SystemExit(f"{config.label}: exit {data['rc']}")
    return {"wall": data["wall"], "cpu": data.get("cpu", 0.0), "memory": data["tree_rss"], "load": load}


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _extract(commit: str, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def _machine_line() -> str:
    found = machine()
    return f"{found['CPU']}, {found['cores']} cores, {found['memory']}, Python {found['Python']}"


def split(bundle: Path, jobs: int) -> dict[str, list[float]]:
    """Per phase of one in-process analysis: [wall, CPU of this process, CPU of its workers]."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-c", SPLIT, str(bundle), str(jobs), LIMIT_ARGS[1]]
    answer = subprocess.run(argv, capture_output=True, text=True, env=env, check=True, cwd=ROOT)
    data: dict[str, list[float]] = json.loads(answer.stdout.strip().splitlines()[-1])
    return data


def split_table(splits: dict[int, dict[str, list[float]]]) -> list[str]:
    lines = [
        "",
        "Where the CPU goes, per phase of one in-process analysis (`--jobs N`; the main process, then its "
        "workers; wall under the load above):",
        "",
        "| --jobs | phase | wall | CPU, main process | CPU, workers |",
        "|---|---|---|---|---|",
    ]
    for jobs, phases in splits.items():
        for phase, (wall, own, workers) in phases.items():
            lines.append(f"| {jobs} | {phase} | {wall:.2f} s | {own:.2f} s | {workers:.2f} s |")
    return lines


def table(
    configs: Sequence[Config],
    accounts: int,
    files: int,
    same: bool,
    rounds: int,
    splits: dict[int, dict[str, list[float]]],
) -> list[str]:
    lines = [
        SECTION,
        "",
        f"Measured by `python benchmarks/jobs.py --accounts {accounts}` on {_machine_line()}: `trustmap analyze` "
        f"of `trustmap synth --accounts {accounts}` ({files:,} files), all outputs, each configuration a fresh "
        f"process, the configurations taking turns for {rounds} rounds so that each meets the same load. Wall "
        "is the best and the median of the rounds; CPU the user and system time of the process and its workers "
        "(median); memory the peak of all processes together; load the machine's 1-minute load average when "
        "each run started (2 cores shared with other work: anything above 2 means the runs waited for a core).",
        "",
        "| configuration | wall best | wall median | CPU | peak memory | load at start |",
        "|---|---|---|---|---|---|",
    ]
    for config in configs:
        walls = [r["wall"] for r in config.runs]
        loads = ", ".join(f"{r['load']:.1f}" for r in config.runs)
        lines.append(
            f"| {config.label} | {min(walls):.2f} s | {statistics.median(walls):.2f} s "
            f"| {statistics.median(r['cpu'] for r in config.runs):.2f} s "
            f"| {max(r['memory'] for r in config.runs) / 1024**2:,.0f} MiB | {loads} |"
        )
    lines += [
        "",
        "Every configuration wrote the same report files, byte for byte."
        if same
        else "**The configurations wrote different report files.**",
    ]
    lines += split_table(splits)
    if NOTES.is_file():
        lines += ["", NOTES.read_text(encoding="utf-8").rstrip()]
    return lines


def write_section(path: Path, lines: list[str]) -> None:
    """Put the section into RESULTS.md, in place of the one there, else at the end."""
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    text = "\n".join(lines).rstrip() + "\n"
    start = old.find(SECTION + "\n")
    if start < 0:
        path.write_text(old.rstrip() + "\n\n" + text if old else text, encoding="utf-8")
        return
    end = old.find("\n## ", start + len(SECTION))
    rest = old[end + 1 :] if end >= 0 else ""
    path.write_text(old[:start] + text + ("\n" + rest if rest else ""), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--accounts", type=int, default=500)
    parser.add_argument("--jobs", default="1,2", help="values of --jobs, comma separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", help="a commit from before --jobs, measured alongside")
    parser.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "RESULTS.md")
    args = parser.parse_args(argv)
    name = f"org-{args.accounts}a-15r-s0"
    bundle = cached_bundle(["--accounts", str(args.accounts), "--regions", "15", "--seed", "0"], name)
    files = sum(len(names) for _, _, names in os.walk(bundle))
    with tempfile.TemporaryDirectory(prefix="trustmap-jobs-") as scratch:
        configs: list[Config] = []
        if args.before:
            code = _extract(args.before, Path(scratch, "before-code").resolve())
            configs.append(Config(f"{args.before[:7]}, forced into one process", code, ["-c", ONE_PROCESS_BEFORE]))
            configs.append(Config(f"{args.before[:7]}, as it runs (forked children)", code, ["-m", "analyzer"]))
        for jobs in (int(j) for j in args.jobs.split(",") if j.strip()):
            configs.append(Config(f"now, `--jobs {jobs}`", ROOT, ["-m", "analyzer", "analyze", "--jobs", str(jobs)]))
        for config in configs:
            if config.argv[-1] == "analyzer" or config.argv[0] == "-c":
                config.argv.append("analyze")
        outputs: dict[str, dict[str, bytes]] = {}
        for round_ in range(args.rounds):
            for index, config in enumerate(configs):
                out = Path(scratch, f"out-{index}")
                config.runs.append(_run(config, bundle, out))
                if round_ == 0:
                    outputs[config.label] = _files(out)
                shutil.rmtree(out, ignore_errors=True)
                print(f"round {round_ + 1}: {config.label}: {config.runs[-1]}", flush=True)
        same = len({tuple(sorted(o.items())) for o in outputs.values()}) == 1
    splits = {jobs: split(bundle, jobs) for jobs in (int(j) for j in args.jobs.split(",") if j.strip())}
    lines = table(configs, args.accounts, files, same, args.rounds, splits)
    write_section(args.results, lines)
    print("\n".join(lines))
    print(machine())


if __name__ == "__main__":
    main()
