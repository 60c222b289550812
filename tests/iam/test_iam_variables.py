"""Policy variables substituted from the request (IAM User Guide, "IAM policy elements: Variables and tags",
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).

* A substituted value, or a default, is matched literally: a ``*`` in a user name is no wildcard.
* ``${key, 'default'}`` takes the default when the key is absent (an empty set of values counts as
  absent); without a default the element cannot match.
* A multivalued key cannot be substituted, default or not.
* Variables are substituted only with ``"Version": "2012-10-17"``; otherwise ``${...}`` is literal text.
"""

from __future__ import annotations

from analyzer.iam import RequestContext, Tri, evaluate_clause
from analyzer.iam.context import UNKNOWN, NoneOf
from analyzer.iam.variables import UNRESOLVED, Variable, resolve, template_of
from analyzer.model.policy import ConditionClause


def test_a_substituted_value_is_literal() -> None:
    template = template_of("home/${aws:username}/*", True)
    assert resolve(template, lambda key: ("a*",)) == (("home/", True), ("a*", False), ("/*", True))
    clause = ConditionClause("StringLike", "s3:prefix", ("home/${aws:username}/*",))
    for request, hit in (("home/a*/x", Tri.TRUE), ("home/ab/x", Tri.FALSE)):
        context = RequestContext.build({"aws:username": "a*", "s3:prefix": request})
        assert evaluate_clause(clause, context.lookup, True).value is hit


def test_a_default_is_literal_and_taken_when_the_key_is_absent_or_empty() -> None:
    template = template_of("team-${aws:PrincipalTag/team, 'x*'}", True)
    assert template == (("team-", True), Variable("aws:principaltag/team", "x*"))
    expected = (("team-", True), ("x*", False))
    assert resolve(template, lambda key: None) == expected
    assert resolve(template, lambda key: ()) == expected  # an empty set of values is no value
    clause = ConditionClause("StringLike", "k", ("team-${aws:PrincipalTag/team, 'x*'}",))
    for request, hit in (("team-x*", Tri.TRUE), ("team-xy", Tri.FALSE)):
        context = RequestContext.build({"k": request}, absent=["aws:PrincipalTag/team"])
        assert evaluate_clause(clause, context.lookup, True).value is hit


def test_without_a_default_an_absent_or_empty_key_cannot_match() -> None:
    template = template_of("${aws:username}", True)
    assert resolve(template, lambda key: None) is UNRESOLVED
    assert resolve(template, lambda key: ()) is UNRESOLVED


def test_a_multivalued_key_is_never_substituted_even_with_a_default() -> None:
    assert resolve(template_of("${aws:TagKeys}", True), lambda key: ("a", "b")) is UNRESOLVED
    assert resolve(template_of("${aws:TagKeys, 'd'}", True), lambda key: ("a", "b")) is UNRESOLVED


def test_a_key_not_known_makes_the_value_unknown() -> None:
    template = template_of("${aws:username}-${aws:PrincipalTag/team, 'd'}", True)
    assert resolve(template, lambda key: UNKNOWN) is UNKNOWN
    assert resolve(template, lambda key: NoneOf(frozenset({"x"}))) is UNKNOWN
    known = {"aws:username": ("bob",), "aws:principaltag/team": UNKNOWN}
    assert resolve(template, lambda key: known[key]) is UNKNOWN


def test_variables_off_leave_the_text_literal() -> None:
    """A 2008-10-17 document (or one without Version): ``${aws:username}`` is the text itself."""
    assert template_of("home/${aws:username}", False) == (("home/${aws:username}", True),)
    assert template_of("home/*", True) == (("home/*", True),)
    clause = ConditionClause("StringLike", "k", ("home/${aws:username}",))
    context = RequestContext.build({"aws:username": "bob", "k": "home/bob"})
    assert evaluate_clause(clause, context.lookup, False).value is Tri.FALSE
    assert evaluate_clause(clause, context.lookup, True).value is Tri.TRUE
