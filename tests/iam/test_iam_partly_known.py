"""Keys known only in part (:class:`NoneOf`): absent, or values that are not the excluded ones.

IAMUG "AWS global condition context keys", ``aws:PrincipalOrgID``: the key is in the request only
when the principal's account is a member of an organization. A caller from an account known to be
outside ours has no such key or another organization's id, never ours. The engine decides a clause
only when every such request would decide it alike (soundness, checked here against concrete requests).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.iam import RequestContext, Tri, evaluate_clause
from analyzer.iam.context import NoneOf
from analyzer.model.policy import ConditionClause

ORG = "o-ours12345"
OUTSIDER = RequestContext.build({"aws:PrincipalOrgID": NoneOf(frozenset({ORG}))})
PATHS = RequestContext.build({"aws:PrincipalOrgPaths": NoneOf(frozenset(), (f"{ORG}/",))})


def _clause(operator: str, key: str, *values: str) -> Tri:
    context = PATHS if key == "aws:PrincipalOrgPaths" else OUTSIDER
    return evaluate_clause(ConditionClause(operator, key, values), context.lookup, True).value


def test_an_outsider_never_has_our_organization_id() -> None:
    assert _clause("StringEquals", "aws:PrincipalOrgID", ORG) is Tri.FALSE
    assert _clause("StringNotEquals", "aws:PrincipalOrgID", ORG) is Tri.TRUE  # the deny-outsiders guard applies
    assert _clause("StringEqualsIgnoreCase", "aws:PrincipalOrgID", ORG.upper()) is Tri.FALSE
    assert _clause("StringLike", "aws:PrincipalOrgID", ORG) is Tri.FALSE
    # what another organization's id, or none, would decide differently stays unknown
    assert _clause("StringEquals", "aws:PrincipalOrgID", "o-theirs6789") is Tri.UNKNOWN
    assert _clause("StringLike", "aws:PrincipalOrgID", "o-*") is Tri.UNKNOWN
    assert _clause("Null", "aws:PrincipalOrgID", "true") is Tri.UNKNOWN
    assert _clause("StringNotEqualsIfExists", "aws:PrincipalOrgID", ORG) is Tri.TRUE
    assert _clause("StringEquals", "aws:PrincipalOrgID", "${aws:PrincipalAccount}") is Tri.UNKNOWN


def test_an_outsider_is_on_none_of_our_organization_paths() -> None:
    ou = f"{ORG}/r-ab12/ou-ab12-11111111/*"
    assert _clause("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", ou) is Tri.FALSE
    assert _clause("ForAnyValue:StringNotLike", "aws:PrincipalOrgPaths", ou) is Tri.UNKNOWN  # absent: false
    assert _clause("ForAllValues:StringLike", "aws:PrincipalOrgPaths", ou) is Tri.UNKNOWN  # absent: true


OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "StringEqualsIfExists",
    "StringNotLikeIfExists",
    "ForAnyValue:StringLike",
    "ForAnyValue:StringNotEquals",
    "ForAllValues:StringLike",
    "ForAllValues:StringNotEquals",
    "Null",
    "ArnLike",
)
TEXT = st.text(alphabet="ab/*?", max_size=4)


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(OPERATORS),
    st.lists(TEXT, min_size=1, max_size=3),
    st.frozensets(st.text(alphabet="ab/", max_size=3), max_size=2),
    st.lists(st.text(alphabet="ab/", min_size=1, max_size=2), max_size=1),
    st.one_of(st.none(), st.lists(st.text(alphabet="ab/", max_size=4), min_size=1, max_size=2)),
)
def test_a_decided_clause_is_decided_alike_for_every_request_it_stands_for(
    operator: str, values: list[str], excluded: frozenset[str], prefixes: list[str], request: list[str] | None
) -> None:
    if operator == "Null":
        values = [["true"], ["false"], ["true", "false"]][len(values) - 1]
    known = NoneOf(excluded, tuple(prefixes))
    if request is not None and any(v in excluded or v.startswith(tuple(prefixes)) for v in request):
        return  # not a request the partial knowledge stands for
    clause = ConditionClause(operator, "k", tuple(values))
    partial = evaluate_clause(clause, RequestContext.build({"k": known}).lookup, False).value
    concrete_context = (
        RequestContext.build({"k": request}) if request is not None else RequestContext.build(absent=["k"])
    )
    concrete = evaluate_clause(clause, concrete_context.lookup, False).value
    assert partial is Tri.UNKNOWN or partial is concrete, (partial, concrete)
