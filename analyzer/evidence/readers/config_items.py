"""AWS Config configuration items -> model entities (one :class:`ConfigItem` per item read).

Two naming forms hold the same item (AWS Config Developer Guide, "Components of a configuration
item" https://docs.aws.amazon.com/config/latest/developerguide/config-item-table.html; API form:
AWS Config API Reference, ConfigurationItem and BaseConfigurationItem):

* delivered files (snapshot, history): ``awsAccountId``, ``ARN``, ``configurationItemVersion``,
  ``configuration`` and ``supplementaryConfiguration`` values as JSON objects;
* API answers (``get-resource-config-history``, ``batch-get-resource-config``): ``accountId``,
  ``arn``, ``version``, ``configuration`` and each ``supplementaryConfiguration`` value as JSON
  **text**; select queries return each row as JSON text whose ``configuration`` is an object.

Inside ``configuration``, IAM policy documents are URL-encoded JSON, as the IAM API returns them
(trust and inline documents, managed policy versions), decoded as botocore does (``unquote``, not
``unquote_plus``); an S3 bucket's policy is ``supplementaryConfiguration.BucketPolicy.policyText``,
JSON text, or null when the bucket has none. Shapes per type: awslabs/aws-config-resource-schema
(``config/properties/resource-types/<type>.properties.json``), with the examples cited in the
fixtures (``fixtures/config-only/SOURCES.md``).

Every item of a type trustmap reads must be whole: one that cannot be placed or ordered (no
resource id, no readable capture time, an account other than the file's) makes the file unusable,
since leaving it out would silently drop a user or a role. A policy document that cannot be decoded
costs only the checks that need it, as in the CLI exports.
"""

from __future__ import annotations

from typing import Any

from analyzer.evidence.decode import CONFIG_TEXT_KEYS, DecodeError, Duplicates, loads_json, overlong_string
from analyzer.evidence.layout import ACCOUNT_RE
from analyzer.evidence.readers.base import (
    Collector,
    FileContext,
    as_bool,
    canonical_text,
    child,
    lenient_timestamp,
    text_or_none,
)
from analyzer.model.config_items import DELETED_STATUSES, IAM_TYPES, READ_TYPES, ConfigEntity, ConfigItem
from analyzer.model.entities import (
    AttachedPolicyRef,
    BucketPolicy,
    ConfigRecorder,
    Group,
    ManagedPolicy,
    Role,
    Trail,
    User,
)
from analyzer.model.evidence import EvidenceRef
from analyzer.model.policy import PolicySource

_HINT = "copy the object again from the central bucket, or re-run the Config query; an item AWS wrote has it"


def _embedded(value: Any, ref: EvidenceRef, ctx: FileContext) -> Any:
    """A JSON value held as text by the API form (``configuration``, a supplementary value), parsed;
    a repeated key makes the whole file unusable, as anywhere else."""
    if not isinstance(value, str):
        return value
    duplicates = Duplicates()
    try:
        parsed = loads_json(value, duplicates)
    except DecodeError as exc:
        ctx.fail(ref, f"the embedded JSON cannot be read: {exc.message}", _HINT)
        return None
    if duplicates:
        where, keys = next(duplicates.take(parsed))
        ctx.fail(
            EvidenceRef(ref.file, ref.pointer, where),
            f"key {', '.join(map(repr, keys))} appears more than once in this object: the item has two readings",
            _HINT,
        )
        return None
    limit = ctx.max_string_length
    if limit is not None and len(value) > limit and (found := overlong_string(parsed, limit, CONFIG_TEXT_KEYS)):
        ctx.fail(
            EvidenceRef(ref.file, ref.pointer, found[0]),
            f"a string of {found[1]:,} characters, over the {limit:,}-character limit for one value",
            "this is not what AWS Config writes; raise --max-string-length if the file is genuine",
        )
        return None
    return parsed


