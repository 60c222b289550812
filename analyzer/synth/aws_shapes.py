"""Pure functions returning dicts exactly as AWS CLI v2 prints them (default iso8601 timestamps).

This module is the one place to import shapes from; the functions live in topic modules
(``shapes_iam``, ``shapes_credentials``, ``shapes_org``, ``shapes_logging``).

Field names, casing and order follow botocore's output shapes (``service-2.json``); what the
CLI does on top of them is reproduced too: IAM policy documents decoded into objects, blobs
(the credential report) as base64 text, and timestamps through
:func:`~analyzer.synth.ids.cli_timestamp` (``2026-03-02T09:14:51+00:00`` for IAM,
``2026-11-20T09:58:12.345000+00:00`` for Organizations/CloudTrail/Config). Documents AWS itself
returns as JSON *text* (S3 bucket policies, SCP ``Content``) stay strings. Optional members AWS
leaves out when unset (``Tags``, ``PermissionsBoundary``, ``SnsTopicARN`` ...) are left out.

Every function is pure and deterministic: IDs not given explicitly are derived from the ARN
(:func:`~analyzer.synth.ids.unique_id`), and nothing reads the clock.
"""

from __future__ import annotations

from analyzer.model.entities import CREDENTIAL_REPORT_COLUMNS
from analyzer.synth.shapes_credentials import (
    NO_INFORMATION,
    NOT_APPLICABLE,
    NOT_SUPPORTED,
    AccessKey,
    credential_report,
    credential_report_csv,
    root_credential_row,
    user_credential_row,
)
from analyzer.synth.shapes_iam import (
    SUMMARY_QUOTAS,
    PolicyVersion,
    account_summary,
    attached_policy,
    authorization_details,
    group_detail,
    inline_policy,
    managed_policy_detail,
    mfa_user,
    password_policy,
    role_detail,
    user_detail,
    virtual_mfa_device,
    virtual_mfa_devices,
)
from analyzer.synth.shapes_logging import (
    advanced_event_selector,
    basic_event_selector,
    bucket_policy,
    configuration_recorder,
    configuration_recorders,
    delivery_channel,
    delivery_channel_status,
    delivery_channel_status_entry,
    delivery_channels,
    describe_trails,
    error_record,
    event_selectors,
    export_delivery_info,
    field_selector,
    recorder_status,
    recorder_status_entry,
    trail,
    trail_status,
)
from analyzer.synth.shapes_org import (
    describe_organization,
    describe_policy,
    describe_regions,
    list_accounts,
    list_roots,
    list_targets_for_policy,
    organization_account,
    policy_target,
)

__all__ = [
    "CREDENTIAL_REPORT_COLUMNS",
    "NOT_APPLICABLE",
    "NOT_SUPPORTED",
    "NO_INFORMATION",
    "SUMMARY_QUOTAS",
    "AccessKey",
    "PolicyVersion",
    "account_summary",
    "advanced_event_selector",
    "attached_policy",
    "authorization_details",
    "basic_event_selector",
    "bucket_policy",
    "configuration_recorder",
    "configuration_recorders",
    "credential_report",
    "credential_report_csv",
    "delivery_channel",
    "delivery_channel_status",
    "delivery_channel_status_entry",
    "delivery_channels",
    "describe_organization",
    "describe_policy",
    "describe_regions",
    "describe_trails",
    "error_record",
    "event_selectors",
    "export_delivery_info",
    "field_selector",
    "group_detail",
    "inline_policy",
    "list_accounts",
    "list_roots",
    "list_targets_for_policy",
    "managed_policy_detail",
    "mfa_user",
    "organization_account",
    "password_policy",
    "policy_target",
    "recorder_status",
    "recorder_status_entry",
    "role_detail",
    "root_credential_row",
    "trail",
    "trail_status",
    "user_credential_row",
    "user_detail",
    "virtual_mfa_device",
    "virtual_mfa_devices",
]
