"""``trustmap collect``: read an account or a whole organization into an evidence bundle.

Order of work: who is calling -> (with ``--org``) the organization, its accounts and SCPs -> for
every account in parallel: its IAM files, credential report, enabled regions and, per region,
CloudTrail and Config -> the central log bucket's policy from the account that owns it ->
``manifest.json`` -> (for ``.zip``) a deterministic archive. Every call that fails leaves
``<name>.error.json`` where its output would be and a ``failed`` entry in the manifest.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analyzer import __version__
from analyzer.collect import plan
from analyzer.collect.activity import ActivityCollector, ActivityTally, Period
from analyzer.collect.archive import zip_directory
from analyzer.collect.aws import (
    CALL_ERRORS,
    SESSION_NAME,
    AccountSessions,
    call,
    default_region,
    failure_of,
    open_caller,
)
from analyzer.collect.operations import Operation
from analyzer.collect.store import BundleStore, CallRecord
from analyzer.collect.tasks import NoProgress, Progress, TaskPool

DEFAULT_ROLE = "OrganizationAccountAccessRole"
#: Waits between credential-report generation checks (seconds); the report is usually ready in seconds.
REPORT_WAITS: tuple[float, ...] = (1, 2, 2, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8)


@dataclass(frozen=True, slots=True)
class CollectOptions:
    out: Path
    org: bool = False
    role_name: str = DEFAULT_ROLE
    accounts: tuple[str, ...] | None = None  # None: the caller's account, or every active one with org
    regions: tuple[str, ...] | None = None  # None: every region enabled in the account
    profile: str | None = None
    log_bucket: str | None = None
    log_bucket_account: str | None = None
    identity_account: str | None = None
    workers: int = 8
    max_attempts: int = 10
    activity: Period | None = None  # --activity --since/--until: the period's CloudTrail objects


@dataclass(slots=True)
class CollectSummary:
    bundle: Path
    accounts: tuple[str, ...]
    calls: int
    failed: dict[str, int]  # error code -> count
    reused: int
    log_bucket: str | None
    log_bucket_account: str | None
    warnings: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC)


def collect(
    options: CollectOptions,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = _now,
    sleep: Callable[[float], None] = time.sleep,
) -> CollectSummary:
    """Collect into ``options.out`` (a directory, or a ``.zip`` built from ``<out>.partial/``)."""
    started = clock().astimezone(UTC).replace(microsecond=0)
    zipped = options.out.suffix.lower() == ".zip"
    work = options.out.with_name(options.out.name + ".partial") if zipped else options.out
    base, caller, home, config = open_caller(options.profile, options.max_attempts)
    work.mkdir(parents=True, exist_ok=True)
    sessions = AccountSessions(base, caller, options.role_name, home, config, SESSION_NAME, options.profile)
    run = _Run(options, BundleStore(work), sessions, progress or NoProgress(), sleep)
    run.store.record(CallRecord("sts:GetCallerIdentity", caller.account, None, None, "ok"))
    with TaskPool(options.workers) as pool:
        run.pool = pool
        accounts = run.organization() if options.org else sorted(set(options.accounts or (caller.account,)))
        for account in accounts:
            run.progress.expect(1)
            pool.submit(run.account, account)
        pool.drain()
        run.central_bucket()
        pool.drain()
        if options.activity is not None:
            run.activity(options.activity, accounts)
    manifest = run.manifest(started, accounts)
    run.store.write("manifest.json", manifest)
    if zipped:
        zip_directory(work, options.out)
        shutil.rmtree(work)
    calls = run.store.calls
    failed: dict[str, int] = {}
    for entry in calls:
        if entry.status == "failed":
            failed[entry.error or "?"] = failed.get(entry.error or "?", 0) + 1
    bucket = manifest.get("central_bucket") or {}
    return CollectSummary(
        bundle=options.out,
        accounts=tuple(accounts),
        calls=len(calls),
        failed=dict(sorted(failed.items())),
        reused=sum(1 for c in calls if c.status == "reused"),
        log_bucket=bucket.get("name"),
        log_bucket_account=bucket.get("account"),
        warnings=sorted(run.warnings),
    )


class _Run:
    """The state of one collection, shared by the worker threads (mutable parts behind a lock)."""

    def __init__(
        self,
        options: CollectOptions,
        store: BundleStore,
        sessions: AccountSessions,
        progress: Progress,
        sleep: Callable[[float], None],
    ) -> None:
        self.options = options
        self.store = store
        self.sessions = sessions
        self.progress = progress
        self.sleep = sleep
        self.pool: TaskPool | None = None
        self.warnings: list[str] = []
        self._lock = threading.Lock()
        self._trail_buckets: dict[str, str] = {}
        self._listings: dict[str, dict[str, str | None]] = {}  # account -> bucket -> region (if listed)
        self.bucket: tuple[str | None, str | None] = (None, None)  # the central bucket and its owner
        self.bucket_region: str | None = None
        self._trail_prefixes: set[tuple[str, str]] = set()  # (bucket, key prefix ending in / or "")
        self._account_regions: dict[str, list[str]] = {}
        self.activity_tally: ActivityTally | None = None

    # ------------------------------------------------------------------ one call

    def fetch(
        self,
        op: Operation,
        account: str,
        region: str | None,
        file: str | None,
        params: Mapping[str, Any] | None = None,
        client_region: str | None = None,
        error_file: str | None = None,
    ) -> dict[str, Any] | None:
        """One call: reuse a complete file, else call, write the answer or the error record, log it.

        ``error_file`` is where a failure is recorded for a call whose answer is not kept as a file.
        """
        try:
            if file is not None:
                existing = self.store.complete(file)
                if isinstance(existing, dict):
                    self.store.record(CallRecord(op.label, account, region, file, "reused"))
                    return existing
            try:
                client = self.sessions.client(account, op.service, client_region or region)
                document = call(client, op.name, params)
            except CALL_ERRORS as exc:
                failure = failure_of(exc)
                if (file or error_file) is not None:
                    self.store.write_error(file or str(error_file), failure.code, failure.message)
                self.store.record(CallRecord(op.label, account, region, file, "failed", failure.code))
                return None
            if file is not None:
                self.store.write(file, document)
            self.store.record(CallRecord(op.label, account, region, file, "ok"))
            return document
        finally:
            self.progress.advance()

    def _submit(self, task: Callable[..., None], *args: Any) -> None:
        assert self.pool is not None
        self.progress.expect(1)
        self.pool.submit(task, *args)

    def _fetch_task(self, op: Operation, account: str, region: str | None, file: str, params: Any = None) -> None:
        self.fetch(op, account, region, file, params)

    def warn(self, message: str) -> None:
        with self._lock:
            self.warnings.append(message)

    # ------------------------------------------------------------------ organization

    def organization(self) -> list[str]:
        """The organization's files, its SCPs (in the pool), and the accounts to collect."""
        me = self.sessions.caller.account
        self.progress.expect(len(plan.ORG_STEPS) + 2)
        for step in plan.ORG_STEPS:
            self.fetch(step.operation, me, None, plan.org_file(step.file))
        listed = self.fetch(plan.LIST_ACCOUNTS.operation, me, None, plan.org_file(plan.LIST_ACCOUNTS.file))
        scp_filter = {"Filter": "SERVICE_CONTROL_POLICY"}
        policies = self.fetch(
            plan.LIST_POLICIES.operation, me, None, None, scp_filter, error_file=plan.org_file(plan.LIST_POLICIES.file)
        )
        for policy in (policies or {}).get("Policies", []):
            pid = str(policy.get("Id"))
            self._submit(self._fetch_task, plan.DESCRIBE_POLICY, me, None, plan.policy_file(pid), {"PolicyId": pid})
            self._submit(self._fetch_task, plan.LIST_TARGETS, me, None, plan.targets_file(pid), {"PolicyId": pid})
        if listed is None:
            self.warn("organizations:ListAccounts failed: collecting only the calling account " + me)
            accounts = [me]
        else:
            accounts = plan.active_accounts(listed)
        if self.options.accounts:
            wanted = set(self.options.accounts)
            missing = sorted(wanted - set(accounts))
            if missing and listed is not None:
                self.warn(f"accounts not ACTIVE in the organization, collected anyway: {', '.join(missing)}")
            accounts = sorted(wanted)
        if me in accounts:  # centralized root access is an organization feature, read where the org is managed
            features = plan.account_file(me, plan.ORG_FEATURES.file)
            self._submit(self._fetch_task, plan.ORG_FEATURES.operation, me, None, features)
        return accounts

    # ------------------------------------------------------------------ accounts and regions

    def account(self, account: str) -> None:
        failure = self.sessions.open(account)
        if failure is not None:
            for name in plan.ACCOUNT_FILES:
                file = plan.account_file(account, name)
                if self.store.complete(file) is None:
                    self.store.write_error(file, failure.code, failure.message)
            self.store.record(CallRecord("sts:AssumeRole", account, None, None, "failed", failure.code))
            self.warn(f"account {account} could not be reached: {failure.code}: {failure.message}")
            self.progress.advance()
            return
        for step in plan.ACCOUNT_STEPS:
            self._submit(self._fetch_task, step.operation, account, None, plan.account_file(account, step.file))
        self._submit(self.credential_report, account)
        self._submit(self.list_buckets, account)
        regions = self._regions(account)
        with self._lock:
            self._account_regions[account] = regions
        for region in regions:
            self._submit(self.region, account, region)
            for step in plan.REGION_STEPS:
                self._submit(
                    self._fetch_task, step.operation, account, region, plan.region_file(account, region, step.file)
                )

    def _regions(self, account: str) -> list[str]:
        home = self.sessions.home_region
        file = plan.account_file(account, plan.DESCRIBE_REGIONS.file)
        described = self.fetch(plan.DESCRIBE_REGIONS.operation, account, None, file, client_region=home)
        if self.options.regions:
            return sorted(set(self.options.regions))
        if described is None:
            self.warn(f"account {account}: ec2:DescribeRegions failed; collected only the home region {home}")
            return [home]
        return plan.enabled_regions(described) or [home]

    def region(self, account: str, region: str) -> None:
        file = plan.region_file(account, region, plan.DESCRIBE_TRAILS.file)
        trails = self.fetch(plan.DESCRIBE_TRAILS.operation, account, region, file)
        if trails is None:
            return
        with self._lock:
            self._trail_buckets.update(plan.trail_buckets(trails))
            self._trail_prefixes.update(plan.trail_prefixes(trails))
        for name, ident in plan.home_trails(trails, region):
            status = plan.trail_status_file(account, region, name)
            selectors = plan.trail_selectors_file(account, region, name)
            self._submit(self._fetch_task, plan.TRAIL_STATUS, account, region, status, {"Name": ident})
            self._submit(self._fetch_task, plan.TRAIL_SELECTORS, account, region, selectors, {"TrailName": ident})

    def credential_report(self, account: str) -> None:
        """Generate the report (waiting while AWS builds it), then read it as get-credential-report."""
        file = plan.account_file(account, plan.CREDENTIAL_REPORT.file)
        if not isinstance(self.store.complete(file), dict):
            for wait in (*REPORT_WAITS, None):
                state = self._generate(account)
                if state is None:
                    self.progress.advance()
                    return  # the failure is recorded as the report's error record
                if state == "COMPLETE" or wait is None:
                    break
                self.sleep(wait)
        self.fetch(plan.CREDENTIAL_REPORT.operation, account, None, file, client_region=self.sessions.home_region)

    def _generate(self, account: str) -> str | None:
        op = plan.GENERATE_REPORT
        try:
            answer = call(self.sessions.client(account, "iam"), op.name)
        except CALL_ERRORS as exc:
            failure = failure_of(exc)
            file = plan.account_file(account, plan.CREDENTIAL_REPORT.file)
            self.store.write_error(file, failure.code, f"{op.label}: {failure.message}")
            self.store.record(CallRecord(op.label, account, None, None, "failed", failure.code))
            return None
        self.store.record(CallRecord(op.label, account, None, None, "ok"))
        return str(answer.get("State", ""))

    def list_buckets(self, account: str) -> None:
        listed = self.fetch(plan.LIST_BUCKETS, account, None, None, client_region=self.sessions.home_region)
        if listed is not None:
            with self._lock:
                self._listings[account] = {
                    str(b["Name"]): b.get("BucketRegion") for b in listed.get("Buckets", []) if "Name" in b
                }

    # ------------------------------------------------------------------ central bucket

    def central_bucket(self) -> None:
        bucket = self.options.log_bucket or plan.central_bucket(self._trail_buckets)
        if bucket is None:
            self.warn("no trail delivers to a bucket and --log-bucket was not given: no bucket policy collected")
            return
        listings = {a: list(names) for a, names in self._listings.items()}
        owner = self.options.log_bucket_account or plan.bucket_owner(bucket, listings)
        self.bucket = (bucket, owner)
        if owner is None:
            self.warn(f"bucket {bucket}: no collected account lists it (s3 list-buckets); pass --log-bucket-account")
            return
        failure = self.sessions.open(owner)
        file = plan.bucket_policy_file(owner, bucket)
        self.progress.expect(2)
        if failure is not None:
            self.store.write_error(file, failure.code, failure.message)
            self.store.record(CallRecord("sts:AssumeRole", owner, None, None, "failed", failure.code))
            self.progress.advance(2)
            return
        region = self._bucket_region(owner, bucket)
        self.bucket_region = region
        self.fetch(plan.BUCKET_POLICY, owner, None, file, {"Bucket": bucket}, client_region=region)

    def _bucket_region(self, owner: str, bucket: str) -> str:
        listed = self._listings.get(owner, {}).get(bucket)
        if listed:
            self.progress.advance()
            return listed
        partition_default = default_region(self.sessions.caller.partition)
        home = self.sessions.home_region
        location = self.fetch(plan.BUCKET_LOCATION, owner, None, None, {"Bucket": bucket}, client_region=home)
        return plan.location_region(location or {}, partition_default if location is not None else home)

    # ------------------------------------------------------------------ activity

    def activity(self, period: Period, accounts: list[str]) -> None:
        """The period's objects from the central bucket; lookup-events in every account where it cannot be read."""
        collector = ActivityCollector(self.sessions, self.store, self.progress, period)
        self.activity_tally = collector.tally
        bucket, owner = self.bucket
        copied = False
        if bucket and owner and self.bucket_region and self.sessions.open(owner) is None:
            prefixes = {prefix for name, prefix in self._trail_prefixes if name == bucket}
            copied = collector.from_bucket(bucket, owner, self.bucket_region, prefixes)
        if not copied:
            self.warn(
                f"the central bucket {bucket or '(unknown)'} could not be listed: activity from cloudtrail "
                "lookup-events (management events only, 90 days at most) in every collected account"
            )
            for account in accounts:
                if account in self._account_regions:
                    collector.lookup_events(account, self._account_regions[account])
        for warning in collector.tally.warnings[:20]:
            self.warn(warning)

    # ------------------------------------------------------------------ manifest

    def manifest(self, started: datetime, accounts: list[str]) -> dict[str, Any]:
        previous = self.store.complete("manifest.json")
        collected_at = started.strftime("%Y-%m-%dT%H:%M:%SZ")
        document: dict[str, Any] = {"collected_at": collected_at}
        if isinstance(previous, dict) and isinstance(previous.get("collected_at"), str):
            document["collected_at"] = min(previous["collected_at"], collected_at)
            document["resumed_at"] = collected_at
        caller = self.sessions.caller
        document["partition"] = caller.partition
        if self.options.identity_account:
            document["identity_account"] = self.options.identity_account
        if self.options.log_bucket:
            document["log_bucket"] = self.options.log_bucket
        bucket, owner = self.bucket
        document.update(
            {
                "tool": {"name": "trustmap", "version": __version__, "command": "trustmap collect"},
                "caller": {"Account": caller.account, "Arn": caller.arn},  # never keys, nor the key-like UserId
                "organization": self.options.org,
                "role_name": self.options.role_name,
                "accounts": accounts,
                "regions": sorted(set(self.options.regions)) if self.options.regions else "all-enabled",
                "central_bucket": (
                    {"name": bucket, "account": owner, "source": "option" if self.options.log_bucket else "trails"}
                    if bucket
                    else None
                ),
                "calls": [c.as_json() for c in self.store.calls],
            }
        )
        if self.options.activity is not None:
            document["activity_period"] = self.options.activity.as_json()
            tally = self.activity_tally or ActivityTally()
            document["activity"] = {
                "source": tally.source,
                "objects_downloaded": tally.downloaded,
                "objects_reused": tally.reused,
                "failed": tally.failed,
            }
        return document
