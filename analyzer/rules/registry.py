"""The rule registry: an explicit object (no module globals), filled by discovery of rule modules.

Every module under ``analyzer/rules/catalog/`` named ``<id>_<slug>.py`` (e.g. ``idn_002_mfa_trust.py``)
defines ``RULE = Rule(META, check)``. Discovery imports them in name order; a duplicate ID, a module
whose name does not match its rule's ID, or an ID outside the ``ABC-123`` form is refused.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from functools import cache

from analyzer.rules.base import Rule

_ID = re.compile(r"^[A-Z]{3}-\d{3}$")


class RegistryError(Exception):
    pass


class RuleRegistry:
    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, rule: Rule) -> None:
        if not _ID.match(rule.id):
            raise RegistryError(f"rule id {rule.id!r} is not of the form ABC-123")
        if rule.id in self._rules:
            raise RegistryError(f"duplicate rule id {rule.id}")
        self._rules[rule.id] = rule

    def get(self, rule_id: str) -> Rule:
        try:
            return self._rules[rule_id.upper()]
        except KeyError:
            raise KeyError(f"no rule {rule_id!r}; `trustmap rules` lists them") from None

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.id))

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rule_id: object) -> bool:
        return isinstance(rule_id, str) and rule_id.upper() in self._rules


def discover(package: str = "analyzer.rules.catalog") -> RuleRegistry:
    registry = RuleRegistry()
    module = importlib.import_module(package)
    for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{package}.{info.name}")
        rule = getattr(loaded, "RULE", None)
        if not isinstance(rule, Rule):
            raise RegistryError(f"{package}.{info.name} defines no RULE = Rule(...)")
        expected = rule.id.lower().replace("-", "_")
        if not info.name.startswith(expected + "_") and info.name != expected:
            raise RegistryError(f"module {info.name} holds rule {rule.id}; name it {expected}_<slug>.py")
        registry.add(rule)
    return registry


@cache
def default_registry() -> RuleRegistry:
    """The built-in catalog (discovered once per process; the registry itself is never mutated after)."""
    return discover()
