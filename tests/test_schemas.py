"""The JSON Schemas under ``schemas/``: well-formed, complete, and right about real exports.

Example documents live in ``tests/schema_cases/<schema stem>/``:

- ``valid/*.json`` (or ``*.toml`` for the config file): documents that must validate, shaped
  exactly as a producer emits them (AWS CLI v2, CLI v1 / wire epoch numbers, boto3 with
  ``json.dumps(default=str)``, moto, the raw API's URL-encoded policies).
- ``invalid/*.json``: ``{"why", "errors": [[json pointer, keyword], ...], "document" | "toml"}``;
  the document must fail with exactly those errors (pointer = where in the instance, keyword =
  the failing schema keyword), so a loader can point its user at the right place.

Every case runs twice: with ``format`` as an annotation (the draft 2020-12 default) and with
format assertion on, because the loader may use either and the outcome must not change.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from analyzer.model.kinds import Kind

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
CASES_DIR = Path(__file__).resolve().parent / "schema_cases"
ID_BASE = "https://trustmap.invalid/schemas/"
SCHEMA_SUFFIX = ".schema.json"

#: Schemas that are not an evidence kind.
EXTRA_STEMS = frozenset({"common", "error-record", "config", "findings"})
#: Schemas whose top level accepts keys they do not name (collectors add fields / error context).
OPEN_STEMS = frozenset({"manifest", "error-record"})
AWS_KINDS = tuple(k.value for k in Kind if k is not Kind.MANIFEST)
STRICT_STEMS = (*AWS_KINDS, "config", "findings")

#: Required top-level keys per strict schema. A tuple inside means "at least one of these".
#: This is the contract the loader relies on: everything else at the top level is optional.
REQUIRED_TOP_LEVEL: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "organizations-describe-organization": ("Organization",),
    "organizations-list-accounts": ("Accounts",),
    "organizations-list-roots": ("Roots",),
    "organizations-describe-policy": ("Policy",),
    "organizations-list-targets-for-policy": ("Targets",),
    "iam-get-account-authorization-details": (
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ),
    "iam-get-account-password-policy": ("PasswordPolicy",),
    "iam-get-account-summary": ("SummaryMap",),
    "iam-list-virtual-mfa-devices": ("VirtualMFADevices",),
    "iam-get-credential-report": ("Content",),
    "iam-list-organizations-features": ("EnabledFeatures",),
    "ec2-describe-regions": ("Regions",),
    "cloudtrail-describe-trails": ("trailList",),
    "cloudtrail-get-trail-status": ("IsLogging",),
    "cloudtrail-get-event-selectors": ("TrailARN", ("EventSelectors", "AdvancedEventSelectors")),
    "config-describe-configuration-recorders": ("ConfigurationRecorders",),
    "config-describe-configuration-recorder-status": ("ConfigurationRecordersStatus",),
    "config-describe-delivery-channels": ("DeliveryChannels",),
    "config-describe-delivery-channel-status": ("DeliveryChannelsStatus",),
    "s3-get-bucket-policy": ("Policy",),
    "cloudtrail-log-file": ("Records",),
    "cloudtrail-digest-file": (
        "awsAccountId",
        "digestStartTime",
        "digestEndTime",
        "digestS3Bucket",
        "digestS3Object",
        "digestPublicKeyFingerprint",
        "digestSignatureAlgorithm",
        "previousDigestSignature",
        "logFiles",
    ),
    "s3-head-object": ("Metadata",),
    "cloudtrail-list-public-keys": (("PublicKeyList", "publicKeyList"),),
    "cloudtrail-lookup-events": ("Events",),
    "s3-list-objects-v2": (),
    "config-snapshot-file": ("fileVersion", "configurationItems"),
    "config-history-file": ("fileVersion", "configurationItems"),
    "config-get-resource-config-history": ("configurationItems",),
    "config-batch-get-resource-config": ("baseConfigurationItems",),
    "config-select-resource-config": ("Results",),
    "config-select-aggregate-resource-config": ("Results",),
    "config": (),
    "findings": (
        "schema_version",
        "tool",
        "bundle",
        "organization",
        "identity_account",
        "log_bucket",
        "accounts",
        "rules",
        "results",
    ),
}

#: Patterns that intentionally match a prefix / a substring only.
UNANCHORED_PATTERNS = frozenset(
    {
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}",
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}",
        "[^\\s]",
    }
)

Schemas = dict[str, dict[str, Any]]
ErrorList = list[tuple[str, str]]


# --------------------------------------------------------------------------- helpers


def load_schemas(directory: Path = SCHEMA_DIR) -> Schemas:
    """Every ``<stem>.schema.json`` under ``directory``, keyed by stem."""
    return {
        path.name.removesuffix(SCHEMA_SUFFIX): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob(f"*{SCHEMA_SUFFIX}"))
    }


def build_registry(schemas: Schemas) -> Registry[Any]:
    """A registry holding every schema under its ``$id`` (how the loader resolves ``$ref``)."""
    return Registry().with_resources(
        (schema["$id"], DRAFT202012.create_resource(schema)) for schema in schemas.values()
    )


def make_validator(schemas: Schemas, registry: Registry[Any], stem: str, *, formats: bool) -> Draft202012Validator:
    checker = Draft202012Validator.FORMAT_CHECKER if formats else None
    return Draft202012Validator(schemas[stem], registry=registry, format_checker=checker)


def json_pointer(error: ValidationError) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in error.absolute_path)


def errors_of(validator: Draft202012Validator, document: Any) -> ErrorList:
    """(instance pointer, failing keyword) of every top-level error, sorted."""
    return sorted((json_pointer(e), str(e.validator)) for e in validator.iter_errors(document))


def toml_to_json(value: Any) -> Any:
    """TOML dates/times as ISO strings, as the config loader must do before validating."""
    if isinstance(value, dict):
        return {key: toml_to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [toml_to_json(item) for item in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def read_case_document(path: Path) -> Any:
    if path.suffix == ".toml":
        return toml_to_json(tomllib.loads(path.read_text(encoding="utf-8")))
    return json.loads(path.read_text(encoding="utf-8"))


def read_invalid_case(path: Path) -> tuple[Any, ErrorList]:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case.get("why"), f"{path}: say why the document is invalid"
    document = toml_to_json(tomllib.loads(case["toml"])) if "toml" in case else case["document"]
    return document, sorted((pointer, keyword) for pointer, keyword in case["errors"])


def case_paths(kind: str) -> list[Path]:
    return sorted(p for p in CASES_DIR.glob(f"*/{kind}/*") if p.suffix in {".json", ".toml"})


def first_valid_document(stem: str) -> Any:
    paths = sorted((CASES_DIR / stem / "valid").iterdir())
    assert paths, f"no valid case for {stem}"
    return read_case_document(paths[0])


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair anywhere in a JSON value."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def case_id(path: Path) -> str:
    return "/".join(path.relative_to(CASES_DIR).with_suffix("").parts)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def schemas() -> Schemas:
    return load_schemas()


@pytest.fixture(scope="module")
def registry(schemas: Schemas) -> Registry[Any]:
    return build_registry(schemas)


@pytest.fixture(params=[False, True], ids=["format-annotation", "format-asserted"])
def formats(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


# --------------------------------------------------------------------------- the schemas themselves

SCHEMA_STEMS = sorted(p.name.removesuffix(SCHEMA_SUFFIX) for p in SCHEMA_DIR.glob(f"*{SCHEMA_SUFFIX}"))


@pytest.mark.parametrize("stem", SCHEMA_STEMS)
def test_schema_is_valid_draft_2020_12_with_identity(schemas: Schemas, stem: str) -> None:
    schema = schemas[stem]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{ID_BASE}{stem}{SCHEMA_SUFFIX}"
    assert isinstance(schema.get("title"), str) and schema["title"].strip()
    assert isinstance(schema.get("description"), str) and schema["description"].strip()


@pytest.mark.parametrize("stem", SCHEMA_STEMS)
def test_every_ref_resolves(schemas: Schemas, registry: Registry[Any], stem: str) -> None:
    resolver = registry.resolver(base_uri=schemas[stem]["$id"])
    refs = [value for key, value in walk(schemas[stem]) if key == "$ref"]
    for ref in refs:
        assert not ref.startswith("http"), f"{stem}: use a relative $ref, not {ref}"
        resolved = resolver.lookup(ref).contents
        assert isinstance(resolved, dict) and resolved, f"{stem}: {ref} resolves to {resolved!r}"


@pytest.mark.parametrize("stem", SCHEMA_STEMS)
def test_patterns_are_ascii_explicit_and_anchored(schemas: Schemas, stem: str) -> None:
    patterns = [value for key, value in walk(schemas[stem]) if key == "pattern" and isinstance(value, str)]
    for pattern in patterns:
        re.compile(pattern)
        # Python's re (used by jsonschema) makes \d and \w match any Unicode digit / letter.
        assert not re.search(r"\\[dDwW]", pattern), f"{stem}: write ASCII classes instead of {pattern!r}"
        if pattern not in UNANCHORED_PATTERNS:
            assert pattern.startswith("^") and pattern.endswith("$"), f"{stem}: anchor {pattern!r}"


def test_every_evidence_kind_has_a_schema() -> None:
    missing = [k.value for k in Kind if not (SCHEMA_DIR / f"{k.value}{SCHEMA_SUFFIX}").is_file()]
    assert missing == []


def test_no_schema_without_a_purpose() -> None:
    assert set(SCHEMA_STEMS) == {k.value for k in Kind} | EXTRA_STEMS


@pytest.mark.parametrize("stem", sorted(set(SCHEMA_STEMS) - {"common"}))
def test_every_schema_has_valid_and_invalid_cases(stem: str) -> None:
    for group in ("valid", "invalid"):
        folder = CASES_DIR / stem / group
        assert folder.is_dir() and any(folder.iterdir()), f"add examples under {folder}"


def test_case_folders_name_existing_schemas() -> None:
    assert {p.name for p in CASES_DIR.iterdir() if p.is_dir()} <= set(SCHEMA_STEMS)


# --------------------------------------------------------------------------- example documents


@pytest.mark.parametrize("path", case_paths("valid"), ids=case_id)
def test_valid_example_validates(schemas: Schemas, registry: Registry[Any], path: Path, formats: bool) -> None:
    stem = path.parent.parent.name
    validator = make_validator(schemas, registry, stem, formats=formats)
    assert errors_of(validator, read_case_document(path)) == []


@pytest.mark.parametrize("path", case_paths("invalid"), ids=case_id)
def test_invalid_example_fails_where_expected(
    schemas: Schemas, registry: Registry[Any], path: Path, formats: bool
) -> None:
    stem = path.parent.parent.name
    document, expected = read_invalid_case(path)
    validator = make_validator(schemas, registry, stem, formats=formats)
    assert errors_of(validator, document) == expected


@pytest.mark.parametrize("stem", STRICT_STEMS)
def test_unknown_top_level_key_is_rejected(schemas: Schemas, registry: Registry[Any], stem: str) -> None:
    document = first_valid_document(stem)
    document["UnexpectedKey"] = {"from": "a wrong file or a --query"}
    validator = make_validator(schemas, registry, stem, formats=False)
    assert errors_of(validator, document) == [("", "additionalProperties")]


@pytest.mark.parametrize("stem", sorted(OPEN_STEMS))
def test_open_schemas_accept_unknown_top_level_keys(schemas: Schemas, registry: Registry[Any], stem: str) -> None:
    document = first_valid_document(stem)
    document["collector_specific"] = {"anything": [1, 2, 3]}
    assert errors_of(make_validator(schemas, registry, stem, formats=False), document) == []


def test_required_table_matches_schemas(schemas: Schemas) -> None:
    assert set(REQUIRED_TOP_LEVEL) == set(STRICT_STEMS)
    for stem, required in REQUIRED_TOP_LEVEL.items():
        singles = {key for key in required if isinstance(key, str)}
        assert set(schemas[stem].get("required", [])) == singles, stem


@pytest.mark.parametrize("stem", STRICT_STEMS)
def test_removing_a_top_level_key_fails_only_if_required(schemas: Schemas, registry: Registry[Any], stem: str) -> None:
    validator = make_validator(schemas, registry, stem, formats=False)
    required = REQUIRED_TOP_LEVEL[stem]
    for path in sorted((CASES_DIR / stem / "valid").iterdir()):
        document = read_case_document(path)
        for key in sorted(document):
            reduced = {k: v for k, v in document.items() if k != key}
            group = next((g for g in required if isinstance(g, tuple) and key in g), None)
            if key in required:
                expected = [("", "required")]
            elif group is not None and not any(k in reduced for k in group):
                expected = [("", "anyOf")]
            else:
                expected = []
            assert errors_of(validator, reduced) == expected, f"{path.name} without {key}"


@pytest.mark.parametrize("stem", AWS_KINDS)
def test_pagination_markers_and_response_metadata_are_allowed(
    schemas: Schemas, registry: Registry[Any], stem: str
) -> None:
    """The loader, not the schema, turns a pagination marker into 'incomplete'."""
    document = first_valid_document(stem)
    document |= {
        "IsTruncated": True,
        "Marker": "AAFXl8h1YpqlnCk3tTQ9yHhm5DmUPOGMwvEHCfUJh1DcD3xnDRY=",
        "NextToken": "eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==",
        "ResponseMetadata": {"RequestId": "3c2b1a09-8f7e-4d6c-b5a4-0f1e2d3c4b5a", "HTTPStatusCode": 200},
    }
    assert errors_of(make_validator(schemas, registry, stem, formats=True), document) == []
    document["IsTruncated"] = "false"
    assert errors_of(make_validator(schemas, registry, stem, formats=True), document) == [("/IsTruncated", "type")]


# --------------------------------------------------------------------------- shared definitions


def definition_validator(registry: Registry[Any], name: str, *, formats: bool) -> Draft202012Validator:
    checker = Draft202012Validator.FORMAT_CHECKER if formats else None
    ref = {"$ref": f"{ID_BASE}common{SCHEMA_SUFFIX}#/$defs/{name}"}
    return Draft202012Validator(ref, registry=registry, format_checker=checker)


@pytest.mark.parametrize(
    "value",
    [
        "2016-12-15T19:30:15.450000+00:00",  # CLI v2 default
        "2016-12-15T19:30:15Z",  # IAM / S3 in wire mode, deprecated CloudTrail strings
        "2014-07-30 17:09:20+00:00",  # boto3 + json.dumps(default=str)
        "2026-11-28 09:04:41.375745+00:00",  # same, with microseconds (moto)
        1481830215.45,  # CLI v1 / wire epoch (Organizations, CloudTrail, Config)
        1481830215,
    ],
)
def test_timestamp_accepts_every_producer_form(registry: Registry[Any], value: object, formats: bool) -> None:
    assert errors_of(definition_validator(registry, "timestamp", formats=formats), value) == []


@pytest.mark.parametrize("value", ["", "yesterday", "15/12/2016 19:30:15", "2016-12-15", True, None, -5, {"$date": 1}])
def test_timestamp_rejects_other_values(registry: Registry[Any], value: object, formats: bool) -> None:
    assert errors_of(definition_validator(registry, "timestamp", formats=formats), value) == [("", "anyOf")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Version": "2012-10-17", "Statement": []}, []),
        ("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D", []),
        ('{"Version": "2012-10-17", "Statement": []}', []),
        ("", [("", "minLength")]),
        (["Statement"], [("", "type")]),
        (None, [("", "type")]),
    ],
)
def test_policy_document_is_object_or_string(registry: Registry[Any], value: object, expected: ErrorList) -> None:
    assert errors_of(definition_validator(registry, "policyDocument", formats=False), value) == expected


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("us-east-1", True),
        ("us-gov-west-1", True),
        ("cn-northwest-1", True),
        ("ap-southeast-7", True),
        ("eusc-de-east-1", True),
        ("US-EAST-1", False),
        ("us-east", False),
        ("us-east-1a", False),
        ("us-east-\u0661", False),  # an Arabic-Indic digit: why patterns avoid \d
    ],
)
def test_region_names(registry: Registry[Any], value: str, ok: bool) -> None:
    assert (errors_of(definition_validator(registry, "region", formats=False), value) == []) is ok


# --------------------------------------------------------------------------- config file specifics


def test_toml_dates_must_become_strings_before_validation(schemas: Schemas, registry: Registry[Any]) -> None:
    """tomllib turns an unquoted ``expires = 2025-01-31`` into a date the schema cannot type."""
    raw = tomllib.loads((CASES_DIR / "config" / "valid" / "toml-native-date.toml").read_text(encoding="utf-8"))
    assert isinstance(raw["suppressions"][0]["expires"], datetime.date)
    validator = make_validator(schemas, registry, "config", formats=True)
    assert errors_of(validator, raw) == [("/suppressions/0/expires", "type")]
    assert errors_of(validator, toml_to_json(raw)) == []


@pytest.mark.parametrize(
    ("expires", "expected"),
    [
        ("2024-12-31", []),
        ("2024-02-30", []),  # the right shape: the config loader, not the schema, checks the calendar
        ("2024-13-01", [("/suppressions/0/expires", "pattern")]),
        ("2024-1-31", [("/suppressions/0/expires", "pattern")]),
        ("2024-12-31T00:00:00", [("/suppressions/0/expires", "pattern")]),
    ],
)
def test_suppression_expiry_dates(
    schemas: Schemas, registry: Registry[Any], expires: str, expected: ErrorList, formats: bool
) -> None:
    document = {"suppressions": [{"rule": "IAM-001", "reason": "accepted risk", "expires": expires}]}
    assert errors_of(make_validator(schemas, registry, "config", formats=formats), document) == expected


@pytest.mark.parametrize(
    ("account", "ok"),
    [("222233334444", True), ("*", True), ("2222*", True), ("22223333444?", True), ("2222", False), ("abc*", False)],
)
def test_suppression_account_is_id_or_glob(schemas: Schemas, registry: Registry[Any], account: str, ok: bool) -> None:
    document = {"suppressions": [{"rule": "IAM-*", "account": account, "reason": "r"}]}
    assert (errors_of(make_validator(schemas, registry, "config", formats=False), document) == []) is ok


def test_findings_result_details_and_summary_stay_free_form(schemas: Schemas, registry: Registry[Any]) -> None:
    document = copy.deepcopy(first_valid_document("findings"))
    document["summary"] = {"anything": {"nested": [1, "two"]}}
    for result in document["results"]:
        result["details"] = {"whatever": "the rule wants", "n": 3}
    assert errors_of(make_validator(schemas, registry, "findings", formats=True), document) == []
