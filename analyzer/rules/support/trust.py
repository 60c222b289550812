"""Reading role trust policies: whom a role trusts, how narrowly, and what it demands of MFA.

Used by the Identity-model rules (IDN-002 and IDN-004 ... IDN-006). Principal matching and MFA
verdicts come from the policy engine (:mod:`analyzer.iam`); this module only decides *which*
callers to ask about and reads the condition blocks that the rules name in their messages.

IAMUG ``reference_policies_elements_principal``: ``123456789012`` and ``arn:aws:iam::123456789012:root``
name the whole account; an ``Allow`` with ``NotPrincipal`` applies to everyone not listed; a bare
unique id (``AROA...``) is a deleted principal and belongs to no account we can name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from analyzer.iam import (
    MFA_AGE,
    MFA_PRESENT,
    MFA_STATES,
    MfaClass,
    MfaState,
    PolicySetResult,
    Principal,
    Request,
    RequestView,
    StatementHit,
    account_of_principal,
    account_principal,
    action_matches,
    assumed_role_parts,
    compile_document,
    evaluate_policy_set,
    glob_match,
    parse_arn,
    parse_operator,
    statement_label,
    with_mfa,
)
from analyzer.iam.mfa import requirement_of_results
from analyzer.iam.wildcard import has_wildcard
from analyzer.model.entities import Role
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.model.policy import ConditionClause, PolicyDocument, PolicySource, Statement
from analyzer.rules.base import Outcome, missing_message, not_evaluated, passed
from analyzer.rules.context import RuleContext
from analyzer.rules.support.identity import account_label

ASSUME_ROLE: Final = "sts:AssumeRole"

# ---------------------------------------------------------------------------------- roles in scope


def is_customer_role(role: Role) -> bool:
    """A role whose trust policy the account's owner writes: not service-linked (AWS writes those)."""
    return not role.is_service_linked


def customer_role_outcomes(
    ctx: RuleContext, accounts: Iterable[str], judge: Callable[[Role, PolicySource], Outcome]
) -> Iterator[Outcome]:
    """The loop the trust rules share, over the customer-managed roles of ``accounts``.

    An account whose authorization details are unusable is not evaluated; one without customer-managed
    roles passes; a role whose trust policy could not be read is not evaluated; every other role gets
    ``judge(role, its trust policy)``.
    """
    for account_id in accounts:
        blocked = ctx.blocking((Kind.IAM_AUTH_DETAILS,), account_id)
        if blocked:
            yield not_evaluated(missing_message(blocked), account=account_id)
            continue
        account = ctx.account(account_id)
        roles = [r for r in (account.roles if account else ()) if is_customer_role(r)]
        if not roles:
            yield passed(f"account {account_label(ctx, account_id)} has no customer-managed roles", account=account_id)
        for role in roles:
            yield unreadable_trust(role) if role.trust_policy is None else judge(role, role.trust_policy)


def unreadable_trust(role: Role) -> Outcome:
    """The verdict for a role whose trust policy could not be decoded (the loader reported why)."""
    where = role.ref.child("AssumeRolePolicyDocument")
    return not_evaluated(
        f"not evaluated: the trust policy of role {role.name} could not be read ({where.file} at "
        f"{where.pointer}; the inventory says why)",
        account=role.account_id,
        resource=role.arn,
        evidence=(where,),
    )


# ---------------------------------------------------------------------------------- named principals


@dataclass(frozen=True, slots=True)
class TrustEntry:
    """One ``AWS`` principal value of an ``Allow`` statement of a trust policy."""

    statement: Statement
    value: str
    account: str | None  # the owning 12-digit account; None for unique ids and AWS-owned (``aws``) values
    whole_account: bool  # the account itself (id or ``:root``): delegation to its identity policies
    ref: EvidenceRef


def aws_entries(source: PolicySource) -> list[TrustEntry]:
    """Every ``AWS`` principal an ``Allow`` statement names, in document order (``"*"`` excluded)."""
    out: list[TrustEntry] = []
    for statement in source.document.statements:
        if statement.effect != "Allow" or statement.principal is None:
            continue
        for value in statement.principal.aws:
            out.append(
                TrustEntry(
                    statement,
                    value,
                    account_of_principal(value),
                    account_principal(value) is not None,
                    source.statement_ref(statement),
                )
            )
    return out


