"""What CloudTrail signs in a digest file: shared by the verifier and by the writer of synthetic digests
(kept apart so that ``trustmap synth`` does not import the evidence loader)."""

from __future__ import annotations

from typing import Any


def string_to_sign(document: dict[str, Any], digest_sha256: str) -> bytes:
    """What CloudTrail signs (the user guide's custom validation, step "Validate the digest file")."""
    previous = document.get("previousDigestSignature")
    parts = (
        str(document.get("digestEndTime")),
        f"{document.get('digestS3Bucket')}/{document.get('digestS3Object')}",
        digest_sha256,
        "null" if previous is None else str(previous),
    )
    return "\n".join(parts).encode("utf-8")
