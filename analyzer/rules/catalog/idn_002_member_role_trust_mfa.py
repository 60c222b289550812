"""IDN-002: member-account roles that trust the Identity account require MFA in their trust policy."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from analyzer.iam import Principal
from analyzer.model.entities import Role
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicySource
from analyzer.rules.base import (
    Outcome,
    Pillar,
    Rule,
    RuleMeta,
    Severity,
    fail,
    missing_message,
    not_evaluated,
    not_evaluated_in,
    passed,
)
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.identity import account_label, identity_unknown_message
from analyzer.rules.support.trust import (
    TrustMfa,
    aws_entries,
    callers_in_account,
    clause_texts,
    condition_entries,
    is_customer_role,
    statement_names,
    unreadable_trust,
    worst_mfa,
)

META = RuleMeta(
    id="IDN-002",
    title="Member-account roles trusting the Identity account require MFA",
    severity=Severity.HIGH,
    pillar=Pillar.MFA,
    rationale=(
        "A role in a member account that trusts the Identity account is the door into that account. "
        "Unless its trust policy itself demands MFA (Bool aws:MultiFactorAuthPresent true, or a "
        "NumericLessThan aws:MultiFactorAuthAge bound), a stolen password or access key of any Identity "
        "user who may assume it is enough. BoolIfExists lets long-term access keys through, because their "
        "requests carry no MFA key at all."
    ),
    remediation=(
        "Give every statement that trusts the Identity account the condition "
        '`"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}` (optionally also '
        '`"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}`), remove statements that trust it without '
        "one, and apply it with `aws iam update-assume-role-policy --role-name <role> --policy-document "
        "file://trust.json`."
    ),
    compliance=refs(("NIST", "IA-2(1)"), ("NIST", "IA-2(2)"), ("PCI", "8.4.2"), ("APRA", "21"), ("MAS", "9.1")),
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/tutorial_cross-account-with-roles.html",
    ),
    requires=(Kind.IAM_AUTH_DETAILS,),
    applies_to="role",
)


def _identity_members(ctx: RuleContext, identity: str) -> list[Principal]:
    account = ctx.account(identity)
    if account is None or ctx.blocking((Kind.IAM_AUTH_DETAILS,), identity):
        return []
    users = [Principal.user(u.arn, tags=dict(u.tags), unique_id=u.user_id) for u in account.users]
    roles = [Principal.role(r.arn, tags=dict(r.tags), unique_id=r.role_id) for r in account.roles]
    return users + roles


@dataclass(frozen=True, slots=True)
class _Reading:
    """What one trust document says about the Identity account, read once for every role that shares it."""

    source: PolicySource  # the trust it was read from (its statement refs point into that role's file)
    names_identity: bool
    found: TrustMfa | None

    def for_trust(self, trust: PolicySource) -> TrustMfa | None:
        """The verdict with its witnesses pointing into ``trust`` (a role sharing the same document)."""
        if self.found is None or trust is self.source:
            return self.found
        return replace(self.found, witnesses=tuple(replace(h, source=trust) for h in self.found.witnesses))


class _TrustReader:
    """Reads trust documents for one run, memoized per document: the same trust text in hundreds of
    accounts is evaluated once. A trust has no ``Resource`` (the role's ARN then changes nothing), so the
    document alone decides, except for a (malformed) trust that has one: that one is read per role."""

    def __init__(self, identity: str, members: list[Principal], partition: str, label: str) -> None:
        self._identity, self._members, self._partition, self._label = identity, members, partition, label
        self._read: dict[tuple[int, str | None], _Reading] = {}

    def verdict(self, role: Role, trust: PolicySource) -> tuple[bool, TrustMfa | None]:
        """(whether the trust names the Identity account, its weakest MFA demand of an Identity caller)."""
        statements = trust.document.statements
        per_role = any(s.resources is not None or s.not_resources is not None for s in statements)
        key = (id(trust.document), role.arn if per_role else None)
        reading = self._read.get(key)
        if reading is None:
            reading = self._read[key] = self._evaluate(role, trust)
        return reading.names_identity, reading.for_trust(trust)

    def _evaluate(self, role: Role, trust: PolicySource) -> _Reading:
        named = [*aws_entries(trust), *condition_entries(trust)]
        if not any(e.account == self._identity for e in named):
            return _Reading(trust, False, None)
        callers = callers_in_account(trust, self._identity, self._members, self._partition, self._label)
        return _Reading(trust, True, worst_mfa(trust, role.arn, callers))


def _message(role_name: str, found: TrustMfa) -> str:
    who = found.label
    where = statement_names(h.statement for h in found.witnesses)
    if found.verdict == "enforced":
        return f"role {role_name} trusts {who} and its trust policy requires MFA: {clause_texts(found.clauses)}"
    if found.verdict == "denied":
        return f"role {role_name} names {who} but its trust policy denies them in every MFA situation"
    if found.verdict == "weak":
        return (
            f"role {role_name} trusts {who} with only a weak MFA condition ({clause_texts(found.clauses)}; "
            f"statement {where}): long-term access keys send no aws:MultiFactorAuthPresent key and pass without MFA"
        )
    return f"role {role_name} trusts {who} without MFA: statement {where} allows sts:AssumeRole without it"


def _unmatched_message(role_name: str, label: str) -> str:
    """Why a role whose trust names the Identity account but lets none of its known principals in is undecided:
    its conditions depend on the caller (a tag, a name), and a principal tagged or created later may pass them."""
    return (
        f"not evaluated: role {role_name} names {label} in an Allow statement, but no known principal of it passes "
        "the trust's conditions: they depend on who the caller is, and whether a principal tagged or created later "
        "would need MFA is not decided"
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    identity = ctx.identity_account
    if identity is None:
        yield from not_evaluated_in(ctx.audited_accounts(), identity_unknown_message(ctx))
        return
    label = f"the Identity account {account_label(ctx, identity)}"
    reader = _TrustReader(identity, _identity_members(ctx, identity), ctx.partition, label)
    for account_id in ctx.non_identity_accounts():
        blocked = ctx.blocking((Kind.IAM_AUTH_DETAILS,), account_id)
        if blocked:
            yield not_evaluated(missing_message(blocked), account=account_id)
            continue
        account = ctx.account(account_id)
        found_any = False
        for role in account.roles if account is not None else ():
            if not is_customer_role(role) or role.is_sso:
                continue
            if role.trust_policy is None:
                found_any = True
                yield unreadable_trust(role)
                continue
            names_identity, found = reader.verdict(role, role.trust_policy)
            if not names_identity:
                continue  # a trust open to anyone without naming the Identity account is IDN-005's
            found_any = True
            if found is None:  # an Allow names the account, yet none of its known principals is let in
                yield not_evaluated(
                    _unmatched_message(role.name, label),
                    account=account_id,
                    resource=role.arn,
                    evidence=(role.trust_policy.ref,),
                )
                continue
            outcome = passed if found.verdict in ("enforced", "denied") else fail
            evidence = found.refs or (role.trust_policy.ref,)
            yield outcome(_message(role.name, found), account=account_id, resource=role.arn, evidence=evidence)
        if not found_any:
            yield passed(
                f"no role in account {account_label(ctx, account_id)} trusts the Identity account {identity}",
                account=account_id,
            )


RULE = Rule(META, check)
