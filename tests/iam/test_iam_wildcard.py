"""Property tests: the cached-regex wildcard matchers against a plain recursive reference matcher."""

from __future__ import annotations

from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.iam.wildcard import (
    ArnPatternSet,
    action_matches,
    arn_match_pattern,
    arn_matches,
    glob_match,
    glob_match_pattern,
)

Token = tuple[str, bool]  # (char, wildcard active)


def tokens(pieces: tuple[tuple[str, bool], ...]) -> tuple[Token, ...]:
    return tuple((ch, active) for text, active in pieces for ch in text)


@cache
def ref_glob(pattern: tuple[Token, ...], value: str) -> bool:
    """Reference: ``*`` any run, ``?`` one char, inactive tokens literal. No regular expressions."""
    if not pattern:
        return not value
    (char, active), rest = pattern[0], pattern[1:]
    if active and char == "*":
        return ref_glob(rest, value) or (bool(value) and ref_glob(pattern, value[1:]))
    if not value:
        return False
    if (active and char == "?") or char == value[0]:
        return ref_glob(rest, value[1:])
    return False


def ref_arn(pattern: tuple[Token, ...], value: str) -> bool:
    """Reference ARN match: first segments one by one, the pattern's last segment against the rest."""
    segments: list[list[Token]] = [[]]
    for char, active in pattern:
        if char == ":" and len(segments) < 6:
            segments.append([])
        else:
            segments[-1].append((char, active))
    parts = value.split(":", len(segments) - 1)
    if len(parts) != len(segments):
        return False
    return all(ref_glob(tuple(seg), part) for seg, part in zip(segments, parts, strict=True))


ALPHABET = "ab:/*?"
patterns = st.text(alphabet=ALPHABET, max_size=12)
values = st.text(alphabet="ab:/*?", max_size=12)
pieces = st.lists(st.tuples(st.text(alphabet=ALPHABET, max_size=5), st.booleans()), max_size=4).map(tuple)


@st.composite
def pattern_and_near_value(draw: st.DrawFn) -> tuple[str, str]:
    """A pattern and a value made by filling its wildcards (with ':' and '/' too), then maybe
    mutated: random pairs rarely match at all, so differences in *how* they match go unseen."""
    pattern = draw(patterns)
    fill = st.text(alphabet="ab:/", max_size=4)
    value = "".join(draw(fill) if ch == "*" else draw(st.sampled_from("ab:/")) if ch == "?" else ch for ch in pattern)
    if draw(st.booleans()) and value:
        at = draw(st.integers(0, len(value) - 1))
        value = value[:at] + draw(st.sampled_from("ab:/")) + value[at + 1 :]
    return pattern, value


@settings(max_examples=400, deadline=None)
@given(patterns, values)
def test_glob_matches_reference(pattern: str, value: str) -> None:
    assert glob_match(pattern, value) == ref_glob(tokens(((pattern, True),)), value)


@settings(max_examples=300, deadline=None)
@given(pieces, values)
def test_glob_pieces_literal_wildcards(pattern: tuple[tuple[str, bool], ...], value: str) -> None:
    assert glob_match_pattern(pattern, value) == ref_glob(tokens(pattern), value)


@settings(max_examples=400, deadline=None)
@given(patterns, values)
def test_arn_matches_reference(pattern: str, value: str) -> None:
    assert arn_matches(pattern, value) == ref_arn(tokens(((pattern, True),)), value)


@settings(max_examples=600, deadline=None)
@given(pattern_and_near_value())
def test_arn_matches_reference_near_misses(pair: tuple[str, str]) -> None:
    pattern, value = pair
    assert arn_matches(pattern, value) == ref_arn(tokens(((pattern, True),)), value)


@settings(max_examples=600, deadline=None)
@given(pattern_and_near_value())
def test_glob_matches_reference_near_misses(pair: tuple[str, str]) -> None:
    pattern, value = pair
    assert glob_match(pattern, value) == ref_glob(tokens(((pattern, True),)), value)


@settings(max_examples=300, deadline=None)
@given(pieces, values)
def test_arn_pieces_reference(pattern: tuple[tuple[str, bool], ...], value: str) -> None:
    assert arn_match_pattern(pattern, value) == ref_arn(tokens(pattern), value)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aB:*?", max_size=10), st.text(alphabet="Ab:", max_size=10))
def test_action_match_is_case_insensitive_glob(pattern: str, action: str) -> None:
    expected = ref_glob(tokens(((pattern.lower(), True),)), action.lower())
    assert action_matches(pattern, action) == expected
    assert action_matches(pattern.upper(), action.swapcase()) == expected


@st.composite
def patterns_and_near_value(draw: st.DrawFn) -> tuple[list[str], str]:
    """Several patterns (literal ones and ones sharing prefixes) and a value near one of them."""
    chosen, value = draw(pattern_and_near_value())
    others = draw(st.lists(st.one_of(patterns, st.just(value), st.just(chosen[: len(chosen) // 2] + "*")), max_size=6))
    return [chosen, *others], value


@settings(max_examples=600, deadline=None)
@given(patterns_and_near_value())
def test_indexed_pattern_set_is_exactly_any_of_its_patterns(case: tuple[list[str], str]) -> None:
    """The index (literal set, wildcard patterns bucketed by literal prefix) only skips impossible tries."""
    chosen, value = case
    assert ArnPatternSet.of(chosen).matches(value) == any(ref_arn(tokens(((p, True),)), value) for p in chosen)


@settings(max_examples=200, deadline=None)
@given(values)
def test_star_matches_everything(value: str) -> None:
    assert glob_match("*", value) and arn_matches("*", value)


def test_examples_from_the_docs() -> None:
    assert arn_matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c")
    assert arn_matches("arn:aws:logs:*:1:log-group:*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s")
    assert arn_matches("arn:aws:iam::*", "arn:aws:iam::1:role/x:y")  # the last segment crosses ":"
    assert not arn_matches("arn:aws:sqs:*:q", "arn:aws:sqs:us-east-1:1:q")
    assert not arn_matches("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/a")
    assert action_matches("IAM:Get*", "iam:getuser")
    assert not glob_match("a?", "a")
