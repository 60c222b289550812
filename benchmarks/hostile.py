"""Benchmark trustmap on a corpus of hostile bundles: every case must be bounded in time and memory.

    python benchmarks/hostile.py [--cases NAME,...] [--keep DIR] [--results benchmarks/RESULTS.md] [--no-write]

The evidence comes from the party being audited, so no input may cost unbounded time or memory.
Each case of issue 11 ("Evidence integrity: hostile input has a bounded cost") is generated into a
temporary folder (streamed: nothing large is held in memory), then ``trustmap validate`` and
``trustmap analyze`` run on it, each in a fresh subprocess, measured as ``benchmarks/run.py``
measures (wall time; peak memory of the process and its forked children, from ``/proc``, never less
than ``getrusage(RUSAGE_CHILDREN)``). The target: every run finishes in under 10 s and 1 GiB, or the
bundle (or the offending file) is refused with a clear message. The table is printed and written to
``RESULTS.md`` under "Hostile corpus" (the rest of the file is left as ``run.py`` wrote it).

Cases (all on a small synthetic organization from ``trustmap synth``, 3 accounts, 1 region):

* ``wildcard-9-stars``: an Identity-account user's policy allows ``sts:AssumeRole`` on
  ``arn:aws:iam::*:role/*a*a*a*a*a*a*a*a*a*b`` (valid IAM) and every member account has a role with a
  64-character name of ``a`` (a backtracking matcher takes exponential time on it);
  ``wildcard-30-stars`` the same with 30 stars;
* ``role-name-10MB.zip`` / ``role-name-100MB.zip``: a role whose name (and ARN) is 10 MB / 100 MB,
  in a zip of about 0.1 / 1 MB;
* ``million-empty-files.tar.gz``: the organization plus 1,000,000 empty ``.json`` files (about 7 MB);
* ``condition-100k-values``: a member role's trust policy with one condition of 100,000 values;
* ``nested-gz-25x500MB.zip``: the organization plus 25 ``.json.gz`` members of 500 MB expanded each
  (12.5 GB in all, about 12 MB of zip).
* ``wildcard-long-runs``: an Identity-account user's policy allows ``sts:AssumeRole`` on 20 patterns
  ``arn:aws:iam::*:role/*aaa...ab01*`` (a run of 8,000 characters each), and each member account has
  10 roles named with 16,000 ``a``: 400 long pattern x long name pairs;
* ``schema-problems-300k``: a member account's authorization details with 300,000 ``null`` users;
* ``dense-empty-objects``: a member account's ``list-virtual-mfa-devices.json`` of 80,000,000 empty
  objects (240 MB, under the 256 MiB file limit);
* ``dense-assume-2000``: a member account with 2,000 roles that may all assume each other (each trusts
  the account root, each may ``sts:AssumeRole`` on ``*``): 4,000,000 ``can_assume`` edges;
  ``dense-assume-2000-identity`` the same in the Identity account, where each role is a way in.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench_run
from run import GIB, KEPT_SECTIONS, Measure, _env, measure

HERE = Path(__file__).resolve().parent
#: The target every case is judged against: finish within these, or be refused with a clear message.
MAX_SECONDS = 10.0
MAX_MEMORY = GIB
#: Generous enough for a case that misses the target to show by how much, without waiting forever.
TIMEOUT_SECONDS = 300  # --timeout
SECTION = KEPT_SECTIONS[0]  # run.py keeps this section when it rewrites RESULTS.md
#: The code before issue 11's fixes, measured the same way (``--code`` on ``git archive 06b21a5``, ``--save``).
BEFORE = HERE / "before" / "hostile-06b21a5.json"
BEFORE_LABEL = (
    "commit 06b21a5, measured the same way (`--code`; `role-name-100MB.zip` and `wildcard-30-stars` left out: "
    "the issue saw the first killed at 21.5 GB, the second cannot finish either), one run each"
)
#: Exit codes of a run stopped at the timeout (``timeout --signal=KILL``: 128 + 9, or the signal itself).
KILLED = frozenset({137, -9})

BuildCase = Callable[[Path, Path], Path]  # (base organization, scratch folder) -> bundle path


# --------------------------------------------------------------------------- the base organization


def base_organization(scratch: Path) -> Path:
    target = scratch / "base"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "analyzer",
            "synth",
            str(target),
            "--accounts",
            "3",
            "--regions",
            "1",
            "--seed",
            "0",
            "--force",
        ],
        env=_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (target / "EXPECTED.json").unlink()
    return target


def _manifest(base: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads((base / "manifest.json").read_text())
    return data


def _gaad_path(base: Path, account: str) -> Path:
    return base / account / "iam" / "get-account-authorization-details.json"


def _member_accounts(base: Path) -> list[str]:
    identity = _manifest(base)["identity_account"]
    return sorted(p.name for p in base.iterdir() if p.is_dir() and p.name.isdigit() and p.name != identity)


def _copy_base(base: Path, folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(base, folder)
    return folder


def _edit_gaad(bundle: Path, account: str, edit: Callable[[dict[str, object]], None]) -> None:
    path = _gaad_path(bundle, account)
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document, indent=4))


def _role(account: str, name: str, trust: dict[str, object]) -> dict[str, object]:
    return {
        "Path": "/",
        "RoleName": name,
        "RoleId": "AROAHOSTILE000000001",
        "Arn": f"arn:aws:iam::{account}:role/{name}",
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
    }


def _trust_identity(identity: str, condition: dict[str, object] | None = None) -> dict[str, object]:
    statement: dict[str, object] = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{identity}:root"},
        "Action": "sts:AssumeRole",
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _zip_folder(folder: Path, target: Path, extra: Iterable[tuple[str, Path]] = ()) -> Path:
    """Zip ``folder`` (deflated), then add ``extra`` (name in the zip, file) stored as they are."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
        for name, path in extra:
            archive.write(path, name, compress_type=zipfile.ZIP_STORED)
    return target


