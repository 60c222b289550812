"""The shape of a Decision: deciding statements with evidence references, reasons, problems;
plus the compile cache the engine relies on for speed."""

from __future__ import annotations

import time

from iam_case_support import ALICE, BUCKET, IDENTITY_ACCT, MEMBER_ACCT, allow, deny, policy, source

from analyzer.iam import Principal, Request, RequestContext, ScpLevel, compile_document, evaluate
from analyzer.iam.statements import clear_compile_cache, compile_cache_info
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource, parse_policy

OBJ = f"{BUCKET}/a"
REQ = Request(ALICE, "s3:GetObject", OBJ, RequestContext.build(default="absent"))


def test_explicit_deny_names_scp_statement_and_level() -> None:
    scp = source("scp", "p-123", policy(allow("FullAWSAccess"), deny("DenyGet", Action="s3:GetObject")))
    decision = evaluate(
        REQ,
        identity_policies=[source("inline", "read", policy(allow("Read")))],
        scp_levels=[ScpLevel("r-root", ()), ScpLevel("ou-abcd", (scp,))],
    )
    assert decision.outcome == "explicit_deny"
    # the root level holds no SCP: the deny is still found and decides first
    assert decision.reason == "denied by SCP p-123 statement DenyGet at level ou-abcd"
    (deciding,) = decision.deciding
    assert deciding.level == "ou-abcd" and deciding.sid == "DenyGet" and deciding.effect == "Deny"
    assert deciding.ref == EvidenceRef("test.json", "/p-123/Statement/1")


def test_plain_sequences_as_scp_levels_are_labelled() -> None:
    decision = evaluate(
        REQ,
        identity_policies=[source("inline", "read", policy(allow("Read")))],
        scp_levels=[[source("scp", "full", policy(allow("Full")))], []],
    )
    assert decision.outcome == "implicit_deny"
    assert decision.reason == "no SCP at level level 1 allows s3:GetObject"


def test_statement_ref_inside_embedded_document() -> None:
    raw = policy(allow("Public", Principal="*", Action="s3:GetObject", Resource=f"{BUCKET}/*"))
    bucket = PolicySource(
        "bucket", "central-logs", parse_policy(raw), EvidenceRef("444/s3/b/get-bucket-policy.json", "/Policy", "")
    )
    decision = evaluate(Request(Principal.anonymous(), "s3:GetObject", OBJ), resource_policy=bucket)
    assert decision.allowed and decision.definite
    assert decision.deciding[0].ref == EvidenceRef("444/s3/b/get-bucket-policy.json", "/Policy", "/Statement/0")
    assert "bucket policy central-logs statement Public" in decision.reason


def test_trust_reason_names_principal() -> None:
    trust = source(
        "trust",
        "Admin",
        policy(allow("T", Principal={"AWS": "arn:aws:iam::333333333333:root"}, Action="sts:AssumeRole")),
    )
    decision = evaluate(
        Request(ALICE, "sts:AssumeRole", f"arn:aws:iam::{MEMBER_ACCT}:role/Admin"),
        resource_policy=trust,
        trust_policy=True,
    )
    assert decision.reason == f"no statement in the trust policy Admin allows {ALICE.arn}"


def test_statement_without_sid_is_labelled_by_pointer() -> None:
    decision = evaluate(
        REQ, identity_policies=[source("inline", "p", policy(allow(None), deny(None, Action="s3:Get*")))]
    )
    assert decision.sids == (None,)
    assert decision.deciding[0].label == "/Statement/1"
    assert decision.reason == "denied by inline policy p statement /Statement/1"


def test_problems_are_reported() -> None:
    identity = source(
        "inline", "odd", policy(allow("WithPrincipal", Principal="*", Action="s3:GetObject", Resource="*"))
    )
    bucket = source("bucket", "b", policy(allow("NoPrincipal", Action="s3:GetObject", Resource="*")))
    decision = evaluate(REQ, identity_policies=[identity], resource_policy=bucket, resource_account=IDENTITY_ACCT)
    assert decision.allowed
    assert any("Principal/NotPrincipal ignored" in p for p in decision.problems)
    assert any("statement without Principal is ignored" in p for p in decision.problems)


def test_conditional_allow_lists_clauses_and_alternatives() -> None:
    identity = source(
        "inline",
        "p",
        policy(
            allow("FromOffice", Action="s3:GetObject", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
            allow("FromVpce", Action="s3:GetObject", Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}),
        ),
    )
    decision = evaluate(Request(ALICE, "s3:GetObject", OBJ), identity_policies=[identity])
    assert decision.allowed and not decision.definite
    assert decision.sids == ("FromOffice", "FromVpce")
    assert [c.key for c in decision.conditional] == ["aws:SourceIp", "aws:SourceVpce"]
    assert [c.key for d in decision.deciding for c in d.unknown] == ["aws:SourceIp", "aws:SourceVpce"]
    assert "conditional on unknown keys: aws:SourceIp, aws:SourceVpce" in decision.reason


def test_compiled_documents_are_cached_and_evaluation_is_cheap() -> None:
    doc = parse_policy(
        policy(*(allow(f"S{i}", Action=f"svc{i}:Get*") for i in range(50)), allow("Read", Action="s3:GetObject"))
    )
    identity = [PolicySource("managed", "big", doc, EvidenceRef("t.json", "/big"))]
    clear_compile_cache()
    evaluate(REQ, identity_policies=identity)
    first = compile_cache_info()
    compiled = compile_document(doc)
    assert len(compiled.candidates("s3:getobject")) == 1  # the service index skips the 50 others
    start = time.perf_counter()
    for _ in range(2000):
        assert evaluate(REQ, identity_policies=identity).allowed
    elapsed = time.perf_counter() - start
    after = compile_cache_info()
    assert first[1] == 1 and after[1] == 1
    twin = parse_policy(
        policy(*(allow(f"S{i}", Action=f"svc{i}:Get*") for i in range(50)), allow("Read", Action="s3:GetObject"))
    )
    assert twin is not doc
    twin_compiled = compile_document(twin)
    assert compile_cache_info()[1] == 1  # equal documents share one compilation ...
    assert [cs.statement for cs in twin_compiled.statements] == list(twin.statements)
    assert all(cs.statement is s for cs, s in zip(twin_compiled.statements, twin.statements, strict=True))
    assert twin_compiled.document is twin  # ... but each document gets its own statements back
    assert elapsed < 5.0  # generous bound: ~2000 evaluations take well under a second


def test_deciding_statements_belong_to_the_document_evaluated_not_an_equal_one() -> None:
    """Two bundles may hold equal policies written differently (a string or a one-item list, key order):
    the statement a decision cites, and its text as written, must come from the policy evaluated."""
    as_string = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
        }
    )
    as_list = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [{"Resource": ["*"], "Action": ["s3:GetObject"], "Effect": "Allow", "Sid": "Read"}],
        }
    )
    assert as_string == as_list and as_string.statements[0].source_json != as_list.statements[0].source_json
    for document in (as_string, as_list, as_string):
        decision = evaluate(
            REQ, identity_policies=[PolicySource("inline", "read", document, EvidenceRef("t.json", "/p"))]
        )
        (deciding,) = decision.deciding
        assert deciding.statement is document.statements[0]
        assert deciding.statement.source_json == document.statements[0].source_json
