"""Three-valued request context and the keys the caller determines
(IAMUG reference_policies_variables.html#principaltable, reference_policies_condition-keys.html)."""

from __future__ import annotations

from iam_case_support import ALICE, ANONYMOUS, CLOUDTRAIL, DEV_ROLE, ROOT_MEMBER

from analyzer.iam import UNKNOWN, Principal, Request, RequestContext, Tri, principal_context


def test_lookup_values_absent_unknown() -> None:
    ctx = RequestContext.build({"AWS:SourceIp": "1.2.3.4", "aws:TagKeys": ["a", "b"]}, absent=["aws:SourceVpc"])
    assert ctx.lookup("aws:sourceip") == ("1.2.3.4",)
    assert ctx.lookup("AWS:TAGKEYS") == ("a", "b")
    assert ctx.lookup("aws:SourceVpc") is None
    assert ctx.lookup("sts:ExternalId") is UNKNOWN
    assert RequestContext.build(default="absent").lookup("sts:ExternalId") is None


def test_value_wins_over_absent_in_build() -> None:
    ctx = RequestContext.build({"k": "v"}, absent=["K"])
    assert ctx.lookup("k") == ("v",)


def test_overlay_precedence() -> None:
    base = RequestContext.build({"a": "1", "b": "2"}, absent=["c"], absent_prefixes=["aws:principaltag/"])
    top = RequestContext.build({"c": "3", "aws:PrincipalTag/x": "y"}, absent=["a"], default="absent")
    merged = base.overlay(top)
    assert merged.lookup("a") is None
    assert merged.lookup("b") == ("2",)
    assert merged.lookup("c") == ("3",)
    assert merged.lookup("aws:principaltag/x") == ("y",)
    assert merged.lookup("aws:principaltag/z") is None
    assert merged.lookup("other") is None  # top's default


def test_absent_prefixes_are_case_insensitive_and_hide_what_is_below() -> None:
    """Condition keys are case-insensitive (IAMUG reference_policies_elements_condition.html), prefixes too;
    a prefix made absent on top removes the values below that start with it."""
    ctx = RequestContext.build(absent_prefixes=["AWS:PrincipalTag/"])
    assert ctx.lookup("aws:principaltag/team") is None
    assert ctx.lookup("aws:PrincipalTag/Team") is None
    base = RequestContext.build({"aws:PrincipalTag/team": "blue", "k": "v"})
    merged = base.overlay(RequestContext.build(absent_prefixes=["aws:principaltag/"]))
    assert merged.lookup("aws:PrincipalTag/team") is None
    assert merged.lookup("k") == ("v",)


def test_with_values_keeps_the_default_rule() -> None:
    unknown_rest = RequestContext.build({"a": "1"}).with_values({"b": "2"}, absent=["c"])
    assert (unknown_rest.lookup("a"), unknown_rest.lookup("b"), unknown_rest.lookup("c")) == (("1",), ("2",), None)
    assert unknown_rest.lookup("other") is UNKNOWN
    absent_rest = RequestContext.build({"a": "1"}, default="absent").with_values({"b": "2"})
    assert absent_rest.lookup("other") is None


def test_tri_logic() -> None:
    assert (Tri.TRUE & Tri.UNKNOWN) is Tri.UNKNOWN
    assert (Tri.FALSE & Tri.UNKNOWN) is Tri.FALSE
    assert (Tri.TRUE | Tri.UNKNOWN) is Tri.TRUE
    assert (Tri.FALSE | Tri.UNKNOWN) is Tri.UNKNOWN
    assert ~Tri.UNKNOWN is Tri.UNKNOWN and ~Tri.TRUE is Tri.FALSE


def test_user_keys() -> None:
    ctx = principal_context(ALICE)
    assert ctx.lookup("aws:username") == ("alice",)
    assert ctx.lookup("aws:userid") == (ALICE.unique_id,)
    assert ctx.lookup("aws:PrincipalAccount") == ("111111111111",)
    assert ctx.lookup("aws:PrincipalArn") == (ALICE.arn,)
    assert ctx.lookup("aws:PrincipalType") == ("User",)
    assert ctx.lookup("aws:PrincipalTag/team") == ("blue",)
    assert ctx.lookup("aws:PrincipalTag/other") is None  # tags known: missing tag is absent
    assert ctx.lookup("aws:PrincipalIsAWSService") == ("false",)
    assert ctx.lookup("aws:PrincipalServiceName") is None


