"""What every command shares that loads nothing else: exit statuses and terminal-safe text.

Kept apart from :mod:`analyzer.cli.common` (bundle options and loading, which import the evidence
loader) so that commands without a bundle (``synth``, ``collect``, ``diff``) start without it.
"""

from __future__ import annotations

import re

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2

#: Characters a terminal acts on rather than prints: C0 controls (newline included: one message must
#: stay one line), DEL, C1 controls, and the Unicode bidirectional overrides that reorder what is shown.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """Evidence text as a terminal may show it: control and bidi characters written as escapes.

    Evidence is untrusted: an error record's message or a file name holding ``ESC [2J`` or
    ``\\r`` would otherwise clear the auditor's screen or overwrite the line that reports it.
    """
    return _UNPRINTABLE.sub(_escape, text)


__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_UNREADABLE", "terminal_safe"]
