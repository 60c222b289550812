"""The evidence contracts: JSON Schemas (draft 2020-12) in ``schemas/``, shipped in the wheel.

The wheel maps the repository's ``schemas/`` folder to the ``analyzer.schemas`` package; a source
checkout reads the folder directly. Each schema is compiled once: a fast yes/no check
(:mod:`analyzer.evidence.fastcheck`) decides the common case, and ``jsonschema`` runs only on the
documents that fail it, to say precisely what is wrong and where. So ``jsonschema`` (and its
registry of the schemas) is imported and built only when a document fails the fast check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
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


def _describe(error: ValidationError) -> str:
    if error.validator == "additionalProperties":
        return f"{error.message}; this key is not part of the command's output"
    if error.validator == "required":
        return f"{error.message} (expected in the command's output)"
    return error.message if len(error.message) < 300 else error.message[:297] + "..."


def check(stem: str, document: Any, *, limit: int = 20) -> tuple[Problem, ...]:
    """Schema problems of a document, most specific first, at most ``limit`` of them."""
    quick = fast_check(stem)
    if quick is not None and quick(document):
        return ()
    errors = sorted(
        validator(stem).iter_errors(document),
        key=lambda e: (list(map(str, e.absolute_path)), str(e.validator)),
    )
    hint = f"compare with schemas/{stem}.schema.json or re-export the file with the AWS CLI"
    return tuple(Problem(_pointer(e), _describe(e), hint) for e in errors[:limit])
