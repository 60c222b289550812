"""ACT-007: log and digest files verified offline against CloudTrail's signed digests."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, not_evaluated, not_evaluated_in, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.activity import NO_ACTIVITY, activity_of

META = RuleMeta(
    id="ACT-007",
    title="CloudTrail log file integrity not verified",
    severity=Severity.CRITICAL,
    pillar=Pillar.ACTIVITY,
    rationale=(
        "The logs usually come from the audited party. CloudTrail signs an hourly digest of every log file "
        "it delivered; checked offline (every log file's hash against its digest, every digest's RSA SHA-256 "
        "signature against CloudTrail's public key, the chain of digests unbroken), the evidence shows it is "
        "what CloudTrail wrote. A missing, modified or unlisted file, or a broken chain, is named. A file that "
        "nothing shows was changed but that no verified digest vouches for (the digest's signature or the "
        "region's public key is not in the bundle, or it was delivered after the newest digest) is unverified: "
        "the account and region are not evaluated, and no other ACT rule passes on its records."
    ),
    remediation=(
        "Re-copy the named objects from the central bucket; if the bucket's copy fails too, treat it as "
        "tampering: compare with a replica, enable S3 Object Lock on the log bucket, and keep log file "
        "validation on (LOG-003)."
    ),
    compliance=refs(("CIS3", "3.2"), ("NIST", "AU-9(3)"), ("PCI", "10.3.4")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-custom-validation.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html",
    ),
    applies_to="region",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    activity = activity_of(ctx)
    if activity is None:
        yield from not_evaluated_in(ctx.audited_accounts(), NO_ACTIVITY)
        return
    for account_id in ctx.audited_accounts():
        places = sorted(p for p in activity.integrity_summary if p[0] == account_id)
        if not places:
            yield not_evaluated(
                f"not evaluated: no CloudTrail log or digest files for account {account_id} in the bundle",
                account=account_id,
            )
            continue
        for place in places:
            region = place[1]
            issues = [i for i in activity.integrity if (i.account_id, i.region) == place]
            for issue in issues:
                yield fail(
                    f"{issue.problem}: {issue.message}",
                    account=account_id,
                    region=region,
                    resource=issue.object_key,
                    evidence=(issue.ref,) if issue.ref else (),
                    subject=f"{issue.problem}:{issue.object_key}",
                )
            summary = activity.integrity_summary[place]
            if issues:
                continue
            unverified = [u for u in activity.unverified if (u.account_id, u.region) == place]
            if unverified:
                logs = sum(1 for u in unverified if "/CloudTrail/" in u.object_key)
                yield not_evaluated(
                    f"not evaluated: {logs} of {summary.log_files} log file(s) and "
                    f"{len(unverified) - logs} of {summary.digests} digest(s) could not be verified; "
                    + "; ".join(dict.fromkeys(u.reason for u in unverified))
                    + f" (first: {unverified[0].object_key})",
                    account=account_id,
                    region=region,
                    details={"unverified": [u.object_key for u in unverified]},
                )
                continue
            yield passed(
                f"all {summary.log_files} log file(s) match their digests and all {summary.digests} digest(s) "
                "carry a valid CloudTrail signature, chain unbroken",
                account=account_id,
                region=region,
            )


RULE = Rule(META, check)
