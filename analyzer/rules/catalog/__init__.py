"""The rule catalog: one module per rule, discovered by :func:`analyzer.rules.registry.discover`."""
