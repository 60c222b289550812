"""Identity-account helpers: naming accounts, users' credentials, their policies, self-service content.

Used by IDN-001, IDN-003, IDN-007 ... IDN-009. "Self-service" is decided by a policy's content (every
``Allow`` stays within :data:`SELF_SERVICE_ACTIONS`, on the caller's own user or MFA device), after the
AWS example policies in IAMUG ``reference_policies_examples_aws_my-sec-creds-self-manage*`` and
``reference_policies_examples_iam_credentials_console``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from analyzer.graph.gaps import UnreadablePolicies
from analyzer.iam.wildcard import has_wildcard
from analyzer.model.entities import AttachedPolicyRef, CredentialReportRow, Group, Role, User
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicySource, Statement
from analyzer.model.snapshot import AccountEvidence
from analyzer.rules.base import Outcome, missing_message, not_evaluated
from analyzer.rules.context import RuleContext

# ---------------------------------------------------------------------------------- naming


def account_label(ctx: RuleContext, account_id: str) -> str:
    """``222222222222 (Development)`` when the organization names the account, else the bare id."""
    info = ctx.shape.info(account_id)
    return f"{account_id} ({info.name})" if info is not None and info.name else account_id


def identity_unknown_message(ctx: RuleContext) -> str:
    return f"not evaluated: the Identity account is unknown ({ctx.shape.identity.reason})"


def identity_iam(ctx: RuleContext) -> tuple[str, AccountEvidence] | Outcome:
    """The Identity account and its IAM evidence, or the ``not_evaluated`` outcome that stops the rule
    (the Identity account unknown, or its authorization details missing, denied or incomplete)."""
    identity = ctx.identity_account
    if identity is None:
        return not_evaluated(identity_unknown_message(ctx))
    blocked = ctx.blocking((Kind.IAM_AUTH_DETAILS,), identity)
    if blocked:
        return not_evaluated(missing_message(blocked), account=identity)
    return identity, ctx.account(identity) or AccountEvidence(account_id=identity)


# ---------------------------------------------------------------------------------- credentials


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a user can sign in with, from the credential report (``None``: the report cannot say)."""

    console_password: bool | None
    active_keys: int | None
    row: CredentialReportRow | None
    unknown_reason: str = ""

    def describe(self) -> str:
        if self.console_password is None or self.active_keys is None:
            return f"console password and access keys unknown ({self.unknown_reason})"
        password = "console password enabled" if self.console_password else "no console password"
        keys = self.active_keys
        return f"{password}, {keys} active access key{'' if keys == 1 else 's'}"


def credentials_of(account: AccountEvidence | None, user: User, report_problem: str) -> Credentials:
    """The user's row of the account's credential report; ``report_problem`` non-empty = report unusable."""
    if report_problem:
        return Credentials(None, None, None, report_problem)
    report = account.credential_report if account is not None else None
    row = next((r for r in report.rows if r.arn == user.arn), None) if report is not None else None
    if row is None:
        return Credentials(None, None, None, "the user has no row in the credential report (created after it?)")
    return Credentials(bool(row.password_enabled), sum(1 for k in row.access_keys if k.active), row)


# ---------------------------------------------------------------------------------- policies of a user


@dataclass(frozen=True, slots=True)
class HeldPolicy:
    """A policy a user holds, directly or through a group; ``source`` None when its document is missing.

    ``form`` says what kind of holding it is: ``inline``, ``managed``, or ``group`` for a group the
    user is in that the export does not hold (so neither are its policies).
    """

    via: str  # "user" or the group's ARN
    resource: str  # managed policy ARN, "<principal-arn>/inline/<name>", or the missing group's ARN
    name: str
    source: PolicySource | None
    ref: EvidenceRef
    form: str = "managed"

    @property
    def gap(self) -> str:
        """Why its content is unknown (only meaningful when ``source`` is None)."""
        if self.form == "group":
            return f"group {self.name} (not in the evidence)"
        if self.form == "inline":
            return f"inline policy {self.name} (could not be read)"
        return f"attached policy {self.name} (document not in the evidence)"


def inline_resource(principal_arn: str, name: str) -> str:
    return f"{principal_arn}/inline/{name}"


def _attached(via: str, attached: tuple[AttachedPolicyRef, ...]) -> Iterator[HeldPolicy]:
    for a in attached:
        yield HeldPolicy(via, a.arn, a.name, a.policy, a.policy.ref if a.policy else a.ref)


def _inline(
    via: str, owner: User | Group | Role, entity: str, unreadable: UnreadablePolicies | None
) -> list[HeldPolicy]:
    """The owner's inline policies, with those the loader could not read as ``source=None`` entries."""
    out = [
        HeldPolicy(via, inline_resource(owner.arn, p.name), p.name, p, p.ref, "inline") for p in owner.inline_policies
    ]
    for name in unreadable.inline(owner.ref, entity) if unreadable is not None else ():
        out.append(HeldPolicy(via, inline_resource(owner.arn, name), name, None, owner.ref, "inline"))
    return out


def direct_policies(user: User, unreadable: UnreadablePolicies | None = None) -> list[HeldPolicy]:
    """The user's own inline and attached policies (not its groups')."""
    return _inline("user", user, "user", unreadable) + list(_attached("user", user.attached_policies))


