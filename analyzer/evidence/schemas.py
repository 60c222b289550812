"""The evidence contracts: JSON Schemas (draft 2020-12) in ``schemas/``, shipped in the wheel.

The wheel maps the repository's ``schemas/`` folder to the ``analyzer.schemas`` package; a source
checkout reads the folder directly. Each schema is compiled once: a fast yes/no check
(:mod:`analyzer.evidence.fastcheck`) decides the common case, and ``jsonschema`` runs only on the
documents that fail it, to say precisely what is wrong and where. So ``jsonschema`` (and its
registry of the schemas) is imported and built only when a document fails the fast check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.evidence.fastcheck import Check, Compiler, Unsupported
from analyzer.model.snapshot import Problem

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry


def schema_dir() -> Traversable:
    """The folder holding the ``*.schema.json`` files, installed or in a source checkout."""
    try:
        packaged = resources.files("analyzer.schemas")
        if packaged.joinpath("manifest.schema.json").is_file():
            return packaged
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parents[2] / "schemas"


@dataclass(frozen=True, slots=True)
class _Schemas:
    by_stem: dict[str, dict[str, Any]]
    by_id: dict[str, dict[str, Any]]


@cache
def _schemas() -> _Schemas:
    by_stem: dict[str, dict[str, Any]] = {}
    by_id: dict[str, dict[str, Any]] = {}
    for entry in sorted(schema_dir().iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".schema.json"):
            continue
        schema = json.loads(entry.read_text(encoding="utf-8"))
        by_stem[entry.name.removesuffix(".schema.json")] = schema
        by_id[schema["$id"]] = schema
    return _Schemas(by_stem, by_id)


@cache
def _registry() -> Registry[Any]:
    """Every schema by its ``$id``, for ``jsonschema`` to resolve references between them."""
    from referencing import Registry, Resource

    registry: Registry[Any] = Registry()
    for schema_id, schema in sorted(_schemas().by_id.items()):
        registry = registry.with_resource(schema_id, Resource.from_contents(schema))
    return registry


def schema_names() -> tuple[str, ...]:
    return tuple(sorted(_schemas().by_stem))


@cache
def validator(stem: str) -> Draft202012Validator:
    loaded = _schemas()
    if stem not in loaded.by_stem:
        raise KeyError(f"no schema named {stem}.schema.json")
    from jsonschema import Draft202012Validator

    return Draft202012Validator(loaded.by_stem[stem], registry=_registry())


@cache
def _compiler() -> Compiler:
    return Compiler(_schemas().by_id)


@cache
def fast_check(stem: str) -> Check | None:
    """The compiled check for a schema, or None when it uses a keyword the compiler lacks."""
    loaded = _schemas()
    if stem not in loaded.by_stem:
        raise KeyError(f"no schema named {stem}.schema.json")
    try:
        return _compiler().compile_id(loaded.by_stem[stem]["$id"])
    except Unsupported:
        return None


def _pointer(error: ValidationError) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)


_JSON_TYPES = ((bool, "a boolean"), (int, "a number"), (float, "a number"), (str, "a string"), (list, "an array"))


def _shown(value: Any, limit: int = 60) -> str:
    """A short rendering of a value for a message: the reason comes first, the data after, cut."""
    if value is None:
        return "null"
    if isinstance(value, dict):
        return f"an object with {len(value)} key(s)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _what(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    return next((name for typ, name in _JSON_TYPES if isinstance(value, typ)), type(value).__name__)


def _describe(error: ValidationError) -> str:
    """What is wrong, in words first: ``expected a string, got null`` rather than the value's dump."""
    found, rule = error.instance, error.validator_value
    if error.validator == "type":
        expected = " or ".join(rule) if isinstance(rule, list) else str(rule)
        return f"expected {expected}, got {_what(found)}" + ("" if found is None else f" ({_shown(found)})")
    if error.validator == "pattern":
        return f"{_shown(found)} does not have the expected form ({rule})"
    if error.validator in ("anyOf", "oneOf"):
        return f"{_shown(found)} is not any of the accepted forms"
    if error.validator == "enum":
        return f"{_shown(found)} is not one of {_shown(rule)}"
    if error.validator in ("minimum", "minLength", "minItems"):
        return f"{_shown(found)} is below the {error.validator} {rule}"
    message = error.message
    return message if len(message) < 200 else f"{error.validator} not met by {_what(found)}"


#: Schema errors read from one document at most. A genuine export has none; a hostile one can hold
#: one per element (a million ``null`` users: 48 s and 4 GB to list them all). Past this many the
#: document is refused whole (what the unread errors would cost is unknown), in bounded time.
MAX_SCHEMA_ERRORS = 10_000


def _too_many(stem: str) -> Problem:
    return Problem(
        "",
        f"more than {MAX_SCHEMA_ERRORS:,} schema problems: the file is not used (a genuine export has none); "
        "the first ones found are listed",
        f"compare with schemas/{stem}.schema.json or re-export the file with the AWS CLI",
    )


