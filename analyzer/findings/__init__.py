"""Findings: running the rules and their results (the settings and the organization's shape they read
live below the rules, in :mod:`analyzer.audit`)."""