# --------------------------------------------------------------------------- the cases


def wildcard_case(stars: int) -> BuildCase:
    def build(base: Path, scratch: Path) -> Path:
        bundle = _copy_base(base, scratch / f"wildcard-{stars}-stars")
        identity = _manifest(bundle)["identity_account"]
        pattern = "arn:aws:iam::*:role/" + "*a" * stars + "*b"
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": pattern}],
        }

        def grant(document: dict[str, object]) -> None:
            users = document["UserDetailList"]
            assert isinstance(users, list)
            users[0]["UserPolicyList"] = [{"PolicyName": "hostile-wildcard", "PolicyDocument": policy}]

        _edit_gaad(bundle, identity, grant)
        for account in _member_accounts(bundle):

            def add_role(document: dict[str, object], account: str = account) -> None:
                roles = document["RoleDetailList"]
                assert isinstance(roles, list)
                roles.append(_role(account, "a" * 64, _trust_identity(identity)))

            _edit_gaad(bundle, account, add_role)
        return bundle

    return build


def role_name_case(megabytes: int) -> BuildCase:
    def build(base: Path, scratch: Path) -> Path:
        folder = _copy_base(base, scratch / f"role-name-{megabytes}MB")
        identity = _manifest(folder)["identity_account"]
        account = _member_accounts(folder)[0]
        path = _gaad_path(folder, account)
        document = json.loads(path.read_text())
        marker = "HOSTILE-ROLE-NAME"
        document["RoleDetailList"].append(_role(account, marker, _trust_identity(identity)))
        text = json.dumps(document, indent=4)
        head, _, tail = text.partition(marker)
        middle, _, rest = tail.partition(marker)
        name = "a" * (megabytes * 1000**2)
        with path.open("w") as handle:  # streamed: the name is written, never built into a document
            for part in (head, name, middle, name, rest):
                handle.write(part)
        del name
        target = _zip_folder(folder, scratch / f"role-name-{megabytes}MB.zip")
        shutil.rmtree(folder)
        return target

    return build


def million_files_case(count: int = 1_000_000) -> BuildCase:
    def build(base: Path, scratch: Path) -> Path:
        target = scratch / "million-empty-files.tar.gz"
        with tarfile.open(target, "w:gz", compresslevel=6) as archive:
            archive.add(base, arcname="bundle")
            info = tarfile.TarInfo()
            info.mtime = 0
            for index in range(count):
                info.name = f"bundle/filler/{index // 1000:04d}/{index:07d}.json"
                archive.addfile(info)
        return target

    return build


def condition_values_case(count: int = 100_000) -> BuildCase:
    def build(base: Path, scratch: Path) -> Path:
        bundle = _copy_base(base, scratch / "condition-100k-values")
        identity = _manifest(bundle)["identity_account"]
        account = _member_accounts(bundle)[0]
        values = [f"arn:aws:iam::{identity}:user/person-{index:06d}" for index in range(count)]
        condition = {"StringEquals": {"aws:PrincipalArn": values}}

        def add_role(document: dict[str, object]) -> None:
            roles = document["RoleDetailList"]
            assert isinstance(roles, list)
            roles.append(_role(account, "ManyValues", _trust_identity(identity, condition)))

        _edit_gaad(bundle, account, add_role)
        return bundle

    return build


