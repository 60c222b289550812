"""Property tests: the cached-regex wildcard matchers against a plain recursive reference matcher."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.iam import wildcard
from analyzer.iam.wildcard import (
    ArnPatternSet,
    _ArnGlob,
    _bitset_find,
    _Glob,
    _Run,
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


def ref_arn(pattern: tuple[Token, ...], value: str, glob: Callable[[tuple[Token, ...], str], bool] = ref_glob) -> bool:
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
    return all(glob(tuple(seg), part) for seg, part in zip(segments, parts, strict=True))


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


# --------------------------------------------------------------------------- bounded cost (issue 11)
# Evidence comes from the party being audited: a pattern must not cost exponential time. The old
# matcher (a regular expression with one ``.*`` per star) took 13.6 s for 7 stars against a
# 64-character role name and did not finish in 150 s with 9.


def dp_glob(pattern: tuple[Token, ...], value: str) -> bool:
    """Reference for long inputs: the textbook dynamic programme over (pattern, value) prefixes."""
    reach = [True] + [False] * len(value)  # reach[j]: the pattern so far matches value[:j]
    for char, active in pattern:
        if active and char == "*":
            for j in range(1, len(value) + 1):
                reach[j] = reach[j] or reach[j - 1]
        else:
            one = active and char == "?"
            reach = [False] + [reach[j] and (one or value[j] == char) for j in range(len(value))]
    return reach[-1]


@pytest.mark.parametrize("stars", [7, 9, 30])
def test_many_stars_compile_to_runs_found_once(stars: int) -> None:
    """``arn:aws:iam::*:role/*a*a...*a*b``: the leading segments each on its own, the resource part
    split at its stars into literal runs, each found once by ``str.find`` at its leftmost place. The
    old translation had one plain ``.*`` per star, and the engine tried every way of placing them."""
    pattern = "arn:aws:iam::*:role/" + "*a" * stars + "*b"
    compiled = _ArnGlob.of(((pattern, True),))
    assert len(compiled.segments) == 6
    runs = compiled.segments[-1].runs
    assert [run.text for run in runs] == ["role/", *["a"] * stars, "b"]
    assert not any(run.holes for run in runs)  # literal: str.find, linear in the value


@pytest.mark.parametrize("stars", [7, 9, 30])
@pytest.mark.parametrize("name_length", [64, 10_000])
def test_many_stars_match_like_the_reference(stars: int, name_length: int) -> None:
    """The attack of issue 11 (a 64-character role name of ``a`` against 9 stars did not finish in
    150 s), decided as the dynamic programme decides it; at 30 stars and 10,000 characters too."""
    pattern = "arn:aws:iam::*:role/" + "*a" * stars + "*b"
    for name in ("a" * name_length, "a" * (stars - 1) + "b", "a" * name_length + "b", "ba" * name_length):
        arn = f"arn:aws:iam::111122223333:role/{name}"
        assert arn_matches(pattern, arn) == ref_arn(tokens(((pattern, True),)), arn, dp_glob)
        assert glob_match(pattern, arn) == dp_glob(tokens(((pattern, True),)), arn)


@pytest.mark.parametrize(
    ("pattern", "runs"),
    [("a*b?c*d", ["a", "b?c", "d"]), ("*", ["", ""]), ("**x**", ["", "x", ""]), ("x*", ["x", ""]), ("x?", ["x?"])],
)
def test_a_pattern_is_its_runs_between_stars(pattern: str, runs: list[str]) -> None:
    compiled = _Glob.of(tokens(((pattern, True),)))
    assert [run.text for run in compiled.runs] == runs
    assert [run.holes for run in compiled.runs] == ["?" in run for run in runs]


def test_arn_leading_segments_never_cross_a_colon() -> None:
    assert arn_matches("arn:aws:*:us-?ast-1:*:x", "arn:aws:s3:us-east-1:1:x")
    assert not arn_matches("arn:aws:*:x", "arn:aws:a:b:x")  # the star is the service segment only
    assert arn_matches("arn:aws:*:*", "arn:aws:a:b:x")  # the last segment crosses colons
    assert not arn_matches("arn:aws:s3:us-?ast-1:1:x", "arn:aws:s3:us-:ast-1:1:x")


# AWS's wildcard semantics, kept by every matcher here: ``*`` any run of characters and ``?`` exactly
# one, in Action and Resource (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html)
# and in StringLike values; for ArnLike "each of the six colon-delimited components of the ARN is
# checked separately and each can include a multi-character match wildcard (*) or a
# single-character match wildcard (?)"
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN).
#
# A run with ``?`` holes longer than 64 characters is searched bit-parallel: one operation on
# integers as long as the value per block of the run, every place at once. Searched by the
# regular-expression engine, an 8,000-character run
# against a 16,000-character value cost 0.2 s (every place tried in full), and a policy of a hundred
# such patterns against a hundred such roles minutes (benchmarks/hostile.py, wildcard-long-runs).


def test_a_long_run_with_holes_is_searched_bit_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def counting(run: _Run, value: str, start: int, end: int) -> int:
        calls.append(len(run.text))
        return _bitset_find(run, value, start, end)

    monkeypatch.setattr(wildcard, "_bitset_find", counting)
    run = "a" * 4000 + "?" + "a" * 4000 + "b"
    value = "a" * 16_000
    assert not glob_match("*" + run + "*", value)
    assert glob_match("*" + run + "*", value + "b")
    short = "a" * 30 + "?" + "a" * 29 + "b"
    assert not glob_match("*" + short + "*", "a" * 100)  # a short run: the engine, at most 61 steps a place
    assert calls == [len(run), len(run)]


runs_with_holes = st.text(alphabet="ab?", min_size=1, max_size=90)
search_values = st.text(alphabet="ab", max_size=200)


@settings(max_examples=600, deadline=None)
@given(runs_with_holes, search_values, st.integers(0, 20), st.integers(0, 20))
def test_bitset_finds_the_leftmost_place_as_the_engine_does(run: str, value: str, skip: int, cut: int) -> None:
    compiled = _Run.of([(char, True) for char in run])
    if not compiled.holes:
        return
    assert compiled.regex is not None
    start, end = min(skip, len(value)), max(0, len(value) - cut)
    found = compiled.regex.search(value, start, end)
    assert _bitset_find(compiled, value, start, end) == (-1 if found is None else found.start())


long_patterns = st.text(alphabet="ab*?", min_size=0, max_size=40)
long_values = st.text(alphabet="ab", min_size=0, max_size=60)


@settings(max_examples=500, deadline=None)
@given(long_patterns, long_values)
def test_glob_matches_the_dp_reference_on_long_star_patterns(pattern: str, value: str) -> None:
    assert glob_match(pattern, value) == dp_glob(tokens(((pattern, True),)), value)


@st.composite
def star_heavy_pair(draw: st.DrawFn) -> tuple[str, str]:
    """A pattern of many stars and runs, and a value built to nearly fit it (random pairs rarely match)."""
    runs = draw(st.lists(st.text(alphabet="ab?", max_size=3), min_size=1, max_size=12))
    pattern = "*".join(runs)
    filled = "".join(draw(st.sampled_from("ab")) if ch == "?" else ch for ch in "".join(runs))
    value = "".join(draw(st.text(alphabet="ab", max_size=3)) + ch for ch in filled)
    if draw(st.booleans()) and value:
        at = draw(st.integers(0, len(value) - 1))
        value = value[:at] + draw(st.sampled_from("ab")) + value[at + 1 :]
    return pattern, value


@settings(max_examples=800, deadline=None)
@given(star_heavy_pair())
def test_glob_matches_the_dp_reference_near_matches(pair: tuple[str, str]) -> None:
    pattern, value = pair
    assert glob_match(pattern, value) == dp_glob(tokens(((pattern, True),)), value)


@settings(max_examples=500, deadline=None)
@given(star_heavy_pair(), st.sampled_from(["arn:aws:iam::*:role/", "arn:aws:s3:::", "arn:*:*:*:1:x/"]))
def test_arn_matches_the_reference_on_star_heavy_resources(pair: tuple[str, str], head: str) -> None:
    """The leading segments one by one, the resource part with the same leftmost placement."""
    pattern, value = pair
    arn = head.replace("*", "p") + value
    expected = ref_arn(tokens(((head + pattern, True),)), arn)
    assert arn_matches(head + pattern, arn) == expected


# The runs matcher decides long values (over ``_REGEX_STEPS`` with the pattern); short ones go to the
# regular expression. Both must decide every pair alike: the runs matcher against the references too.


@settings(max_examples=800, deadline=None)
@given(star_heavy_pair())
def test_the_runs_matcher_decides_as_the_reference(pair: tuple[str, str]) -> None:
    pattern, value = pair
    assert _Glob.of(tokens(((pattern, True),)))(value) == dp_glob(tokens(((pattern, True),)), value)


@settings(max_examples=500, deadline=None)
@given(long_patterns, long_values)
def test_the_runs_matcher_decides_random_pairs_as_the_reference(pattern: str, value: str) -> None:
    assert _Glob.of(tokens(((pattern, True),)))(value) == dp_glob(tokens(((pattern, True),)), value)


@settings(max_examples=500, deadline=None)
@given(star_heavy_pair(), st.sampled_from(["arn:aws:iam::*:role/", "arn:aws:s3:::", "arn:*:*:*:1:x/", "a*:", ""]))
def test_the_arn_runs_matcher_decides_as_the_reference(pair: tuple[str, str], head: str) -> None:
    pattern, value = pair
    arn = head.replace("*", "p") + value
    assert _ArnGlob.of(((head + pattern, True),))(arn) == ref_arn(tokens(((head + pattern, True),)), arn)


def test_inactive_wildcards_are_literal_in_the_runs_matcher() -> None:
    """``${*}`` and ``${?}`` in a policy are a literal star and question mark."""
    pieces = (("arn:aws:s3:::b/", True), ("*?", False), ("*", True))
    assert _ArnGlob.of(pieces)("arn:aws:s3:::b/*?x")
    assert not _ArnGlob.of(pieces)("arn:aws:s3:::b/ab")
    assert arn_match_pattern(pieces, "arn:aws:s3:::b/*?" + "x" * 200_000)
