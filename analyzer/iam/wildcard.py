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
own ``*``/``?`` stay wildcards. Compiled regexes are cached per pattern; nothing is compiled per
call once a pattern has been seen.
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


def literal_pattern(text: str) -> Pattern:
    """A pattern in which ``*`` and ``?`` are wildcards (the policy text as written)."""
    return ((text, True),)


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _translate(pieces: Pattern, star: str, question: str) -> str:
    out: list[str] = []
    for text, active in pieces:
        for char in text:
            if active and char == "*":
                out.append(star)
            elif active and char == "?":
                out.append(question)
            else:
                out.append(re.escape(char))
    return "".join(out)


@lru_cache(maxsize=65536)
def _glob_regex(pieces: Pattern) -> re.Pattern[str]:
    return re.compile(_translate(pieces, ".*", "."), re.DOTALL)


@lru_cache(maxsize=65536)
def _arn_regex(pieces: Pattern) -> re.Pattern[str]:
    text = "".join(t for t, _ in pieces)
    segments = min(text.count(":"), 5) + 1
    out: list[str] = []
    colons = 0
    for piece_text, active in pieces:
        for char in piece_text:
            in_last = colons >= segments - 1
            if char == ":" and colons < 5:
                colons += 1
                out.append(":")
            elif active and char == "*":
                out.append(".*" if in_last else "[^:]*")
            elif active and char == "?":
                out.append("." if in_last else "[^:]")
            else:
                out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


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
    segment-wise regular expression.
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