def nested_gz_case(members: int = 25, expanded: int = 500 * 1000**2) -> BuildCase:
    def build(base: Path, scratch: Path) -> Path:
        bomb = scratch / "bomb.json.gz"
        chunk = b" " * (1024**2)
        with gzip.open(bomb, "wb", compresslevel=9) as handle:  # streamed: 1 MiB at a time
            handle.write(b"[")
            left = expanded - 2
            while left > 0:
                handle.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
            handle.write(b"]")
        extra = ((f"filler/big-{index:02d}.json.gz", bomb) for index in range(members))
        target = _zip_folder(base, scratch / f"nested-gz-{members}x{expanded // 1000**2}MB.zip", extra)
        bomb.unlink()
        return target

    return build


def long_runs_case(patterns: int = 20, roles: int = 10) -> BuildCase:
    """Long wildcard runs against long role names: each (pattern, role) pair cost 0.1-0.2 s in the
    regular-expression engine (every place of the run tried in full), and there are
    ``patterns`` x ``roles`` x members of them."""

    def build(base: Path, scratch: Path) -> Path:
        bundle = _copy_base(base, scratch / "wildcard-long-runs")
        identity = _manifest(bundle)["identity_account"]
        resources = [
            f"arn:aws:iam::*:role/*{'a' * 8000}{chr(ord('b') + index % 20)}{index:02d}*" for index in range(patterns)
        ]
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": resources}],
        }

        def grant(document: dict[str, object]) -> None:
            users = document["UserDetailList"]
            assert isinstance(users, list)
            users[0]["UserPolicyList"] = [{"PolicyName": "hostile-long-runs", "PolicyDocument": policy}]

        _edit_gaad(bundle, identity, grant)
        for account in _member_accounts(bundle):

            def add_roles(document: dict[str, object], account: str = account) -> None:
                listed = document["RoleDetailList"]
                assert isinstance(listed, list)
                listed.extend(
                    _role(account, "a" * 16_000 + f"{index:03d}", _trust_identity(identity)) for index in range(roles)
                )

            _edit_gaad(bundle, account, add_roles)
        return bundle

    return build


def schema_problems_case(count: int = 300_000) -> BuildCase:
    """A member account's authorization details with 300,000 ``null`` users (1.5 MB): as many
    schema problems, each listed, carried into every report (a million cost about 4 GB)."""

    def build(base: Path, scratch: Path) -> Path:
        bundle = _copy_base(base, scratch / "schema-problems-300k")
        account = _member_accounts(bundle)[0]
        path = _gaad_path(bundle, account)
        document = json.loads(path.read_text())
        document["UserDetailList"] = [None] * count
        path.write_text(json.dumps(document))
        return bundle

    return build


def dense_objects_case(count: int = 80_000_000) -> BuildCase:
    """A file of ``{},{},...``: 80 million empty objects in 240 MB, under the 256 MiB file limit
    (each ``{}`` of 3 bytes a dict of about 70 once parsed)."""

    def build(base: Path, scratch: Path) -> Path:
        bundle = _copy_base(base, scratch / "dense-empty-objects")
        account = _member_accounts(bundle)[0]
        path = bundle / account / "iam" / "list-virtual-mfa-devices.json"
        block = ",".join(["{}"] * 100_000)
        with path.open("w") as handle:  # streamed: a block at a time
            handle.write("[")
            for index in range(count // 100_000):
                handle.write(("," if index else "") + block)
            handle.write("]")
        return bundle

    return build


def dense_graph_case(roles: int = 2_000, *, identity: bool = False) -> BuildCase:
    """A member account (``identity``: the Identity account) with ``roles`` roles that may all assume
    each other: each trusts the account's root and its inline policy allows ``sts:AssumeRole`` on ``*``
    (``roles**2`` can_assume edges, about 4,000,000; valid IAM, and the roles quota can be raised to
    5,000). The account summary counts them. In the Identity account every role is also a way in for
    people (IDN-003, IDN-010 and the access map search from each)."""

    assume_any = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
    }

    def build(base: Path, scratch: Path) -> Path:
        bundle = _copy_base(base, scratch / f"dense-assume-{roles}{'-identity' if identity else ''}")
        account = _manifest(bundle)["identity_account"] if identity else _member_accounts(bundle)[0]
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}
            ],
        }

        def add_roles(document: dict[str, object]) -> None:
            listed = document["RoleDetailList"]
            assert isinstance(listed, list)
            for index in range(roles):
                role = _role(account, f"Dense-{index:04d}", trust)
                role["RoleId"] = f"AROADENSE{index:011d}"
                role["RolePolicyList"] = [{"PolicyName": "assume-any", "PolicyDocument": assume_any}]
                listed.append(role)

        _edit_gaad(bundle, account, add_roles)
        summary = bundle / account / "iam" / "get-account-summary.json"
        document = json.loads(summary.read_text())
        document["SummaryMap"]["Roles"] += roles
        document["SummaryMap"]["RolesQuota"] = max(document["SummaryMap"].get("RolesQuota", 0), 5_000)
        summary.write_text(json.dumps(document, indent=4))
        return bundle

    return build


