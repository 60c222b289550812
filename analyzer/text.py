"""Characters that hide or disguise evidence text, and how each kind of output shows them instead.

Evidence comes from the audited party. A role named ``Admin\\u202eelor`` displays as another name
once a bidirectional override reorders it, ``Admin\\u200b`` looks exactly like ``Admin``, and
``ESC [2J`` clears the auditor's terminal. Each output replaces what its reader would act on or not
see with a visible escape naming the code point; everything else is left exactly as written.

* terminals: :func:`analyzer.cli.console.terminal_safe` (``\\x1b``, ``\\u202e``);
* HTML: :func:`visible` (``[U+202E]``), applied to every value the template prints;
* XML (GraphML): :func:`xml_safe`, only what XML 1.0 cannot hold at all (the file stays
  well-formed; bidi characters are kept as data, since a script reading the file should get the names
  as they are).
"""

from __future__ import annotations

import re

#: C0 controls (tab and line breaks included), DEL and C1 controls.
CONTROLS = "\x00-\x1f\x7f-\x9f"
#: Unicode bidirectional controls: the Arabic letter mark, LRM/RLM, embeddings and overrides
#: (U+202A-U+202E) and isolates (U+2066-U+2069). They reorder the text displayed around them.
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
#: Characters that display as nothing (or as blank space): soft hyphen, combining grapheme joiner,
#: Hangul and Khmer fillers, Mongolian vowel separator and free variation selectors, zero-width
#: space/non-joiner/joiner, line and paragraph separators, word joiner and invisible operators,
#: deprecated format controls, variation selectors, the zero-width no-break space (BOM),
#: interlinear annotation controls, and the tag characters that can carry invisible ASCII.
INVISIBLE = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200d\u2028\u2029\u2060-\u2064"
    "\u206a-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef"
)
#: UTF-16 surrogates: a lone one is no character at all, and no UTF-8 file can hold it.
SURROGATES = "\ud800-\udfff"

#: What an HTML page shows as its code point: controls other than tab and line breaks, and every
#: bidi, invisible or surrogate character.
_HTML_HIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI}{INVISIBLE}{SURROGATES}]")
#: What XML 1.0 forbids in a document, even as a character reference (the Char production).
_XML_ILLEGAL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{SURROGATES}\ufffe\uffff]")


def code_point(char: str) -> str:
    """``[U+202E]``: a character named by its code point, for a reader."""
    return f"[U+{ord(char):04X}]"


def _code_point(match: re.Match[str]) -> str:
    return code_point(match.group())


def visible(text: str) -> str:
    """``text`` with every control (but tab and line breaks), bidi and invisible character shown as
    ``[U+XXXX]``. Text without any is returned as it is (one C-level search)."""
    if _HTML_HIDDEN.search(text) is None:
        return text
    return _HTML_HIDDEN.sub(_code_point, text)


def xml_safe(text: str) -> str:
    """``text`` with the characters XML 1.0 cannot represent shown as ``[U+XXXX]`` (C0 controls but
    tab and line breaks, lone surrogates, U+FFFE and U+FFFF)."""
    if _XML_ILLEGAL.search(text) is None:
        return text
    return _XML_ILLEGAL.sub(_code_point, text)


__all__ = ["BIDI", "CONTROLS", "INVISIBLE", "SURROGATES", "code_point", "visible", "xml_safe"]
