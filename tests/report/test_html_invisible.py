"""index.html shows evidence's bidi, invisible and control characters as their code points.

A role named ``Admin\\u202eelor`` displays as another name once the override reorders it, and
``Admin\\u200b`` looks exactly like ``Admin``: in the page's text and in its tooltips (attributes)
alike, each such character is shown as ``[U+202E]`` and none survives raw.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.report.html_report import environment
from analyzer.text import visible
from tests.graph.disk_bundles import DEV, IDENTITY, MFA_TRUE, add_roles, copy_base, let_alice_assume_any_role, trust
from tests.graph.disk_bundles import trusting as trusting_statement

OVERRIDE_NAME = "Admin\u202eelor"  # displays as "Adminrole"
ZERO_WIDTH_NAME = "Dev-Admin-Role\u200b"  # displays as the base bundle's Dev-Admin-Role
CONTROL_NAME = "Ops\x1b[2J\x07"
#: What must never reach the page raw: C0/C1 controls but tab and line breaks, bidi and zero-width.
RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


class Served(HTMLParser):
    """Every text node and every attribute value of the page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attributes: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.extend(value for _, value in attrs if value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    """alice may assume three roles with hostile names (they show on the access map and in results),
    one of them without MFA (so it is listed among the problem paths, its ARN in a tooltip)."""
    root = tmp_path_factory.mktemp("html")
    bundle = copy_base(root / "bundle")
    let_alice_assume_any_role(bundle)
    with_mfa = trust(trusting_statement(f"arn:aws:iam::{IDENTITY}:root", MFA_TRUE))
    without_mfa = trust(trusting_statement(f"arn:aws:iam::{IDENTITY}:root"))
    roles = [(OVERRIDE_NAME, without_mfa, False), (ZERO_WIDTH_NAME, with_mfa, False), (CONTROL_NAME, with_mfa, False)]
    add_roles(bundle, DEV, roles)
    out = root / "report"
    result = CliRunner().invoke(main, ["analyze", str(bundle), "--out", str(out), "--format", "html"])
    assert result.exit_code == 0, result.output
    return (out / "index.html").read_text(encoding="utf-8")


def test_no_raw_bidi_zero_width_or_control_character_survives_in_text_or_attributes(page: str) -> None:
    served = Served(page)
    assert not [t for t in served.texts if RAW.search(t)]
    assert not [a for a in served.attributes if RAW.search(a)]
    assert not RAW.search(page)


def test_the_code_points_are_shown_where_the_names_are(page: str) -> None:
    served = Served(page)
    text, attributes = "".join(served.texts), "\n".join(served.attributes)
    for shown in ("Admin[U+202E]elor", "Dev-Admin-Role[U+200B]", "Ops[U+001B][2J[U+0007]"):
        assert shown in text
    assert f"arn:aws:iam::{DEV}:role/Admin[U+202E]elor" in attributes  # the problem path's tooltip


def test_text_without_such_characters_is_left_as_it_is() -> None:
    plain = "arn:aws:iam::222222222222:role/Dev-Admin-Role ✔ · é 漢 \t\n"
    assert visible(plain) is plain
    rendered = environment().from_string("{{ a }}|{{ b }}").render(a=plain, b="x\u2066y\U000e0041")
    assert rendered == plain + "|x[U+2066]y[U+E0041]"


def test_lone_surrogates_are_shown_and_the_page_stays_utf8() -> None:
    assert visible("a\ud800b") == "a[U+D800]b"
    assert environment().from_string("{{ a }}").render(a="\udcff").encode("utf-8") == b"[U+DCFF]"


def test_the_committed_sample_report_holds_none_of_these_characters() -> None:
    """So the page's bytes are unchanged by showing them."""
    sample = Path(__file__).resolve().parents[2] / "reports" / "sample-org" / "index.html"
    if not sample.exists():
        pytest.skip("no committed sample report")
    assert not RAW.search(sample.read_text(encoding="utf-8"))
