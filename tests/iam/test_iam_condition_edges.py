"""Condition operators at their edges (IAMUG reference_policies_elements_condition_operators.html).

* Numeric and date operators compare values; a request value that is no number (or ``inf``) matches
  nothing. Dates are ISO 8601 (``z`` as well as ``Z``) or epoch seconds; a time without a zone is
  UTC whatever the machine's zone.
* BinaryEquals compares base64 values; text that is not base64 matches nothing.
* ``${*}`` is a literal star inside an exact value.
* A key known only in part (:class:`NoneOf`: absent, or none of some values) decides a clause only
  when both cases agree.
* The AND of a statement's clauses reports the unknown clauses and every problem.

Every policy value here is used by no other test: compiled clauses and matchers are cached by value.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterator

import pytest

from analyzer.iam import RequestContext, Tri, evaluate_clause, evaluate_conditions
from analyzer.iam.conditions import ClauseOutcome, ConditionsOutcome, parse_date
from analyzer.iam.context import NoneOf
from analyzer.model.policy import ConditionClause


def _clause(operator: str, values: tuple[str, ...], key: str = "test:key") -> ConditionClause:
    return ConditionClause(operator, key, values)


def _value(clause: ConditionClause, request: object, variables: bool = True) -> Tri:
    context = RequestContext.build({clause.key: request}) if not isinstance(request, NoneOf) else None
    lookup = context.lookup if context is not None else (lambda key: request)
    return evaluate_clause(clause, lookup, variables).value  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("operator", "bound", "request_value", "expected"),
    [
        ("NumericLessThan", "7.25", "3", Tri.TRUE),
        ("NumericLessThan", "7.25", "9", Tri.FALSE),
        ("NumericLessThan", "7.25", "abc", Tri.FALSE),
        ("NumericGreaterThan", "7.5", "inf", Tri.FALSE),
        ("NumericGreaterThan", "7.5", "nan", Tri.FALSE),
        ("NumericGreaterThanEquals", "7.75", "7.75", Tri.TRUE),
        ("DateLessThan", "2031-05-06T07:08:09Z", "2031-05-06T07:08:08Z", Tri.TRUE),
        ("DateLessThan", "2031-05-06T07:08:10Z", "2031-05-06T07:08:11Z", Tri.FALSE),
        ("DateLessThan", "2031-05-06T07:08:12Z", "yesterday", Tri.FALSE),
    ],
)
def test_ordered_operators_compare_numbers_and_dates(
    operator: str, bound: str, request_value: str, expected: Tri
) -> None:
    assert _value(_clause(operator, (bound,)), request_value) is expected


def test_an_ordered_operator_is_not_an_equality() -> None:
    """A numeric value is never a literal to look up: 3 < 7.125 though "3" is not "7.125"."""
    assert _value(_clause("NumericLessThan", ("7.125",)), "3") is Tri.TRUE
    outcome = evaluate_clause(
        _clause("NumericEquals", ("seven",)), RequestContext.build({"test:key": "seven"}).lookup, True
    )
    assert outcome == evaluate_clause(_clause("NumericEquals", ("seven",)), lambda key: ("seven",), True)
    assert outcome.value is Tri.FALSE and outcome.problem == "NumericEquals: invalid value 'seven' for key test:key"


def test_dates_accept_a_lower_case_zone_and_epoch_seconds() -> None:
    """RFC 3339 section 5.6 allows 'z' for 'Z'."""
    assert parse_date("2031-01-02T03:04:05z") == parse_date("2031-01-02T03:04:05Z") == 1925089445.0
    assert parse_date(" 1925089445 ") == 1925089445.0
    assert parse_date("2031-13-01") is None


@pytest.fixture
def far_time_zone() -> Iterator[None]:
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.usefixtures("far_time_zone")
def test_a_time_without_a_zone_is_utc_on_any_machine() -> None:
    assert parse_date("2031-01-02T03:04:05") == 1925089445.0


def test_binary_values_must_be_base64() -> None:
    abc = base64.b64encode(b"binary-edge-value").decode()
    clause = _clause("BinaryEquals", (abc,))
    assert _value(clause, abc) is Tri.TRUE
    assert _value(clause, abc[:4] + "$" + abc[4:]) is Tri.FALSE  # not base64: no value, whatever it would decode to


def test_an_escaped_star_is_part_of_an_exact_value() -> None:
    clause = _clause("StringEquals", ("edge-${*}-star",))
    assert _value(clause, "edge-*-star") is Tri.TRUE
    assert _value(clause, "edge-x-star") is Tri.FALSE


# --------------------------------------------------------------------------- keys known in part


OTHER_ORGS = NoneOf(
    frozenset({"o-edgeaaaaaa", "o-edge-a*", "o-edge-X", "o-edge-*b", "o-edge*ccc", "o-edge-c"}),
    ("o-edgeprefix", "o-edge-q*z", "o-edge-q?z"),
)


@pytest.mark.parametrize(
    ("operator", "values", "expected"),
    [
        # Null: absent, or present with other values: true for one and false for the other...
        ("Null", ("true",), Tri.UNKNOWN),
        ("Null", ("false",), Tri.UNKNOWN),
        # ... unless the clause holds both answers (or neither).
        ("Null", ("true", "false"), Tri.TRUE),
        ("Null", ("maybe-edge",), Tri.FALSE),
        # A value the key is known not to hold: false when absent, false when present.
        ("StringEquals", ("o-edgeaaaaaa",), Tri.FALSE),
        ("StringEquals", ("o-edgeprefix-1",), Tri.FALSE),
        ("StringEquals", ("o-edgebbbbbb",), Tri.UNKNOWN),
        # A star in StringEquals is a character: the excluded value itself.
        ("StringEquals", ("o-edge-*b",), Tri.FALSE),
        # A star in StringLike: only the text before it is known; 'o-edge-a' may start another value.
        ("StringLike", ("o-edge-a*",), Tri.UNKNOWN),
        ("StringLike", ("o-edgeprefix*",), Tri.FALSE),
        ("StringLike", ("o-edge-c*",), Tri.UNKNOWN),  # 'o-edge-c' is excluded, 'o-edge-cd' is not
        ("StringLike", ("o-edge-X",), Tri.FALSE),  # no wildcard: the whole value
        ("StringLike", ("o-edge-q*z*",), Tri.UNKNOWN),  # known only up to the first wildcard
        ("StringLike", ("o-edge-q?z?",), Tri.UNKNOWN),
        ("StringEquals", ("o-edge${*}ccc",), Tri.FALSE),  # the escaped star is the excluded value's
        ("StringEquals", ("o-edge${*}aaaaaa",), Tri.UNKNOWN),  # 'o-edge*aaaaaa' is not excluded
        # Operators other than the string ones are not judged on the excluded values.
        ("ArnEquals", ("o-edgeaaaaaa",), Tri.UNKNOWN),
    ],
)
def test_a_key_known_in_part_decides_only_when_both_cases_agree(
    operator: str, values: tuple[str, ...], expected: Tri
) -> None:
    assert _value(_clause(operator, values, "aws:PrincipalOrgID"), OTHER_ORGS) is expected


# --------------------------------------------------------------------------- a statement's clauses


def test_the_conditions_of_a_statement_say_which_clauses_are_unknown_and_every_problem() -> None:
    context = RequestContext.build({"test:edge-a": "1", "test:edge-b": "2"})
    true = _clause("StringEquals", ("1",), "test:edge-a")
    false = _clause("StringEquals", ("9",), "test:edge-b")
    unknown = _clause("StringEquals", ("x",), "test:edge-unknown")
    bad = _clause("NumericEquals", ("edge-not-a-number",), "test:edge-b")
    assert evaluate_conditions((true,), context.lookup, True) == ConditionsOutcome(Tri.TRUE, (), ())
    assert evaluate_conditions((true, unknown), context.lookup, True) == ConditionsOutcome(Tri.UNKNOWN, (unknown,), ())
    assert evaluate_conditions((unknown, bad, false), context.lookup, True) == ConditionsOutcome(
        Tri.FALSE, (), ("NumericEquals: invalid value 'edge-not-a-number' for key test:edge-b",)
    )
    assert evaluate_conditions((bad, true), context.lookup, True) == ConditionsOutcome(
        Tri.FALSE, (), ("NumericEquals: invalid value 'edge-not-a-number' for key test:edge-b",)
    )
    problem = "Null expects true or false, got 'edge'"
    null_bad = _clause("Null", ("true", "edge"), "test:edge-unknown")
    assert evaluate_conditions((true, null_bad, unknown), context.lookup, True) == ConditionsOutcome(
        Tri.UNKNOWN, (null_bad, unknown), (problem,)
    )
    assert evaluate_conditions((true, _clause("Null", ("false", "edge"), "test:edge-a")), context.lookup, True) == (
        ConditionsOutcome(Tri.TRUE, (), ("Null expects true or false, got 'edge'",))
    )


# --------------------------------------------------------------------------- one clause


def test_a_clause_reports_its_invalid_value_whatever_the_key_holds() -> None:
    clause = _clause("NumericEquals", ("1", "edge-bad-number"), "test:edge-n")
    problem = "NumericEquals: invalid value 'edge-bad-number' for key test:edge-n"
    for lookup, value in (
        (lambda key: ("1",), Tri.TRUE),
        (lambda key: None, Tri.FALSE),  # absent
        (RequestContext.build().lookup, Tri.UNKNOWN),  # not known
        (lambda key: NoneOf(frozenset({"2"})), Tri.UNKNOWN),
    ):
        assert evaluate_clause(clause, lookup, True) == ClauseOutcome(value, problem)  # type: ignore[arg-type]
    null = _clause("Null", ("true", "edge-null"), "test:edge-n")
    assert evaluate_clause(null, lambda key: None, True) == ClauseOutcome(
        Tri.TRUE, "Null expects true or false, got 'edge-null'"
    )


def test_if_exists_on_an_empty_set_of_values_is_true() -> None:
    """An empty multivalued key is absent for a plain operator: ...IfExists is true."""
    assert _value(_clause("StringEqualsIfExists", ("edge-if-exists",)), ()) is Tri.TRUE
    assert _value(_clause("StringEquals", ("edge-if-exists",)), ()) is Tri.FALSE


@pytest.mark.parametrize(
    ("operator", "request_values", "expected"),
    [
        ("ForAllValues:StringNotEquals", ("edge-a", "edge-b"), Tri.TRUE),
        ("ForAllValues:StringNotEquals", ("edge-x", "edge-b"), Tri.FALSE),
        ("ForAnyValue:StringNotEquals", ("edge-x",), Tri.FALSE),
        ("ForAnyValue:StringNotEquals", ("edge-x", "edge-b"), Tri.TRUE),
    ],
)
def test_negated_set_operators_negate_each_value(operator: str, request_values: tuple[str, ...], expected: Tri) -> None:
    assert _value(_clause(operator, ("edge-x",)), request_values) is expected


def test_a_variable_keeps_the_operators_comparison() -> None:
    clause = _clause("StringEqualsIgnoreCase", ("${aws:username}-EDGE",))
    context = RequestContext.build({"aws:username": "Alice", "test:key": "alice-edge"})
    assert evaluate_clause(clause, context.lookup, True).value is Tri.TRUE


def test_an_absent_variable_makes_the_clause_false_even_after_an_unknown_one() -> None:
    """IAMUG reference_policies_variables.html#policy-vars-no-value: a variable that cannot be
    resolved makes the element fail to match, whatever the other values."""
    clause = _clause("StringEquals", ("${aws:PrincipalTag/edge}", "${aws:username}"))
    context = RequestContext.build({"test:key": "x"}, absent=["aws:username"])
    assert evaluate_clause(clause, context.lookup, True).value is Tri.FALSE
