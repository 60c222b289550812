"""AWS Config's delivered files recognised by the shape of their key, and where its API answers go.

A copy of the central bucket's ``AWSLogs/`` tree (or any part of it) can sit anywhere in a bundle,
as for CloudTrail (:mod:`analyzer.evidence.activity_paths`). Config writes (AWS Config Developer
Guide, "Example configuration history file" https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-history-notification.html
and "Example configuration snapshot" https://docs.aws.amazon.com/config/latest/developerguide/example-configuration-snapshot-notification.html):

* ``[<prefix>/]AWSLogs/<acct>/Config/<region>/YYYY/M/D/ConfigSnapshot/``
  ``<acct>_Config_<region>_ConfigSnapshot_<YYYYMMDDTHHMMSSZ>_<configSnapshotId>.json.gz``
* ``[<prefix>/]AWSLogs/<acct>/Config/<region>/YYYY/M/D/ConfigHistory/``
  ``<acct>_Config_<region>_ConfigHistory_<ResourceType>_<start>_<end>_<n>.json.gz``

The date folders are **not** zero-padded (unlike CloudTrail's); Config inserts no organization
segment, but the delivery channel's ``s3KeyPrefix`` may put anything before ``AWSLogs/``. The
resource type in a history file's name holds ``::``, kept by ``aws s3 cp``/``sync`` on Linux and
macOS; a copy that encoded them (``%3A%3A``) or replaced them (``__``) is recognised too. The item
is the key from ``AWSLogs/`` on (less ``.gz``: an uncompressed ``.json`` copy is the same object).

The API's answers live with the account and region they were asked in (global IAM items: the region
whose recorder records global resource types), one file per call, named freely below the command:
``<acct>/<region>/config/get-resource-config-history/<name>.json``,
``<acct>/<region>/config/batch-get-resource-config[/<name>].json``,
``<acct>/<region>/config/select-resource-config[/<name>].json`` and, in the aggregator's account
and region, ``<acct>/<region>/config/select-aggregate-resource-config[/<name>].json``.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from analyzer.model.kinds import Kind

_REGION = r"[a-z]{2,4}(?:-[a-z]+)*-[a-z]+-[0-9]{1,2}"
_STAMP = r"[0-9]{8}T[0-9]{6}Z"
CONFIG_KEY_RE = re.compile(
    rf"AWSLogs/(?P<account>[0-9]{{12}})/Config/(?P<region>{_REGION})/"
    r"(?P<y>[0-9]{4})/(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})/"
    r"(?:ConfigSnapshot/(?P=account)_Config_(?P=region)_ConfigSnapshot_"
    rf"(?P<snapshot_stamp>{_STAMP})_(?P<snapshot_id>[A-Za-z0-9-]+)"
    r"|ConfigHistory/(?P=account)_Config_(?P=region)_ConfigHistory_"
    rf"(?P<resource_type>AWS(?:::|%3A%3A|__)[A-Za-z0-9]+(?:::|%3A%3A|__)[A-Za-z0-9]+)_"
    rf"(?P<start>{_STAMP})_(?P<end>{_STAMP})_(?P<n>[0-9]+))"
    r"\.json(?:\.gz)?"
)

#: The API commands whose saved output is read as configuration items, by file or folder name.
API_COMMAND_KINDS: dict[str, Kind] = {
    "get-resource-config-history": Kind.CONFIG_RESOURCE_HISTORY,
    "batch-get-resource-config": Kind.CONFIG_BATCH_GET,
    "select-resource-config": Kind.CONFIG_SELECT,
    "select-aggregate-resource-config": Kind.CONFIG_SELECT_AGGREGATE,
}


class ConfigPath(NamedTuple):
    kind: Kind
    account: str
    region: str
    item: str  # the object key from AWSLogs/ on, without a final .gz


def config_path(path: str) -> ConfigPath | None:
    """The kind and place of a Config delivered file, or None when the path is not shaped as one."""
    start = path.rfind("AWSLogs/")
    if start < 0 or (start > 0 and path[start - 1] != "/"):
        return None
    found = CONFIG_KEY_RE.fullmatch(path, start)
    if found is None:
        return None
    kind = Kind.CONFIG_SNAPSHOT_FILE if found["snapshot_stamp"] else Kind.CONFIG_HISTORY_FILE
    # The object's key, whether the copy is the .json.gz as delivered or a decompressed .json: two copies
    # of one object are one slot (read once when their content is the same, a conflict when not).
    return ConfigPath(kind, found["account"], found["region"], path[start:].removesuffix(".gz"))


def delivery_stamp(key: str) -> str | None:
    """The ``YYYYMMDDTHHMMSSZ`` a delivered file's name carries: a snapshot's time, a history file's end."""
    found = CONFIG_KEY_RE.search(key)
    if found is None:
        return None
    return found["snapshot_stamp"] or found["end"]
