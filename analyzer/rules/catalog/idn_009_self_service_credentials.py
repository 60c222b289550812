"""IDN-009: every Identity-account user can look after its own password, MFA device and access keys.

The MFA and access-key capabilities come from the user's policies alone (the policy engine decides).
Changing its own password also comes from the account's password policy: ``AllowUsersToChangePassword``
true gives every IAM user ``iam:ChangePassword`` on itself whatever its policies say (IAMUG "Permit IAM
users to change their own passwords"), so the password policy is read before a user is said not to be
able to. An explicit Deny of ``iam:ChangePassword`` still refuses it (an explicit deny overrides any
allow, IAMUG "Policy evaluation logic"); whether a permissions boundary limits the account-level grant
is not documented, so such a user's password capability stays unknown. With the password policy
unreadable, a user whose policies do not grant ``iam:ChangePassword`` is not said to lack it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from analyzer.graph.gaps import UnreadablePolicies
from analyzer.iam import Principal, Request, evaluate
from analyzer.model.entities import User
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.model.snapshot import AccountEvidence
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.credentials import PasswordChangeSetting, password_change_setting
from analyzer.rules.support.identity import direct_policies, group_policies, identity_iam
from analyzer.rules.support.user_decisions import Answer, UserDecisions

META = RuleMeta(
    id="IDN-009",
    title="Identity-account users can manage their own credentials",
    severity=Severity.LOW,
    pillar=Pillar.IDENTITY,
    rationale=(
        "The model rests on people changing their own passwords, enrolling their own MFA device and "
        "rotating their own access keys. Without a self-service policy they cannot, so MFA stays "
        "unenrolled (and every MFA-guarded role unusable or quietly relaxed), keys are not rotated and "
        "administrators end up holding other people's credentials."
    ),
    remediation=(
        "Attach a self-service credentials policy to every access group (or to an all-users group): "
        "iam:ChangePassword, iam:GetAccountPasswordPolicy, iam:CreateVirtualMFADevice and "
        "iam:EnableMFADevice / ResyncMFADevice / DeactivateMFADevice, and iam:Create/Update/Delete/ListAccessKeys, "
        "each on `arn:aws:iam::*:user/${aws:username}` (MFA devices on `arn:aws:iam::*:mfa/*`), as in AWS's "
        "example 'Allows MFA-authenticated IAM users to manage their own credentials'. For the password alone, "
        "setting AllowUsersToChangePassword in the account's password policy also lets every IAM user change "
        "its own."
    ),
    compliance=refs(("NIST", "IA-5"), ("NIST", "IA-5(1)"), ("PCI", "8.3.9"), ("MAS", "9.1")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_enable-user-change.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
    ),
    requires=(Kind.IAM_AUTH_DETAILS, Kind.IAM_PASSWORD_POLICY),
    applies_to="user",
)

#: What a user must be able to do to itself: (capability, ((action, resource kind), ...)).
CAPABILITIES: Final = (
    ("change the password", (("iam:ChangePassword", "user"),)),
    ("manage MFA devices", (("iam:CreateVirtualMFADevice", "mfa"), ("iam:EnableMFADevice", "user"))),
    (
        "rotate access keys",
        (("iam:CreateAccessKey", "user"), ("iam:UpdateAccessKey", "user"), ("iam:DeleteAccessKey", "user")),
    ),
)


#: The capability the account's password policy can grant on its own (see the module docstring).
PASSWORD: Final = "change the password"


def _password_by_setting(answer: Answer, setting: PasswordChangeSetting, user: User) -> tuple[str, str]:
    """("yes"|"no"|"unknown", why) for changing its own password when the user's policies do not allow it."""
    refused = f"iam:ChangePassword {answer.outcome.replace('_', ' ')}"
    if answer.outcome == "explicit_deny":
        also = ", which overrides the password policy's AllowUsersToChangePassword too" if setting.allows else ""
        return "no", f"{refused}{also}"
    if setting.allows is False:
        return "no", f"{refused}, and {setting.text}"
    if setting.allows is None:
        return "unknown", f"its policies do not allow iam:ChangePassword, and {setting.text}"
    boundary = _boundary_refusal(user)
    if boundary:
        return "unknown", (
            f"{setting.text}, but {boundary}, and whether a permissions boundary limits that account-level grant is "
            "not documented"
        )
    return "yes", f"{setting.text}, so every IAM user may change its own password"


