"""What every command shares that loads nothing else: exit statuses and terminal-safe text.

Kept apart from :mod:`analyzer.cli.common` (bundle options and loading, which import the evidence
loader) so that commands without a bundle (``synth``, ``collect``, ``diff``) start without it.
"""

from __future__ import annotations

import re

from analyzer.text import BIDI, CONTROLS, INVISIBLE, SURROGATES

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNREADABLE = 2

#: Characters a terminal acts on rather than prints, or prints as nothing: C0 controls (newline
#: included: one message must stay one line), DEL, C1 controls, the Unicode bidirectional controls
#: that reorder what is shown, zero-width and other invisible characters (``Admin\u200b`` would look
#: like ``Admin``), and lone surrogates (which no terminal encoding can write).
_UNPRINTABLE = re.compile(f"[{CONTROLS}{BIDI}{INVISIBLE}{SURROGATES}]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def terminal_safe(text: str) -> str:
    """Evidence text as a terminal may show it: control and bidi characters written as escapes.

    Evidence is untrusted: an error record's message or a file name holding ``ESC [2J`` or
    ``\\r`` would otherwise clear the auditor's screen or overwrite the line that reports it, and a
    role name holding U+202E or U+200B would display as another role's name.
    """
    return _UNPRINTABLE.sub(_escape, text)


__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_UNREADABLE", "terminal_safe"]
