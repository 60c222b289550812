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

Matching cannot backtrack, and its cost grows with the lengths of the pattern and the value, not
their product where it can be helped: evidence comes from the party being audited.
``arn:aws:iam::*:role/*a*a*a*a*a*a*a*a*a*b`` (valid IAM) made a regular expression with one plain
``.*`` per star take minutes against a 64-character role name (every way of placing the stars was
tried); the atomic-group translation that replaced it tried each run once but at every place, so
one 8,000-character run against a 16,000-character value cost 0.1-0.2 s, and a policy of a hundred
such patterns against a hundred such roles minutes. A pattern is split at its stars into *runs* of
fixed length (literal text with ``?`` holes): the first run must match at the start and the last
at the end; each run between is taken at its leftmost place after the previous one (for
fixed-length runs separated by ``*`` that loses no match: if any placement of the runs matches,
the leftmost ones do). For the names and patterns of real policies the
pattern's regular expression places the runs so (each run an atomic group ``(?>.*?run)`` the
engine never re-enters, as CPython's ``fnmatch`` translates wildcards since 3.11): fastest, at most
about len(value) x len(pattern) steps, so it decides only below :data:`_REGEX_STEPS` of them.
Above, the runs are searched one by one: a literal run with ``str.find`` (CPython's two-way search,
linear in the value for a long run), a run with ``?`` holes by the engine when it is short,
bit-parallel when it is long. Patterns are compiled once (cached); the cheap cases
(``*``, one final ``*``, no wildcard) are a comparison each.
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


# --------------------------------------------------------------------------- the matcher

Token = tuple[str, bool]  # one character of a pattern, and whether wildcards are active in its piece

#: A run with ``?`` at most this long is searched for by the regular-expression engine (at most
#: this many steps per character of the value); a longer one by :func:`_bitset_find`.
_SHORT_RUN = 64


def _tokens(pieces: Pattern) -> list[Token]:
    return [(char, active) for text, active in pieces for char in text]


#: Below this many (value length x pattern length), the pattern's regular expression decides: for
#: the patterns and names of real policies it is the fastest (a few hundred nanoseconds in the
#: engine); its cost is at most about that product in steps (the runs are atomic groups, each tried
#: at each place once), so at most a millisecond here. Above it, the runs are searched one by one
#: (:class:`_Glob`), in time linear in the value for literal runs.
_REGEX_STEPS = 1 << 20


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


Block = tuple[str, int, int]  # a literal character repeated: (character, offset in the run, length)


@dataclass(frozen=True, slots=True)
class _Run:
    """A fixed-length part of a pattern between two stars: literal text, or text with ``?`` holes.

    ``text`` is the run as a literal (``?`` holes hold ``?``); ``holes`` says whether it has any,
    and then ``regex`` matches it at one place and ``blocks`` (its literal characters, each
    maximal repetition of one character once) search for it bit-parallel (:func:`_bitset_find`).
    """

    text: str
    holes: bool
    regex: re.Pattern[str] | None = None
    blocks: tuple[Block, ...] = ()

    @classmethod
    def of(cls, tokens: list[Token]) -> _Run:
        text = "".join(char for char, _ in tokens)
        holes = [active and char == "?" for char, active in tokens]
        if not any(holes):
            return cls(text, False)
        regex = re.compile(
            "".join("." if hole else re.escape(c) for c, hole in zip(text, holes, strict=True)), re.DOTALL
        )
        blocks: list[Block] = []
        for offset, (char, hole) in enumerate(zip(text, holes, strict=True)):
            if hole:
                continue
            if blocks and blocks[-1][0] == char and sum(blocks[-1][1:]) == offset:
                blocks[-1] = (char, blocks[-1][1], blocks[-1][2] + 1)
            else:
                blocks.append((char, offset, 1))
        return cls(text, True, regex, tuple(blocks))

    def at(self, value: str, start: int) -> bool:
        """Whether the run matches ``value`` at ``start`` (O(len(run)))."""
        if not self.holes:
            return value.startswith(self.text, start)
        assert self.regex is not None
        return start + len(self.text) <= len(value) and self.regex.match(value, start) is not None

    def find(self, value: str, start: int, end: int) -> int:
        """The leftmost place at or after ``start`` where the run matches inside ``value[:end]``, or -1.

        Literal text: ``str.find`` (linear in the value: CPython's two-way search for long needles).
        With holes: the regular-expression engine for a short run, else :func:`_bitset_find`."""
        if not self.holes:
            return value.find(self.text, start, end)
        if len(self.text) <= _SHORT_RUN:
            assert self.regex is not None
            found = self.regex.search(value, start, end)
            return -1 if found is None else found.start()
        return _bitset_find(self, value, start, end)


class _Zeros(dict[int, str]):
    """A ``str.translate`` table writing ``0`` for every character (the one searched for is ``1``)."""

    def __missing__(self, code: int) -> str:
        self[code] = "0"
        return "0"


def _bitset_find(run: _Run, value: str, start: int, end: int) -> int:
    """The leftmost place of ``run`` in ``value[start:end]``, every place decided at once.

    Bit ``p`` of a place set says the run may start at ``start + p``. For each character of the run,
    the places of that character in the value are one integer (built in C: ``str.translate`` and
    ``int(..., 2)``); a block of ``k`` repetitions of it at offset ``o`` keeps the places where all
    ``k`` follow (``log k`` shifts by doubling), shifted back by ``o``. So the run costs one
    operation on ``len(value)``-bit integers per block: at most len(run) x len(value) / 30 machine
    steps, in C, whatever the value, never the engine's retry at each place."""
    text = value[start:end]
    length = len(text) - len(run.text) + 1
    if length <= 0:
        return -1
    places = (1 << length) - 1
    where: dict[str, int] = {}
    for char, offset, count in run.blocks:
        if char not in where:
            table = _Zeros({ord(char): "1"})
            where[char] = int(text.translate(table)[::-1], 2)
        found, have = where[char], 1
        while have < count:  # places where ``have`` repetitions start, doubled
            step = min(have, count - have)
            found &= found >> step
            have += step
        places &= found >> offset
        if not places:
            return -1
    return start + (places & -places).bit_length() - 1


@dataclass(frozen=True, slots=True)
class _Glob:
    """A compiled wildcard pattern: its runs split at the stars (consecutive stars are one).

    Without a star the one run must be the whole value. With stars the first run must match at the
    start and the last at the end; each run between is taken at its leftmost place after the
    previous one. For fixed-length runs separated by ``*`` that loses no match: if any placement of
    the runs matches, the leftmost ones do (a later placement only leaves less room for the runs
    after it). Each run is searched for once, left to right, never retried."""

    runs: tuple[_Run, ...]
    star: bool

    @classmethod
    def of(cls, tokens: Iterable[Token]) -> _Glob:
        runs: list[list[Token]] = [[]]
        for char, active in tokens:
            if active and char == "*":
                if runs[-1] or len(runs) == 1:  # consecutive stars are one star
                    runs.append([])
            else:
                runs[-1].append((char, active))
        return cls(tuple(map(_Run.of, runs)), len(runs) > 1)

    @classmethod
    def of_pieces(cls, pieces: Pattern) -> _Glob:
        return cls.of(_tokens(pieces))

    def __call__(self, value: str) -> bool:
        if not self.star:
            (run,) = self.runs
            return len(value) == len(run.text) and run.at(value, 0)
        head, *middle, tail = self.runs
        end = len(value) - len(tail.text)
        if end < len(head.text) or not head.at(value, 0) or not tail.at(value, end):
            return False
        place = len(head.text)
        for run in middle:
            found = run.find(value, place, end)
            if found < 0:
                return False
            place = found + len(run.text)
        return True


@dataclass(frozen=True, slots=True)
class _ArnGlob:
    """An ARN pattern: its leading segments (``arn``, partition, service, region, account) each
    matched against the value's segment on its own, so their stars never cross a ``:``; its last
    segment against the rest of the ARN."""

    segments: tuple[_Glob, ...]

    @classmethod
    def of(cls, pieces: Pattern) -> _ArnGlob:
        segments: list[list[Token]] = [[]]
        for char, active in _tokens(pieces):
            if char == ":" and len(segments) < _ARN_SEGMENTS:
                segments.append([])
            else:
                segments[-1].append((char, active))
        return cls(tuple(map(_Glob.of, segments)))

    def __call__(self, arn: str) -> bool:
        parts = arn.split(":", len(self.segments) - 1)
        return len(parts) == len(self.segments) and all(
            match(part) for match, part in zip(self.segments, parts, strict=True)
        )


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
    return _bounded(pieces, _glob_regex, _Glob.of_pieces)


def _bounded(
    pieces: Pattern, regex_of: Callable[[Pattern], re.Pattern[str]], runs_of: Callable[[Pattern], Callable[[str], bool]]
) -> Callable[[str], bool]:
    """The regular expression for a value short enough (see :data:`_REGEX_STEPS`), else the runs;
    each compiled when first needed (a long pattern's expression takes long to compile)."""
    longest = _REGEX_STEPS // max(1, sum(len(text) for text, _ in pieces))
    regex: re.Pattern[str] | None = None
    runs: Callable[[str], bool] | None = None

    def test(value: str) -> bool:
        nonlocal regex, runs
        if len(value) <= longest:
            if regex is None:
                regex = regex_of(pieces)
            return regex.fullmatch(value) is not None
        if runs is None:
            runs = runs_of(pieces)
        return runs(value)

    return test


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
    segment-wise matcher (:class:`_ArnGlob`).
    """
    if pieces == (("*", True),):
        return _always
    prefix = _trailing_star_prefix(pieces)
    if prefix is not None:
        return lambda arn: arn.startswith(prefix)
    plain = _plain(pieces)
    if plain is not None:
        return lambda arn: arn == plain
    return _bounded(pieces, _arn_regex, _ArnGlob.of)


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