def condition_entries(source: PolicySource) -> list[TrustEntry]:
    """Accounts an open statement is confined to by its conditions (``"*"`` with ``aws:PrincipalAccount``,
    ``aws:SourceAccount`` or ``aws:PrincipalArn`` values): trusted as surely as if the Principal named them."""
    out: list[TrustEntry] = []
    for statement in open_statements(source):
        for clause in narrowing_clauses(statement):
            if clause.key.lower() == "aws:principalorgid":
                continue
            for value in clause.values:
                account = account_of_principal(value)
                if account is not None:
                    out.append(TrustEntry(statement, value, account, True, source.statement_ref(statement)))
    return out


def org_confined_clauses(source: PolicySource) -> list[tuple[Statement, str]]:
    """``(statement, organization id)`` for each open statement confined by ``aws:PrincipalOrgID`` to an
    organization it names literally (a policy variable names none)."""
    out: list[tuple[Statement, str]] = []
    for statement in open_statements(source):
        for clause in narrowing_clauses(statement):
            if clause.key.lower() == "aws:principalorgid":
                out.extend((statement, v) for v in clause.values if not v.startswith("${"))
    return out


def foreign_org_clauses(source: PolicySource, org_id: str | None) -> list[tuple[Statement, str]]:
    """``(statement, organization id)`` for open statements confined to an organization other than ``org_id``
    (none when our own organization's id is unknown: then no other one can be told apart)."""
    if org_id is None:
        return []
    return [(statement, org) for statement, org in org_confined_clauses(source) if org != org_id]


def open_statements(source: PolicySource) -> list[Statement]:
    """``Allow`` statements whose principal is anyone: ``"*"``, ``{"AWS": "*"}`` or a ``NotPrincipal``."""
    return [
        s
        for s in source.document.statements
        if s.effect == "Allow" and ((s.principal is not None and s.principal.any) or s.not_principal is not None)
    ]


def caller_for(value: str) -> Principal | None:
    """The caller a user, role or assumed-role ARN names (None for accounts and other forms)."""
    session = assumed_role_parts(value)
    if session is not None:
        partition, account, name, session_name = session
        return Principal.role(f"arn:{partition}:iam::{account}:role/{name}", session_name=session_name)
    arn = parse_arn(value)
    if arn is None or arn.service != "iam":
        return None
    if arn.resource_type == "user":
        return Principal.user(value)
    if arn.resource_type == "role":
        return Principal.role(value)
    return None


# ---------------------------------------------------------------------------------- conditions

#: Keys whose value pins the caller's account or organization (IDN-005).
NARROWING_KEYS: Final = frozenset(
    {"aws:principalorgid", "aws:principalaccount", "aws:principalarn", "aws:sourceaccount"}
)
#: Keys that differ between principals of one account: with none of them, one user and one role stand
#: for every principal of the account.
_PRINCIPAL_KEY_PREFIXES: Final = (
    "aws:principalarn",
    "aws:principaltag/",
    "aws:principaltype",
    "aws:username",
    "aws:userid",
    "aws:sourceidentity",
)
_MFA_KEYS: Final = frozenset({MFA_PRESENT.lower(), MFA_AGE.lower()})


def _positive_string_or_arn(clause: ConditionClause) -> bool:
    """``StringEquals``/``StringLike``/``ArnEquals``/``ArnLike`` (and ``IgnoreCase``, ``ForAnyValue:``),
    never negated, never ``...IfExists``: the only forms false when the key is absent."""
    op = parse_operator(clause.operator)
    return (
        op is not None
        and op.family in ("string", "arn")
        and not op.negated
        and not op.if_exists
        and op.set_operator != "all"
    )


def _negated_string_or_arn(clause: ConditionClause) -> bool:
    """A negated string or ARN operator that holds for a missing key too (plain, ``...IfExists`` or
    ``ForAllValues:``; not ``ForAnyValue:``, false for a missing key): in a Deny it refuses every caller
    the values do not name, a caller without the key included."""
    op = parse_operator(clause.operator)
    return op is not None and op.family in ("string", "arn") and op.negated and op.set_operator != "any"


