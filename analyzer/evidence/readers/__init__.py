"""One reader per evidence kind: validated JSON in, model entities out (into a :class:`Collector`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from analyzer.evidence.readers import cloudtrail, config, config_items, credentials, iam, organizations, s3
from analyzer.evidence.readers.base import Collector, FileContext
from analyzer.model.kinds import ACTIVITY_KINDS, Kind

Reader = Callable[[Any, FileContext, Collector], None]


def _read_nothing(document: Any, ctx: FileContext, collected: Collector) -> None:
    """Activity kinds: schema-checked and placed by the loader, read later by :mod:`analyzer.activity`."""


READERS: dict[Kind, Reader] = {
    Kind.ORG_DESCRIBE: organizations.read_describe_organization,
    Kind.ORG_ACCOUNTS: organizations.read_list_accounts,
    Kind.ORG_ROOTS: organizations.read_list_roots,
    Kind.ORG_POLICY: organizations.read_describe_policy,
    Kind.ORG_TARGETS: organizations.read_list_targets,
    Kind.IAM_AUTH_DETAILS: iam.read_authorization_details,
    Kind.IAM_PASSWORD_POLICY: iam.read_password_policy,
    Kind.IAM_SUMMARY: iam.read_account_summary,
    Kind.IAM_VIRTUAL_MFA: iam.read_virtual_mfa_devices,
    Kind.IAM_CREDENTIAL_REPORT: credentials.read_credential_report,
    Kind.IAM_ORG_FEATURES: iam.read_organizations_features,
    Kind.EC2_REGIONS: iam.read_describe_regions,
    Kind.TRAILS: cloudtrail.read_describe_trails,
    Kind.TRAIL_STATUS: cloudtrail.read_trail_status,
    Kind.TRAIL_SELECTORS: cloudtrail.read_event_selectors,
    Kind.CONFIG_RECORDERS: config.read_recorders,
    Kind.CONFIG_RECORDER_STATUS: config.read_recorder_status,
    Kind.CONFIG_CHANNELS: config.read_channels,
    Kind.CONFIG_CHANNEL_STATUS: config.read_channel_status,
    Kind.S3_BUCKET_POLICY: s3.read_bucket_policy,
    Kind.CONFIG_RESOURCE_HISTORY: config_items.read_resource_history,
    Kind.CONFIG_BATCH_GET: config_items.read_batch_get,
    Kind.CONFIG_SELECT: config_items.read_select,
    Kind.CONFIG_SELECT_AGGREGATE: config_items.read_select_aggregate,
    # Delivered Config files are streamed by analyzer.evidence.config_files, never parsed whole.
    Kind.CONFIG_SNAPSHOT_FILE: _read_nothing,
    Kind.CONFIG_HISTORY_FILE: _read_nothing,
    # Activity evidence is read by analyzer.activity from the files themselves: nothing for the model.
    **dict.fromkeys(sorted(ACTIVITY_KINDS), _read_nothing),
}

__all__ = ["READERS", "Collector", "FileContext", "Reader"]
