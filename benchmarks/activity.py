"""Benchmark the reading of CloudTrail log files (issue 16) against the floor, at growing volumes.

    python benchmarks/activity.py [--gib 0.2,0.5,1.0] [--accounts 10] [--regions 2] [--days 10]
                                  [--repeat 1] [--results benchmarks/RESULTS.md]

Writes once, under ``benchmarks/cache/activity/`` (git-ignored), a bundle holding the largest volume of
gzip CloudTrail log files (``--gib`` of compressed logs, the last value) over ``--days`` days, with a
signed digest per account, region and day; each smaller volume is the first days of it (hard links, no
copy). Each log file is realistic in shape and size: 200 to 5,000 records (median about 800) of some
forty API calls by role sessions, AWS services, IAM users and the odd root or console sign-in, with
request and response elements, delivered every half hour per account and region.

Measured, each in a fresh process (``run.measure``: wall time, peak memory of the process tree):

* ``floor``: the fastest single-process reader of the same files: each one read, gunzipped (zlib) and
  parsed whole (``json.loads``), nothing kept;
* ``read``: trustmap's reading of the records (:func:`analyzer.activity.logs.read_records`: DuckDB over
  the ``.json.gz`` files, the prefilter and every detection query), the part that grows with the logs;
* ``analyze``: ``trustmap analyze`` of the bundle, every output: the loader (which places each log
  file and hashes its decompressed bytes for the integrity check), the read, the integrity check, the
  rules and the reports.

The throughput target is a ratio measured in one run: trustmap's bytes per second at least half of the
floor's times the cores it uses; memory under 2 GiB whatever the volume; time near-linear in the
volume. Results go to the "Activity logs" section of RESULTS.md (``run.py`` keeps it), followed by
the hand-written ``benchmarks/activity-notes.md``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from run import CACHE, GIB, Measure, machine, measure

from analyzer.activity.build import TrailWriter
from analyzer.activity.logs import MAX_THREADS
from analyzer.synth.activity_key import synthetic_signing_key

HERE = Path(__file__).resolve().parent
ACTIVITY = CACHE / "activity"
SECTION = "## Activity logs"
MIB = 1024**2
FIRST_DAY = datetime(2026, 11, 1, tzinfo=UTC)
BUCKET = "org-central-logs"
OWNER = "999999999999"

#: (eventSource, eventName, share): a management-event mix of the kind an organization's trail records.
CALLS = (
    ("ec2.amazonaws.com", "DescribeInstances", 12), ("sts.amazonaws.com", "AssumeRole", 6),
    ("kms.amazonaws.com", "Decrypt", 10), ("kms.amazonaws.com", "GenerateDataKey", 8),
    ("s3.amazonaws.com", "ListBuckets", 3), ("s3.amazonaws.com", "GetBucketAcl", 5),
    ("iam.amazonaws.com", "GetRole", 4), ("iam.amazonaws.com", "ListRoles", 2),
    ("logs.amazonaws.com", "CreateLogStream", 6), ("lambda.amazonaws.com", "ListFunctions20150331", 2),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", 5), ("ec2.amazonaws.com", "DescribeVolumes", 4),
    ("cloudtrail.amazonaws.com", "LookupEvents", 1), ("config.amazonaws.com", "PutEvaluations", 3),
    ("ssm.amazonaws.com", "UpdateInstanceInformation", 8), ("ecr.amazonaws.com", "GetAuthorizationToken", 3),
    ("dynamodb.amazonaws.com", "DescribeTable", 3), ("sqs.amazonaws.com", "ListQueues", 1),
    ("secretsmanager.amazonaws.com", "GetSecretValue", 3), ("signin.amazonaws.com", "ConsoleLogin", 1),
    ("monitoring.amazonaws.com", "PutMetricAlarm", 1), ("elasticloadbalancing.amazonaws.com",
    "DescribeTargetHealth", 3), ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", 3),
    ("organizations.amazonaws.com", "DescribeOrganization", 1), ("cloudtrail.amazonaws.com", "PutEventSelectors", 0),
)  # fmt: skip
USER_AGENTS = (
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2 prompt/off command/ec2.describe-instances",
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8 cfg/retry-mode#legacy",
    "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/kms#1.29.2",
    "config.amazonaws.com",
    "ssm-agent",
    "AWS Internal",
    "console.amazonaws.com",
)


def _identity(rng: random.Random, account: str) -> dict[str, object]:
    draw = rng.random()
    if draw < 0.55:
        role = rng.choice(("AppRuntime", "Deployer", "AWSServiceRoleForConfig", "ReadOnly", "ci-runner"))
        session = f"{role.lower()}-{rng.randrange(10**6):06d}"
        return {
            "type": "AssumedRole",
            "principalId": f"AROA{rng.randrange(16**12):012X}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
            "accountId": account,
            "accessKeyId": f"ASIA{rng.randrange(16**16):016X}",
            "sessionContext": {
                "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE", "accountId": account,
                                  "arn": f"arn:aws:iam::{account}:role/{role}", "userName": role},
                "attributes": {"creationDate": "2026-11-01T08:00:00Z", "mfaAuthenticated": str(draw < 0.1).lower()},
            },
        }  # fmt: skip
    if draw < 0.9:
        return {"type": "AWSService", "invokedBy": rng.choice(("ec2.amazonaws.com", "config.amazonaws.com"))}
    if draw < 0.999:
        name = f"svc-user-{rng.randrange(40)}"
        return {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": f"arn:aws:iam::{account}:user/{name}",
                "accountId": account, "accessKeyId": f"AKIA{rng.randrange(16**16):016X}", "userName": name}  # fmt: skip
    return {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root", "accountId": account}


def _record(rng: random.Random, account: str, region: str, when: datetime, calls: list[tuple[str, str]]) -> str:
    source, name = rng.choice(calls)
    request = {
        "instancesSet": {"items": [{"instanceId": f"i-{rng.randrange(16**17):017x}"} for _ in range(rng.randrange(4))]},
        "filterSet": {}, "maxResults": rng.choice((50, 100, 1000)),
    }  # fmt: skip
    if name == "AssumeRole":
        request = {"roleArn": f"arn:aws:iam::{account}:role/Deployer", "roleSessionName": "deploy",
                   "durationSeconds": 3600}  # fmt: skip
    entry = {
        "eventVersion": "1.09",
        "userIdentity": _identity(rng, account),
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
        "userAgent": rng.choice(USER_AGENTS),
        "requestParameters": request,
        "responseElements": None if rng.random() < 0.7 else {"requestId": f"{rng.randrange(16**32):032x}"},
        "requestID": f"{rng.randrange(16**32):032x}",
        "eventID": f"{rng.randrange(16**32):032x}",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": f"{source.split('.')[0]}.{region}.amazonaws.com"},
    }  # fmt: skip
    if name == "ConsoleLogin":
        entry["responseElements"] = {"ConsoleLogin": "Success"}
        entry["additionalEventData"] = {"MFAUsed": "Yes", "MobileVersion": "No"}
    return json.dumps(entry, separators=(",", ":"))


@dataclass(frozen=True)
class Layout:
    accounts: int
    regions: int
    days: int
    gib: float

    @property
    def files_per_day(self) -> int:
        return 48  # every half hour, per account and region

    def records_per_file(self) -> float:
        """About 128 bytes compressed per record (measured on these records): enough for ``gib``."""
        files = self.accounts * self.regions * self.days * self.files_per_day
        return self.gib * GIB / files / 128


#: Distinct records drawn from; each use gets its own eventTime and eventID (a 32 KiB gzip window holds
#: about 30 records, so repeats across a file barely help the compression).
POOL = 20_000


def _pool(rng: random.Random, account: str, region: str, calls: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Records split around their eventTime and eventID: (before the time, between, after the id)."""
    found = []
    marker = datetime(2000, 1, 1, tzinfo=UTC)
    for _ in range(POOL // 4):
        text = _record(rng, account, region, marker, calls)
        head, rest = text.split('"2000-01-01T00:00:00Z"', 1)
        event_id = json.loads(text)["eventID"]
        middle, tail = rest.split(event_id, 1)
        found.append((head + '"', '"' + middle, tail))
    return found


def generate(layout: Layout, folder: Path) -> None:
    """The bundle of ``layout`` (deterministic), with the manifest of its whole period."""
    rng = random.Random(f"activity-bench:{layout}")
    calls = [(s, n) for s, n, share in CALLS for _ in range(share)]
    key = synthetic_signing_key()
    mean = layout.records_per_file()
    for a in range(layout.accounts):
        account = f"{100000000000 + a * 1111:012d}"
        for region in ("us-east-1", "eu-west-1", "eu-central-1", "us-west-2")[: layout.regions]:
            pool = _pool(rng, account, region, calls)
            writer = TrailWriter(folder, f"{OWNER}/s3/{BUCKET}", BUCKET, account, region, key, gzip_files=True)
            for day in range(layout.days):
                start = FIRST_DAY + timedelta(days=day)
                for slot in range(layout.files_per_day):
                    delivered = start + timedelta(minutes=30 * slot + 29)
                    count = max(20, min(int(rng.lognormvariate(0, 0.6) * mean), int(mean * 8)))
                    records = []
                    for _ in range(count):
                        head, middle, tail = rng.choice(pool)
                        when = delivered - timedelta(seconds=rng.randrange(1800))
                        records.append(f"{head}{when:%Y-%m-%dT%H:%M:%SZ}{middle}{rng.getrandbits(128):032x}{tail}")
                    _log_file(writer, delivered, "[" + ",".join(records) + "]")
                writer.digest(start + timedelta(days=1, minutes=30), hours=24)
    _manifest(folder, layout.days)


def _log_file(writer: TrailWriter, delivered: datetime, records: str) -> None:
    """``TrailWriter.log_file`` for records already serialized (json.dumps of every record is the slow part)."""
    key = writer.log_key(delivered)
    content = ('{"Records":' + records + "}").encode()
    target = writer.root / writer.prefix / key
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(gzip.compress(content, compresslevel=6, mtime=0))
    writer.logs.append((key, hashlib.sha256(content).hexdigest(), delivered))


def _manifest(folder: Path, days: int) -> None:
    last = FIRST_DAY + timedelta(days=days - 1)
    manifest = {
        "collected_at": f"{last + timedelta(days=1, hours=10):%Y-%m-%dT%H:%M:%SZ}",
        "log_bucket": BUCKET,
        "partition": "aws",
        "activity_period": {"start": f"{FIRST_DAY:%Y-%m-%d}", "end": f"{last:%Y-%m-%d}"},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def subset(full: Path, days: int, folder: Path) -> None:
    """The first ``days`` days of ``full`` (log and digest files hard-linked), with their manifest."""
    if folder.exists():
        shutil.rmtree(folder)
    wanted = {f"{FIRST_DAY + timedelta(days=d):%Y/%m/%d}" for d in range(days)}
    digest_days = {f"{FIRST_DAY + timedelta(days=d + 1):%Y/%m/%d}" for d in range(days)}
    for path in full.rglob("*.json*"):
        rel = path.relative_to(full)
        text = str(rel)
        in_logs = "/CloudTrail/" in text and any(f"/{d}/" in text for d in wanted)
        in_digests = "/CloudTrail-Digest/" in text and any(f"/{d}/" in text for d in digest_days)
        if in_logs or in_digests:
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    _manifest(folder, days)


def log_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*_CloudTrail_*.json.gz"))


FLOOR = """
import json, sys, zlib
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob("*_CloudTrail_*.json.gz")):
    json.loads(zlib.decompress(path.read_bytes(), 31))
"""

READ = """
import sys
from pathlib import Path
from analyzer.activity.logs import read_records
rows = read_records([str(p) for p in sorted(Path(sys.argv[1]).rglob("*_CloudTrail_*.json.gz"))])
assert rows.events["console_logins"], "the prefilter kept the console sign-ins"
"""


@dataclass
class VolumeResult:
    days: int
    files: int
    compressed: int
    expanded: int
    measures: dict[str, Measure]

    def throughput(self, name: str) -> float:
        return self.compressed / self.measures[name].wall


def run_volume(folder: Path, days: int, repeat: int) -> VolumeResult:
    files = log_files(folder)
    compressed = sum(p.stat().st_size for p in files)
    expanded = sum(int.from_bytes(p.read_bytes()[-4:], "little") for p in files)
    out = folder.parent / f"{folder.name}-out"
    limits = ["--max-expanded-bytes", str(4 * expanded + GIB), "--max-members", "2000000"]
    measures = {
        "floor": measure([sys.executable, "-c", FLOOR, str(folder)], repeat),
        "read": measure([sys.executable, "-c", READ, str(folder)], repeat),
        "analyze": measure(
            [sys.executable, "-m", "analyzer", "analyze", str(folder), "--out", str(out), *limits], repeat
        ),
    }
    shutil.rmtree(out, ignore_errors=True)
    for name, found in measures.items():
        if found.rc:
            raise SystemExit(f"{name} failed on {folder} (exit {found.rc})")
    return VolumeResult(days, len(files), compressed, expanded, measures)


def cores() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_THREADS))


