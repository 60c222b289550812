"""Planters of the Observed activity rules (ACT-001..ACT-007): each gives one account a small activity
set (:mod:`analyzer.synth.gen_activity`) with the defect in it.

Accounts no planter chose carry no activity evidence, so every ACT rule leaves them not evaluated; an
account with activity has complete, signed evidence for both days in every region, so its ACT results
are passes except the planted failure (and ACT-006/ACT-007 defects make the other ACT rules not
evaluated there, never passed or failed). Collateral failures in the configuration are listed with the
defect: a person signing in without MFA has no MFA device (CRD-003), an active member-account user
exists in IAM (IDN-001).
"""

from __future__ import annotations

from analyzer.synth import ids
from analyzer.synth.defect_base import PlantContext, Planted, Planter, fail, label, role_arn, user_arn
from analyzer.synth.gen_activity import at_day, digest_key, event, log_keys, role_session
from analyzer.synth.gen_iam import ADMIN_ROLE
from analyzer.synth.org_plan import TRAIL, AccountActivity, AccountPlan, LocalUser, OrgPlan

_CONSOLE = "signin.amazonaws.com"


def _activity(plan: OrgPlan, account_id: str) -> AccountActivity:
    return plan.activity.setdefault(account_id, AccountActivity())


def _day(ctx: PlantContext) -> int:
    return ctx.rng.randrange(len(ctx.plan.activity_days))


def _iam_user(account_id: str, name: str, partition: str) -> dict[str, str]:
    arn = ids.iam_arn(account_id, "user", name, partition=partition)
    return {
        "type": "IAMUser",
        "principalId": ids.unique_id("AIDA", arn),
        "arn": arn,
        "accountId": account_id,
        "accessKeyId": ids.unique_id("AKIA", arn + "key", 16),
        "userName": name,
    }


def act001_console_without_mfa(ctx: PlantContext) -> Planted | None:
    person = ctx.pick_person()
    if person is None:
        return None
    plan, identity = ctx.plan, ctx.plan.identity.id
    person.mfa = "none"
    who = _iam_user(identity, person.name, plan.partition)
    who.pop("accessKeyId")
    day = _day(ctx)
    login = event(
        "ConsoleLogin",
        _CONSOLE,
        at_day(plan, day, "08:15:27"),
        identity,
        who,
        plan.home,
        response={"ConsoleLogin": "Success"},
        additional={"MFAUsed": "No", "MobileVersion": "No"},
    )
    _activity(plan, identity).records.append((plan.home, day, login))
    arn = user_arn(identity, person.name)
    return Planted(
        "ACT-001",
        "console-sign-in-without-mfa",
        f"Identity `{identity}`, user `{person.name}`",
        f"A console sign-in on {plan.activity_days[day]:%Y-%m-%d} with MFAUsed No: the user has no MFA device "
        "(CRD-003).",
        (
            fail("ACT-001", identity, "console sign-in without MFA", region=plan.home, resource=arn),
            fail("CRD-003", identity, "collateral of ACT-001: console password without MFA", resource=arn),
        ),
    )


def _workload(ctx: PlantContext) -> AccountPlan | None:
    return ctx.pick_account(("log-archive", "workload"))


def act002_assume_without_mfa(ctx: PlantContext) -> Planted | None:
    account = _workload(ctx)
    if account is None:
        return None
    plan = ctx.plan
    target = ids.iam_arn(account.id, "role", "release-deployer", partition=plan.partition)
    caller = role_session(
        ids.iam_arn(account.id, "role", "pipeline-runner", partition=plan.partition), "build-4711", mfa=False
    )
    day = _day(ctx)
    request = {"roleArn": target, "roleSessionName": "release", "durationSeconds": 3600}
    call = event(
        "AssumeRole", "sts.amazonaws.com", at_day(plan, day, "14:02:10"), account.id, caller, plan.home, request=request
    )
    _activity(plan, account.id).records.append((plan.home, day, call))
    return Planted(
        "ACT-002",
        "role-chain-without-mfa",
        f"{label(account)}, role `release-deployer`",
        "A pipeline role's session (no MFA) assumed release-deployer, a role no longer in the IAM export.",
        (fail("ACT-002", account.id, "member role assumed without MFA", resource=target),),
    )


def act003_member_user_active(ctx: PlantContext) -> Planted | None:
    account = _workload(ctx)
    if account is None:
        return None
    plan = ctx.plan
    account.knobs.local_users.append(LocalUser(name="build-agent", console=False, mfa=False, key=True))
    agent = _iam_user(account.id, "build-agent", plan.partition)
    for day in range(len(plan.activity_days)):
        call = event("ListBuckets", "s3.amazonaws.com", at_day(plan, day, "06:10:31"), account.id, agent, plan.home)
        _activity(plan, account.id).records.append((plan.home, day, call))
    arn = user_arn(account.id, "build-agent")
    return Planted(
        "ACT-003",
        "member-user-active",
        f"{label(account)}, user `build-agent`",
        "An IAM user of a member account (IDN-001) calls ListBuckets with its access key every day.",
        (
            fail("ACT-003", account.id, "member-account IAM user active", resource=arn),
            fail("IDN-001", account.id, "collateral of ACT-003: IAM user in a member account", resource=arn),
        ),
    )


