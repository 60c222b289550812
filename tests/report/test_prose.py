"""Remediation as the page renders it (issue 15 §5): AWS CLI commands and `code` as code, the rest text."""

from __future__ import annotations

import re
from html import unescape

from analyzer.pipeline import ScanResult
from analyzer.report.html_report import render_html
from analyzer.report.prose import Span, spans
from analyzer.rules.registry import default_registry


def test_a_command_inside_a_sentence_ends_where_the_sentence_resumes() -> None:
    text = (
        "create a second key (aws iam create-access-key --user-name <user>), then deactivate it "
        "(aws iam update-access-key --status Inactive, aws iam delete-access-key). Run `trustmap collect`."
    )
    assert [s for s in spans(text) if s.kind != "text"] == [
        Span("aws iam create-access-key --user-name <user>", "cli"),
        Span("aws iam update-access-key --status Inactive", "cli"),
        Span("aws iam delete-access-key", "cli"),
        Span("trustmap collect", "code"),
    ]


def test_placeholders_with_spaces_lists_and_quoted_json_stay_in_the_command() -> None:
    text = (
        "aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=<central bucket> "
        '--x \'[{"a":1,"b":2}]\' and aws s3api put-bucket-policy.'
    )
    assert [s.text for s in spans(text) if s.kind == "cli"] == [
        "aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=<central bucket> "
        '--x \'[{"a":1,"b":2}]\'',
        "aws s3api put-bucket-policy",
    ]


def test_every_remediation_reads_back_whole() -> None:
    for rule in default_registry():
        text = rule.meta.remediation
        assert "".join(s.text for s in spans(text)) == text.replace("`", "")


def test_the_page_shows_each_command_as_code_with_a_copy_button(defective: ScanResult) -> None:
    page = render_html(defective)
    commands = re.findall(
        r'<code class="cli">([^<]*)</code><button type="button" class="copy js-only" data-copy="([^"]*)"', page
    )
    assert commands and all(unescape(shown) == unescape(copied) for shown, copied in commands)
    assert unescape(commands[0][0]) == "aws iam update-assume-role-policy"
