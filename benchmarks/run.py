"""Benchmark trustmap against the JSON-parse floor on synthetic organizations of growing size.

    python benchmarks/run.py [--sizes 10,100,1000,5000] [--regions 15] [--seed 0]
                             [--principals 2000] [--no-phases] [--no-peer] [--results benchmarks/RESULTS.md]

For each size, the bundle is generated once by ``trustmap synth`` and cached under
``benchmarks/cache/`` (git-ignored). Then, each in a fresh subprocess, wall time and memory are
measured (the best wall time of ``--repeat`` runs, the floor's of at least three; the machine's
other work only ever adds time). Memory is the peak of the memory of the measured process and
every process it forks together (their proportional set sizes summed, sampled every 0.5 s from
``/proc``: pages a forked child shares with its parent count once), and never less than the
largest single process (``getrusage(RUSAGE_CHILDREN).ru_maxrss``):

* ``floor``: read every file of the bundle and ``json.loads`` it, nothing else;
* ``validate``: ``trustmap validate BUNDLE``;
* ``analyze``: ``trustmap analyze BUNDLE --out DIR`` with every output format;
* ``phases``: the same analysis in-process, timing load, graph, rules (``ScanResult.timings``) and
  reports (``write_outputs``).

Where Cloudsplaining is installed (``pip install .[bench]``), ``cloudsplaining scan`` runs on the
authorization details of one account with ``--principals`` principals, next to ``trustmap analyze``
of that account's bundle. Prints a table and writes ``RESULTS.md`` with the machine's description,
the ratios to the floor and the targets. Each size's measurements are kept in
``benchmarks/cache/measured-*.json`` and ``RESULTS.md`` shows every size measured for the same
regions and seed, so a long size (5,000 accounts) can be run on its own, e.g. in the background.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / "cache"
#: Measurements of an earlier version (same machine, same bundles), shown as "before" in RESULTS.md.
BEFORE = HERE / "before"
#: Hand-written reading of the numbers (what limits each target), appended to RESULTS.md as it is.
NOTES = HERE / "results-notes.md"
GIB = 1024**3
#: The largest organization measured (5,000 accounts: 414,458 files) holds more entries than a bundle
#: may by default (``--max-members``, a guard against hostile bundles): every run here raises it.
MAX_MEMBERS = 2_000_000
LIMIT_ARGS = ["--max-members", str(MAX_MEMBERS)]
#: The section of RESULTS.md benchmarks/hostile.py writes.
KEPT_SECTION = "## Hostile corpus"
#: The section benchmarks/config_snapshots.py writes (issue 17).
CONFIG_SECTION = "## Config snapshots (issue 17)"
#: Sections of RESULTS.md written by hand or by other benchmarks (hostile.py, jobs.py, activity.py,
#: config_snapshots.py), by the start of their heading: kept when this script rewrites the file.
KEPT_SECTIONS = (
    "## The diverse shape (issue 14)",
    "## The access graph (issue 14",
    KEPT_SECTION,
    "## Parallel jobs",
    CONFIG_SECTION,
    "## Activity logs",
)

#: Runs ``argv[1:]`` as the wrapper's child and prints {"wall": s, "rss": bytes, "tree_rss": bytes, "rc": code}:
#: ``rss`` is the largest single process (ru_maxrss); ``tree_rss`` the peak, sampled every 0.5 s, of
#: the memory of the child and all its descendants together: the sum of their proportional set
#: sizes (PSS, /proc/<pid>/smaps_rollup: a page shared by a forked child and its parent counts half
#: in each), never less than ``rss``.
WRAPPER = """
import json, os, resource, subprocess, sys, threading, time
PAGE = os.sysconf("SC_PAGE_SIZE")

def memory(pid, rss_pages):
    # proportional set size: pages shared with a forked parent count once over all processes
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss_pages * PAGE

def tree_memory(root):
    parents, rss = {}, {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(name)], rss[int(name)] = int(fields[1]), int(fields[21])
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in rss:
            total += memory(pid, rss[pid])
        todo.extend(p for p, parent in parents.items() if parent == pid)
    return total

def sample(pid, stop, peak):
    # reading smaps_rollup locks the process's memory map: sample rarely
    while not stop.wait(0.5):
        peak[0] = max(peak[0], tree_memory(pid))