def check(stem: str, document: Any) -> tuple[Problem, ...]:
    """The schema problems of a document, most specific first: every one, up to
    :data:`MAX_SCHEMA_ERRORS` errors (then one more problem says the rest were not read)."""
    quick = fast_check(stem)
    if quick is not None and quick(document):
        return ()
    located, complete = _located(stem, document)
    problems = tuple(problem for _, problem in located)
    return problems if complete else (_too_many(stem), *problems)


def _located(stem: str, document: Any) -> tuple[list[tuple[tuple[str, ...], Problem]], bool]:
    """(where, problem) for the schema errors, sorted by where; ``where`` names the key for a missing
    or unknown one. At most :data:`MAX_SCHEMA_ERRORS` errors are read: the flag says whether that
    was all of them."""
    found = list(islice(validator(stem).iter_errors(document), MAX_SCHEMA_ERRORS + 1))
    complete = len(found) <= MAX_SCHEMA_ERRORS
    errors = sorted(found[:MAX_SCHEMA_ERRORS], key=lambda e: (list(map(str, e.absolute_path)), str(e.validator)))
    hint = f"compare with schemas/{stem}.schema.json or re-export the file with the AWS CLI"
    out: list[tuple[tuple[str, ...], Problem]] = []
    for error in errors:
        base = tuple(map(str, error.absolute_path))
        pointer = _pointer(error)
        keys = _keys_named(error)
        if keys is None:
            out.append((base, Problem(pointer, _describe(error), hint)))
            continue
        for key in keys:
            escaped = key.replace("~", "~0").replace("/", "~1")
            if error.validator == "required":
                message = f"{key!r} is missing (expected in the command's output)"
            else:
                message = f"{key!r} is not part of the command's output"
            out.append(((*base, key), Problem(f"{pointer}/{escaped}", message, hint)))
    return out, complete


def _keys_named(error: ValidationError) -> list[str] | None:
    """The keys a ``required`` (missing) or ``additionalProperties`` (unknown) error is about."""
    instance = error.instance
    if not isinstance(instance, dict):
        return None
    if error.validator == "required" and isinstance(error.validator_value, list):
        return [str(k) for k in list(error.validator_value) if k not in instance]
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        patterns = error.schema.get("patternProperties", {}) if isinstance(error.schema, dict) else {}
        return sorted(k for k in instance if k not in known and not any(re.search(p, k) for p in patterns))
    return None


# --------------------------------------------------------------------------- what a verdict needs

#: Pagination keys: every kind's verdict depends on them (a wrong one could hide a missing page).
_PAGINATION = ("/IsTruncated", "/Marker", "/NextToken")


@dataclass(frozen=True, slots=True)
class Fields:
    """The places of a kind's document a verdict reads, from its schema's ``x-verdict`` and ``x-element``.

    ``verdict``: a wrong value there makes the file unusable (its checks are not evaluated), as does
    a wrong value on the way to one (the list or the object holding it). ``element``: a wrong value
    there costs one element only (a policy document the reader then leaves unresolved, so the checks
    that need it are not evaluated). Anything else a verdict does not read: a wrong, null, missing or
    unknown value there is a warning, and the file is used.
    """

    verdict: tuple[tuple[str, ...], ...]
    element: tuple[tuple[str, ...], ...]

    def weight(self, where: tuple[str, ...]) -> str:
        """``element``, ``verdict`` or ``warning`` for a problem at ``where``."""
        if any(_covers(pattern, where) for pattern in self.element):
            return "element"
        if any(_covers(where, pattern) or _covers(pattern, where) for pattern in self.verdict):
            return "verdict"
        return "warning"


def _covers(prefix: tuple[str, ...], where: tuple[str, ...]) -> bool:
    """Whether ``prefix`` (``*`` matching any one step) is ``where`` or an ancestor of it."""
    return len(prefix) <= len(where) and all(p == w or "*" in (p, w) for p, w in zip(prefix, where, strict=False))


def _steps(pointer: str) -> tuple[str, ...]:
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:])


@cache
def fields(stem: str) -> Fields:
    schema = _schemas().by_stem[stem]
    verdict = [*schema.get("x-verdict", ()), *_PAGINATION]
    return Fields(tuple(map(_steps, verdict)), tuple(map(_steps, schema.get("x-element", ()))))


@dataclass(frozen=True, slots=True)
class Findings:
    """A document's schema problems sorted by what they cost (see :class:`Fields`)."""

    verdict: tuple[Problem, ...] = ()
    element: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


def check_evidence(stem: str, document: Any) -> Findings:
    """The schema problems of an evidence document, each weighed by what the verdicts read."""
    quick = fast_check(stem)
    if quick is not None and quick(document):
        return Findings()
    weigh = fields(stem).weight
    found: dict[str, list[Problem]] = {"verdict": [], "element": [], "warning": []}
    located, complete = _located(stem, document)
    if not complete:  # the errors not read may be anywhere: the file cannot be used
        found["verdict"].append(_too_many(stem))
    for where, problem in located:
        weight = weigh(where)
        if weight == "warning":
            problem = Problem(problem.pointer, problem.message, "no verdict reads this value", warning=True)
        found[weight].append(problem)
    return Findings(tuple(found["verdict"]), tuple(found["element"]), tuple(found["warning"]))