def _boundary_refusal(user: User) -> str:
    """How the user's permissions boundary may stand in the way of ``iam:ChangePassword`` ("" when it cannot)."""
    if user.boundary is None:
        return ""
    if user.boundary.policy is None:
        return f"its permissions boundary {user.boundary.arn} is not in the evidence"
    request = Request(
        Principal.user(user.arn, tags=dict(user.tags), unique_id=user.user_id), "iam:ChangePassword", user.arn
    )
    if evaluate(request, identity_policies=(user.boundary.policy,)).allowed:
        return ""
    return f"its permissions boundary {user.boundary.arn} does not allow iam:ChangePassword"


def _user_outcome(
    account: AccountEvidence,
    user: User,
    partition: str,
    unreadable: UnreadablePolicies,
    decisions: UserDecisions,
    setting: PasswordChangeSetting,
) -> Outcome:
    held = [*direct_policies(user, unreadable), *group_policies(account, user, unreadable, partition)]
    sources = [h.source for h in held if h.source is not None]
    unresolved = [h.gap for h in held if h.source is None]
    boundaries = []
    limit_unknown = ""  # a boundary only limits: unknown, it can turn a pass into "not evaluated", not a fail
    if user.boundary is not None:
        if user.boundary.policy is None:
            limit_unknown = f"permissions boundary {user.boundary.arn} is not in the evidence and may refuse it"
        else:
            boundaries.append(user.boundary.policy)
    caller = decisions.caller(
        Principal.user(user.arn, tags=dict(user.tags), unique_id=user.user_id), sources, boundaries
    )
    targets = {"user": user.arn, "mfa": f"arn:{partition}:iam::{user.account_id}:mfa/{user.name}"}
    missing: list[str] = []
    undecided = ""  # "whether it can change the password is unknown: <why>" (the only capability that can be)
    password_how = ""
    evidence: list[EvidenceRef] = [user.ref]
    for capability, needs in CAPABILITIES:
        for action, target in needs:
            answer = caller.ask(action, targets[target])
            evidence.extend(answer.refs)
            if answer.allowed:
                continue
            if capability == PASSWORD:
                verdict, why = _password_by_setting(answer, setting, user)
                evidence.extend(setting.evidence)
                if verdict == "no":
                    missing.append(f"{capability} ({why})")
                elif verdict == "unknown":
                    undecided = f"whether it can {capability} is unknown: {why}"
                else:
                    password_how = f" ({why})"
            else:
                missing.append(f"{capability} ({action} {answer.outcome.replace('_', ' ')})")
            break
    kw = {"account": user.account_id, "resource": user.arn, "evidence": tuple(dict.fromkeys(evidence))}
    if not missing and limit_unknown:
        # with the password capability undecided, its policies do not grant iam:ChangePassword: not claimed
        granted = "its MFA device and its access keys" if undecided else "its own credentials"
        return not_evaluated(
            f"not evaluated: the policies of user {user.name} allow it to manage {granted}, but its "
            + limit_unknown
            + (f"; {undecided}" if undecided else ""),
            **kw,
        )
    if not missing and undecided:
        return not_evaluated(
            f"not evaluated: user {user.name} can manage its MFA device and its access keys, but {undecided}", **kw
        )
    if not missing:
        return passed(
            f"user {user.name} can change its password{password_how}, manage its MFA device and its access keys", **kw
        )
    where = f"groups {', '.join(user.group_names)}" if user.group_names else "no group"
    if unresolved:
        return not_evaluated(
            f"not evaluated: user {user.name} cannot {'; '.join(missing)} by the policies in the evidence, but "
            f"{', '.join(unresolved)} may grant it",
            **kw,
        )
    return fail(
        f"user {user.name} has no self-service credentials policy (through the user or {where}): it cannot "
        + "; ".join(missing)
        + (f"; {undecided}" if undecided else ""),
        **kw,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    found = identity_iam(ctx)
    if isinstance(found, Outcome):
        yield found
        return
    identity, account = found
    if not account.users:
        yield passed(f"the Identity account {identity} has no IAM users", account=identity)
    decisions = UserDecisions()  # users with the same policies get the same answers: evaluated once
    setting = password_change_setting(ctx, identity)
    for user in account.users:
        yield _user_outcome(account, user, ctx.partition, ctx.unreadable_policies, decisions, setting)


RULE = Rule(META, check)
