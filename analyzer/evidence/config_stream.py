"""Read a Config delivered file item by item, keeping only the items of the types trustmap reads.

A snapshot lists every recorded resource of an account and region (EC2 instances, network
interfaces, ... by the thousand) and trustmap reads a handful of types. The file's top level
(``{"fileVersion": ..., "configSnapshotId": ..., "configurationItems": [...]}``: AWS Config
Developer Guide, "Example configuration snapshot") is walked by hand and each item decoded on its
own with the C scanner; an item is kept, and decoded again with the duplicate-key check, only when
its text names a type trustmap reads (or holds a ``\\u`` escape that could hide one). The others
are dropped at once, so memory holds the file's text and one item, never the file's objects.

One reading per document still holds where a verdict reads: a repeated top-level key (two
``configurationItems`` lists) or a repeated key in an item that is kept makes the file unusable.
Items of other types are not checked for repeated keys: no verdict reads them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from typing import Any

from analyzer.evidence.decode import (
    CONFIG_TEXT_KEYS,
    DecodeError,
    DocumentParser,
    overlong_string,
    refuse_lone_surrogates,
)

_SPACE = re.compile(r"[ \t\n\r]*")
_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


_PLAIN = json.JSONDecoder(parse_constant=_refuse)
_HINT = "copy the object again from the central bucket (aws s3 cp), byte for byte"
#: Text that marks an item as one of the types read (as written in the item, quotes included).
MARKERS: tuple[str, ...] = ('"AWS::IAM::', '"AWS::CloudTrail::Trail"', '"AWS::S3::Bucket"', '"AWS::Config::', "\\u")


class Items:
    """The items of one delivered file: iterate for (index, item) of the types read; ``header`` holds
    the other top-level members once iteration is done, ``count`` every item seen."""

    def __init__(
        self,
        text: str,
        parser: DocumentParser,
        markers: tuple[str, ...] = MARKERS,
        max_string_length: int | None = None,
    ) -> None:
        self.max_string_length = max_string_length
        self.text = text
        self.parser = parser
        self.markers = markers
        self.header: dict[str, Any] = {}
        self.count = 0
        self.found_list = False

    def _space(self, pos: int) -> int:
        found = _SPACE.match(self.text, pos)
        return found.end() if found else pos

    def _expect(self, pos: int, char: str, what: str) -> int:
        pos = self._space(pos)
        if self.text[pos : pos + 1] != char:
            raise DecodeError(f"not a Config delivered file: {what} expected at character {pos}", _HINT)
        return pos + 1

    def _decode(self, pos: int) -> tuple[Any, int]:
        try:
            return _PLAIN.raw_decode(self.text, pos)
        except (json.JSONDecodeError, ValueError) as exc:
            raise DecodeError(f"not valid JSON at character {pos}: {exc}", _HINT) from exc
        except RecursionError as exc:
            raise DecodeError("JSON nested too deeply to be an AWS export", _HINT) from exc

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        text = self.text
        pos = self._expect(0, "{", "an object")
        pos = self._space(pos)
        if text[pos : pos + 1] == "}":
            pos += 1
        else:
            while True:
                pos = self._expect(pos, '"', "a member name")
                key, pos = _scanstring(text, pos)
                if key in self.header or (key == "configurationItems" and self.found_list):
                    raise DecodeError(
                        f"key {key!r} appears more than once at the top of the file: the file has two readings, "
                        "so it is not used",
                        _HINT,
                        pointer="",
                    )
                pos = self._expect(pos, ":", "':'")
                pos = self._space(pos)
                if key == "configurationItems" and text[pos : pos + 1] == "[":
                    self.found_list = True
                    pos = yield from self._items(pos + 1)
                else:
                    self.header[key], pos = self._decode(pos)
                pos = self._space(pos)
                if text[pos : pos + 1] == ",":
                    pos += 1
                    continue
                pos = self._expect(pos, "}", "',' or '}'")
                break
        if self._space(pos) != len(text):
            raise DecodeError(f"unexpected data after the end of the JSON document (character {pos})", _HINT)

    def _items(self, pos: int) -> Generator[tuple[int, Any], None, int]:
        text = self.text
        pos = self._space(pos)
        if text[pos : pos + 1] == "]":
            return pos + 1
        index = 0
        while True:
            pos = self._space(pos)
            item, end = self._decode(pos)
            self.count += 1
            span = text[pos:end]
            if any(marker in span for marker in self.markers):
                item, duplicates = self.parser.parse(span)
                if duplicates:
                    where, keys = next(duplicates.take(item))
                    raise DecodeError(
                        f"key {', '.join(map(repr, keys))} appears more than once in this object: "
                        "the file has two readings, so it is not used",
                        "re-copy the object from the bucket; Config never repeats a key",
                        pointer=f"/configurationItems/{index}{where}",
                    )
                if self.max_string_length is not None and len(span) > self.max_string_length:
                    found = overlong_string(item, self.max_string_length, CONFIG_TEXT_KEYS)
                    if found is not None:
                        raise DecodeError(
                            f"a string of {found[1]:,} characters, over the {self.max_string_length:,}-character "
                            "limit for one value (AWS names and ARNs are far shorter)",
                            "this is not what AWS Config writes; raise --max-string-length if the file is genuine",
                            pointer=f"/configurationItems/{index}{found[0]}",
                        )
                try:
                    refuse_lone_surrogates(span, item)
                except DecodeError as exc:
                    exc.pointer = f"/configurationItems/{index}{exc.pointer}"
                    raise
                yield index, item
            index += 1
            pos = self._space(end)
            if text[pos : pos + 1] == ",":
                pos += 1
                continue
            return self._expect(pos, "]", "',' or ']'")