def _pins(key: str, value: str) -> bool:
    """Does one condition value name a definite account or organization (not a wildcard)?"""
    if value.startswith("${") and value.endswith("}") and value.count("${") == 1:
        return True  # ${aws:ResourceOrgID}, ${aws:ResourceAccount}: the role's own org or account
    if key == "aws:principalarn":
        arn = parse_arn(value)
        return arn is not None and len(arn.account) == 12 and arn.account.isascii() and arn.account.isdigit()
    return bool(value) and not has_wildcard(value)


def narrowing_clauses(statement: Statement) -> list[ConditionClause]:
    """Clauses that confine an open statement to named accounts or an organization."""
    return [
        c
        for c in statement.conditions
        if c.key.lower() in NARROWING_KEYS
        and _positive_string_or_arn(c)
        and c.values
        and all(_pins(c.key.lower(), v) for v in c.values)
    ]


def loose_principal_clauses(statement: Statement) -> list[ConditionClause]:
    """Clauses on the narrowing keys that do *not* narrow (negated, ``IfExists``, wildcard values)."""
    narrowing = set(narrowing_clauses(statement))
    return [c for c in statement.conditions if c.key.lower() in NARROWING_KEYS and c not in narrowing]


def deny_guards(source: PolicySource) -> list[Statement]:
    """``Deny`` statements for everyone that refuse ``sts:AssumeRole`` to callers outside named accounts or
    an organization (``StringNotEquals aws:PrincipalOrgID o-...``): they narrow every open ``Allow``."""
    out: list[Statement] = []
    for statement in source.document.statements:
        if statement.effect != "Deny" or statement.principal is None or not statement.principal.any:
            continue
        if statement.actions is None or not any(action_matches(a, ASSUME_ROLE) for a in statement.actions):
            continue
        clauses = statement.conditions
        if clauses and all(
            c.key.lower() in NARROWING_KEYS
            and _negated_string_or_arn(c)
            and c.values
            and all(_pins(c.key.lower(), v) for v in c.values)
            for c in clauses
        ):
            out.append(statement)
    return out


def external_id_clause(statement: Statement) -> ConditionClause | None:
    """A clause that requires an ``sts:ExternalId`` value (positive operator, not ``IfExists``)."""
    return next(
        (c for c in statement.conditions if c.key.lower() == "sts:externalid" and _positive_string_or_arn(c)),
        None,
    )


def principal_dependent(source: PolicySource) -> bool:
    """True when a condition reads a key that differs between principals of the same account."""
    return any(
        c.key.lower().startswith(_PRINCIPAL_KEY_PREFIXES) for s in source.document.statements for c in s.conditions
    )


def mfa_clauses(statements: Iterable[Statement]) -> tuple[ConditionClause, ...]:
    found = (c for s in statements for c in s.conditions if c.key.lower() in _MFA_KEYS)
    return tuple(dict.fromkeys(found))


# ---------------------------------------------------------------------------------- MFA on a trust policy

_ORDER: Final[dict[MfaClass, int]] = {"denied": 0, "enforced": 1, "weak": 2, "absent": 3}
#: The MFA situation whose allowing statements explain a verdict.
_WITNESS_STATE: Final[dict[MfaClass, MfaState]] = {
    "absent": "false",
    "weak": "absent",
    "enforced": "true",
    "denied": "true",
}


@dataclass(frozen=True, slots=True)
class TrustMfa:
    """What a trust policy alone demands of MFA from one caller."""

    caller: Principal
    label: str  # how a message names the caller
    verdict: MfaClass
    witnesses: tuple[StatementHit, ...]  # Allow statements that let the explaining MFA situation through
    clauses: tuple[ConditionClause, ...]  # MFA clauses of every statement that applied in any situation

    @property
    def refs(self) -> tuple[EvidenceRef, ...]:
        return tuple(dict.fromkeys(h.ref for h in self.witnesses))

    def worse_than(self, other: TrustMfa | None) -> bool:
        return other is None or _ORDER[self.verdict] > _ORDER[other.verdict]