CASES: dict[str, BuildCase] = {
    "wildcard-9-stars": wildcard_case(9),
    "wildcard-30-stars": wildcard_case(30),
    "role-name-10MB.zip": role_name_case(10),
    "role-name-100MB.zip": role_name_case(100),
    "million-empty-files.tar.gz": million_files_case(),
    "condition-100k-values": condition_values_case(),
    "nested-gz-25x500MB.zip": nested_gz_case(),
    "wildcard-long-runs": long_runs_case(),
    "schema-problems-300k": schema_problems_case(),
    "dense-empty-objects": dense_objects_case(),
    "dense-assume-2000": dense_graph_case(),
    "dense-assume-2000-identity": dense_graph_case(identity=True),
}


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    case: str
    command: str
    measure: Measure
    message: str  # what trustmap said when it refused the bundle or a file ("" when it did not)
    bundle_bytes: int
    timeout: int = TIMEOUT_SECONDS
    load: float = 0.0  # the machine's load average (1 minute) when the command started

    @property
    def within(self) -> bool:
        return self.measure.wall < MAX_SECONDS and self.measure.memory < MAX_MEMORY

    @property
    def verdict(self) -> str:
        if self.measure.rc in KILLED:
            return f"**fail** (killed after {self.timeout} s)"
        if self.measure.rc < 0 or self.measure.rc > 2:
            return "**fail** (crashed or killed)"
        if not self.within:
            return "**fail** (over the target)"
        return "pass (refused)" if self.message else "pass"


#: Lines of trustmap's output that say a bundle or a file was refused because of a limit: each such
#: message names the option that raises the limit.
_REFUSAL = re.compile(r"--max-[a-z-]+")


def _refusal(output: str) -> str:
    return next((line.strip() for line in output.splitlines() if _REFUSAL.search(line)), "")


def _shortened(message: str, length: int = 240) -> str:
    if len(message) <= length:
        return message
    return message[:length].rsplit(" ", 1)[0] + " ..."


def _bundle_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run_case(name: str, bundle: Path, scratch: Path, timeout: int = TIMEOUT_SECONDS, repeat: int = 2) -> list[Run]:
    """Each command ``repeat`` times: the best wall time (other work on the machine only ever adds
    time), the highest memory, as benchmarks/run.py measures."""
    python = sys.executable
    size = _bundle_bytes(bundle)
    runs = []
    commands = {
        "validate": [python, "-m", "analyzer", "validate", str(bundle)],
        "analyze": [python, "-m", "analyzer", "analyze", str(bundle), "--out", str(scratch / "out")],
    }
    for command, argv in commands.items():
        print(f"  {name}: {command}", flush=True)
        log = scratch / f"{command}.log"
        # through sh, which execs the command: its output goes to a file, not to the measuring pipe
        shell = f'exec timeout --signal=KILL {timeout} "$@" >"{log}" 2>&1'
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
        measured = measure(["sh", "-c", shell, "sh", *argv], repeat)
        said = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
        runs.append(Run(name, command, measured, _refusal(said), size, timeout, load))
        log.unlink(missing_ok=True)
        shutil.rmtree(scratch / "out", ignore_errors=True)
    return runs


# --------------------------------------------------------------------------- reporting


def _fmt_size(value: int) -> str:
    return f"{value / 1024**2:,.1f} MiB" if value >= 1024**2 else f"{value / 1024:,.0f} KiB"


