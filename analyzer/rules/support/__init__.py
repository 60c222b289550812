"""Shared logic of the rule catalog, one module per topic (trust, identity, logging ...)."""
