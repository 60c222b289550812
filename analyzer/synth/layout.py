"""Where each export goes in a bundle (the documented layout), and per-account file sets.

The composition helpers turn already-shaped outputs into ``{relative path: content}`` entries,
applying the placement rules AWS imposes: a multi-region trail is listed by describe-trails in
every region (a shadow trail outside its home region) while its status and selectors are
exported once, from the home region.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyzer.synth.shapes_logging import describe_trails

Json = dict[str, Any]

MANIFEST = "manifest.json"


def organization_path(command: str) -> str:
    return f"organization/{command}.json"


def org_policy_path(policy_id: str) -> str:
    return f"organization/policies/{policy_id}.json"


def org_targets_path(policy_id: str) -> str:
    return f"organization/targets/{policy_id}.json"


def iam_path(account_id: str, command: str) -> str:
    return f"{account_id}/iam/{command}.json"


def regions_path(account_id: str) -> str:
    return f"{account_id}/ec2/describe-regions.json"


def regional_path(account_id: str, region: str, service: str, command: str) -> str:
    return f"{account_id}/{region}/{service}/{command}.json"


def trail_item_path(account_id: str, region: str, command: str, trail_name: str) -> str:
    """``get-trail-status`` / ``get-event-selectors`` output for one trail."""
    return f"{account_id}/{region}/cloudtrail/{command}/{trail_name}.json"


def bucket_path(account_id: str, bucket: str, command: str = "get-bucket-policy") -> str:
    return f"{account_id}/s3/{bucket}/{command}.json"


def error_path(path: str) -> str:
    """Where the error record of a failed export sits: beside the output, as ``.error.json``."""
    if not path.endswith(".json"):
        raise ValueError(f"not a JSON output path: {path}")
    return path[: -len(".json")] + ".error.json"


@dataclass(frozen=True, slots=True)
class TrailEvidence:
    """One trail's three outputs: its describe-trails entry, status and event selectors."""

    description: Json
    status: Json
    selectors: Json

    @property
    def name(self) -> str:
        return str(self.description["Name"])

    @property
    def home_region(self) -> str:
        return str(self.description["HomeRegion"])

    def listed_in(self, region: str) -> bool:
        return bool(self.description["IsMultiRegionTrail"]) or self.home_region == region


def cloudtrail_files(account_id: str, regions: Sequence[str], trails: Sequence[TrailEvidence]) -> dict[str, Json]:
    """describe-trails for every region (with shadow copies of multi-region trails), and each
    trail's status and selectors in its home region."""
    files: dict[str, Json] = {}
    for region in regions:
        listed = [t.description for t in trails if t.listed_in(region)]
        files[regional_path(account_id, region, "cloudtrail", "describe-trails")] = describe_trails(listed)
    for t in trails:
        files[trail_item_path(account_id, t.home_region, "get-trail-status", t.name)] = t.status
        files[trail_item_path(account_id, t.home_region, "get-event-selectors", t.name)] = t.selectors
    return files


CONFIG_COMMANDS: tuple[str, ...] = (
    "describe-configuration-recorders",
    "describe-configuration-recorder-status",
    "describe-delivery-channels",
    "describe-delivery-channel-status",
)


def config_files(account_id: str, region: str, outputs: Mapping[str, Json]) -> dict[str, Json]:
    """Place the four Config outputs of one region (keyed by command name)."""
    unknown = set(outputs) - set(CONFIG_COMMANDS)
    if unknown:
        raise ValueError(f"not Config commands: {sorted(unknown)}")
    return {regional_path(account_id, region, "config", cmd): out for cmd, out in outputs.items()}
