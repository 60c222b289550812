"""A compiled yes/no check for the evidence schemas: the fast path in front of ``jsonschema``.

``jsonschema`` walks every keyword through generic dispatch, about twenty times slower than
``json.loads`` on a large authorization-details file. Nearly every file is valid, so the loader
asks this compiled check first and only runs ``jsonschema`` (for its precise messages) when the
check says no. The compiler understands the keywords the evidence schemas use; a schema with any
other keyword raises :class:`Unsupported` and is validated by ``jsonschema`` alone, so this
check is never more lenient than ``jsonschema`` (``tests/evidence/test_fastcheck.py`` compares
them on generated documents).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urljoin

Check = Callable[[Any], bool]

#: Keywords that never change whether a document is valid (annotations; ``format`` is one in 2020-12).
_ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$defs",
        "$comment",
        "title",
        "description",
        "examples",
        "default",
        "format",
        "deprecated",
        "x-verdict",
        "x-element",
    }
)


class Unsupported(ValueError):
    """The schema uses a keyword this compiler does not implement."""


def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    # as jsonschema's draft 4+ type checker: 1.0 is an integer, true is not
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": _is_number,
}


def _scalar_key(value: Any) -> tuple[str, Any]:
    """Equality as JSON Schema defines it for scalars: ``true`` is not ``1``."""
    if isinstance(value, bool):
        return ("bool", value)
    if _is_number(value):
        return ("number", value)
    return (type(value).__name__, value)


def _all_of(checks: list[Check]) -> Check:
    """The conjunction of checks, unrolled for the common small counts (this is the hot path)."""
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda v: first(v) and second(v)
    frozen = tuple(checks)

    def check(value: Any) -> bool:
        for c in frozen:  # noqa: SIM110 - a loop, not all(<generator>): no generator per call
            if not c(value):
                return False
        return True

    return check


def _any_of(options: tuple[Check, ...]) -> Check:
    def check(value: Any) -> bool:
        for option in options:  # noqa: SIM110 - a loop, not any(<generator>): no generator per call
            if option(value):
                return True
        return False

    return check


class Compiler:
    """Compiles schemas from one registry (``$id`` -> schema); ``$ref`` targets are compiled once."""

    def __init__(self, schemas_by_id: Mapping[str, Any]) -> None:
        self._by_id = schemas_by_id
        self._compiled: dict[str, Check] = {}

    def compile_id(self, schema_id: str) -> Check:
        return self._ref(schema_id, "#")

    # ------------------------------------------------------------------ references
    def _ref(self, base: str, ref: str) -> Check:
        uri, _, fragment = ref.partition("#")
        target = urljoin(base, uri) if uri else base
        key = f"{target}#{fragment}"
        found = self._compiled.get(key)
        if found is not None:
            return found
        if target not in self._by_id:
            raise Unsupported(f"unresolvable $ref {ref!r}")
        holder: list[Check] = []
        self._compiled[key] = lambda value: holder[0](value)  # a cycle reaches this until compiled
        compiled = self._compile(_resolve_pointer(self._by_id[target], fragment), target)
        holder.append(compiled)
        self._compiled[key] = compiled
        return compiled

    # ------------------------------------------------------------------ schemas
    def _compile(self, schema: Any, base: str) -> Check:
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise Unsupported(f"not a schema: {schema!r}")
        if "$id" in schema and urljoin(base, schema["$id"]) != base:
            raise Unsupported("a nested $id")
        checks: list[Check] = []
        handled = set(_ANNOTATIONS)
        # A single "type" whose keywords are present is checked inside that group's one pass.
        typed = next((t for g, t, _ in _GROUPS if schema.get("type") == t and g & schema.keys()), None)
        if typed is not None:
            handled.add("type")
        for keyword, build in _KEYWORD_BUILDERS:
            if keyword in schema and keyword not in handled:
                checks.append(build(self, schema, base))
                handled.add(keyword)
        for group, json_type, build_group in _GROUPS:
            if group & schema.keys():
                checks.append(build_group(self, schema, base, json_type == typed))
                handled |= group
        unknown = set(schema) - handled
        if unknown:
            raise Unsupported(f"keyword(s) {sorted(unknown)}")
        return _all_of(checks)

    def sub(self, schema: Any, base: str) -> Check:
        return self._compile(schema, base)

    def ref(self, base: str, ref: str) -> Check:
        return self._ref(base, ref)


def _resolve_pointer(document: Any, fragment: str) -> Any:
    node = document
    for raw in fragment.lstrip("/").split("/") if fragment.strip("/") else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise Unsupported(f"unresolvable pointer #{fragment}")
    return node


# --------------------------------------------------------------------------- keywords


def _build_type(_c: Compiler, schema: dict[str, Any], _base: str) -> Check:
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    try:
        checks = tuple(_TYPES[n] for n in names)
    except KeyError as exc:
        raise Unsupported(f"type {exc.args[0]!r}") from None
    if len(checks) == 1:
        return checks[0]
    return lambda v: any(c(v) for c in checks)


def _build_enum(_c: Compiler, schema: dict[str, Any], _base: str) -> Check:
    values = schema["enum"]
    if not all(v is None or isinstance(v, (str, int, float, bool)) for v in values):
        raise Unsupported("enum of structured values")
    allowed = frozenset(_scalar_key(v) for v in values)
    return lambda v: not isinstance(v, (dict, list)) and _scalar_key(v) in allowed


def _build_const(c: Compiler, schema: dict[str, Any], base: str) -> Check:
    return _build_enum(c, {"enum": [schema["const"]]}, base)


def _build_ref(c: Compiler, schema: dict[str, Any], base: str) -> Check:
    return c.ref(base, schema["$ref"])


def _build_any_of(c: Compiler, schema: dict[str, Any], base: str) -> Check:
    return _any_of(tuple(c.sub(s, base) for s in schema["anyOf"]))


def _build_one_of(c: Compiler, schema: dict[str, Any], base: str) -> Check:
    options = tuple(c.sub(s, base) for s in schema["oneOf"])
    return lambda v: sum(1 for o in options if o(v)) == 1


def _build_all_of(c: Compiler, schema: dict[str, Any], base: str) -> Check:
    return _all_of([c.sub(s, base) for s in schema["allOf"]])


def _build_not(c: Compiler, schema: dict[str, Any], base: str) -> Check:
    inner = c.sub(schema["not"], base)
    return lambda v: not inner(v)


def _build_object(c: Compiler, schema: dict[str, Any], base: str, typed: bool) -> Check:
    """``properties``, ``required``, ``additionalProperties`` and the size bounds, in one pass.

    The common shape (no size bounds, additional properties allowed) gets a loop with nothing else
    in it: this check runs for every object of every file.
    """
    properties = {k: c.sub(s, base) for k, s in (schema.get("properties") or {}).items()}
    get = properties.get
    required = tuple(schema.get("required") or ())
    additional_schema = schema.get("additionalProperties", True)
    additional = None if additional_schema is True else c.sub(additional_schema, base)
    low = schema.get("minProperties", 0)
    high = schema.get("maxProperties")

    if additional is None and low == 0 and high is None:

        def plain(value: Any) -> bool:
            if not isinstance(value, dict):
                return not typed
            for key in required:
                if key not in value:
                    return False
            for key, item in value.items():
                prop = get(key)
                if prop is not None and not prop(item):
                    return False
            return True

        return plain

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return not typed
        for key in required:
            if key not in value:
                return False
        if len(value) < low or (high is not None and len(value) > high):
            return False
        for key, item in value.items():
            prop = get(key)
            if prop is not None:
                if not prop(item):
                    return False
            elif additional is not None and not additional(item):
                return False
        return True

    return check


def _build_array(c: Compiler, schema: dict[str, Any], base: str, typed: bool) -> Check:
    items = c.sub(schema["items"], base) if "items" in schema else None
    low = schema.get("minItems", 0)
    high = schema.get("maxItems")

    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return not typed
        if len(value) < low or (high is not None and len(value) > high):
            return False
        if items is not None:
            for item in value:
                if not items(item):
                    return False
        return True

    return check


def _build_string(_c: Compiler, schema: dict[str, Any], _base: str, typed: bool) -> Check:
    search = re.compile(schema["pattern"]).search if "pattern" in schema else None
    low = schema.get("minLength", 0)
    high = schema.get("maxLength")

    if low == 0 and high is None and search is not None:  # the usual case: a pattern alone

        def matches(value: Any) -> bool:
            if not isinstance(value, str):
                return not typed
            return search(value) is not None

        return matches

    def check(value: Any) -> bool:
        if not isinstance(value, str):
            return not typed
        if len(value) < low or (high is not None and len(value) > high):
            return False
        return search is None or search(value) is not None

    return check


def _build_number(_c: Compiler, schema: dict[str, Any], _base: str, typed: bool) -> Check:
    low = schema.get("minimum")
    high = schema.get("maximum")
    low_x = schema.get("exclusiveMinimum")
    high_x = schema.get("exclusiveMaximum")

    def check(value: Any) -> bool:
        if not _is_number(value):
            return not typed
        return not (
            (low is not None and value < low)
            or (high is not None and value > high)
            or (low_x is not None and value <= low_x)
            or (high_x is not None and value >= high_x)
        )

    return check


#: Keyword -> builder for keywords that apply to any instance.
_KEYWORD_BUILDERS: tuple[tuple[str, Callable[[Compiler, dict[str, Any], str], Check]], ...] = (
    ("type", _build_type),
    ("enum", _build_enum),
    ("const", _build_const),
    ("$ref", _build_ref),
    ("anyOf", _build_any_of),
    ("oneOf", _build_one_of),
    ("allOf", _build_all_of),
    ("not", _build_not),
)
#: Keywords that apply to one JSON type, compiled together into one pass over the instance.
#: With ``typed`` the group's check also rejects other JSON types (the schema's single "type").
_GROUPS: tuple[tuple[frozenset[str], str, Callable[[Compiler, dict[str, Any], str, bool], Check]], ...] = (
    (
        frozenset({"properties", "required", "additionalProperties", "minProperties", "maxProperties"}),
        "object",
        _build_object,
    ),
    (frozenset({"items", "minItems", "maxItems"}), "array", _build_array),
    (frozenset({"pattern", "minLength", "maxLength"}), "string", _build_string),
    (frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}), "number", _build_number),
)