def lines(results: list[VolumeResult], layout: Layout) -> list[str]:
    used = cores()
    out = [
        SECTION,
        "",
        f"`python benchmarks/activity.py` (issue 16): {layout.accounts} accounts x {layout.regions} regions, a "
        "gzip log file every half hour per account and region (200 to 5,000 records, median about 800), a "
        "signed digest per account, region and day; the smaller volumes are the first days of the largest. "
        f"DuckDB uses {used} thread(s) here (the machine's cores, at most {MAX_THREADS}); the machine was "
        "shared with other work, so the ratios (measured in one run) mean more than the seconds.",
        "",
        "| compressed | expanded | files | floor | read | analyze | read / (floor x cores) "
        "| analyze / (floor x cores) | CPU floor | CPU read | CPU analyze | CPU read / floor "
        "| memory read | memory analyze |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        floor = r.throughput("floor")
        m = r.measures
        out.append(
            f"| {r.compressed / MIB:,.0f} MiB | {r.expanded / MIB:,.0f} MiB | {r.files:,} "
            f"| {m['floor'].wall:.1f} s | {m['read'].wall:.1f} s | {m['analyze'].wall:.1f} s "
            f"| {r.throughput('read') / (floor * used):.2f} | {r.throughput('analyze') / (floor * used):.2f} "
            f"| {m['floor'].cpu:.1f} s | {m['read'].cpu:.1f} s | {m['analyze'].cpu:.1f} s "
            f"| {m['read'].cpu / m['floor'].cpu:.2f} "
            f"| {m['read'].memory / MIB:,.0f} MiB | {m['analyze'].memory / MIB:,.0f} MiB |"
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        scale = last.compressed / first.compressed
        for name in ("read", "analyze"):
            grown = last.measures[name].wall / first.measures[name].wall
            cpu = last.measures[name].cpu / first.measures[name].cpu
            out.append("")
            out.append(
                f"Linearity, {name}: {scale:.1f}x the volume took {grown:.2f}x the wall time and {cpu:.2f}x "
                f"the CPU time ({grown / scale:.2f} and {cpu / scale:.2f} of linear)."
            )
    return out


#: Hand-written reading of the figures, appended to the section each time the script rewrites it.
NOTES = HERE / "activity-notes.md"


def write_section(path: Path, section: list[str]) -> None:
    old = path.read_text(encoding="utf-8") if path.is_file() else ""
    start = old.find(SECTION + "\n")
    text = "\n".join(section).rstrip() + "\n"
    if NOTES.is_file():
        text += "\n" + NOTES.read_text(encoding="utf-8").rstrip() + "\n"
    if start < 0:
        new = old.rstrip() + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(SECTION))
        new = old[:start] + text + (old[end:] if end >= 0 else "")
    path.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--gib", default="0.2,0.5,1.0", help="compressed volumes, GiB, comma separated")
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--regions", type=int, default=2)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    volumes = sorted(float(v) for v in args.gib.split(","))
    layout = Layout(args.accounts, args.regions, args.days, volumes[-1])
    full = ACTIVITY / f"full-{layout.gib}g-{layout.accounts}a-{layout.regions}r-{layout.days}d"
    if not (full / "manifest.json").is_file():
        shutil.rmtree(full, ignore_errors=True)
        generate(layout, full)
    results = []
    for volume in volumes:
        days = max(1, round(layout.days * volume / layout.gib))
        folder = full if days == layout.days else ACTIVITY / f"days-{days}"
        if folder is not full:
            subset(full, days, folder)
        result = run_volume(folder, days, args.repeat)
        results.append(result)
        print(lines([result], layout)[-1], flush=True)
    section = lines(results, layout)
    section += ["", "Machine: " + ", ".join(f"{k} {v}" for k, v in machine().items())]
    write_section(args.results, section)
    print("\n".join(section))


if __name__ == "__main__":
    main()
