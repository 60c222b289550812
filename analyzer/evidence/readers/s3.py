"""S3: the central log bucket's policy (exported from the account that owns the bucket)."""

from __future__ import annotations

from typing import Any

from analyzer.evidence.readers.base import Collector, FileContext
from analyzer.model.entities import BucketPolicy


def read_bucket_policy(doc: Any, ctx: FileContext, out: Collector) -> None:
    bucket = ctx.item
    if not bucket:
        ctx.fail(
            ctx.ref(),
            "cannot tell which bucket this policy belongs to",
            "put it under <account>/s3/<bucket>/",
        )
        return
    source = ctx.policy(doc.get("Policy"), ctx.ref("Policy"), "bucket", bucket, f"arn:aws:s3:::{bucket}")
    if source is None:
        ctx.fatal = True
        return
    out.bucket_policies.append(BucketPolicy(bucket=bucket, account_id=ctx.account_id or "", source=source))
