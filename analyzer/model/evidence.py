"""Where a fact came from, and whether the evidence behind a check exists at all."""

from __future__ import annotations

import enum
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class EvidenceRef:
    """A place in the bundle: a bundle-relative file path and an RFC 6901 JSON pointer.

    ``inner`` is a pointer *inside* a JSON document that AWS embeds as a string
    (``Policy`` of get-bucket-policy, ``Content`` of describe-policy): ``pointer`` names
    the string, ``inner`` the place in the document it holds.
    """

    file: str
    pointer: str = ""
    inner: str | None = None

    def child(self, *parts: str | int) -> EvidenceRef:
        """The reference to a member below this one (escaping ``~`` and ``/`` as RFC 6901 says)."""
        suffix = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)
        if self.inner is not None:
            return EvidenceRef(self.file, self.pointer, self.inner + suffix)
        return EvidenceRef(self.file, self.pointer + suffix)

    def embedded(self) -> EvidenceRef:
        """The root of the JSON document held as a string at this place."""
        return EvidenceRef(self.file, self.pointer, "")

    def __str__(self) -> str:
        text = f"{self.file}#{self.pointer}"
        if self.inner is not None:
            text += f" (in the embedded document: {self.inner or '/'})"
        return text


class EvidenceStatus(enum.StrEnum):
    """What the bundle says about one kind of evidence for one account (and region).

    Only ``LOADED`` (and ``ABSENT_IN_AWS``, where AWS's own answer means "nothing is set")
    allow a rule to decide. Every other state makes the dependent checks ``not_evaluated``.
    """

    LOADED = "loaded"
    ABSENT_IN_AWS = "absent_in_aws"  # e.g. NoSuchEntity for the password policy: AWS defaults apply
    INCOMPLETE = "incomplete"  # truncated / paginated export
    INVALID = "invalid"  # unparseable, wrong shape, contradicting its place
    DENIED = "denied"  # the export call was refused (AccessDenied ...)
    ERROR = "error"  # another recorded export error
    CONFLICT = "conflicting"  # several files give different answers for the same evidence
    INCONSISTENT = "inconsistent"  # the file disagrees with what another source says of the same facts
    MISSING = "missing"  # no file at all

    @property
    def usable(self) -> bool:
        return self in (EvidenceStatus.LOADED, EvidenceStatus.ABSENT_IN_AWS)


@dataclass(frozen=True, slots=True)
class EvidenceState:
    """The state of one evidence kind for one scope, with the reason a reader can act on."""

    kind: str
    status: EvidenceStatus
    reason: str = ""
    files: tuple[str, ...] = ()
    error_code: str | None = None

    @property
    def usable(self) -> bool:
        return self.status.usable

    def describe(self) -> str:
        where = f" ({', '.join(self.files)})" if self.files else ""
        why = f": {self.reason}" if self.reason else ""
        return f"{self.kind} {self.status.value}{where}{why}"
