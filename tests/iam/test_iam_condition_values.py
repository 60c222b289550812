"""Many condition values: equality-only values are looked up in a set, the rest tried one by one.

The fast path must decide exactly what trying every value with its matcher decides (reference:
each policy value's matcher, tried in turn, as IAMUG ``reference_policies_elements_condition_operators``
describes: the values of one key are ORed; negated operators match none of them).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.iam import RequestContext, Tri, evaluate_clause
from analyzer.iam.conditions import _matcher, parse_operator
from analyzer.iam.variables import template_of
from analyzer.model.policy import ConditionClause

OPERATORS = (
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ArnLike",
    "ArnEquals",
    "ArnNotLike",
    "ForAnyValue:StringLike",
    "ForAllValues:StringEquals",
)
policy_values = st.lists(st.text(alphabet="aA:*?", max_size=5), min_size=1, max_size=6)
request_values = st.lists(st.text(alphabet="aA:", max_size=5), min_size=1, max_size=3)


def _reference(operator: str, values: list[str], request: list[str]) -> bool:
    op = parse_operator(operator)
    assert op is not None
    matchers = [m for v in values if (m := _matcher(op.family, op.comparison, template_of(v, False))) is not None]

    def hit(value: str) -> bool:
        return any(m(value) for m in matchers)

    if op.set_operator == "all":
        return all(hit(v) != op.negated for v in request)
    if op.set_operator == "any":
        return any(hit(v) != op.negated for v in request)
    return any(hit(v) for v in request) != op.negated


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(OPERATORS), policy_values, request_values)
def test_value_set_lookup_decides_like_trying_every_value(operator: str, values: list[str], request: list[str]) -> None:
    clause = ConditionClause(operator, "k", tuple(values))
    context = RequestContext.build({"k": request})
    outcome = evaluate_clause(clause, context.lookup, False)
    assert outcome.value is Tri.of(_reference(operator, values, request))


def test_escaped_wildcard_is_a_literal_and_a_written_one_is_not() -> None:
    """``${*}`` (variables on) is a literal star: only ``a*`` matches it; ``a*`` as written matches ``ab``."""
    escaped = ConditionClause("StringLike", "k", ("a${*}",))
    written = ConditionClause("StringLike", "k", ("a*",))
    for value, escaped_hit, written_hit in (("a*", True, True), ("ab", False, True)):
        lookup = RequestContext.build({"k": value}).lookup
        assert evaluate_clause(escaped, lookup, True).value is Tri.of(escaped_hit)
        assert evaluate_clause(written, lookup, True).value is Tri.of(written_hit)


def test_a_thousand_account_values_are_one_lookup() -> None:
    accounts = tuple(f"{n:012d}" for n in range(1000))
    clause = ConditionClause("StringEquals", "aws:SourceAccount", accounts)
    assert (
        evaluate_clause(clause, RequestContext.build({"aws:SourceAccount": "000000000999"}).lookup, True).value
        is Tri.TRUE
    )
    assert (
        evaluate_clause(clause, RequestContext.build({"aws:SourceAccount": "100000000000"}).lookup, True).value
        is Tri.FALSE
    )


class CountedHash(str):
    """A condition value that counts how often it is hashed."""

    hashed = 0

    def __hash__(self) -> int:
        CountedHash.hashed += 1
        return super().__hash__()


def test_evaluating_a_long_clause_again_does_not_hash_its_values_again() -> None:
    """Issue 11: 100,000 values in one condition took 99 s. Every evaluation hashed the whole clause
    (the compiled-clause cache and the sets of applied statements key on it), once for each of the
    100,000 callers the ``aws:PrincipalArn`` values describe: quadratic. The hash is kept now."""
    values = tuple(CountedHash(f"arn:aws:iam::111122223333:user/person-{n:04d}") for n in range(1000))
    clause = ConditionClause("StringEquals", "aws:PrincipalArn", values)
    CountedHash.hashed = 0
    for n in range(200):
        lookup = RequestContext.build({"aws:PrincipalArn": f"arn:aws:iam::111122223333:user/person-{n:04d}"}).lookup
        assert evaluate_clause(clause, lookup, True).value is Tri.TRUE
        assert {clause: True}[clause]  # a set or dict of clauses, as the rules keep
    assert CountedHash.hashed <= 2 * len(values)  # compiling the clause once; was 200 x 1,000
