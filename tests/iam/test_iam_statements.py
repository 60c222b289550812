"""Statement matching, statement by statement (IAMUG reference_policies_elements_resource.html,
reference_policies_elements_notresource.html, reference_policies_variables.html,
reference_policies_evaluation-logic.html).

* A statement that does not apply (no Principal in a resource policy, another principal, another
  resource, a condition that is false) is skipped and the next statement of the same policy is read.
* NotResource with a policy variable applies to every resource but those it names.
* Equal documents share one compilation but keep their own statements and their Version.
"""

from __future__ import annotations

from iam_case_support import ALICE, IDENTITY_ACCT, allow, deny, policy, source

from analyzer.iam import RequestContext
from analyzer.iam.evaluate import Request
from analyzer.iam.statements import RequestView, compile_document, evaluate_policy_set, statement_label
from analyzer.model.policy import Statement

GET = "s3:GetObject"
BUCKET = "arn:aws:s3:::central-logs"


def _view(resource: str = f"{BUCKET}/alice/x", **context: str) -> RequestView:
    request = Request(ALICE, GET, resource, RequestContext.build(context))
    return RequestView(GET.lower(), resource, request.lookup, ALICE)


def test_each_skipped_statement_lets_the_next_one_be_read() -> None:
    """In a resource policy: no Principal, another principal, another resource, a false condition:
    each is skipped and the last statement, which applies, is found."""
    document = policy(
        {"Sid": "NoPrincipal", "Effect": "Allow", "Action": GET, "Resource": "*"},
        allow("OtherPrincipal", Principal={"AWS": "arn:aws:iam::999999999999:root"}, Action=GET, Resource="*"),
        allow("OtherResource", Principal={"AWS": IDENTITY_ACCT}, Action=GET, Resource=f"{BUCKET}/bob/*"),
        allow(
            "FalseCondition",
            Principal={"AWS": IDENTITY_ACCT},
            Action=GET,
            Resource="*",
            Condition={"StringEquals": {"aws:username": "bob"}},
        ),
        allow("Applies", Principal={"AWS": IDENTITY_ACCT}, Action=GET, Resource=f"{BUCKET}/alice/*"),
    )
    result = evaluate_policy_set([source("bucket", "logs", document)], _view(), mode="resource")
    assert [hit.statement.sid for hit in result.allows] == ["Applies"]
    assert result.problems == ("bucket policy logs statement NoPrincipal: statement without Principal is ignored",)


def test_an_identity_policy_hit_names_no_principal_match() -> None:
    document = policy(allow("Get", Action=GET, Resource="*"))
    (hit,) = evaluate_policy_set([source("inline", "get", document)], _view(), mode="identity").allows
    assert hit.match is None


def test_not_resource_with_a_variable_applies_to_every_other_resource() -> None:
    """``NotResource: .../${aws:username}/*``: a Deny on everything but the caller's own prefix."""
    document = policy(deny("OnlyOwnPrefix", Action=GET, NotResource=f"{BUCKET}/${{aws:username}}/*"))
    policies = [source("inline", "own-prefix", document)]
    assert evaluate_policy_set(policies, _view(f"{BUCKET}/bob/x"), mode="identity").denies
    assert not evaluate_policy_set(policies, _view(f"{BUCKET}/alice/x"), mode="identity").denies


def test_equal_documents_keep_their_own_statements_and_version() -> None:
    """Two bundles' copies of one policy (equal, not identical) share a compilation; each hit cites its
    own statement, and the variables of the second copy are substituted too."""
    raw = policy(
        allow("OwnPrefix", Action=GET, Resource="*", Condition={"StringLike": {"s3:prefix": "home/${aws:username}/*"}})
    )
    first, second = source("inline", "p", raw), source("inline", "p", raw)
    assert first.document == second.document and first.document is not second.document
    view = _view(**{"s3:prefix": "home/alice/docs"})
    for copy in (first, second):
        compiled = compile_document(copy.document)
        assert (compiled.document, compiled.variables_enabled) == (copy.document, True)
        assert compiled.statements[0].statement is copy.document.statements[0]
        (hit,) = evaluate_policy_set([copy], view, mode="identity").allows
        assert hit.statement is copy.document.statements[0]


def test_a_statement_is_labelled_by_sid_then_place() -> None:
    assert statement_label(Statement("Allow", sid="Mine", pointer="/Statement/2")) == "Mine"
    assert statement_label(Statement("Allow", pointer="/Statement/2")) == "/Statement/2"
    assert statement_label(Statement("Allow")) == "/Statement"


# IAMUG reference_policies_variables.html: a variable is replaced by the request's value for its key.
# ``aws:RequestTag/...`` is set by each request, so the exported evidence cannot know it: whether the
# Resource covers the request is open, and the statement applies conditionally (never "not covered").
TEAM_PREFIX = f"{BUCKET}/${{aws:RequestTag/team}}/*"


def test_an_allow_whose_resource_rests_on_an_unknown_key_is_a_conditional_allow() -> None:
    document = policy(allow("Team", Action=GET, Resource=TEAM_PREFIX))
    result = evaluate_policy_set([source("inline", "team", document)], _view(f"{BUCKET}/red/x"), mode="identity")
    assert result.allows == () and result.denies == () and result.conditional_denies == ()
    (hit,) = result.conditional_allows
    assert [(c.operator, c.values) for c in hit.unknown] == [("Resource", (TEAM_PREFIX,))]
    assert "cannot resolve" in hit.unknown[0].key


def test_a_deny_whose_resource_rests_on_an_unknown_key_is_a_conditional_deny() -> None:
    document = policy(deny("Team", Action=GET, Resource=TEAM_PREFIX))
    result = evaluate_policy_set([source("inline", "team", document)], _view(f"{BUCKET}/red/x"), mode="identity")
    assert result.denies == () and len(result.conditional_denies) == 1
    document = policy(deny("NotTeam", Action=GET, NotResource=TEAM_PREFIX))
    result = evaluate_policy_set([source("inline", "team", document)], _view(f"{BUCKET}/red/x"), mode="identity")
    assert result.denies == () and [c.operator for c in result.conditional_denies[0].unknown] == ["NotResource"]


def test_a_known_pattern_beside_the_unknown_one_decides() -> None:
    """One of the Resource patterns covers the request whatever the unknown key: a definite allow; a
    NotResource pattern that covers it: the statement does not apply at all."""
    document = policy(allow("Both", Action=GET, Resource=[TEAM_PREFIX, f"{BUCKET}/red/*"]))
    result = evaluate_policy_set([source("inline", "p", document)], _view(f"{BUCKET}/red/x"), mode="identity")
    assert len(result.allows) == 1 and result.conditional_allows == ()
    document = policy(deny("Not", Action=GET, NotResource=[TEAM_PREFIX, f"{BUCKET}/red/*"]))
    result = evaluate_policy_set([source("inline", "p", document)], _view(f"{BUCKET}/red/x"), mode="identity")
    assert result.denies == () and result.conditional_denies == ()


def test_a_known_variable_still_decides_definitely() -> None:
    document = policy(allow("Own", Action=GET, Resource=f"{BUCKET}/${{aws:username}}/*"))
    policies = [source("inline", "own", document)]
    assert len(evaluate_policy_set(policies, _view(f"{BUCKET}/alice/x"), mode="identity").allows) == 1
    result = evaluate_policy_set(policies, _view(f"{BUCKET}/bob/x"), mode="identity")
    assert result.allows == () and result.conditional_allows == ()
