"""Build the organization's access graph from the model, once, for every later stage.

Nodes (:class:`~analyzer.graph.access.NodeKind`): every account (organization and evidence), user,
group and role in the evidence, and everything a trust policy names: external accounts, service
principals, SAML/OIDC providers, ``*`` and deleted principals (bare unique ids). A name seen only
in a trust gets a node with ``in_evidence=False``.

Edges (:class:`~analyzer.graph.access.EdgeKind`):

* ``member_of`` user -> group.
* ``trusts`` role -> each principal named by an ``Allow`` statement of its trust policy, as written
  (``principal_type``, ``written``, ``evidence`` = the statement's ref, ``sid``, ``conditions``).
  An ``Allow`` + ``NotPrincipal`` statement trusts everyone it does not list: an edge to ``*`` with
  ``not_principal=True``. ``Deny`` statements name who is refused, not trusted: no edge.
* ``can_assume`` principal -> role, only where the full evaluation allows it (:mod:`.assume`):
  identity policies + boundary + SCPs of the caller, and the role's trust policy. Users and roles
  are callers (role chaining is followed). Service-linked roles have trust edges only: they are
  neither callers nor assumable. SAML/OIDC providers get an edge to the roles whose trust lets
  them federate (``via_saml`` for SAML). External accounts and ``*`` keep their ``trusts`` edges
  only: whether a principal there may call ``sts:AssumeRole`` depends on its own identity
  policies, which are not in the evidence.

The ``can_assume`` edges are held in the graph's :class:`~analyzer.graph.access.AssumeEdges`, not in
networkx. An edge is one entry of its caller's dictionary; its facts are one object per (verdict,
caller kind) (:class:`_VerdictFacts`), shared by every edge the verdict decides, and its evidence and
reason, which depend on the target's trust policy, are made when a query asks for the edge
(:class:`_Texts`). On a dense graph (2,000 roles that may all assume each other: 4,000,000 edges) the
build spends a memoized verdict and a dictionary entry per pair, nothing more. Each caller's targets
are kept in the order one networkx graph of every edge would hold them (:meth:`_Builder._networkx_order`).

MFA on federation edges. ``AssumeRoleWithSAML`` and ``AssumeRoleWithWebIdentity`` sessions carry no
MFA context: MFA-protected API access works only through ``AssumeRole``/``GetSessionToken`` with the
MFA parameters (IAMUG ``id_credentials_mfa_configure-api-require``), and an identity provider's own
MFA is invisible to AWS. Every federation edge (SAML, OIDC, IAM Identity Center) is therefore
``mfa=DELEGATED`` with ``mfa_by=("identity-provider",)`` (``via_saml`` for SAML): neither enforced
nor known to be absent. A config entry may attest the provider's MFA; IDN-003 then quotes it.

What is not known is not guessed: a managed policy, group, inline policy (one the loader could
not decode) or boundary whose document is missing is listed on the caller node (``unresolved``) and
in ``graph.graph["notes"]``; no edge is drawn from what it might grant, and the items that may grant
(all but the boundary, which only limits) are also listed as ``unknown_grants``. A role whose trust
policy cannot be read gets no ``can_assume`` edge; each caller that could assume it if its trust
allowed (same account, or its own side allows ``sts:AssumeRole`` on it) lists it under
``unreadable_trusts``. :meth:`AccessGraph.open_path_gaps` turns both into reasons, so a rule never
mistakes a hidden edge for an absent one. SCPs: see :mod:`analyzer.graph.scp` (management account,
missing or incomplete SCP evidence, levels without a policy).

Attributes beyond ``kind``/``account``/``label``: every node has ``in_evidence`` (False for a name
seen only in a trust policy); account nodes ``role`` (identity/member/management/unknown); roles
``path``, ``sso``, ``service_linked``, ``trust_readable``; callers with missing documents
``unresolved`` (and ``unknown_grants``), callers that may pass an unreadable trust
``unreadable_trusts``. ``graph.graph`` holds ``partition`` and ``notes`` (sorted texts).

Role sessions: a trust naming ``arn:aws:sts::<acct>:assumed-role/<role>/<session>`` is drawn to
that role (``trusts``), and the role gets a ``can_assume`` edge when its session of that name gets
in (:meth:`AssumeEvaluator._evaluate`): whoever assumes the role chooses the session name, so
everyone who reaches the role reaches the target through it; conditionally when the role's own trust
constrains the name. ``CanonicalUser`` principals (S3 only) get no node.

Session tags: a role caller's ``aws:PrincipalTag/*`` are its IAM tags only when its trust does not
allow ``sts:TagSession``; otherwise whoever assumes it chooses session tags that override them
(IAMUG "Passing session tags in AWS STS"), so a condition on them is unknown (a conditional edge).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from analyzer.audit.org_shape import OrgShape
from analyzer.graph.access import AccessGraph, AssumeEdge, AssumeEdges, AssumeFacts, EdgeKind, MfaStatus, NodeKind
from analyzer.graph.assume import (
    BOUNDARY_PREFIX,
    AssumeEvaluator,
    Caller,
    CallerClass,
    Verdict,
    names_caller,
)
from analyzer.graph.gaps import UnreadablePolicies
from analyzer.graph.index import SAML, WEB_IDENTITY, TrustIndex, TrustInfo, allows_session_tags, session_name_rule
from analyzer.graph.nodes import (
    ANYONE,
    KnownPrincipals,
    NodeSpec,
    aws_principal_node,
    federated_node,
    service_node,
)
from analyzer.graph.request_keys import ROLE_TAG_PREFIXES, OrgContext
from analyzer.graph.scp import ScpResolver
from analyzer.iam import DecidingStatement, Principal, Request, RequestContext, evaluate
from analyzer.iam.arn import parse_arn
from analyzer.model.entities import AttachedPolicyRef, Group, Role, User
from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.model.policy import PolicySource, Statement
from analyzer.model.snapshot import AccountEvidence, Snapshot

#: The federation actions as AWS spells them (the index keeps them lower-cased, as the engine compares them).
_ACTION_NAMES = {SAML: "sts:AssumeRoleWithSAML", WEB_IDENTITY: "sts:AssumeRoleWithWebIdentity"}

_SIDE_LABELS = {
    "trust": "the trust policy",
    "identity": "the identity policies",
    "boundary": "the permissions boundary",
    "scp": "an SCP",
}


def build_access_graph(snapshot: Snapshot, shape: OrgShape) -> AccessGraph:
    """The access graph of ``snapshot`` (see the module docstring for what it holds)."""
    return _Builder(snapshot, shape).build()


#: A candidate role: the role, its (readable) trust policy and what the trust says (:class:`TrustInfo`).
_Target = tuple[Role, PolicySource, TrustInfo]


#: A trust statement's condition texts, and (principal type, value, its node or ``None``) per principal.
_TrustNames = tuple[tuple[str, ...], tuple[tuple[str, str, NodeSpec | None], ...]]


@dataclass(frozen=True, slots=True)
class _Federation:
    """A federation decision: allowed, its open conditions, and the trust it was evaluated with."""

    allowed: bool
    conditional: tuple[str, ...]
    deciding: tuple[DecidingStatement, ...]
    trust: PolicySource


class _Texts:
    """The evidence and reason of ``can_assume`` edges, from pieces each computed once.

    An edge's texts depend on its verdict, the role's trust policy (a verdict found for a role with the
    same trust document cites that role's statements: re-pointed at this one's) and whether the caller
    is a role (chaining). The description and reference of each deciding statement and the MFA part of
    the reason are memoized; equal reasons are one string object (on a dense graph, millions of edges
    share a few thousand reasons).
    """

    def __init__(self) -> None:
        self._plans: dict[int, tuple[_Piece, ...]] = {}  # id(verdict): its deciding statements, described
        self._moved: dict[tuple[int, int, str | None], tuple[EvidenceRef, str]] = {}  # (trust, statement, level)
        self._tails: dict[tuple[int, str], str] = {}
        self._reasons: dict[str, str] = {}
        self._last: tuple[int, int, str] | None = None
        self._last_texts: tuple[tuple[EvidenceRef, ...], str] = ((), "")

    def of(self, verdict: Verdict, trust: PolicySource, caller_kind: str) -> tuple[tuple[EvidenceRef, ...], str]:
        key = (id(verdict), id(trust), caller_kind)
        if key == self._last:  # callers of one class in a row
            return self._last_texts
        plan = self._plans.get(id(verdict))
        if plan is None:
            plan = self._plans[id(verdict)] = tuple(
                (d.statement if d.source is verdict.trust else None, d.level, d.ref, d.describe())
                for d in verdict.deciding
            )
        if verdict.trust is trust:
            refs = [piece[2] for piece in plan]
            described = [piece[3] for piece in plan]
        else:  # found for a role with the same trust document: cite this role's own trust statements
            refs, described = [], []
            for statement, level, ref, text in plan:
                if statement is not None:
                    moved = self._moved.get((id(trust), id(statement), level))
                    if moved is None:
                        own = trust.statement_ref(statement)
                        shown = DecidingStatement(trust, statement, own, (), level).describe()
                        moved = self._moved[(id(trust), id(statement), level)] = (own, shown)
                    ref, text = moved
                refs.append(ref)
                described.append(text)
        tail = self._tails.get((id(verdict), caller_kind))
        if tail is None:
            tail = self._tails[(id(verdict), caller_kind)] = _reason_tail(caller_kind, verdict)
        reason = ("allowed by " + "; ".join(described) if described else "allowed") + tail
        texts = tuple(dict.fromkeys(refs)), self._reasons.setdefault(reason, reason)
        self._last, self._last_texts = key, texts
        return texts


class _VerdictFacts:
    """The facts of the ``can_assume`` edges one verdict decides from callers of one kind.

    Shared by all of them (on a dense graph, a caller's thousands of edges): the texts of an edge
    depend on its target's own trust policy only (:class:`_Texts`), so they are made by :meth:`edge`,
    when a query returns the edge, never stored per edge.
    """

    __slots__ = ("caller_kind", "mfa", "texts", "trusts", "verdict")

    def __init__(self, verdict: Verdict, caller_kind: str, texts: _Texts, trusts: dict[str, PolicySource]) -> None:
        self.mfa: MfaStatus = verdict.mfa
        self.verdict = verdict
        self.caller_kind = caller_kind
        self.texts = texts
        self.trusts = trusts  # role ARN -> its trust policy (every role that is a candidate)

    def edge(self, source: str, target: str) -> AssumeEdge:
        verdict = self.verdict
        evidence, reason = self.texts.of(verdict, self.trusts[target], self.caller_kind)
        return AssumeEdge(
            source=source,
            target=target,
            mfa=verdict.mfa,
            mfa_by=verdict.mfa_by,
            conditional=verdict.conditional,
            evidence=evidence,
            reason=reason,
        )


#: A deciding statement of a verdict: the trust statement (``None`` for another policy's), its SCP level,
#: its evidence and its description as computed.
_Piece = tuple[Statement | None, str | None, EvidenceRef, str]


class _Builder:
    def __init__(self, snapshot: Snapshot, shape: OrgShape) -> None:
        self.snapshot = snapshot
        self.shape = shape
        self.partition = snapshot.manifest.partition or "aws"
        self.graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        self.assume = AssumeEdges()
        self._trust_of: dict[str, PolicySource] = {}  # role ARN -> its readable trust (the edges' texts)
        self._facts: dict[tuple[int, str], _VerdictFacts] = {}  # (id(verdict), caller kind): verdicts live as long
        self.notes: set[str] = set()
        self.index = TrustIndex()
        self.scps = ScpResolver.of(snapshot, shape.management_account, shape.management.reason)
        if shape.management.source == "derived":
            self.notes.add(f"management account {shape.management_account}: {shape.management.reason}")
        listed = snapshot.state(Kind.ORG_ACCOUNTS).status.usable  # complete: an account not listed is outside
        parents = {a.id: a.parent_path for a in snapshot.org_accounts}
        org = OrgContext.of(shape.organization_id, parents, complete=listed)
        self.evaluator = AssumeEvaluator(self.scps, org)
        self.known = self._known()
        self.unreadable = UnreadablePolicies.of(snapshot)
        self.blind_roles: list[Role] = []  # assumable roles whose trust policy could not be read
        self._edge_texts = _Texts()
        self._targets: dict[tuple[str, tuple[str, ...] | None], tuple[_Target, ...]] = {}
        self._federations: dict[tuple[object, ...], _Federation] = {}
        self._trust_names: dict[int, _TrustNames] = {}

    # ------------------------------------------------------------------ nodes
    def _known(self) -> KnownPrincipals:
        accounts = {a.id: f"{a.name} ({a.id})" if a.name else a.id for a in self.shape.accounts}
        principals: dict[str, NodeSpec] = {}
        unique_ids: dict[str, NodeSpec] = {}
        roles_by_name: dict[tuple[str, str], str] = {}
        for evidence in self._accounts():
            for user in evidence.users:
                spec = NodeSpec(user.arn, NodeKind.USER, user.account_id, user.name, True)
                principals[user.arn] = unique_ids[user.user_id] = spec
            for role in evidence.roles:
                spec = NodeSpec(role.arn, NodeKind.ROLE, role.account_id, role.name, True)
                principals[role.arn] = unique_ids[role.role_id] = spec
                roles_by_name[(role.account_id, role.name)] = role.arn
        return KnownPrincipals(self.partition, accounts, principals, unique_ids, roles_by_name)

    def _accounts(self) -> Iterable[AccountEvidence]:
        return (self.snapshot.accounts[a] for a in sorted(self.snapshot.accounts))

    def _node(self, spec: NodeSpec, **extra: object) -> str:
        if spec.key not in self.graph:
            self.graph.add_node(
                spec.key, kind=spec.kind, account=spec.account, label=spec.label, in_evidence=spec.in_evidence, **extra
            )
        return spec.key

    def _add_inventory(self) -> None:
        for info in self.shape.accounts:
            spec = NodeSpec(
                f"arn:{self.partition}:iam::{info.id}:root",
                NodeKind.ACCOUNT,
                info.id,
                self.known.accounts[info.id],
                True,
            )
            self._node(spec, role=info.role)
        for evidence in self._accounts():
            for group in evidence.groups:
                self._node(NodeSpec(group.arn, NodeKind.GROUP, group.account_id, group.name, True))
            for user in evidence.users:
                self._node(self.known.principals[user.arn])
            for role in evidence.roles:
                self._node(
                    self.known.principals[role.arn],
                    path=role.path,
                    sso=role.is_sso,
                    service_linked=role.is_service_linked,
                    trust_readable=role.trust_policy is not None,
                )

    # ------------------------------------------------------------------ callers
    def _user_caller(self, user: User, evidence: AccountEvidence) -> Caller:
        identity: list[PolicySource] = list(user.inline_policies)
        unresolved = self._unreadable_inline(user.ref, "user", f"user {user.name}")
        identity.extend(self._attached(user.attached_policies, unresolved))
        for name in sorted(user.group_names, key=str.lower):
            group = evidence.group(name)
            if group is None:
                key = f"arn:{self.partition}:iam::{user.account_id}:group/{name}"
                self._node(NodeSpec(key, NodeKind.GROUP, user.account_id, name))
                self.graph.add_edge(user.arn, key, key=EdgeKind.MEMBER_OF, kind=EdgeKind.MEMBER_OF)
                unresolved.append(f"group {name}")
                continue
            self.graph.add_edge(user.arn, group.arn, key=EdgeKind.MEMBER_OF, kind=EdgeKind.MEMBER_OF)
            identity.extend(self._group_policies(group, unresolved))
        principal = Principal.user(user.arn, tags=dict(user.tags), unique_id=user.user_id)
        boundary = self._boundary(user.boundary, unresolved)
        return Caller(user.arn, "user", user.account_id, principal, tuple(identity), boundary, tuple(unresolved))

    def _group_policies(self, group: Group, unresolved: list[str]) -> list[PolicySource]:
        unresolved.extend(self._unreadable_inline(group.ref, "group", f"group {group.name}"))
        return [*group.inline_policies, *self._attached(group.attached_policies, unresolved)]

    def _unreadable_inline(self, owner: EvidenceRef, entity: str, label: str) -> list[str]:
        return [f"inline policy {name} of {label}" for name in self.unreadable.inline(owner, entity)]

    def _role_caller(self, role: Role) -> Caller:
        unresolved = self._unreadable_inline(role.ref, "role", f"role {role.name}")
        identity = [*role.inline_policies, *self._attached(role.attached_policies, unresolved)]
        # sessions of a role whose trust allows sts:TagSession carry tags their assumer chose: not known
        tags = None if allows_session_tags(role.trust_policy) else dict(role.tags)
        principal = Principal.role(role.arn, tags=tags, unique_id=role.role_id)
        boundary = self._boundary(role.boundary, unresolved)
        rule = session_name_rule(role.trust_policy)
        return Caller(role.arn, "role", role.account_id, principal, tuple(identity), boundary, tuple(unresolved), rule)

    @staticmethod
    def _attached(refs: Iterable[AttachedPolicyRef], unresolved: list[str]) -> list[PolicySource]:
        found = []
        for ref in refs:
            if ref.policy is None:
                unresolved.append(ref.arn)
            else:
                found.append(ref.policy)
        return found

    @staticmethod
    def _boundary(ref: AttachedPolicyRef | None, unresolved: list[str]) -> PolicySource | None:
        if ref is not None and ref.policy is None:
            unresolved.append(f"{BOUNDARY_PREFIX}{ref.arn}")
        return ref.policy if ref is not None else None

    def _callers(self) -> list[Caller]:
        callers: list[Caller] = []
        for evidence in self._accounts():
            callers.extend(self._user_caller(u, evidence) for u in evidence.users)
            callers.extend(self._role_caller(r) for r in evidence.roles if not r.is_service_linked)
        for caller in callers:
            if caller.unresolved:
                node = self.graph.nodes[caller.arn]
                node["unresolved"] = caller.unresolved
                if caller.unknown_grants:
                    node["unknown_grants"] = caller.unknown_grants
                self.notes.add(
                    f"{caller.arn}: {', '.join(caller.unresolved)} not readable from the evidence; "
                    "what it grants is not counted"
                )
        return sorted(callers, key=lambda c: c.arn)

    # ------------------------------------------------------------------ trusts
    def _add_trusts(self) -> None:
        for evidence in self._accounts():
            for role in evidence.roles:
                trust = role.trust_policy
                if trust is None:
                    self.notes.add(f"{role.arn}: trust policy not readable; nobody is shown able to assume it")
                    if not role.is_service_linked:
                        self.blind_roles.append(role)
                    continue
                for statement in trust.document.statements:
                    if statement.effect == "Allow":
                        self._trust_edges(role, trust, statement)
                if not role.is_service_linked:
                    self.index.add(role, trust)
                    self._trust_of[role.arn] = trust

    def _trust_edges(self, role: Role, trust: PolicySource, statement: Statement) -> None:
        named = self._trust_names.get(id(statement))  # statements live as long as their documents
        if named is None:
            named = self._trust_names[id(statement)] = self._names_of(statement)
        conditions, targets = named
        common = {"evidence": trust.statement_ref(statement), "sid": statement.sid or "", "conditions": conditions}
        if statement.not_principal is not None:
            self._node(NodeSpec(ANYONE, NodeKind.ANYONE, "", "anyone (*)"))
            key = f"trusts{statement.pointer}:NotPrincipal"
            self.graph.add_edge(
                role.arn,
                ANYONE,
                key=key,
                kind=EdgeKind.TRUSTS,
                principal_type="NotPrincipal",
                written="",
                not_principal=True,
                **common,
            )
        for ptype, value, spec in targets:
            if spec is None:
                if ptype == "AWS":
                    self.notes.add(f"{role.arn}: trust names {value!r}, which is not a valid AWS principal")
                continue
            self._node(spec)
            self.graph.add_edge(
                role.arn,
                spec.key,
                key=f"trusts{statement.pointer}:{ptype}:{value}",
                kind=EdgeKind.TRUSTS,
                principal_type=ptype,
                written=value,
                not_principal=False,
                **common,
            )

    def _names_of(self, statement: Statement) -> _TrustNames:
        """A trust statement's condition texts and the node of each principal it names (once per statement)."""
        conditions = tuple(c.text for c in statement.conditions)
        values = statement.principal.values() if statement.principal is not None else ()
        return conditions, tuple((ptype, value, self._principal_spec(ptype, value)) for ptype, value in values)

    def _principal_spec(self, ptype: str, value: str) -> NodeSpec | None:
        """The node a principal value names; ``None`` for CanonicalUser and for an invalid AWS value."""
        if ptype == "AWS":
            return aws_principal_node(value, self.known)
        if ptype == "Service":
            return service_node(value)
        if ptype == "Federated":
            return federated_node(value)
        return None  # CanonicalUser: S3 only, never a role's caller

    # ------------------------------------------------------------------ can_assume
    def _add_assume_edges(self, callers: list[Caller]) -> None:
        """Every ``can_assume`` edge from a user or role: the candidates the indexes give, each decided.

        A caller's candidates are the roles its identity ``Allow`` patterns match among those whose trust
        names its account or anyone (:meth:`TrustIndex.pool_for_account`, one list per account and
        patterns), and the roles whose trust names the caller itself or anyone in its account; no other
        role is looked at. Callers of one class (the same policy objects) share each verdict the trust
        does not make theirs alone (``shared``), when the class has more than one caller.
        """
        members = Counter(caller.class_key for caller in callers)
        by_class: dict[tuple[object, ...], dict[str, Verdict | None]] = {}
        for caller in callers:
            cls = self.evaluator.caller_class(caller)
            candidates: Sequence[_Target] = self._reachable(caller.account, cls.allow_patterns) if cls.can_allow else ()
            # roles whose trust names the caller itself, or anyone within its own account: the trust
            # alone may allow them, whatever the identity policies say (see TrustIndex.open_in)
            direct = self.index.naming(caller.arn, caller.principal.unique_id, session_of=caller.session_of)
            named = direct + self.index.open_in(caller.account)
            if named:
                candidates = self._with_named(candidates, named)
            shared: dict[str, Verdict | None] | None = None
            if members[caller.class_key] > 1 and not cls.sensitive:
                shared = by_class.setdefault(caller.class_key, {})
            targets: dict[str, AssumeFacts] = {}
            # the role's ARN reaches the verdict only through the signature (constant here) or a trust
            # with Resource; the rest of what the verdict reads of a role is its trust document, its
            # account and, when read, its tags: roles alike in those share this caller's verdict
            alike: dict[tuple[object, ...], AssumeFacts | None] | None = (
                {} if not cls.templated and not cls.signature.matchers else None
            )
            for role, trust, info in candidates:
                if role.arn == caller.arn:
                    continue  # a role re-assuming itself reaches nothing new: no edge (it would loop every path)
                if alike is None:
                    facts = self._facts_for(caller, cls, shared, role, trust, info)
                else:
                    key = (
                        id(info),
                        role.account_id,
                        role.arn if info.has_resource else None,
                        role.tags if cls.reads_role_tags or info.reads_role_tags else None,
                    )
                    try:
                        facts = alike[key]
                    except KeyError:
                        facts = alike[key] = self._facts_for(caller, cls, shared, role, trust, info)
                if facts is not None:
                    targets[role.arn] = facts
            self.assume.add_from(caller.arn, targets)
            blind = [r.arn for r in self.blind_roles if r.arn != caller.arn and self.evaluator.may_assume(caller, r)]
            if blind:
                self.graph.nodes[caller.arn]["unreadable_trusts"] = tuple(blind)

    def _reachable(self, account: str, patterns: tuple[str, ...] | None) -> tuple[_Target, ...]:
        """The roles a caller of ``account`` with these identity ``Allow`` patterns may reach, by ARN (memoized)."""
        key = (account, patterns)
        found = self._targets.get(key)
        if found is None:
            pool = self.index.pool_for_account(account)
            found = self._targets[key] = tuple(
                (role, trust, self.index.info(trust.document))
                for role in pool.matching(patterns)
                if (trust := role.trust_policy) is not None
            )
        return found

    def _with_named(self, candidates: Iterable[_Target], named: list[Role]) -> list[_Target]:
        """``candidates`` and the roles whose trust names the caller itself (or anyone, in its account), by ARN."""
        merged = {c[0].arn: c for c in candidates}
        for role in named:
            if role.arn not in merged and (trust := role.trust_policy) is not None:
                merged[role.arn] = (role, trust, self.index.info(trust.document))
        return [merged[arn] for arn in sorted(merged)]

    def _facts_for(
        self,
        caller: Caller,
        cls: CallerClass,
        shared: dict[str, Verdict | None] | None,
        role: Role,
        trust: PolicySource,
        info: TrustInfo,
    ) -> AssumeFacts | None:
        """The facts of the edge ``caller`` -> ``role`` (``None``: no edge), from the verdict memos."""
        if shared is not None and not info.principal_sensitive and not names_caller(info, caller):
            try:
                verdict = shared[role.arn]
            except KeyError:
                verdict = shared[role.arn] = self.evaluator.verdict(caller, role, trust, info, cls)
        else:
            verdict = self.evaluator.verdict(caller, role, trust, info, cls)
        if verdict is None:
            return None
        facts = self._facts.get((id(verdict), caller.kind))
        return facts if facts is not None else self._verdict_facts(verdict, caller.kind)

    def _verdict_facts(self, verdict: Verdict, caller_kind: str) -> _VerdictFacts:
        """The facts every edge of ``verdict`` from a caller of ``caller_kind`` shares (one object for all)."""
        facts = self._facts[(id(verdict), caller_kind)] = _VerdictFacts(
            verdict, caller_kind, self._edge_texts, self._trust_of
        )
        return facts

    def _add_federation_edges(self) -> None:
        for evidence in self._accounts():
            for role in evidence.roles:
                trust = role.trust_policy
                if trust is None or role.is_service_linked:
                    continue
                for provider, action in self.index.info(trust.document).federated:
                    self._federation_edge(role, trust, provider, action)

    def _federation_decision(self, role: Role, trust: PolicySource, provider: str, action: str) -> _Federation:
        """The trust's decision for the provider, once per trust document and role account.

        The request reads nothing else of the role but its tags (:meth:`OrgContext.role_values`: they
        join the key when the trust reads them); the role ARN is matched only by a statement with
        ``Resource``, then it joins the key.
        """
        info = self.index.info(trust.document)
        tags = role.tags if info.reads_role_tags else None
        key = (id(trust.document), provider, action, role.account_id, role.arn if info.has_resource else None, tags)
        found = self._federations.get(key)
        if found is None:
            values = self.evaluator.org.role_values(role)
            context = RequestContext.build(values, absent_prefixes=ROLE_TAG_PREFIXES)
            request = Request(Principal.federated(provider), action, role.arn, context)
            decision = evaluate(request, resource_policy=trust, trust_policy=True)
            conditional = tuple(sorted({c.text for c in decision.conditional}))
            found = self._federations[key] = _Federation(decision.allowed, conditional, decision.deciding, trust)
        return found

    def _federation_edge(self, role: Role, trust: PolicySource, provider: str, action: str) -> None:
        decision = self._federation_decision(role, trust, provider, action)
        if not decision.allowed:
            return
        saml = action == SAML
        provider_arn = parse_arn(provider)
        own_provider = provider_arn is not None and provider_arn.account == role.account_id
        conditional = decision.conditional
        evidence = tuple(dict.fromkeys(_repoint(d, decision.trust, trust).ref for d in decision.deciding))
        kind = "SAML" if saml else "web identity"
        if saml and role.is_sso and own_provider:
            kind = "IAM Identity Center (SAML)"
        reason = (
            f"{kind} federation ({_ACTION_NAMES[action]}) allowed by the trust policy: MFA is delegated "
            "to the identity provider. "
            "A federated session carries no MFA context, so whether the provider required MFA is not in the evidence"
        )
        info = AssumeEdge(
            source=provider,
            target=role.arn,
            mfa=MfaStatus.DELEGATED,
            mfa_by=("identity-provider",),
            conditional=conditional,
            evidence=evidence,
            reason=reason,
            via_saml=saml,
        )
        if provider not in self.graph:
            self.graph.add_node(provider)  # as networkx's add_edge would
        self.assume.add(provider, role.arn, info)

    # ------------------------------------------------------------------ all
    def build(self) -> AccessGraph:
        self._add_inventory()
        self._add_trusts()
        callers = self._callers()
        self._add_assume_edges(callers)
        self._add_federation_edges()
        self._networkx_order()
        self.notes.update(self.scps.notes)
        self.graph.graph["partition"] = self.partition
        self.graph.graph["notes"] = tuple(sorted(self.notes))
        return AccessGraph(self.graph, self.assume)

    def _networkx_order(self) -> None:
        """Each caller's targets in the order a networkx graph holding every edge would give them.

        There a node's neighbours are in the order of their first edge of any kind, and the ``trusts``
        and ``member_of`` edges come first: a role its caller's trust names comes before the rest.
        Searches take neighbours in that order (a shortest path is the first one found).
        """
        succ = self.assume.succ
        for source, targets in succ.items():
            if source not in self.graph:
                continue
            early = [target for target in self.graph.succ[source] if target in targets]
            if early:
                ordered = {target: targets[target] for target in early}
                ordered.update(targets)
                succ[source] = ordered


def _repoint(decided: DecidingStatement, evaluated: PolicySource, trust: PolicySource) -> DecidingStatement:
    """A deciding statement of the trust evaluated for another role, re-pointed at this role's own trust."""
    if decided.source is not evaluated or evaluated is trust:
        return decided
    ref = trust.statement_ref(decided.statement)
    return DecidingStatement(trust, decided.statement, ref, decided.unknown, decided.level)


def _reason_tail(caller_kind: str, verdict: Verdict) -> str:
    """The reason after its deciding statements: the role session, the MFA and the open conditions."""
    allowed = ""
    if verdict.session:
        allowed += (
            f" for the role's session {verdict.session!r}, which the trust names (whoever assumes the role names it)"
        )
    if verdict.mfa is MfaStatus.ENFORCED:
        by = " and ".join(_SIDE_LABELS.get(s, s) for s in verdict.mfa_by) or "the policies together"
        mfa = f"MFA enforced by {by}"
    elif verdict.mfa is MfaStatus.WEAK:
        by = " and ".join(_SIDE_LABELS.get(s, s) for s in verdict.mfa_by) or "the policies"
        refuse = "refuse" if len(verdict.mfa_by) != 1 or by.endswith("policies") else "refuses"
        mfa = f"MFA weak: {by} {refuse} a session without MFA but long-term access keys pass (...IfExists)"
    else:
        mfa = "no MFA required"
    if caller_kind == "role":
        mfa += " (role chaining: the calling session keeps the MFA state it was assumed with)"
    if verdict.conditional:
        mfa += "; only if: " + ", ".join(verdict.conditional)
    return f"{allowed}; {mfa}"