def _attached(raw: dict[str, Any], ref: EvidenceRef) -> tuple[AttachedPolicyRef, ...]:
    """Attached managed policies; their documents are linked once the account's policies are resolved."""
    out = []
    for index, item in enumerate(raw.get("attachedManagedPolicies") or []):
        if not isinstance(item, dict):
            continue
        arn = str(item.get("policyArn") or "")
        name = text_or_none(item.get("policyName")) or arn.rsplit("/", 1)[-1]
        out.append(AttachedPolicyRef(arn=arn, name=name, ref=child(ref, "attachedManagedPolicies", index), policy=None))
    return tuple(out)


def _boundary(raw: dict[str, Any], ref: EvidenceRef) -> AttachedPolicyRef | None:
    boundary = raw.get("permissionsBoundary")
    arn = boundary.get("permissionsBoundaryArn") if isinstance(boundary, dict) else None
    if not isinstance(arn, str) or not arn:
        return None
    return AttachedPolicyRef(arn=arn, name=arn.rsplit("/", 1)[-1], ref=child(ref, "permissionsBoundary"), policy=None)


def _inline(
    raw: dict[str, Any], list_key: str, ref: EvidenceRef, ctx: FileContext, owner: str
) -> tuple[PolicySource, ...]:
    out = []
    for index, item in enumerate(raw.get(list_key) or []):
        if not isinstance(item, dict):
            continue
        name = str(item.get("policyName") or f"#{index}")
        where = child(ref, list_key, index, "policyDocument")
        source = ctx.policy(item.get("policyDocument"), where, "inline", name, owner)
        if source is not None:
            out.append(source)
        elif where.inner is not None:
            # A document inside the API form's configuration text: the decoding problem was placed
            # in the document alone; name the policy's own place too, so the principal is known to
            # hold grants nobody can read (analyzer.graph.gaps finds them by this pointer).
            ctx.problem(where, f"inline policy {name!r} of {owner} cannot be read", _HINT)
    return tuple(out)


