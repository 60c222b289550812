"""ARN parsing and principal-identifier helpers (IAMUG reference_identifiers.html)."""

from __future__ import annotations

import pytest

from analyzer.iam import (
    account_of_principal,
    account_principal,
    assumed_role_parts,
    is_service_linked_role,
    is_unique_id,
    parse_arn,
    role_name,
    root_arn,
    session_arn,
    unique_id_kind,
)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("arn:aws:iam::123456789012:role/path/Admin", ("aws", "iam", "", "123456789012", "role/path/Admin")),
        ("arn:aws-cn:s3:::bucket/key:with:colons", ("aws-cn", "s3", "", "", "bucket/key:with:colons")),
        (
            "arn:aws-us-gov:logs:us-gov-west-1:1:log-group:g:*",
            ("aws-us-gov", "logs", "us-gov-west-1", "1", "log-group:g:*"),
        ),
    ],
)
def test_parse_arn(text: str, parts: tuple[str, ...]) -> None:
    arn = parse_arn(text)
    assert arn is not None
    assert (arn.partition, arn.service, arn.region, arn.account, arn.resource) == parts
    assert str(arn) == text


@pytest.mark.parametrize("text", ["", "*", "arn:aws:s3", "arn::s3:::b", "urn:aws:s3:::b", "123456789012"])
def test_parse_arn_rejects(text: str) -> None:
    assert parse_arn(text) is None


def test_resource_type_and_name() -> None:
    arn = parse_arn("arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_X")
    assert arn is not None and arn.resource_type == "role" and arn.resource_name == "AWSReservedSSO_X"
    bucket = parse_arn("arn:aws:s3:::bucket")
    assert bucket is not None and bucket.resource_type == ""


@pytest.mark.parametrize(
    ("value", "account"),
    [
        ("123456789012", "123456789012"),
        ("arn:aws:iam::123456789012:root", "123456789012"),
        ("arn:aws:iam::123456789012:user/alice", "123456789012"),
        ("arn:aws:sts::123456789012:assumed-role/R/s", "123456789012"),
        ("arn:aws:s3:::bucket", None),
        ("12345678901", None),
        ("AIDAJQABLZS4A3QDU576Q", None),
    ],
)
def test_account_of_principal(value: str, account: str | None) -> None:
    assert account_of_principal(value) == account


def test_account_principal_only_for_whole_accounts() -> None:
    assert account_principal("123456789012") == ("123456789012", None)
    assert account_principal("arn:aws-cn:iam::123456789012:root") == ("123456789012", "aws-cn")
    assert account_principal("arn:aws:iam::123456789012:user/root") is None


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("AIDAJQABLZS4A3QDU576Q", "user"),
        ("AROADBQP57FF2AEXAMPLE", "role"),
        ("AGPA1234567890ABCDEF", "group"),
        ("alice", None),
        ("AIDA", None),
    ],
)
def test_unique_ids(value: str, kind: str | None) -> None:
    assert unique_id_kind(value) == kind
    assert is_unique_id(value) is (kind is not None)


def test_sessions_and_roles() -> None:
    role = "arn:aws:iam::123456789012:role/team/Admin"
    assert role_name(role) == "Admin"
    assert session_arn(role, "alice") == "arn:aws:sts::123456789012:assumed-role/Admin/alice"
    assert session_arn("arn:aws:iam::123456789012:user/alice", "x") is None
    assert assumed_role_parts("arn:aws:sts::123456789012:assumed-role/Admin/alice") == (
        "aws",
        "123456789012",
        "Admin",
        "alice",
    )
    assert assumed_role_parts(role) is None
    assert is_service_linked_role("arn:aws:iam::1:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")
    assert not is_service_linked_role(role)


def test_root_arn_names_the_account_in_its_partition() -> None:
    assert root_arn("123456789012") == "arn:aws:iam::123456789012:root"
    assert root_arn("123456789012", "aws-cn") == "arn:aws-cn:iam::123456789012:root"


def test_role_name_is_the_last_path_element() -> None:
    assert role_name("arn:aws:iam::123456789012:role/a/b/Admin") == "Admin"
    assert role_name("Admin") == "Admin"  # a bare name is its own name


@pytest.mark.parametrize(
    "value",
    [
        "not an arn",
        "arn:aws:sts::123456789012:role/Admin",  # not IAM
        "arn:aws:iam::123456789012:policy/Admin",  # not a role
    ],
)
def test_only_an_iam_role_has_sessions(value: str) -> None:
    assert session_arn(value, "s") is None


@pytest.mark.parametrize(
    "value",
    [
        "not an arn",
        "arn:aws:iam::123456789012:assumed-role/Admin/alice",  # IAM, not STS
        "arn:aws:sts::123456789012:federated-user/bob",
        "arn:aws:sts::123456789012:assumed-role//alice",  # no role name
        "arn:aws:sts::123456789012:assumed-role/Admin/",  # no session name
        "arn:aws:sts::123456789012:assumed-role/Admin/alice/extra",
    ],
)
def test_what_is_not_an_assumed_role_session(value: str) -> None:
    assert assumed_role_parts(value) is None