def group_policies(
    account: AccountEvidence, user: User, unreadable: UnreadablePolicies | None = None, partition: str = "aws"
) -> list[HeldPolicy]:
    """The policies of the user's groups; a group the export does not hold is one ``form="group"`` entry."""
    out: list[HeldPolicy] = []
    for name in user.group_names:
        group = account.group(name)
        if group is None:
            arn = f"arn:{partition}:iam::{user.account_id}:group/{name}"
            out.append(HeldPolicy(arn, arn, name, None, user.ref.child("GroupList"), "group"))
            continue
        out.extend(_inline(group.arn, group, "group", unreadable))
        out.extend(_attached(group.arn, group.attached_policies))
    return out


def identity_policies(
    principal: User | Group | Role, entity: str, unreadable: UnreadablePolicies | None = None
) -> list[HeldPolicy]:
    """The inline and attached policies of one user, group or role (unreadable ones with ``source=None``)."""
    return _inline(principal.arn, principal, entity, unreadable) + list(
        _attached(principal.arn, principal.attached_policies)
    )


# ---------------------------------------------------------------------------------- self-service content

_OWN_USER: Final = "user"  # resource must be the caller's own user
_OWN_MFA: Final = "mfa"  # resource must be the caller's own (virtual) MFA device
_ACCOUNT: Final = "account"  # account-level read, any resource

#: IAM actions a user needs to look after its own credentials, with the resource each must be scoped to.
SELF_SERVICE_ACTIONS: Final[dict[str, str]] = {
    "iam:getaccountpasswordpolicy": _ACCOUNT,
    "iam:getaccountsummary": _ACCOUNT,
    "iam:listvirtualmfadevices": _ACCOUNT,
    "iam:changepassword": _OWN_USER,
    "iam:getuser": _OWN_USER,
    "iam:getloginprofile": _OWN_USER,
    "iam:createaccesskey": _OWN_USER,
    "iam:deleteaccesskey": _OWN_USER,
    "iam:updateaccesskey": _OWN_USER,
    "iam:listaccesskeys": _OWN_USER,
    "iam:getaccesskeylastused": _OWN_USER,
    "iam:listmfadevices": _OWN_USER,
    "iam:listmfadevicetags": _OWN_USER,
    "iam:enablemfadevice": _OWN_USER,
    "iam:resyncmfadevice": _OWN_USER,
    "iam:deactivatemfadevice": _OWN_USER,
    "iam:listsigningcertificates": _OWN_USER,
    "iam:uploadsigningcertificate": _OWN_USER,
    "iam:updatesigningcertificate": _OWN_USER,
    "iam:deletesigningcertificate": _OWN_USER,
    "iam:listsshpublickeys": _OWN_USER,
    "iam:getsshpublickey": _OWN_USER,
    "iam:uploadsshpublickey": _OWN_USER,
    "iam:updatesshpublickey": _OWN_USER,
    "iam:deletesshpublickey": _OWN_USER,
    "iam:listservicespecificcredentials": _OWN_USER,
    "iam:createservicespecificcredential": _OWN_USER,
    "iam:updateservicespecificcredential": _OWN_USER,
    "iam:resetservicespecificcredential": _OWN_USER,
    "iam:deleteservicespecificcredential": _OWN_USER,
    "iam:createvirtualmfadevice": _OWN_MFA,
    "iam:deletevirtualmfadevice": _OWN_MFA,
}

_ACCOUNT_PART = r"(?:\d{12}|\*|\$\{aws:PrincipalAccount\})?"
#: IAM user names are unique in an account whatever their path, so a (wildcard) path before "/${aws:username}"
#: still names only the caller itself.
_OWN_USER_ARN: Final = re.compile(rf"arn:aws[a-z-]*:iam::{_ACCOUNT_PART}:user/(?:.*/)?\$\{{aws:username\}}")
_OWN_MFA_ARN: Final = re.compile(rf"arn:aws[a-z-]*:iam::{_ACCOUNT_PART}:mfa/(?:[^*?]*/)?(?:\$\{{aws:username\}}\*?|\*)")


def _resource_ok(scope: str, action: str, resources: tuple[str, ...]) -> bool:
    if scope == _ACCOUNT:
        return True
    if scope == _OWN_USER:
        return all(_OWN_USER_ARN.fullmatch(r) for r in resources)
    own_device = all(_OWN_MFA_ARN.fullmatch(r) for r in resources)
    # Creating a device needs only a name (mfa/*); deleting one must stay on the caller's own device.
    return own_device and (action == "iam:createvirtualmfadevice" or not any(r.endswith("/*") for r in resources))


def statement_beyond_self_service(statement: Statement) -> str | None:
    """Why an ``Allow`` goes beyond self-service (None: it stays within); ``Deny`` never does."""
    if statement.effect == "Deny":
        return None
    if statement.actions is None:
        return "grants with NotAction"
    if statement.resources is None:
        return "grants with NotResource"
    for action in statement.actions:
        lowered = action.lower()
        scope = SELF_SERVICE_ACTIONS.get(lowered)
        if scope is None or has_wildcard(lowered):
            return f"grants {action}"
        if not _resource_ok(scope, lowered, statement.resources):
            return f"grants {action} on {', '.join(statement.resources)}, not only the user's own"
    return None


def beyond_self_service(source: PolicySource) -> list[tuple[Statement, str]]:
    """Every statement of the policy that grants more than self-service, with the reason."""
    out = []
    for statement in source.document.statements:
        why = statement_beyond_self_service(statement)
        if why is not None:
            out.append((statement, why))
    return out
