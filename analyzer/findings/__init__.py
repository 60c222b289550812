"""Findings: settings, the organization's shape (Identity account, log bucket), running rules, results."""
