"""Benchmark the central bucket's AWS Config files of a synthetic organization (issue 17).

    python benchmarks/config_snapshots.py [--accounts 1000] [--regions 15] [--seed 0] [--keep DIR]
                                          [--results benchmarks/RESULTS.md] [--no-write]

Generates, in a fresh process, the bucket of ``trustmap synth OUT --accounts N --config-only`` (one
configuration snapshot and one history file per account and region, the planted cases' history files,
``manifest.json`` and ``EXPECTED.json``) and measures:

* generation: wall time and peak memory (the generator streams: one account's files at a time);
* size: files, compressed bytes, bytes once decompressed, configuration items by resource type;
* the reading floor: gunzip and ``json.loads`` of every Config file, nothing else (what any reader pays);
* ``trustmap analyze BUNDLE --format json``: where this checkout reads Config files (issue 17's reader),
  its wall time and memory; where it does not, its exit code (2: nothing to audit) is reported instead.

Writes the "Config snapshots" section of ``RESULTS.md`` (``run.py`` keeps it when it rewrites the file).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CONFIG_SECTION, GIB, LIMIT_ARGS, Measure, _env, measure

HERE = Path(__file__).resolve().parent
SECTION = CONFIG_SECTION
MIB = 1024**2

#: Run in a fresh process by the measurement wrapper: the reading floor of a bucket copy.
FLOOR = """
import gzip, json, os, sys
items = 0
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        if name.endswith(".json.gz"):
            with open(os.path.join(folder, name), "rb") as handle:
                items += len(json.loads(gzip.decompress(handle.read()))["configurationItems"])
print(items)
"""


def inventory(bundle: Path) -> dict[str, Any]:
    """Files, bytes (compressed and not) and configuration items by type of the bundle's Config files."""
    files = compressed = raw = 0
    types: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for path in sorted(bundle.rglob("*.json.gz")):
        data = path.read_bytes()
        text = gzip.decompress(data)
        files, compressed, raw = files + 1, compressed + len(data), raw + len(text)
        for item in json.loads(text)["configurationItems"]:
            types[item["resourceType"]] += 1
            statuses[item["configurationItemStatus"]] += 1
    snapshots = sum(1 for _ in bundle.rglob("*_ConfigSnapshot_*.json.gz"))
    return {
        "files": files,
        "snapshots": snapshots,
        "history": files - snapshots,
        "compressed": compressed,
        "raw": raw,
        "types": dict(sorted(types.items())),
        "statuses": dict(sorted(statuses.items())),
    }


def reads_config(bundle: Path, probe: Path) -> bool:
    """Whether this checkout's ``trustmap validate`` recognises a Config snapshot (the reader exists)."""
    sample = next(bundle.rglob("*_ConfigSnapshot_*.json.gz"))
    target = probe / sample.relative_to(bundle)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample, target)
    shutil.copyfile(bundle / "manifest.json", probe / "manifest.json")
    listing = subprocess.run(
        [sys.executable, "-m", "analyzer", "validate", str(probe), "--format", "json"],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    ).stdout
    files = json.loads(listing)["files"] if listing.strip() else []
    return any(f["kind"] is not None for f in files if "ConfigSnapshot" in f["path"])


def _mib(n: int) -> str:
    return f"{n / MIB:,.1f} MiB"


def section(accounts: int, regions: int, seed: int, generation: Measure, sizes: dict[str, Any],
            floor: Measure, analyze: Measure | None, load: float) -> str:  # fmt: skip
    types: dict[str, int] = sizes["types"]
    iam = sum(n for t, n in types.items() if t.startswith("AWS::IAM::"))
    total = sum(types.values())
    read = (
        f"{analyze.wall:.2f} s, {_mib(analyze.memory)} (all processes)"
        if analyze is not None
        else "not measured: this checkout has no Config reader (`trustmap validate` ignores the Config files)"
    )
    lines = [
        SECTION,
        "",
        f"`python benchmarks/config_snapshots.py --accounts {accounts} --regions {regions} --seed {seed}`: the central "
        f"bucket of `trustmap synth OUT --accounts {accounts} --regions {regions} --config-only` "
        "(one snapshot and one history file per account and region, the planted cases' history files).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| generation (`trustmap synth --config-only`) | {generation.wall:.2f} s, peak {_mib(generation.memory)} |",
        f"| Config files | {sizes['files']:,} ({sizes['snapshots']:,} snapshots, {sizes['history']:,} history) |",
        f"| size | {_mib(sizes['compressed'])} gzip, {_mib(sizes['raw'])} of JSON |",
        f"| configuration items | {total:,}, of which {iam:,} IAM ({total - iam:,} a reader filters out or reads "
        "for the trail, bucket and recorder) |",
        f"| reading floor (gunzip + `json.loads` of every file) | {floor.wall:.2f} s, peak {_mib(floor.memory)} |",
        f"| `trustmap analyze` of the bucket | {read} |",
        "",
        "Items by type: " + ", ".join(f"`{t}` {n:,}" for t, n in types.items()) + ".",
        "",
        f"Load average (1 min) of the shared 2-core machine when the run started: {load:.1f}; "
        "wall times on this machine vary about 2x with the other helpers' work.",
        "",
    ]
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    """Put ``text`` in place of the file's section (up to the next ``## `` heading), or at the end."""
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    start = old.find(SECTION + "\n")
    if start < 0:
        path.write_text(old.rstrip("\n") + "\n\n" + text, encoding="utf-8")
        return
    end = old.find("\n## ", start + len(SECTION))
    rest = old[end + 1 :] if end >= 0 else ""
    path.write_text(old[:start] + text + ("\n" + rest if rest else ""), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--regions", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it (default: a temp folder)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print the section only")
    args = parser.parse_args(argv)
    results = args.results.resolve()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="trustmap-config-") as temp:
        scratch = Path(temp) if args.keep is None else args.keep.resolve()
        scratch.mkdir(parents=True, exist_ok=True)
        os.chdir(scratch)  # `python -m analyzer` imports from the working folder first: not from this checkout
        bundle = scratch / "bucket"
        if bundle.exists():
            shutil.rmtree(bundle)
        synth = ["synth", str(bundle), "--accounts", str(args.accounts), "--regions", str(args.regions)]
        generation = measure([sys.executable, "-m", "analyzer", *synth, "--seed", str(args.seed), "--config-only"])
        if generation.rc != 0:
            raise SystemExit(f"trustmap synth exited {generation.rc}")
        sizes = inventory(bundle)
        floor = measure([sys.executable, "-c", FLOOR, str(bundle)], repeat=2)
        analyze = None
        if reads_config(bundle, scratch / "probe"):
            out = scratch / "out"
            analyze = measure(
                [
                    sys.executable,
                    "-m",
                    "analyzer",
                    "analyze",
                    str(bundle),
                    "--out",
                    str(out),
                    "--format",
                    "json",
                    *LIMIT_ARGS,
                ]
            )
        if generation.memory > 4 * GIB or floor.memory > 4 * GIB:
            print("warning: a run went over 4 GiB", file=sys.stderr)
    text = section(args.accounts, args.regions, args.seed, generation, sizes, floor, analyze, load)
    print(text)
    if not args.no_write:
        write_section(results, text)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
