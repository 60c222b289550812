"""Condition keys for callers that are not IAM users or roles: which are absent, which unknown.

Sources (IAM User Guide):
* "AWS global condition context keys" (reference_policies_condition-keys.html), the Availability of each key:
  aws:PrincipalArn and aws:PrincipalAccount "included in the request context for all signed requests.
  Anonymous requests do not include this key"; aws:PrincipalIsAWSService "present in the request context
  for all signed API requests that use AWS credentials"; aws:PrincipalServiceName "present in the request
  when the call is made by an AWS service principal"; aws:PrincipalTag/tag-key "included in the request
  context if the principal is using an IAM user with attached tags ... an IAM role with attached tags or
  session tags"; aws:username "always included in the request context for IAM users".
* "IAM policy elements: Variables and tags", table "Principal key values" (reference_policies_variables.html
  #principaltable): the anonymous caller's aws:userid is "anonymous" and its aws:PrincipalType "Anonymous".
* "AssumeRoleWithWebIdentity" / "AssumeRoleWithSAML" (STS API Reference): "Calling ... does not require
  the use of AWS security credentials": the federated caller of those calls signs nothing with AWS
  credentials, so the signed-request keys above are not in its request.

What the documentation does not settle stays unknown (a conditional decision, never a guess): the
aws:PrincipalType and aws:userid of a web identity or SAML caller before it has a session, those of a
service principal, and aws:MultiFactorAuthPresent for a request no IAM credentials sign.
"""

from __future__ import annotations

import pytest
from iam_case_support import ANONYMOUS, CLOUDTRAIL, allow, deny, policy, source

from analyzer.iam import UNKNOWN, Principal, Request, RequestContext, evaluate, principal_context

WEB = Principal.federated("accounts.google.com")
SAML = Principal.federated("arn:aws:iam::111111111111:saml-provider/Okta")
ABSENT = None

# caller -> key -> expected lookup: a tuple of values, ABSENT (known not in the request) or UNKNOWN
EXPECTED = {
    "web-identity": (
        WEB,
        {
            "aws:PrincipalArn": ABSENT,
            "aws:PrincipalAccount": ABSENT,
            "aws:username": ABSENT,
            "aws:PrincipalServiceName": ABSENT,
            "aws:PrincipalIsAWSService": ABSENT,  # the call is not signed with AWS credentials
            "aws:PrincipalTag/team": ABSENT,  # no IAM user or role, so no principal tags
            "aws:PrincipalType": UNKNOWN,
            "aws:userid": UNKNOWN,
            "aws:MultiFactorAuthPresent": UNKNOWN,
        },
    ),
    "saml": (
        SAML,
        {
            "aws:PrincipalArn": ABSENT,
            "aws:PrincipalAccount": ABSENT,
            "aws:username": ABSENT,
            "aws:PrincipalServiceName": ABSENT,
            "aws:PrincipalIsAWSService": ABSENT,
            "aws:PrincipalTag/team": ABSENT,
            "aws:PrincipalType": UNKNOWN,
            "aws:userid": UNKNOWN,
        },
    ),
    "service": (
        CLOUDTRAIL,
        {
            "aws:PrincipalIsAWSService": ("true",),
            "aws:PrincipalServiceName": ("cloudtrail.amazonaws.com",),
            "aws:PrincipalArn": ABSENT,
            "aws:PrincipalAccount": ABSENT,
            "aws:username": ABSENT,
            "aws:PrincipalTag/team": ABSENT,  # a service principal is no IAM user or role
            "aws:PrincipalType": UNKNOWN,
            "aws:userid": UNKNOWN,
            "aws:MultiFactorAuthPresent": UNKNOWN,
        },
    ),
    "anonymous": (
        ANONYMOUS,
        {
            "aws:userid": ("anonymous",),
            "aws:PrincipalType": ("Anonymous",),
            "aws:PrincipalArn": ABSENT,
            "aws:PrincipalAccount": ABSENT,
            "aws:username": ABSENT,
            "aws:PrincipalServiceName": ABSENT,
            "aws:PrincipalIsAWSService": ABSENT,  # an anonymous request is not signed
            "aws:PrincipalTag/team": ABSENT,
        },
    ),
}

ROWS = [(name, key, want) for name, (_, keys) in EXPECTED.items() for key, want in keys.items()]


@pytest.mark.parametrize(("caller", "key", "want"), ROWS, ids=[f"{n}-{k}" for n, k, _ in ROWS])
def test_caller_key(caller: str, key: str, want: object) -> None:
    principal = EXPECTED[caller][0]
    assert principal_context(principal).lookup(key) == want


def _put(caller: Principal, condition: dict[str, dict[str, str]]) -> str:
    """A bucket policy allowing anyone s3:PutObject, with a Deny for the condition: what happens to ``caller``."""
    bucket = source(
        "bucket",
        "bucket",
        policy(
            allow("Anyone", Principal="*", Action="s3:PutObject", Resource="arn:aws:s3:::b/*"),
            deny("Guard", Principal="*", Action="s3:PutObject", Resource="arn:aws:s3:::b/*", Condition=condition),
        ),
    )
    request = Request(caller, "s3:PutObject", "arn:aws:s3:::b/key", RequestContext.build(default="unknown"))
    return evaluate(request, identity_policies=[], resource_policy=bucket, resource_account="999999999999").outcome


def test_plain_bool_on_principal_is_aws_service_does_not_reach_an_anonymous_caller() -> None:
    """Bool aws:PrincipalIsAWSService false does not match a request without the key (IAMUG "Condition
    operators": a condition on a key absent from the request context is false unless ...IfExists): the
    anonymous caller is not refused by it, which is why AWS's examples use BoolIfExists."""
    assert _put(ANONYMOUS, {"Bool": {"aws:PrincipalIsAWSService": "false"}}) == "allow"
    assert _put(ANONYMOUS, {"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}) == "explicit_deny"


def test_principal_tag_condition_does_not_match_a_service() -> None:
    """A service principal has no principal tags: StringNotEquals on one is true (absent key), so the Deny applies."""
    assert _put(CLOUDTRAIL, {"StringNotEquals": {"aws:PrincipalTag/team": "logs"}}) == "explicit_deny"
    assert _put(CLOUDTRAIL, {"StringEquals": {"aws:PrincipalTag/team": "logs"}}) == "allow"