start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
stop, peak = threading.Event(), [0]
sampler = threading.Thread(target=sample, args=(child.pid, stop, peak), daemon=True)
if os.path.isdir("/proc"):
    sampler.start()
child.wait()  # returns the moment the child ends: the wall time is exact
wall = time.perf_counter() - start
stop.set()
peak = peak[0]
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
rss = usage.ru_maxrss * 1024
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"wall": wall, "rss": rss, "tree_rss": max(peak, rss), "rc": child.returncode, "cpu": cpu}))
"""

FLOOR = """
import json, os, sys
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        with open(os.path.join(folder, name), "rb") as handle:
            data = handle.read()
        if name.endswith(".json"):
            json.loads(data)
"""

PHASES = """
import json, sys, time
from pathlib import Path
from analyzer.evidence import Limits
from analyzer.pipeline import analyze
from analyzer.report.writer import FORMATS, write_outputs
result = analyze(sys.argv[1], limits=Limits(max_members=int(sys.argv[4])))
start = time.perf_counter()
write_outputs(result, Path(sys.argv[2]), sorted(FORMATS))
result.timings["reports"] = time.perf_counter() - start
Path(sys.argv[3]).write_text(json.dumps(result.timings))
"""


@dataclass
class Measure:
    wall: float
    rss: int  # the largest single process
    rc: int
    tree_rss: int = 0  # peak memory of the process and its forked children together (PSS; 0: not measured)
    cpu: float = 0.0  # CPU seconds (user + system) of the process and the children it waited for

    @property
    def memory(self) -> int:
        """The memory the targets are judged on: the summed peak when measured, else the largest process."""
        return max(self.tree_rss, self.rss)


@dataclass
class SizeResult:
    accounts: int
    files: int
    bytes_on_disk: int
    measures: dict[str, Measure] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)

    def ratio(self, name: str) -> float | None:
        floor, other = self.measures.get("floor"), self.measures.get(name)
        return other.wall / floor.wall if floor and other and floor.wall > 0 else None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def measure(argv: Sequence[str], repeat: int = 1) -> Measure:
    """Wall time and peak memory of ``argv`` run as a fresh process: the best wall time of ``repeat``
    runs, the highest memory of them, and the first non-zero exit code."""
    runs = []
    for _ in range(max(1, repeat)):
        out = subprocess.run(
            [sys.executable, "-c", WRAPPER, *argv], capture_output=True, text=True, env=_env(), check=True
        ).stdout
        data = json.loads(out.strip().splitlines()[-1])
        runs.append(Measure(data["wall"], data["rss"], data["rc"], data.get("tree_rss", 0), data.get("cpu", 0.0)))
    return Measure(
        min(r.wall for r in runs),
        max(r.rss for r in runs),
        next((r.rc for r in runs if r.rc), 0),
        max(r.tree_rss for r in runs),
        min(r.cpu for r in runs),
    )


def _tree_size(folder: Path) -> tuple[int, int]:
    files = size = 0
    for base, _, names in os.walk(folder):
        for name in names:
            files += 1
            size += os.stat(os.path.join(base, name)).st_blocks * 512
    return files, size


def cached_bundle(args: list[str], name: str) -> Path:
    """Generate ``trustmap synth`` output once into ``benchmarks/cache/<name>``."""
    target = CACHE / name
    if (target / "EXPECTED.json").is_file():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    partial = CACHE / f".{name}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "analyzer", "synth", str(partial), *args, "--force"], env=_env(), check=True)
    print(f"  generated {name} in {time.perf_counter() - start:.1f} s", flush=True)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def _saved(accounts: int, regions: int, seed: int) -> Path:
    return CACHE / f"measured-{accounts}a-{regions}r-s{seed}.json"


def save(result: SizeResult, regions: int, seed: int) -> None:
    data = {
        "accounts": result.accounts,
        "files": result.files,
        "bytes_on_disk": result.bytes_on_disk,
        "measures": {k: vars(v) for k, v in result.measures.items()},
        "phases": result.phases,
    }
    _saved(result.accounts, regions, seed).write_text(json.dumps(data, indent=2))


def saved_results(regions: int, seed: int, folder: Path = CACHE) -> list[SizeResult]:
    """Every size measured earlier for these regions and seed (a long size can be run on its own)."""
    out = []
    for path in sorted(folder.glob(f"measured-*a-{regions}r-s{seed}.json")):
        data = json.loads(path.read_text())
        measures = {k: Measure(**v) for k, v in data["measures"].items()}
        out.append(SizeResult(data["accounts"], data["files"], data["bytes_on_disk"], measures, data["phases"]))
    return sorted(out, key=lambda r: r.accounts)


def run_size(accounts: int, regions: int, seed: int, phases: bool, repeat: int = 2) -> SizeResult:
    bundle = cached_bundle(
        ["--accounts", str(accounts), "--regions", str(regions), "--seed", str(seed)],
        f"org-{accounts}a-{regions}r-s{seed}",
    )
    files, size = _tree_size(bundle)
    result = SizeResult(accounts, files, size)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="trustmap-bench-") as scratch:
        print(f"  {accounts} accounts: floor", flush=True)
        result.measures["floor"] = measure([python, "-c", FLOOR, str(bundle)], max(3, repeat))
        print(f"  {accounts} accounts: validate", flush=True)
        result.measures["validate"] = measure([python, "-m", "analyzer", "validate", str(bundle), *LIMIT_ARGS], repeat)
        print(f"  {accounts} accounts: analyze", flush=True)
        result.measures["analyze"] = measure(
            [python, "-m", "analyzer", "analyze", str(bundle), "--out", str(Path(scratch) / "cli"), *LIMIT_ARGS],
            repeat,
        )
        if phases:
            print(f"  {accounts} accounts: phases", flush=True)
            timings = Path(scratch) / "timings.json"
            result.measures["phases"] = measure(
                [python, "-c", PHASES, str(bundle), str(Path(scratch) / "phases"), str(timings), str(MAX_MEMBERS)]
            )
            if timings.is_file():
                result.phases = json.loads(timings.read_text())
    return result


# --------------------------------------------------------------------------- the peer tool


@dataclass
class PeerResult:
    principals: int
    gaad_bytes: int
    trustmap: Measure
    cloudsplaining: Measure | None
    note: str = ""
    phases: dict[str, float] = field(default_factory=dict)  # trustmap's in-process split of the same analysis
    diverse: bool = False  # the diverse shape (`trustmap synth --diverse`): no two principals alike


#: Version of the one-account bundle, in its cache folder's and its measurements' names: bumped when the
#: generator's content changes, so the bundle is generated again and old measurements are not mixed in.
#: v2: real IAM actions with wildcards, NotAction/Deny and conditions (v1 invented action names, which
#: Cloudsplaining matched against nothing: 4.6 s instead of about a minute).
PEER_BUNDLE = "v2"
#: The in-process phases of an analysis, in the order they run (``ScanResult.timings`` and ``reports``).
PHASE_NAMES = ("load", "graph", "rules", "reports")


def _peer_file(regions: int, seed: int, diverse: bool = False) -> Path:
    shape = "-diverse" if diverse else ""
    return CACHE / f"measured-peer-{PEER_BUNDLE}{shape}-{regions}r-s{seed}.json"


def save_peer(peer: PeerResult, regions: int, seed: int) -> None:
    theirs = vars(peer.cloudsplaining) if peer.cloudsplaining else None
    data = {
        "principals": peer.principals,
        "gaad_bytes": peer.gaad_bytes,
        "trustmap": vars(peer.trustmap),
        "cloudsplaining": theirs,
        "note": peer.note,
        "phases": peer.phases,
        "diverse": peer.diverse,
    }
    _peer_file(regions, seed, peer.diverse).write_text(json.dumps(data, indent=2))


def saved_peer(regions: int, seed: int, folder: Path = CACHE, diverse: bool = False) -> PeerResult | None:
    path = folder / _peer_file(regions, seed, diverse).name
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    theirs = Measure(**data["cloudsplaining"]) if data["cloudsplaining"] else None
    return PeerResult(
        data["principals"],
        data["gaad_bytes"],
        Measure(**data["trustmap"]),
        theirs,
        data["note"],
        data.get("phases", {}),
        data.get("diverse", False),
    )


def run_peer(principals: int, regions: int, seed: int, repeat: int = 2, diverse: bool = False) -> PeerResult:
    """``trustmap analyze`` of the one-account bundle next to ``cloudsplaining scan`` of its GAAD: each the
    best wall time of ``repeat`` runs (the same treatment for both), plus trustmap's phase split.
    ``diverse``: the bundle of ``trustmap synth --diverse`` (no two principals alike, a real access graph)."""
    shape = ["--diverse"] if diverse else []
    bundle = cached_bundle(
        ["--single-account-principals", str(principals), "--regions", str(regions), "--seed", str(seed), *shape],
        f"single-{PEER_BUNDLE}{'-diverse' if diverse else ''}-{principals}p-{regions}r-s{seed}",
    )
    gaad = next(bundle.glob("*/iam/get-account-authorization-details.json"))
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="trustmap-peer-") as scratch:
        print(f"  one account, {principals} principals: trustmap analyze", flush=True)
        ours = measure([python, "-m", "analyzer", "analyze", str(bundle), "--out", str(Path(scratch) / "t")], repeat)
        timings = Path(scratch) / "timings.json"
        measure([python, "-c", PHASES, str(bundle), str(Path(scratch) / "phases"), str(timings), str(MAX_MEMBERS)])
        phases = json.loads(timings.read_text()) if timings.is_file() else {}
        tool = shutil.which("cloudsplaining")
        if tool is None:
            note = "cloudsplaining is not installed"
            return PeerResult(principals, gaad.stat().st_size, ours, None, note, phases, diverse)
        (Path(scratch) / "c").mkdir()
        print(f"  one account, {principals} principals: cloudsplaining scan (about a minute per run)", flush=True)
        theirs = measure(
            [tool, "scan", "--input-file", str(gaad), "--output", str(Path(scratch) / "c"), "--skip-open-report"],
            repeat,
        )
        note = "" if theirs.rc == 0 else f"cloudsplaining exited {theirs.rc}"
        return PeerResult(principals, gaad.stat().st_size, ours, theirs, note, phases, diverse)


# --------------------------------------------------------------------------- reporting


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "Python": platform.python_version(),
        "OS": f"{platform.system()} {platform.release()}",
    }


def _fmt_s(value: float | None) -> str:
    return "-" if value is None else (f"{value:.2f} s" if value < 100 else f"{value:.0f} s")


def _fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def _fmt_mib(value: int | None) -> str:
    return "-" if value is None else f"{value / 1024**2:,.0f} MiB"


def table(results: list[SizeResult]) -> list[str]:
    header = (
        "| accounts | files | on disk | floor | validate | analyze | analyze/floor | validate/floor "
        "| memory analyze (all processes) | largest process | load | graph | rules | reports |"
    )
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    for r in results:
        m = r.measures
        lines.append(
            f"| {r.accounts:,} | {r.files:,} | {r.bytes_on_disk / 1024**2:,.0f} MiB | {_fmt_s(m['floor'].wall)} "
            f"| {_fmt_s(m['validate'].wall)} | {_fmt_s(m['analyze'].wall)} | {_fmt_ratio(r.ratio('analyze'))} "
            f"| {_fmt_ratio(r.ratio('validate'))} | {_fmt_mib(m['analyze'].memory if m['analyze'].tree_rss else None)} "
            f"| {_fmt_mib(m['analyze'].rss)} | "
            + " | ".join(_fmt_s(r.phases.get(p)) for p in ("load", "graph", "rules", "reports"))
            + " |"
        )
    return lines


def comparison(before: list[SizeResult], after: list[SizeResult]) -> list[str]:
    """Before -> after per size measured in both: wall times and the ratios to each run's own floor."""
    old = {r.accounts: r for r in before}
    lines = [
        "| accounts | analyze before | analyze now | speed-up | analyze/floor before | now "
        "| validate before | validate now | validate/floor before | now |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in after:
        b = old.get(r.accounts)
        if b is None:
            continue
        then, now = b.measures["analyze"].wall, r.measures["analyze"].wall
        lines.append(
            f"| {r.accounts:,} | {_fmt_s(then)} | {_fmt_s(now)} | {then / now:.1f}x "
            f"| {_fmt_ratio(b.ratio('analyze'))} | {_fmt_ratio(r.ratio('analyze'))} "
            f"| {_fmt_s(b.measures['validate'].wall)} | {_fmt_s(r.measures['validate'].wall)} "
            f"| {_fmt_ratio(b.ratio('validate'))} | {_fmt_ratio(r.ratio('validate'))} |"
        )
    return lines if len(lines) > 2 else []


def targets(results: list[SizeResult], peers: Sequence[PeerResult]) -> list[str]:
    by_size = {r.accounts: r for r in results}
    out = []

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("met" if ok else "**missed**")

    k1, k5 = by_size.get(1000), by_size.get(5000)
    if k1:
        ratio = k1.ratio("analyze")
        out.append(
            f"- 1,000 accounts: analyze with all outputs within 4x the parse floor: {_fmt_ratio(ratio)} "
            f"-> {verdict(ratio is not None and ratio <= 4)}"
        )
        rss = k1.measures["analyze"].memory
        out.append(f"- 1,000 accounts: peak memory < 2 GiB: {_fmt_mib(rss)} -> {verdict(rss < 2 * GIB)}")
    else:
        out.append("- 1,000 accounts: not measured")
    if k5:
        done = k5.measures["analyze"].rc == 0
        growth = k5.measures["analyze"].wall / k1.measures["analyze"].wall if k1 else None
        out.append(f"- 5,000 accounts completes: exit {k5.measures['analyze'].rc} -> {verdict(done)}")
        out.append(
            f"- 5,000 accounts: time <= 5.5x the 1,000-account time: {_fmt_ratio(growth)} "
            f"-> {verdict(None if growth is None else growth <= 5.5)}"
        )
        rss = k5.measures["analyze"].memory
        out.append(f"- 5,000 accounts: peak memory < 6 GiB: {_fmt_mib(rss)} -> {verdict(rss < 6 * GIB)}")
    else:
        out.append("- 5,000 accounts: not measured in this run")
    for r in results:
        ratio = r.ratio("validate")
        out.append(
            f"- {r.accounts:,} accounts: validate within 3x the parse floor: {_fmt_ratio(ratio)} "
            f"-> {verdict(ratio is not None and ratio <= 3)}"
        )
    if not peers:
        out.append("- one account vs cloudsplaining: not measured")
    for peer in peers:
        shape = "diverse" if peer.diverse else "shared-policy"
        if peer.cloudsplaining is not None:
            speedup = peer.cloudsplaining.wall / peer.trustmap.wall
            out.append(
                f"- one {shape} account, {peer.principals:,} principals: analyze >= 50x faster than cloudsplaining: "
                f"{speedup:.1f}x -> {verdict(speedup >= 50)}"
            )
        else:
            out.append(f"- one {shape} account vs cloudsplaining: not measured ({peer.note})")
        graph, total = peer.phases.get("graph"), sum(peer.phases.get(n, 0.0) for n in PHASE_NAMES)
        if peer.diverse and graph is not None and total > 0:
            out.append(
                f"- one diverse account: the graph phase under 10% of analyze: {100 * graph / total:.0f}% "
                f"-> {verdict(graph / total < 0.10)}"
            )
    return out


def peer_lines(peer: PeerResult | None) -> list[str]:
    if peer is None:
        return []
    lines = [
        "",
        f"## One {'diverse ' if peer.diverse else ''}account, {peer.principals:,} principals "
        f"({peer.gaad_bytes / 1024**2:.1f} MB of GAAD)",
        "",
        "| tool | wall | peak memory (all processes) |",
        "|---|---|---|",
        f"| trustmap analyze (all rules and outputs) | {_fmt_s(peer.trustmap.wall)} "
        f"| {_fmt_mib(peer.trustmap.memory)} |",
    ]
    if peer.cloudsplaining is not None:
        c = peer.cloudsplaining
        lines.append(f"| cloudsplaining scan | {_fmt_s(c.wall)} | {_fmt_mib(c.memory)} |")
        lines.append("")
        lines.append(f"Ratio cloudsplaining / trustmap: {c.wall / peer.trustmap.wall:.1f}x. {peer.note}".rstrip())
    else:
        lines.append("")
        lines.append(f"Cloudsplaining not measured: {peer.note}.")
    if peer.phases:
        split = ", ".join(f"{name} {_fmt_s(peer.phases[name])}" for name in PHASE_NAMES if name in peer.phases)
        lines += ["", f"trustmap's phases, in-process: {split}."]
    lines += [
        "",
        f"The account (`trustmap synth --single-account-principals {peer.principals}"
        f"{' --diverse' if peer.diverse else ''}`, bundle {PEER_BUNDLE}) is "
        "written with real IAM actions, wildcards, NotAction and Deny statements and conditions, so "
        "Cloudsplaining expands and classifies them as it does on a real account's export."
        + (
            " Diverse: no two principals alike, sts:AssumeRole grants and trusts of every shape (a real access graph)."
            if peer.diverse
            else ""
        ),
    ]
    return lines


def write_results(path: Path, results: list[SizeResult], peers: Sequence[PeerResult], regions: int, seed: int) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Measured by `python benchmarks/run.py` (see docs/benchmarks.md).",
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {k}: {v}" for k, v in machine().items()]
    lines += [
        "",
        f"## Organizations ({regions} regions per account, seed {seed})",
        "",
        "Wall time of a fresh process per measurement (the best of the runs made); memory is the peak of "
        "the memory of the process and the children it forks together (proportional set sizes summed: a "
        "page a forked child shares with its parent counts once), next to the largest single process "
        "(its peak resident set). "
        "load/graph/rules/reports are the phases of one in-process analysis.",
        "",
    ]
    lines += table(results)
    before = saved_results(regions, seed, BEFORE)
    compared = comparison(before, results)
    if compared:
        kept = BEFORE.relative_to(ROOT)
        note = f"Before: the measurements kept in `{kept}/` (see its README.md)."
        lines += ["", "### Before and after", "", note, ""]
        lines += compared
    for peer in peers:
        lines += peer_lines(peer)
        old_peer = saved_peer(regions, seed, BEFORE, peer.diverse)
        if old_peer is not None:
            lines += [
                "",
                f"Before: trustmap {_fmt_s(old_peer.trustmap.wall)} on the same account"
                + (f", cloudsplaining {_fmt_s(old_peer.cloudsplaining.wall)}." if old_peer.cloudsplaining else "."),
            ]
    lines += ["", "## Targets", "", *targets(results, peers)]
    if NOTES.is_file():
        lines += ["", NOTES.read_text(encoding="utf-8").rstrip()]
    for heading in KEPT_SECTIONS:
        kept = kept_section(path, heading)
        if kept:
            lines += ["", kept]
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return text


def kept_section(path: Path, heading: str = KEPT_SECTION) -> str:
    """The section of the existing file whose heading starts with ``heading`` (up to the next section), or ""."""
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    start = old.find(heading)
    if start < 0 or (start > 0 and old[start - 1] != "\n"):
        return ""
    end = old.find("\n## ", start + len(heading))
    return (old[start:end] if end >= 0 else old[start:]).rstrip()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10,100,1000,5000", help="account counts, comma separated")
    parser.add_argument("--regions", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--principals", type=int, default=2000, help="principals of the one-account comparison")
    parser.add_argument("--no-phases", action="store_true", help="skip the in-process phase split")
    parser.add_argument("--no-peer", action="store_true", help="skip the one-account comparison")
    parser.add_argument("--peer-shapes", default="shared,diverse", help="one-account shapes: shared, diverse")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement; the best wall time is kept")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    for accounts in sizes:
        print(f"{accounts} accounts x {args.regions} regions", flush=True)
        save(run_size(accounts, args.regions, args.seed, not args.no_phases, args.repeat), args.regions, args.seed)
        write_results(args.results, saved_results(args.regions, args.seed), _peers(args), args.regions, args.seed)
    shapes = [s.strip() for s in args.peer_shapes.split(",") if s.strip()]
    for shape in shapes if not args.no_peer else ():
        peer = run_peer(args.principals, args.regions, args.seed, args.repeat, diverse=shape == "diverse")
        save_peer(peer, args.regions, args.seed)
    print(write_results(args.results, saved_results(args.regions, args.seed), _peers(args), args.regions, args.seed))


def _peers(args: argparse.Namespace) -> list[PeerResult]:
    """The one-account measurements saved for both shapes (shared-policy, then diverse)."""
    found = (saved_peer(args.regions, args.seed, diverse=d) for d in (False, True))
    return [p for p in found if p is not None]


if __name__ == "__main__":
    main()