def _policy_set(source: PolicySource, request: Request) -> PolicySetResult:
    view = RequestView(request.action.lower(), request.resource, request.lookup, request.principal, False)
    return evaluate_policy_set((source,), view, mode="resource")


def trust_mfa(source: PolicySource, caller: Principal, role_arn: str, label: str) -> TrustMfa | None:
    """The trust policy's MFA verdict for ``caller`` (engine: :func:`mfa_requirement_of`), or None when
    no ``Allow`` of the policy names the caller in any MFA situation (the role does not trust it)."""
    request = Request(caller, ASSUME_ROLE, role_arn)
    results = {state: _policy_set(source, with_mfa(request, state)) for state in MFA_STATES}
    if not any(r.allowed for r in results.values()):
        return None
    verdict = requirement_of_results([results[s] for s in MFA_STATES], must_allow=True)  # = mfa_requirement_of
    witness = results[_WITNESS_STATE[verdict]]
    applied = [h.statement for r in results.values() for h in (*r.allows, *r.conditional_allows, *r.denies)]
    return TrustMfa(
        caller,
        label,
        verdict,
        (*witness.allows, *witness.conditional_allows),
        mfa_clauses(dict.fromkeys(applied)),
    )


def callers_in_account(
    source: PolicySource,
    account: str,
    members: Sequence[Principal],
    partition: str = "aws",
    account_name: str | None = None,
) -> list[tuple[str, Principal]]:
    """The callers of ``account`` to ask the trust policy about, each with the label a message uses.

    Principals the policy names by ARN are asked about themselves. When it names the whole account,
    ``"*"`` or a ``NotPrincipal``, every principal of the account may be meant: when a condition depends
    on who the principal is, ``members`` (the account's real users and roles) plus the principals that
    ``aws:PrincipalArn`` values of the account describe (wildcards filled in, so a user not created yet
    is asked about too); otherwise one user and one role stand for all of them.
    """
    out: dict[str, tuple[str, Principal]] = {}
    whole = bool(open_statements(source))
    for entry in aws_entries(source):
        if entry.account != account:
            continue
        if entry.whole_account:
            whole = True
            continue
        caller = caller_for(entry.value)
        if caller is not None:
            out.setdefault(caller.arn + "#" + (caller.session_name or ""), (entry.value, caller))
    if whole:
        label = account_name or f"account {account}"
        stand_ins = [
            Principal.user(f"arn:{partition}:iam::{account}:user/any-user"),
            Principal.role(f"arn:{partition}:iam::{account}:role/any-role"),
        ]
        chosen = [*members, *_arn_condition_callers(source, account)] if principal_dependent(source) else []
        chosen = chosen or stand_ins
        for caller in chosen:
            named = label if caller in stand_ins else f"{caller.arn} (of {label})"
            out.setdefault(caller.arn + "#", (named, caller))
    return [out[k] for k in sorted(out)]


def _arn_condition_callers(source: PolicySource, account: str) -> list[Principal]:
    """Users and roles of ``account`` that ``aws:PrincipalArn`` condition values name or describe."""
    out: list[Principal] = []
    for statement in source.document.statements:
        for clause in statement.conditions:
            if clause.key.lower() != "aws:principalarn":
                continue
            for value in clause.values:
                concrete = value.replace("*", "x").replace("?", "x")
                caller = caller_for(concrete)
                if caller is not None and caller.account_id == account:
                    out.append(caller)
    return out


def worst_mfa(source: PolicySource, role_arn: str, callers: Iterable[tuple[str, Principal]]) -> TrustMfa | None:
    """The weakest MFA demand the trust policy makes of any of ``callers`` (None: trusts none of them)."""
    worst: TrustMfa | None = None
    for label, caller in callers:
        found = trust_mfa(source, caller, role_arn, label)
        if found is not None and found.worse_than(worst):
            worst = found
    return worst


def statement_names(statements: Iterable[Statement]) -> str:
    """``Sid`` or ``/Statement/N`` of each statement (the engine's :func:`statement_label`), comma separated."""
    return ", ".join(dict.fromkeys(statement_label(s) for s in statements))


