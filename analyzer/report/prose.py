"""A rule's remediation as spans the page can render: text, `code` and AWS CLI commands.

Remediations are written as prose with the commands inline ("... (aws iam delete-login-profile
--user-name <user>) or ..."). The page shows each command as code with a copy button, and a
backticked word as code. Only our own rule catalog is read here, never evidence; the template
still escapes every span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: "aws <service> <command>": the start of an AWS CLI command inside a sentence.
_CLI = re.compile(r"(?<![\w-])aws [a-z0-9][a-z0-9-]* [a-z0-9][a-z0-9-]*")
_OPTION = re.compile(r" (--[a-z0-9][a-z0-9-]*)")
#: An option's value: a word, a placeholder such as <central bucket>, a quoted string, or a list
#: such as name=default,roleARN=<role>; a comma or semicolon before a space, a parenthesis and a
#: full stop belong to the sentence.
_VALUE = re.compile(r""" ((?:<[^>]+>|'[^']*'|"[^"]*"|[,;](?=\S)|[^\s,;()<>'"])+)""")
_BACKTICKS = re.compile(r"`([^`]+)`")


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    kind: str  # "text", "code" or "cli"


def _cli_end(text: str, start: int, end: int) -> int:
    """Where the command that starts at ``start`` (its service and command end at ``end``) ends:
    options, each with at most one value."""
    after_option = False
    while True:
        option = _OPTION.match(text, end)
        if option:
            end, after_option = option.end(), True
            continue
        value = _VALUE.match(text, end) if after_option else None
        if value:
            word_end = value.end()
            if text[word_end - 1] == "." and (word_end == len(text) or text[word_end] == " "):
                word_end -= 1  # the sentence's full stop
            end, after_option = word_end, False
            continue
        return end


def _split_cli(text: str) -> list[Span]:
    out: list[Span] = []
    at = 0
    for found in _CLI.finditer(text):
        if found.start() < at:
            continue
        end = _cli_end(text, found.start(), found.end())
        if found.start() > at:
            out.append(Span(text[at : found.start()], "text"))
        out.append(Span(text[found.start() : end], "cli"))
        at = end
    if at < len(text):
        out.append(Span(text[at:], "text"))
    return out


def spans(text: str) -> tuple[Span, ...]:
    """``text`` cut into text, `code` and AWS CLI command spans, in order; joined, they give it back
    (but for the backticks)."""
    out: list[Span] = []
    at = 0
    for found in _BACKTICKS.finditer(text):
        out += _split_cli(text[at : found.start()])
        out.append(Span(found.group(1), "cli" if _CLI.fullmatch(found.group(1).split(" --")[0]) else "code"))
        at = found.end()
    out += _split_cli(text[at:])
    return tuple(out)