def act004_root_activity(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account()
    if account is None:
        return None
    plan = ctx.plan
    root = {
        "type": "Root",
        "principalId": account.id,
        "arn": ids.root_arn(account.id, plan.partition),
        "accountId": account.id,
    }
    day = _day(ctx)
    login = event(
        "ConsoleLogin",
        _CONSOLE,
        at_day(plan, day, "02:11:09"),
        account.id,
        root,
        plan.home,
        response={"ConsoleLogin": "Success"},
        additional={"MFAUsed": "Yes", "MobileVersion": "No"},
    )
    _activity(plan, account.id).records.append((plan.home, day, login))
    return Planted(
        "ACT-004",
        "root-sign-in",
        f"{label(account)}, root user",
        f"The root user signs in to the console on {plan.activity_days[day]:%Y-%m-%d} (with MFA).",
        (fail("ACT-004", account.id, "root user activity", resource=ids.root_arn(account.id, plan.partition)),),
    )


def act005_stop_logging(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account()
    if account is None:
        return None
    plan = ctx.plan
    admin = role_session(role_arn(account.id, ADMIN_ROLE), "oncall", mfa=True)
    day = _day(ctx)
    for clock, error in (("11:00:00", None), ("11:01:00", "AccessDenied")):
        call = event(
            "StopLogging",
            "cloudtrail.amazonaws.com",
            at_day(plan, day, clock),
            account.id,
            admin,
            plan.home,
            request={"name": TRAIL},
            error=error,
        )
        _activity(plan, account.id).records.append((plan.home, day, call))
    return Planted(
        "ACT-005",
        "stop-logging",
        f"{label(account)}, trail `{TRAIL}`",
        "StopLogging through the admin role (and a refused second attempt, which changed nothing).",
        (fail("ACT-005", account.id, "StopLogging during the period", region=plan.home, resource=TRAIL),),
    )


def act006_delivery_gap(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account()
    if account is None:
        return None
    plan = ctx.plan
    region, day = ctx.rng.choice(plan.regions), _day(ctx)
    _activity(plan, account.id).skipped.add((region, day))
    return Planted(
        "ACT-006",
        "delivery-gap",
        f"{label(account)}, {region}",
        f"Neither a log file nor a digest delivered on {plan.activity_days[day]:%Y-%m-%d} (a signed digest "
        "listing no file would show a day without activity instead).",
        (fail("ACT-006", account.id, "a day without a log file", region=region),),
    )


def act007_modified_log(ctx: PlantContext) -> Planted | None:
    account = ctx.pick_account()
    if account is None:
        return None
    region, day = ctx.rng.choice(ctx.plan.regions), _day(ctx)
    _activity(ctx.plan, account.id).edited.add((region, day))
    key = log_keys(ctx.plan, account.id, region, day)[0]
    return Planted(
        "ACT-007",
        "modified-log-file",
        f"{label(account)}, {region}, `{key}`",
        "A record was removed from the log file after delivery: its hash no longer matches the signed digest.",
        (fail("ACT-007", account.id, "log file modified after delivery", region=region, resource=key),),
    )


def act007_broken_chain(ctx: PlantContext) -> Planted | None:
    """A day's digest deleted from the bucket: the next digest names a previous one that is not there, and
    the day's log files are listed by no digest. Not in the Identity account, where ACT-001 adds records
    (and so log files) without claiming the account."""
    plan = ctx.plan
    if len(plan.activity_days) < 2:
        return None
    account = ctx.pick_account(accept=lambda a: a.id != plan.identity.id)
    if account is None:
        return None
    region, day = ctx.rng.choice(plan.regions), ctx.rng.randrange(len(plan.activity_days) - 1)
    _activity(plan, account.id).dropped_digests.add((region, day))
    digest = digest_key(plan, account.id, region, day)
    logs = log_keys(plan, account.id, region, day)
    return Planted(
        "ACT-007",
        "broken-digest-chain",
        f"{label(account)}, {region}, `{digest}`",
        f"The digest of {plan.activity_days[day]:%Y-%m-%d} was deleted after delivery: the next digest names it "
        f"as previous (chain broken), and the day's {len(logs)} log file(s) are listed by no digest (unlisted).",
        (
            fail("ACT-007", account.id, "digest chain broken", region=region, resource=digest),
            *(fail("ACT-007", account.id, "log file listed by no digest", region=region, resource=k) for k in logs),
        ),
    )


#: What ``synth --activity DAYS`` always plants: each ACT defect once, and a broken digest chain.
ALWAYS: tuple[Planter, ...] = (
    act001_console_without_mfa,
    act002_assume_without_mfa,
    act003_member_user_active,
    act004_root_activity,
    act005_stop_logging,
    act006_delivery_gap,
    act007_modified_log,
    act007_broken_chain,
)


def plant_activity(ctx: PlantContext) -> list[Planted]:
    """The defects of the --activity mode (those with no room left, e.g. in a 3-account organization, are
    left out, never half planted)."""
    return [found for planter in ALWAYS if (found := planter(ctx)) is not None]


PLANTERS: dict[str, Planter] = {
    "ACT-001": act001_console_without_mfa,
    "ACT-002": act002_assume_without_mfa,
    "ACT-003": act003_member_user_active,
    "ACT-004": act004_root_activity,
    "ACT-005": act005_stop_logging,
    "ACT-006": act006_delivery_gap,
    "ACT-007": act007_modified_log,
}