def clause_texts(clauses: Iterable[ConditionClause]) -> str:
    return "; ".join(c.text for c in clauses)


def entries_by_account(entries: Iterable[TrustEntry]) -> Iterator[tuple[str, list[TrustEntry]]]:
    """Entries grouped by owning account (entries without one are skipped), accounts sorted."""
    grouped: dict[str, list[TrustEntry]] = {}
    for entry in entries:
        if entry.account is not None:
            grouped.setdefault(entry.account, []).append(entry)
    for account in sorted(grouped):
        yield account, grouped[account]


# ---------------------------------------------------------------------------------- AssumeRole reach

#: Condition keys on the *target* role that confine an identity policy's sts:AssumeRole (IAMUG
#: ``reference_policies_condition-keys``: aws:ResourceOrgID, aws:ResourceOrgPaths, aws:ResourceAccount).
_RESOURCE_ORG_KEYS: Final = frozenset({"aws:resourceorgid", "aws:resourceorgpaths", "aws:resourceaccount"})
#: A role no real policy names: a pattern matching it covers (nearly) every role of every account.
PROBE_ROLE: Final = "arn:aws:iam::000000000000:role/trustmap-probe"


def assume_role_grants(document: PolicyDocument) -> list[Statement]:
    """The ``Allow`` statements of ``document`` whose ``Action``/``NotAction`` covers ``sts:AssumeRole``
    (engine action matcher), in document order.

    Through the engine's compiled document, whose index by service skips the statements that name
    only other services' actions (most of an Identity account's policies).
    """
    action = ASSUME_ROLE.lower()
    return [
        cs.statement
        for cs in compile_document(document).candidates(action)
        if cs.statement.effect == "Allow" and cs.action_matches(action)
    ]


def confined_to_org(statement: Statement, org_id: str | None, is_ours: Callable[[str], bool]) -> bool:
    """A positive condition on the target's organization or account keeps every target inside ours."""
    for clause in statement.conditions:
        key = clause.key.lower()
        if key not in _RESOURCE_ORG_KEYS or not _positive_string_or_arn(clause) or not clause.values:
            continue
        if key == "aws:resourceaccount":
            ok = all(
                v == "${aws:PrincipalAccount}" or (v.isascii() and v.isdigit() and is_ours(v)) for v in clause.values
            )
        elif key == "aws:resourceorgid":
            ok = all(v == "${aws:PrincipalOrgID}" or (org_id is not None and v == org_id) for v in clause.values)
        else:
            ok = all(
                v.startswith("${aws:PrincipalOrgPaths}") or (org_id is not None and v.startswith(f"{org_id}/"))
                for v in clause.values
            )
        if ok:
            return True
    return False


def org_condition_unknown(statement: Statement, org_id: str | None) -> bool:
    """A positive ``aws:ResourceOrgID``/``aws:ResourceOrgPaths`` condition naming an organization by its
    ID while that ID is unknown (no describe-organization): whether it confines the targets to ours
    cannot be told. Ask it of a statement :func:`confined_to_org` did not find confined."""
    if org_id is not None:
        return False
    return any(
        clause.key.lower() in ("aws:resourceorgid", "aws:resourceorgpaths")
        and _positive_string_or_arn(clause)
        and any(not v.startswith("${") for v in clause.values)
        for clause in statement.conditions
    )


def role_pattern_reach(pattern: str) -> str | None:
    """Which roles a ``Resource`` pattern can name: ``"*"`` (roles in any account), a 12-digit account,
    or None (no role, or only roles of the caller's own account through a policy variable)."""
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        return "*" if glob_match(pattern, PROBE_ROLE) else None
    _, _, service, region, account, resource = parts
    if not glob_match(service, "iam") or not glob_match(region, ""):
        return None
    prefix = resource
    for i, char in enumerate(resource):
        if char in "*?":
            prefix = resource[:i]
            break
    covers_role = resource.startswith("role/") or (prefix != resource and "role/".startswith(prefix))
    if not covers_role:
        return None
    if has_wildcard(account):
        return "*"
    return account if account.isascii() and account.isdigit() else None
