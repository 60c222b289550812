"""LOG-010: weaknesses of the central log bucket's policy.

One fail per weakness (resource = the bucket ARN, subject = the statement and the kind of
weakness), a pass when there is none: writes open to callers outside the organization, log
service writes accepted without ``bucket-owner-full-control``, and log service statements without
a working confused-deputy condition (see :mod:`analyzer.rules.support.log_bucket_weakness`); and
requests made without TLS that the policy does not refuse (subject ``no-tls-deny``: the bucket's own
protection is part of trustworthy delivery; see :mod:`analyzer.rules.support.log_bucket_tls`). A
bucket without a policy grants nothing, but refuses nothing without TLS either.

Without a usable organization account list, an account the policy names that is not in the bundle may
still be a member: a weakness that rests only on such accounts is ``not_evaluated`` (naming them), while
the others (``*``, any account, no ``bucket-owner-full-control``, no confused-deputy condition) are decided.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.model.evidence import EvidenceRef
from analyzer.model.kinds import Kind
from analyzer.rules.base import Outcome, Pillar, Rule, RuleMeta, Severity, fail, missing_message, not_evaluated, passed
from analyzer.rules.compliance import refs
from analyzer.rules.context import RuleContext
from analyzer.rules.support.log_bucket import find_bucket_policy
from analyzer.rules.support.log_bucket_tls import (
    TlsVerdict,
    deny_named_accounts,
    deny_named_organizations,
    tls_callers,
    tls_verdict,
)
from analyzer.rules.support.log_bucket_weakness import Weakness, split_by_membership
from analyzer.rules.support.log_delivery import bucket_unknown_message, central_bucket

META = RuleMeta(
    id="LOG-010",
    title="Central log bucket policy weaknesses",
    severity=Severity.MEDIUM,
    pillar=Pillar.LOGGING,
    rationale=(
        "The central bucket holds the evidence of every account. A policy that lets others write can be used to "
        "plant, overwrite or delete log objects; service writes without bucket-owner-full-control leave objects "
        "the bucket owner may not control; service statements without aws:SourceAccount/aws:SourceArn let any "
        "AWS customer's trail or recorder write into the bucket (the confused-deputy problem); and S3 accepts "
        "plain HTTP unless the policy denies requests without TLS, so log objects could be read or written "
        "unencrypted on the wire."
    ),
    remediation=(
        "Limit writers to cloudtrail.amazonaws.com and config.amazonaws.com; require s3:x-amz-acl = "
        "bucket-owner-full-control on their s3:PutObject statements; add aws:SourceAccount (the organization's "
        "accounts), aws:SourceArn (the trails) or aws:SourceOrgID conditions to every service statement; remove "
        "grants to * or to accounts outside the organization; add a statement denying s3:* to Principal * on "
        "the bucket and arn:aws:s3:::<bucket>/* when aws:SecureTransport is false; apply with aws s3api "
        "put-bucket-policy."
    ),
    compliance=refs(("CIS3", "2.1.1"), ("NIST", "AU-9"), ("NIST", "AC-3"), ("NIST", "SC-8"), ("PCI", "10.3.2")),
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-ssl-requests-only.html",
    ),
    requires=(Kind.S3_BUCKET_POLICY, Kind.ORG_ACCOUNTS),
    applies_to="bucket",
)

#: The subject of the result about requests without TLS (the other weaknesses' are ``<statement>#<code>``).
TLS_SUBJECT = "no-tls-deny"


def check(ctx: RuleContext) -> Iterator[Outcome]:
    bucket = central_bucket(ctx)
    if bucket is None:
        yield not_evaluated(bucket_unknown_message(ctx), account=ctx.identity_account)
        return
    resource = f"arn:{ctx.partition}:s3:::{bucket}"
    lookup = find_bucket_policy(ctx, bucket)
    # one result per weakness, the pass per bucket: every result is about the bucket (see ``Outcome.about``)
    where = {"account": lookup.owner, "resource": resource, "about": resource}
    if lookup.absent_in_aws:
        yield fail(
            f"{bucket} has no bucket policy: it grants nothing (LOG-009 reports the refused deliveries), but nothing "
            "refuses requests made without TLS (aws:SecureTransport false) either",
            evidence=tuple(EvidenceRef(f) for f in lookup.state.files),
            subject=TLS_SUBJECT,
            **where,
        )
        return
    if lookup.policy is None:
        yield not_evaluated(missing_message([lookup.state]), **where)
        return
    source = lookup.policy.source
    # Accounts that may legitimately appear: the organization's (or, without its account list, every
    # account in the bundle), the bucket owner and the configured trusted accounts.
    members = set(ctx.shape.org_ids) or set(ctx.audited_accounts())
    trusted = {t.id for t in ctx.settings.trusted_external_accounts}
    known = frozenset(members | trusted | {lookup.policy.account_id})
    org_blocked = ctx.blocking((Kind.ORG_ACCOUNTS,))
    found, undecided = split_by_membership(source, resource, known, ctx.partition, unsure=bool(org_blocked))
    for weakness in found:
        yield fail(
            f"policy of {bucket}: {weakness.message}", evidence=(weakness.ref,), subject=_subject(weakness), **where
        )
    for weakness, accounts in undecided:
        named = f"account {accounts[0]} is" if len(accounts) == 1 else f"accounts {', '.join(accounts)} are"
        yield not_evaluated(
            f"{missing_message(org_blocked)}: {named} not in the bundle, and without the organization's account "
            f"list it is unknown whether {'it belongs' if len(accounts) == 1 else 'they belong'} to the "
            f"organization; if not: {weakness.message}",
            evidence=(weakness.ref,),
            subject=_subject(weakness),
            **where,
        )
    org = ctx.snapshot.organization
    org_id = org.id if org else None
    deny_accounts, deny_orgs = deny_named_accounts(source), deny_named_organizations(source)
    callers = tls_callers(lookup.owner, tuple(sorted(members)), org_id, ctx.partition, deny_accounts, deny_orgs)
    tls = tls_verdict(source, resource, callers)
    tls_outcome = _tls_outcome(bucket, tls, source.ref, where)
    if tls_outcome is not None:
        yield tls_outcome
    if not found and not undecided and tls_outcome is None:
        yield passed(
            f"policy of {bucket}: no write open outside the organization, log service writes require "
            "bucket-owner-full-control, every log service statement is limited to the organization's accounts, "
            f"and requests without TLS are denied ({', '.join(tls.deny_labels)})",
            evidence=(source.ref, *tls.refused_by),
            **where,
        )


def _tls_outcome(bucket: str, tls: TlsVerdict, policy: EvidenceRef, where: dict[str, str | None]) -> Outcome | None:
    """The fail or not_evaluated about requests without TLS (None: every one is refused)."""
    if tls.open:
        return fail(
            f"policy of {bucket}: requests without TLS are not refused: no Deny on aws:SecureTransport false covers "
            f"{'; '.join(tls.open)} on its objects (S3 accepts plain HTTP unless the bucket policy denies it)",
            evidence=(policy,),
            subject=TLS_SUBJECT,
            **where,
        )
    if tls.undecided:
        detail = "; ".join(f"requests by {what} are refused only if {' and '.join(c)}" for what, c in tls.undecided)
        return not_evaluated(
            f"not evaluated: whether the policy of {bucket} refuses requests without TLS depends on condition keys "
            f"unknown offline: {detail}",
            evidence=(policy, *tls.refused_by),
            subject=TLS_SUBJECT,
            **where,
        )
    return None


def _subject(weakness: Weakness) -> str:
    return f"{weakness.statement.sid or weakness.statement.pointer}#{weakness.code}"


RULE = Rule(META, check)