def table(runs: list[Run]) -> list[str]:
    lines = [
        "| case | bundle | command | wall | CPU | load | peak memory | exit | verdict | what trustmap said |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        m = run.measure
        killed = m.rc in KILLED
        wall = f"> {run.timeout} s (killed)" if killed else f"{m.wall:.2f} s"
        cpu = "-" if killed else f"{m.cpu:.2f} s"
        said = _shortened(run.message).replace("|", "\\|") or "-"
        lines.append(
            f"| {run.case} | {_fmt_size(run.bundle_bytes)} | {run.command} | {wall} | {cpu} | {run.load:.1f} "
            f"| {m.memory / 1024**2:,.0f} MiB "
            f"| {m.rc} | {run.verdict} | {said} |"
        )
    return lines


def save_runs(path: Path, runs: list[Run]) -> None:
    data = [{**{k: v for k, v in vars(r).items() if k != "measure"}, "measure": vars(r.measure)} for r in runs]
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def load_runs(path: Path) -> list[Run]:
    return [Run(**{**item, "measure": Measure(**item["measure"])}) for item in json.loads(path.read_text())]


def section(runs: list[Run], before: list[Run] | None = None, before_label: str = "") -> str:
    met = sum(1 for r in runs if r.verdict.startswith("pass"))
    lines = [
        SECTION,
        "",
        "Measured by `python benchmarks/hostile.py` on the machine above: each case of issue 11 generated "
        "into a temporary folder, then `trustmap validate` and `trustmap analyze` (all outputs), each in a "
        f"fresh process. Target: under {MAX_SECONDS:.0f} s and {MAX_MEMORY // GIB} GiB, or refused with a clear "
        "message (exit 2 for a refused bundle; a refused file is `invalid`, exit 1 from validate). Memory is the "
        "peak of all the processes together, as above; wall is the best of the runs made, CPU the user and "
        "system time of all the processes, load the machine's load average when the command started "
        "(2 cores: other work on the machine only ever adds wall time).",
        "",
        *table(runs),
        "",
        f"{met} of {len(runs)} runs meet the target.",
    ]
    if before:
        kept = sum(1 for r in before if r.verdict.startswith("pass"))
        lines += [
            "",
            f"### Before: {before_label}",
            "",
            *table(before),
            "",
            f"{kept} of {len(before)} runs met the target.",
        ]
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Put ``text`` in place of the file's "Hostile corpus" section (up to the next ``## `` heading), or at the end."""
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
    parser.add_argument("--cases", default=",".join(CASES), help="case names, comma separated")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it (default: a temp folder)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--timeout", type=int, default=TIMEOUT_SECONDS, help="seconds before a run is killed")
    parser.add_argument("--repeat", type=int, default=2, help="runs per measurement; the best wall time is kept")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--save", type=Path, help="also write the measurements to this JSON file")
    parser.add_argument(
        "--render", type=Path, help="measure nothing: write the section from measurements saved earlier"
    )
    parser.add_argument(
        "--before",
        type=Path,
        default=BEFORE,
        help="measurements saved (--save) from an earlier version, shown as 'Before' (default: %(default)s)",
    )
    parser.add_argument(
        "--code",
        type=Path,
        help="the trustmap source tree to measure instead of this one (e.g. an older commit from `git archive`)",
    )
    args = parser.parse_args(argv)
    results = args.results.resolve()
    before_path = args.before.resolve() if args.before is not None else None
    save_path = args.save.resolve() if args.save is not None else None
    if args.code is not None:
        bench_run.ROOT = args.code.resolve()  # what run._env() puts first on PYTHONPATH
    names = [n for n in args.cases.split(",") if n]
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(CASES)}")
    if args.render is not None:
        before = load_runs(before_path) if before_path is not None and before_path.is_file() else None
        text = section(load_runs(args.render), before, BEFORE_LABEL)
        print(text)
        if not args.no_write:
            write_section(results, text)
        return
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="trustmap-hostile-") as temp:
        scratch = Path(temp) if args.keep is None else args.keep
        scratch.mkdir(parents=True, exist_ok=True)
        os.chdir(scratch)  # `python -m analyzer` imports from the working folder first: not from this checkout
        base = base_organization(scratch)
        for name in names:
            start = time.perf_counter()
            bundle = CASES[name](base, scratch)
            print(f"{name}: generated in {time.perf_counter() - start:.1f} s ({_fmt_size(_bundle_bytes(bundle))})")
            runs.extend(run_case(name, bundle, scratch, args.timeout, args.repeat))
            if args.keep is None:
                if bundle.is_dir():
                    shutil.rmtree(bundle)
                else:
                    bundle.unlink()
    if save_path is not None:
        save_runs(save_path, runs)
    before = load_runs(before_path) if before_path is not None and before_path.is_file() else None
    text = section(runs, before, BEFORE_LABEL)
    print(text)
    if not args.no_write:
        write_section(results, text)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
