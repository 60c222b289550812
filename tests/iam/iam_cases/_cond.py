"""Builder for single-condition cases: an identity Allow (sid ``C``) guarded by one condition."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from iam_case_support import Case, allow, policy


def cond(
    case_id: str,
    doc: str,
    operator: str,
    key: str,
    values: Any,
    expect_allowed: bool,
    *,
    context: dict[str, str | Sequence[str]] | None = None,
    absent: Sequence[str] = (),
    default: str = "absent",
    version: str | None = "2012-10-17",
    problem: str | None = None,
    **extra: Any,
) -> Case:
    return Case(
        case_id,
        doc,
        "allow" if expect_allowed else "implicit_deny",
        "C" if expect_allowed else None,
        identity=[policy(allow("C", Action="s3:GetObject", Condition={operator: {key: values}}), version=version)],
        context=context or {},
        absent=absent,
        default=default,  # type: ignore[arg-type]
        problem=problem,
        **extra,
    )
