"""Wildcard matching for actions, ARNs and ``...Like`` condition values.

* Actions (IAMUG ``reference_policies_elements_action``): ``*`` and ``?`` anywhere, compared
  case-insensitively.
* ARNs in ``Resource``/``NotResource`` and the ``Arn...`` condition operators (IAMUG
  ``reference_policies_elements_resource``, ``reference_policies_elements_condition_operators``
  ``Conditions_ARN``): compared case-sensitively and segment by segment. The first five
  colon-separated segments (``arn``, partition, service, region, account) are matched each on
  its own, so a ``*`` there never crosses a ``:``. The last segment of the pattern (normally the
  resource part) is matched against the rest of the ARN, so there ``*`` crosses ``/`` and ``:``.
* ``StringLike``/``StringNotLike``: ``*`` and ``?`` over the whole value, case-sensitive.

A pattern is a tuple of :data:`Piece` s so that text produced by the policy-variable escapes
``${*}``, ``${?}`` (and substituted variable values) can be matched literally while the policy's
own ``*``/``?`` stay wildcards.

Matching cannot backtrack, so its cost is bounded whatever the pattern: evidence comes from the
party being audited, and ``arn:aws:iam::*:role/*a*a*a*a*a*a*a*a*a*b`` (valid IAM) made a regular
expression with one plain ``.*`` per star take minutes against a 64-character role name (every way
of placing the stars was tried). A pattern is split at its stars into *runs* of fixed length
(literal text with ``?`` holes): the first run must match at the start and the last at the end;
each run between is taken at its leftmost place after the previous one, inside an atomic group
``(?>.*?run)`` that the engine never re-enters. For fixed-length runs separated by ``*`` that
loses no match: if any placement of the runs matches, the leftmost ones do (a later placement
only leaves less room for the runs after it). This is how CPython's ``fnmatch`` translates
wildcards since 3.11. Each run is searched for once, left to right: at most
O(len(pattern) x len(value)) steps, in the regular-expression engine (a matcher written in Python
was 6x slower per call). An ARN's leading segments are atomic groups too. Patterns are compiled
once (cached); the cheap cases (``*``, one final ``*``, no wildcard) are a comparison each.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

Piece = tuple[str, bool]
"""``(text, wildcards_active)``: in a piece whose flag is False, ``*`` and ``?`` are literal."""

Pattern = tuple[Piece, ...]

_WILDCARD_CHARS = frozenset("*?")
#: ARN segments matched each on its own (``arn``, partition, service, region, account); the rest is one.
_ARN_SEGMENTS = 6


def literal_pattern(text: str) -> Pattern:
    """A pattern in which ``*`` and ``?`` are wildcards (the policy text as written)."""
    return ((text, True),)


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


# --------------------------------------------------------------------------- translation

Token = tuple[str, bool]  # one character of a pattern, and whether wildcards are active in its piece


def _tokens(pieces: Pattern) -> list[Token]:
    return [(char, active) for text, active in pieces for char in text]


def _run(tokens: list[Token], one: str) -> str:
    return "".join(one if active and char == "?" else re.escape(char) for char, active in tokens)


def translate(tokens: Iterable[Token], one: str = ".") -> str:
    """The regular expression (for ``fullmatch``) of a wildcard pattern; ``one`` matches any one
    character (``.``, or ``[^:]`` inside an ARN's leading segment).

    ``head*run*run*tail`` becomes ``head(?>.*?run)(?>.*?run).*tail``: each run between stars at its
    leftmost place, committed (see the module docstring); only the last star is an ordinary
    ``.*``, which the end anchor leaves one place to try for the tail.
    """
    runs: list[list[Token]] = [[]]
    for char, active in tokens:
        if active and char == "*":
            if runs[-1] or len(runs) == 1:  # consecutive stars are one star
                runs.append([])
        else:
            runs[-1].append((char, active))
    if len(runs) == 1:
        return _run(runs[0], one)
    head, *middle, tail = runs
    lazy = "".join(f"(?>{one}*?{_run(run, one)})" for run in middle)
    return f"{_run(head, one)}{lazy}{one}*{_run(tail, one)}"


def translate_arn(pieces: Pattern) -> str:
    """The regular expression of an ARN pattern: each leading segment on its own (its stars and
    ``?`` never cross a ``:``; one with wildcards is an atomic group), the rest of the ARN last."""
    segments: list[list[Token]] = [[]]
    for char, active in _tokens(pieces):
        if char == ":" and len(segments) < _ARN_SEGMENTS:
            segments.append([])
        else:
            segments[-1].append((char, active))
    *leading, last = segments
    parts = [
        f"(?>{translate(segment, '[^:]')})"
        if any(a and c in _WILDCARD_CHARS for c, a in segment)
        else translate(segment)
        for segment in leading
    ]
    return ":".join([*parts, translate(last)])


@lru_cache(maxsize=65536)
def _glob_regex(pieces: Pattern) -> re.Pattern[str]:
    return re.compile(translate(_tokens(pieces)), re.DOTALL)


@lru_cache(maxsize=65536)
def _arn_regex(pieces: Pattern) -> re.Pattern[str]:
    return re.compile(translate_arn(pieces), re.DOTALL)


def _plain(pieces: Pattern) -> str | None:
    """The text of a pattern without any active wildcard, or ``None``."""
    if all(not active or not (_WILDCARD_CHARS & set(text)) for text, active in pieces):
        return "".join(t for t, _ in pieces)
    return None


def _trailing_star_prefix(pieces: Pattern) -> str | None:
    """For a single pattern whose only wildcard is one final ``*``: the text before it, else ``None``.

    Such a pattern (``arn:aws:s3:::bucket/AWSLogs/111122223333/*``, the common case in bucket
    policies) matches exactly the values that start with that text: the final star is in the last
    ARN segment, where it matches colons too, so no regular expression is needed.
    """
    if len(pieces) != 1:
        return None
    text, active = pieces[0]
    if not active or not text.endswith("*"):
        return None
    prefix = text[:-1]
    return None if has_wildcard(prefix) else prefix


def _always(value: str) -> bool:
    return True


@lru_cache(maxsize=65536)
def _glob_test(pieces: Pattern) -> Callable[[str], bool]:
    """The cheapest exact test for ``pieces`` under ``StringLike`` rules, chosen once per pattern."""
    if pieces == (("*", True),):
        return _always
    prefix = _trailing_star_prefix(pieces)
    if prefix is not None:
        return lambda value: value.startswith(prefix)
    plain = _plain(pieces)
    if plain is not None:
        return lambda value: value == plain
    regex = _glob_regex(pieces)
    return lambda value: regex.fullmatch(value) is not None


def glob_match_pattern(pieces: Pattern, value: str) -> bool:
    """``StringLike`` semantics: ``*`` any run of characters, ``?`` exactly one, case-sensitive."""
    return _glob_test(pieces)(value)


def glob_match(pattern: str, value: str) -> bool:
    return glob_match_pattern(((pattern, True),), value)


@lru_cache(maxsize=262144)
def action_matches(pattern: str, action: str) -> bool:
    """Case-insensitive action match: ``s3:Get*`` matches ``S3:GetObject``."""
    return glob_match(pattern.lower(), action.lower())


@lru_cache(maxsize=65536)
def _arn_test(pieces: Pattern) -> Callable[[str], bool]:
    """The cheapest exact test for ``pieces`` as an ARN pattern, chosen once per pattern.

    ``*`` alone matches everything; a single final ``*`` is a prefix test (it sits in the last
    segment, where it crosses colons); a pattern without wildcards is an equality; the rest use the
    segment-wise regular expression (:func:`translate_arn`).
    """
    if pieces == (("*", True),):
        return _always
    prefix = _trailing_star_prefix(pieces)
    if prefix is not None:
        return lambda arn: arn.startswith(prefix)
    plain = _plain(pieces)
    if plain is not None:
        return lambda arn: arn == plain
    regex = _arn_regex(pieces)
    return lambda arn: regex.fullmatch(arn) is not None


def arn_match_pattern(pieces: Pattern, arn: str) -> bool:
    """Segment-wise, case-sensitive ARN match (see the module docstring)."""
    return _arn_test(pieces)(arn)


@lru_cache(maxsize=262144)
def arn_matches(pattern: str, arn: str) -> bool:
    return arn_match_pattern(((pattern, True),), arn)


def literal_prefix(pattern: str) -> str:
    """The text of an ARN pattern before its first wildcard: every ARN it matches starts with it."""
    cut = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=len(pattern))
    return pattern[:cut]


@dataclass(frozen=True, slots=True)
class ArnPatternSet:
    """Many ARN patterns (``Resource`` lists, ``aws:SourceArn`` lists) tested against one ARN at once.

    A bucket policy of a thousand-account organization lists a thousand object prefixes; trying each
    pattern for each simulated request is quadratic. Literal patterns are kept in a set; wildcard
    patterns are bucketed by their literal prefix (an ARN can only match a pattern it starts with the
    prefix of), by prefix length, so a lookup tries only the patterns whose prefix the ARN has.
    Exactly :func:`arn_matches` over the patterns, only faster.
    """

    literals: frozenset[str]
    by_prefix: Mapping[int, Mapping[str, tuple[str, ...]]]  # prefix length -> prefix -> patterns

    @classmethod
    def of(cls, patterns: Iterable[str]) -> ArnPatternSet:
        literals: set[str] = set()
        buckets: dict[int, dict[str, list[str]]] = {}
        for pattern in patterns:
            if not has_wildcard(pattern):
                literals.add(pattern)
                continue
            prefix = literal_prefix(pattern)
            buckets.setdefault(len(prefix), {}).setdefault(prefix, []).append(pattern)
        frozen = {n: MappingProxyType({k: tuple(v) for k, v in t.items()}) for n, t in sorted(buckets.items())}
        return cls(frozenset(literals), MappingProxyType(frozen))

    def matches(self, arn: str) -> bool:
        if arn in self.literals:
            return True
        for length, table in self.by_prefix.items():
            for pattern in table.get(arn[:length], ()):
                if arn_match_pattern(((pattern, True),), arn):
                    return True
        return False
