"""The machine-readable table of expected failures that ships with a synthetic bundle.

A bundle's ``EXPECTED.md`` holds exactly one markdown table with the header
:data:`TABLE_HEADER`, one row per ``fail`` result the analyzer must produce. ``-`` stands for
"not regional" (region) or "the account itself" (resource). :func:`parse_expected` reads the
table back, so tests compare analyzer results with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

TABLE_HEADER = "| rule | account | region | resource | defect |"
_COLUMNS = ("rule", "account", "region", "resource", "defect")


@dataclass(frozen=True, slots=True, order=True)
class ExpectedFailure:
    rule: str
    account: str
    region: str
    resource: str
    defect: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What identifies a result (the defect text is for humans)."""
        return (self.rule, self.account, self.region, self.resource)


def render_table(rows: Iterable[ExpectedFailure]) -> str:
    """The table, rows sorted; raises on a cell that would break the markdown (``|``, newline)."""
    lines = [TABLE_HEADER, "|" + "|".join("---" for _ in _COLUMNS) + "|"]
    for row in sorted(rows):
        cells = [row.rule, row.account, row.region, row.resource, row.defect]
        for cell in cells:
            if not cell or "|" in cell or "\n" in cell:
                raise ValueError(f"cell cannot be written in a markdown table: {cell!r}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def parse_expected(text: str) -> list[ExpectedFailure]:
    """The rows of the table headed :data:`TABLE_HEADER` in ``text`` (a whole EXPECTED.md).

    Cells may be wrapped in backticks (stripped). Raises ``ValueError`` when the header is
    missing, appears twice, or a row has the wrong number of cells.
    """
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip() == TABLE_HEADER]
    if len(starts) != 1:
        raise ValueError(f"expected exactly one table headed {TABLE_HEADER!r}, found {len(starts)}")
    rows: list[ExpectedFailure] = []
    for number, line in enumerate(lines[starts[0] + 2 :], start=starts[0] + 3):
        stripped = line.strip()
        if not stripped.startswith("|"):
            break
        cells = [c.strip().strip("`") for c in stripped.strip("|").split("|")]
        if len(cells) != len(_COLUMNS):
            raise ValueError(f"line {number}: {len(cells)} cells, expected {len(_COLUMNS)}")
        rows.append(ExpectedFailure(*cells))
    return rows
