"""Policy variables: ``${aws:username}``, ``${aws:PrincipalTag/team, 'none'}``, ``${*}`` ...

IAMUG ``reference_policies_variables``:

* Variables are substituted only in documents with ``"Version": "2012-10-17"``; with
  ``2008-10-17`` or no ``Version`` the text is literal (the caller decides, see
  :func:`template_of`).
* They appear in the resource part of ARNs in ``Resource``/``NotResource`` and in the values of
  the ``String...`` and ``Arn...`` condition operators.
* ``${*}``, ``${?}`` and ``${$}`` are a literal ``*``, ``?`` and ``$`` (never wildcards).
* ``${key, 'default'}`` takes ``default`` when the key is absent.
* A variable whose key is not in the request (and has no default) cannot be resolved: "any
  attempt to match it fails and causes the statement to be invalid". The engine therefore makes
  the element holding it not match (:data:`UNRESOLVED`). A key the evidence cannot know makes the
  result :data:`~analyzer.iam.context.UNKNOWN`.

A substituted value is matched literally (its characters are never wildcards).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from analyzer.iam.context import UNKNOWN, Lookup, NoneOf, _Unknown
from analyzer.iam.wildcard import Pattern, Piece

_TOKEN = re.compile(r"\$\{([^{}]*)\}")
_VARIABLE = re.compile(r"\s*([^\s,'{}]+)\s*(?:,\s*'([^']*)'\s*)?")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # lower-cased condition key
    default: str | None = None


TemplatePart = Piece | Variable
Template = tuple[TemplatePart, ...]


class _Unresolved(enum.Enum):
    UNRESOLVED = "unresolved"


UNRESOLVED = _Unresolved.UNRESOLVED
"""A variable's key is absent and has no default: the element holding it does not match."""

Resolution = Pattern | _Unresolved | _Unknown


@lru_cache(maxsize=65536)
def parse_template(text: str) -> Template:
    """Split policy text into literal pieces (wildcards active), escapes and variables."""
    parts: list[TemplatePart] = []
    position = 0
    for match in _TOKEN.finditer(text):
        inner = match.group(1)
        escaped = _ESCAPES.get(inner.strip())
        variable = _VARIABLE.fullmatch(inner) if escaped is None else None
        if escaped is None and variable is None:
            continue  # not a variable: stays literal text
        if match.start() > position:
            parts.append((text[position : match.start()], True))
        if escaped is not None:
            parts.append((escaped, False))
        elif variable is not None:
            parts.append(Variable(variable.group(1).lower(), variable.group(2)))
        position = match.end()
    if position < len(text) or not parts:
        parts.append((text[position:], True))
    return tuple(parts)


def template_of(text: str, variables_enabled: bool) -> Template:
    """The template for ``text``; one literal piece when variables are off or absent."""
    if not variables_enabled or "${" not in text:
        return ((text, True),)
    return parse_template(text)


def template_has_variables(template: Template) -> bool:
    return any(isinstance(part, Variable) for part in template)


def resolve(template: Template, lookup: Callable[[str], Lookup]) -> Resolution:
    """Substitute variables from the request context."""
    pieces: list[Piece] = []
    unknown = False
    for part in template:
        if not isinstance(part, Variable):
            pieces.append(part)
            continue
        found = lookup(part.key)
        if isinstance(found, (_Unknown, NoneOf)):
            unknown = True
        elif found is not None and len(found) == 1:
            pieces.append((found[0], False))
        elif found is None or not found:
            if part.default is None:
                return UNRESOLVED
            pieces.append((part.default, False))
        else:
            return UNRESOLVED  # a multivalued key cannot be substituted
    if unknown:
        return UNKNOWN
    return tuple(pieces)
