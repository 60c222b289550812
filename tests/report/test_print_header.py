"""The printout's running header (issue 15 §4) carries evidence text (the organization id) inside a
CSS string: it must neither end the string nor the style element, whatever the id holds."""

from __future__ import annotations

import re

from analyzer.report.html_report import css_string, print_css


def test_evidence_in_the_print_header_is_written_as_css_escapes() -> None:
    hostile = 'o-x"; } body { display: none } </style><script>alert(1)</script>\u202e'
    escaped = css_string(hostile)
    assert not re.search(r"[\"'<>/;{}\u202e]", escaped)
    assert "\\00003c" in escaped and "\\000022" in escaped  # < and " as 6-digit CSS escapes
    css = print_css({"organization": hostile, "collected_at": "2026-11-20T10:00:00Z", "bundle_sha256": "ab" * 32})
    assert "</style" not in css and "<script" not in css
    assert 'counter(page) " of " counter(pages)' in css and "ab" * 32 in css


def test_an_unknown_organization_and_time_are_said_so() -> None:
    css = print_css({"organization": None, "collected_at": None, "bundle_sha256": "0" * 64})
    assert "an unknown organization" in css and "at an unknown time" in css
