"""Every test of the engine starts with its caches empty.

The engine caches compiled clauses, matchers, documents and parsed ARNs by value. A test that reuses
a value an earlier test (or the import of a test module) compiled would exercise the cache, not the
code: a mutation run (``make mutate``) forks after the first pass over the tests, so a cached matcher
hides every change to the code that built it.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest

from analyzer.iam import arn, conditions, evaluate, statements, variables, wildcard

_MODULES: tuple[ModuleType, ...] = (arn, conditions, evaluate, statements, variables, wildcard)


def _clear() -> None:
    statements.clear_compile_cache()
    for module in _MODULES:
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", None) == module.__name__:
                value.cache_clear()


@pytest.fixture(autouse=True)
def _empty_engine_caches() -> Iterator[None]:
    _clear()
    yield