def _tags(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    tags = raw.get("tags")
    if isinstance(tags, list):
        return tuple((str(t.get("key", "")), str(t.get("value", ""))) for t in tags if isinstance(t, dict))
    return ()


def _user(cfg: dict[str, Any], ref: EvidenceRef, ctx: FileContext, account: str) -> User:
    arn = str(cfg.get("arn") or "")
    return User(
        account_id=account,
        arn=arn,
        name=str(cfg.get("userName") or ""),
        user_id=str(cfg.get("userId") or ""),
        path=str(cfg.get("path") or "/"),
        ref=ref,
        created=lenient_timestamp(cfg.get("createDate")),
        group_names=tuple(str(g) for g in cfg.get("groupList") or () if isinstance(g, str)),
        inline_policies=_inline(cfg, "userPolicyList", ref, ctx, arn),
        attached_policies=_attached(cfg, ref),
        boundary=_boundary(cfg, ref),
        tags=_tags(cfg),
    )


def _group(cfg: dict[str, Any], ref: EvidenceRef, ctx: FileContext, account: str) -> Group:
    arn = str(cfg.get("arn") or "")
    return Group(
        account_id=account,
        arn=arn,
        name=str(cfg.get("groupName") or ""),
        group_id=str(cfg.get("groupId") or ""),
        path=str(cfg.get("path") or "/"),
        ref=ref,
        inline_policies=_inline(cfg, "groupPolicyList", ref, ctx, arn),
        attached_policies=_attached(cfg, ref),
    )


def _role(cfg: dict[str, Any], ref: EvidenceRef, ctx: FileContext, account: str) -> Role:
    arn = str(cfg.get("arn") or "")
    name = str(cfg.get("roleName") or "")
    trust = None
    if "assumeRolePolicyDocument" in cfg:
        trust = ctx.policy(cfg["assumeRolePolicyDocument"], child(ref, "assumeRolePolicyDocument"), "trust", name, arn)
    else:
        ctx.problem(ref, f"role {arn} has no assumeRolePolicyDocument", _HINT)
    usage = cfg.get("roleLastUsed")
    return Role(
        account_id=account,
        arn=arn,
        name=name,
        role_id=str(cfg.get("roleId") or ""),
        path=str(cfg.get("path") or "/"),
        ref=ref,
        trust_policy=trust,
        created=lenient_timestamp(cfg.get("createDate")),
        inline_policies=_inline(cfg, "rolePolicyList", ref, ctx, arn),
        attached_policies=_attached(cfg, ref),
        boundary=_boundary(cfg, ref),
        tags=_tags(cfg),
        last_used=lenient_timestamp(usage.get("lastUsedDate")) if isinstance(usage, dict) else None,
    )


def _policy(cfg: dict[str, Any], ref: EvidenceRef, ctx: FileContext, account: str) -> ManagedPolicy:
    """A managed policy: its default version's document (only that one is evaluated)."""
    arn = str(cfg.get("arn") or "")
    name = text_or_none(cfg.get("policyName")) or arn.rsplit("/", 1)[-1]
    default = cfg.get("defaultVersionId")
    versions = cfg.get("policyVersionList") or []
    chosen = [
        (i, v)
        for i, v in enumerate(versions)
        if isinstance(v, dict) and (v.get("isDefaultVersion") is True or (default and v.get("versionId") == default))
    ]
    source = None
    if len({canonical_text(v.get("document")) for _, v in chosen}) > 1:
        ctx.fail(
            child(ref, "policyVersionList", chosen[1][0]),
            f"managed policy {arn} has more than one default version, with different documents",
            _HINT,
        )
    elif not chosen:
        ctx.problem(ref, f"managed policy {arn} has no default version document", _HINT)
    else:
        index, version = chosen[0]
        source = ctx.policy(
            version.get("document"), child(ref, "policyVersionList", index, "document"), "managed", name, arn
        )
    return ManagedPolicy(
        account_id=account,
        arn=arn,
        name=name,
        ref=ref,
        default_version=default,
        source=source,
        aws_managed=":iam::aws:policy/" in arn,
    )


def _trail(cfg: dict[str, Any], ref: EvidenceRef, account: str, region: str) -> Trail:
    arn = str(cfg.get("trailARN") or "")
    arn_parts = arn.split(":")
    return Trail(
        arn=arn,
        name=str(cfg.get("name") or arn.rsplit("/", 1)[-1]),
        home_region=str(cfg.get("homeRegion") or region),
        owner_account_id=arn_parts[4] if len(arn_parts) > 5 else account,
        seen_in_account=account,
        seen_in_region=region,
        ref=ref,
        multi_region=as_bool(cfg.get("isMultiRegionTrail")) is True,
        organization_trail=as_bool(cfg.get("isOrganizationTrail")) is True,
        include_global_events=as_bool(cfg.get("includeGlobalServiceEvents")) is True,
        log_file_validation=as_bool(cfg.get("logFileValidationEnabled")) is True,
        s3_bucket=text_or_none(cfg.get("s3BucketName")),
        s3_prefix=text_or_none(cfg.get("s3KeyPrefix")),
        sns_topic=text_or_none(cfg.get("snsTopicARN")) or text_or_none(cfg.get("snsTopicName")),
        kms_key=text_or_none(cfg.get("kmsKeyId")),
    )


def _recorder(cfg: dict[str, Any], ref: EvidenceRef, account: str, region: str) -> ConfigRecorder:
    """``AWS::Config::ConfigurationRecorder``: its configuration in CloudFormation's PascalCase
    (aws-config-resource-schema ``AWS::Config::ConfigurationRecorder``), with ``Recording``."""
    found = cfg.get("RecordingGroup")
    group: dict[str, Any] = found if isinstance(found, dict) else {}
    strategy = (group.get("RecordingStrategy") or {}).get("UseOnly")
    excluded = (group.get("ExclusionByResourceTypes") or {}).get("ResourceTypes") or []
    name = str(cfg.get("Name") or "default")
    return ConfigRecorder(
        account_id=account,
        region=region,
        name=name,
        ref=ref,
        role_arn=text_or_none(cfg.get("RoleARN")),
        all_supported=as_bool(group.get("AllSupported", not group)) is True,
        include_global=as_bool(group.get("IncludeGlobalResourceTypes")) is True,
        strategy=str(strategy).upper() if strategy else None,
        resource_types=tuple(sorted(str(t) for t in group.get("ResourceTypes") or [])),
        excluded_types=tuple(sorted(str(t) for t in excluded)),
        recording=as_bool(cfg.get("Recording")),
        status_ref=child(ref, "Recording") if "Recording" in cfg else None,
        service_linked=name.startswith("AWSConfigurationRecorderFor"),
    )


def _bucket_policy(
    raw: dict[str, Any], ref: EvidenceRef, ctx: FileContext, account: str, bucket: str
) -> tuple[BucketPolicy | None, bool]:
    """(the bucket's policy, whether Config says it has none) from ``supplementaryConfiguration``."""
    supplementary = raw.get("supplementaryConfiguration")
    if not isinstance(supplementary, dict) or "BucketPolicy" not in supplementary:
        return None, False
    where = child(ref, "supplementaryConfiguration", "BucketPolicy")
    holder = _embedded(supplementary["BucketPolicy"], where, ctx)
    if isinstance(supplementary["BucketPolicy"], str):
        where = where.embedded()
    if not isinstance(holder, dict):
        return None, False
    text = holder.get("policyText")
    if text is None:
        return None, True
    source = ctx.policy(text, child(where, "policyText"), "bucket", bucket, f"arn:aws:s3:::{bucket}")
    return (BucketPolicy(bucket=bucket, account_id=account, source=source) if source else None), False


def _entity(
    rtype: str,
    cfg: dict[str, Any],
    raw: dict[str, Any],
    refs: tuple[EvidenceRef, EvidenceRef],
    ctx: FileContext,
    account: str,
    region: str,
) -> tuple[ConfigEntity | None, bool]:
    """The entity an item describes; ``refs``: (the item, its configuration)."""
    item_ref, ref = refs
    if rtype == "AWS::IAM::User":
        return _user(cfg, ref, ctx, account), False
    if rtype == "AWS::IAM::Group":
        return _group(cfg, ref, ctx, account), False
    if rtype == "AWS::IAM::Role":
        return _role(cfg, ref, ctx, account), False
    if rtype == "AWS::IAM::Policy":
        return _policy(cfg, ref, ctx, account), False
    if rtype == "AWS::CloudTrail::Trail":
        return _trail(cfg, ref, account, region), False
    if rtype == "AWS::Config::ConfigurationRecorder":
        return _recorder(cfg, ref, account, region), False
    bucket = str(cfg.get("name") or raw.get("resourceName") or raw.get("resourceId") or "")
    return _bucket_policy(raw, item_ref, ctx, account, bucket)


def _arn_account(arn: Any) -> str | None:
    parts = arn.split(":", 5) if isinstance(arn, str) else []
    return parts[4] if len(parts) == 6 and ACCOUNT_RE.fullmatch(parts[4]) else None


def _state_id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def read_item(
    raw: Any,
    item_ref: EvidenceRef,
    ctx: FileContext,
    out: Collector,
    *,
    kind: str,
    file_account: str | None,
    region: str,
    snapshot: str | None = None,
) -> None:
    """Read one configuration item (either naming form) into ``out``; types trustmap does not read are skipped.

    ``region``: where it was recorded (the delivered file's or the API call's region); "" to take
    the item's own ``awsRegion`` (an aggregator's rows).
    """
    if not isinstance(raw, dict):
        return
    rtype = raw.get("resourceType")
    if rtype not in READ_TYPES:
        return
    account = raw.get("awsAccountId", raw.get("accountId"))
    if not isinstance(account, str) or not ACCOUNT_RE.fullmatch(account):
        ctx.fail(child(item_ref, "awsAccountId"), f"a {rtype} item without a 12-digit account id", _HINT)
        return
    if file_account is not None and account != file_account:
        ctx.fail(
            child(item_ref, "awsAccountId"),
            f"an item of account {account} in the Config evidence of account {file_account}",
            "Config delivers each account's items under AWSLogs/<its own account id>/; re-copy the object",
        )
        return
    resource_id = raw.get("resourceId")
    if not isinstance(resource_id, str) or not resource_id:
        ctx.fail(child(item_ref, "resourceId"), f"a {rtype} item without its resourceId", _HINT)
        return
    status = str(raw.get("configurationItemStatus") or "OK")
    captured = ctx.timestamp(raw.get("configurationItemCaptureTime"), item_ref, "configurationItemCaptureTime")
    if captured is None:
        ctx.fatal = True  # it cannot be ordered against the resource's other items
        return
    aws_region = str(raw.get("awsRegion") or region)
    region = region or aws_region
    cfg_ref = child(item_ref, "configuration")
    entity: ConfigEntity | None = None
    no_policy = False
    fingerprint = ""
    if status not in DELETED_STATUSES and status != "ResourceNotRecorded":
        cfg = _embedded(raw.get("configuration"), cfg_ref, ctx)
        if isinstance(raw.get("configuration"), str):
            cfg_ref = cfg_ref.embedded()
        if not isinstance(cfg, dict):
            ctx.fail(cfg_ref, f"{rtype} {resource_id}: the item has no configuration object", _HINT)
            return
        entity, no_policy = _entity(rtype, cfg, raw, (item_ref, cfg_ref), ctx, account, region)
        owner = _arn_account(getattr(entity, "arn", None)) if rtype in IAM_TYPES else None
        if owner is not None and owner != account:
            ctx.fail(
                child(cfg_ref, "arn"),
                f"{rtype} {getattr(entity, 'arn', '')} belongs to account {owner}, in an item of account {account}",
                "Config records each account's own resources; re-copy the object",
            )
            return
        fingerprint = canonical_text(cfg)
    out.account(account).config_items.append(
        ConfigItem(
            account_id=account,
            region=region,
            aws_region=aws_region,
            resource_type=rtype,
            resource_id=resource_id,
            resource_name=text_or_none(raw.get("resourceName")),
            status=status,
            captured=captured,
            state_id=_state_id(raw.get("configurationStateId")),
            ref=item_ref,
            kind=kind,
            snapshot=snapshot,
            entity=entity,
            no_bucket_policy=no_policy,
            fingerprint=fingerprint,
        )
    )


# --------------------------------------------------------------------------- the API's answers


def _read_list(doc: Any, ctx: FileContext, out: Collector, list_key: str, kind: str) -> None:
    for index, raw in enumerate(doc.get(list_key) or []):
        read_item(
            raw,
            ctx.ref(list_key, index),
            ctx,
            out,
            kind=kind,
            file_account=ctx.account_id,
            region=ctx.region or "",
        )


def read_resource_history(doc: Any, ctx: FileContext, out: Collector) -> None:
    """``get-resource-config-history``: one resource's items, API form."""
    _read_list(doc, ctx, out, "configurationItems", "config-get-resource-config-history")


def read_batch_get(doc: Any, ctx: FileContext, out: Collector) -> None:
    """``batch-get-resource-config``: the current items of the keys asked for, API form."""
    _read_list(doc, ctx, out, "baseConfigurationItems", "config-batch-get-resource-config")


def _read_rows(doc: Any, ctx: FileContext, out: Collector, *, aggregate: bool) -> None:
    kind = "config-select-aggregate-resource-config" if aggregate else "config-select-resource-config"
    for index, text in enumerate(doc.get("Results") or []):
        ref = ctx.ref("Results", index)
        row = _embedded(text, ref, ctx)
        if not isinstance(row, dict):
            ctx.fail(ref, "a Results row that is not a JSON object", "re-run the query with the AWS CLI")
            continue
        read_item(
            row,
            ref.embedded(),
            ctx,
            out,
            kind=kind,
            file_account=None if aggregate else ctx.account_id,
            region="" if aggregate else ctx.region or "",
        )


def read_select(doc: Any, ctx: FileContext, out: Collector) -> None:
    """``select-resource-config``: rows as JSON text (the fields selected), in one account and region."""
    _read_rows(doc, ctx, out, aggregate=False)


def read_select_aggregate(doc: Any, ctx: FileContext, out: Collector) -> None:
    """``select-aggregate-resource-config``: rows of the aggregator's source accounts and regions."""
    _read_rows(doc, ctx, out, aggregate=True)