def test_role_keys() -> None:
    ctx = principal_context(DEV_ROLE)
    assert ctx.lookup("aws:username") is None
    assert ctx.lookup("aws:userid") == ("AROADEVELOPER000000001:alice",)
    assert ctx.lookup("aws:PrincipalArn") == (DEV_ROLE.arn,)  # the role ARN, not the session ARN
    assert ctx.lookup("aws:PrincipalType") == ("AssumedRole",)
    assert ctx.lookup("aws:PrincipalTag/team") is UNKNOWN  # tags not known
    assert principal_context(Principal.role(DEV_ROLE.arn)).lookup("aws:userid") is UNKNOWN


def test_root_service_anonymous_keys() -> None:
    root = principal_context(ROOT_MEMBER)
    assert root.lookup("aws:userid") == ("222222222222",) and root.lookup("aws:username") is None
    assert root.lookup("aws:PrincipalType") == ("Account",)
    service = principal_context(CLOUDTRAIL)
    assert service.lookup("aws:PrincipalServiceName") == ("cloudtrail.amazonaws.com",)
    assert service.lookup("aws:PrincipalIsAWSService") == ("true",)
    assert service.lookup("aws:PrincipalArn") is None
    anonymous = principal_context(ANONYMOUS)
    assert anonymous.lookup("aws:userid") == ("anonymous",)


def test_request_context_overrides_principal_keys() -> None:
    request = Request(
        ALICE, "s3:GetObject", "*", RequestContext.build({"aws:username": "mallory"}, absent=["aws:userid"])
    )
    assert request.lookup("aws:username") == ("mallory",)
    assert request.lookup("aws:userid") is None
    assert request.lookup("aws:PrincipalAccount") == ("111111111111",)
    assert request.lookup("aws:SourceIp") is UNKNOWN


def test_principal_is_hashable_and_tags_order_free() -> None:
    a = Principal.user("arn:aws:iam::1:user/a", tags={"b": "1", "a": "2"})
    b = Principal.user("arn:aws:iam::1:user/a", tags={"a": "2", "b": "1"})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1


def test_a_principals_own_call_is_not_via_a_service() -> None:
    """IAMUG "AWS global condition context keys": aws:ViaAWSService is false when the principal makes the
    call directly (true only for a service's forward access sessions); aws:CalledVia, aws:CalledViaFirst
    and aws:CalledViaLast are present only when a service makes the call on the principal's behalf."""
    for caller in (ALICE, DEV_ROLE, ROOT_MEMBER):
        ctx = principal_context(caller)
        assert ctx.lookup("aws:ViaAWSService") == ("false",)
        assert ctx.lookup("aws:CalledVia") is None and ctx.lookup("aws:CalledViaFirst") is None
        assert ctx.lookup("aws:CalledViaLast") is None
    assert principal_context(CLOUDTRAIL).lookup("aws:ViaAWSService") is UNKNOWN  # a service principal: not said


def test_a_request_on_another_resource_keeps_its_principal_action_and_context() -> None:
    """``Request.on``: what the access graph uses to ask the same thing of many roles; the resource is not a
    context key, so every key (the caller's and the request's) reads the same, and the request equals a new one."""
    base = Request(ALICE, "sts:AssumeRole", DEV_ROLE.arn, RequestContext.build({"aws:MultiFactorAuthPresent": "true"}))
    other = base.on("arn:aws:iam::222222222222:role/Other")
    assert other == Request(ALICE, "sts:AssumeRole", "arn:aws:iam::222222222222:role/Other", base.context)
    assert (other.principal, other.action) == (ALICE, base.action)
    for key in ("aws:MultiFactorAuthPresent", "aws:username", "aws:PrincipalArn", "aws:SourceIp"):
        assert other.lookup(key) == base.lookup(key)
    assert base.resource == DEV_ROLE.arn  # the original is unchanged
