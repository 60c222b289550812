"""The audit's settings: the TOML config file (``schemas/config.schema.json``) and its defaults."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from analyzer.evidence.schemas import check as schema_check


class ConfigError(Exception):
    """The config file cannot be used; the message names the file, the key and what to do."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    password_min_length: int = 14
    password_max_age_days: int = 90
    password_reuse_prevention: int = 24
    access_key_max_age_days: int = 90
    access_key_unused_days: int = 90
    password_unused_days: int = 90
    trail_delivery_max_age_hours: int = 24


@dataclass(frozen=True, slots=True)
class BreakGlassUser:
    arn: str
    reason: str


@dataclass(frozen=True, slots=True)
class TrustedAccount:
    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ProviderMfa:
    """An attestation that an identity provider requires MFA at sign-in (not visible in AWS evidence).

    ``provider``: a SAML/OIDC provider ARN, or a glob over them (IAM Identity Center has one provider
    per account: ``arn:aws:iam::*:saml-provider/AWSSSO_*``).
    """

    provider: str
    reason: str

    def matches(self, provider: str) -> bool:
        return fnmatch.fnmatchcase(provider, self.provider)


@dataclass(frozen=True, slots=True)
class Suppression:
    rule: str  # id or glob
    reason: str
    account: str | None = None  # id or glob
    resource: str | None = None  # glob
    expires: date | None = None

    def matches(self, rule: str, account: str | None, resource: str | None) -> bool:
        if not fnmatch.fnmatchcase(rule, self.rule.upper()):
            return False
        if self.account is not None and not fnmatch.fnmatchcase(account or "", self.account):
            return False
        return self.resource is None or fnmatch.fnmatchcase(resource or "", self.resource)


@dataclass(frozen=True, slots=True)
class Settings:
    identity_account: str | None = None
    log_bucket: str | None = None
    log_prefix: str | None = None
    expected_regions: tuple[str, ...] = ()
    break_glass_users: tuple[BreakGlassUser, ...] = ()
    trusted_external_accounts: tuple[TrustedAccount, ...] = ()
    identity_provider_mfa: tuple[ProviderMfa, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    severity_overrides: tuple[tuple[str, str], ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    source: str = "defaults"

    def trusted_account(self, account_id: str) -> TrustedAccount | None:
        return next((t for t in self.trusted_external_accounts if t.id == account_id), None)

    def break_glass(self, arn: str) -> BreakGlassUser | None:
        return next((b for b in self.break_glass_users if b.arn == arn), None)

    def provider_mfa(self, provider: str) -> ProviderMfa | None:
        """The first attestation that ``provider`` (an identity provider ARN or issuer) requires MFA."""
        return next((p for p in self.identity_provider_mfa if p.matches(provider)), None)


def _settings_from(raw: dict[str, Any], source: str) -> Settings:
    thresholds = Thresholds(**raw.get("thresholds", {}))
    return Settings(
        identity_account=raw.get("identity_account"),
        log_bucket=raw.get("log_bucket"),
        log_prefix=raw.get("log_prefix"),
        expected_regions=tuple(raw.get("expected_regions", ())),
        break_glass_users=tuple(BreakGlassUser(b["arn"], b["reason"]) for b in raw.get("break_glass_users", ())),
        trusted_external_accounts=tuple(
            TrustedAccount(t["id"], t["reason"]) for t in raw.get("trusted_external_accounts", ())
        ),
        identity_provider_mfa=tuple(
            ProviderMfa(p["provider"], p["reason"]) for p in raw.get("identity_provider_mfa", ())
        ),
        thresholds=thresholds,
        severity_overrides=tuple(sorted((k.upper(), v) for k, v in raw.get("severity_overrides", {}).items())),
        suppressions=tuple(
            Suppression(
                rule=s["rule"],
                reason=s["reason"],
                account=s.get("account"),
                resource=s.get("resource"),
                expires=date.fromisoformat(s["expires"]) if isinstance(s.get("expires"), str) else s.get("expires"),
            )
            for s in raw.get("suppressions", ())
        ),
        source=source,
    )


def _plain(value: Any) -> Any:
    """tomllib gives ``date`` objects for bare dates; the schema speaks JSON, so make them strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_settings(path: Path | None) -> Settings:
    if path is None:
        return Settings()
    try:
        raw = _plain(tomllib.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax") from exc
    problems = schema_check("config", raw)
    if problems:
        lines = "\n".join(p.render(str(path)) for p in problems)
        raise ConfigError(f"the config file does not follow schemas/config.schema.json:\n{lines}")
    for index, entry in enumerate(raw.get("suppressions", [])):
        try:
            date.fromisoformat(entry.get("expires", "2000-01-01"))
        except ValueError as exc:
            raise ConfigError(
                f"{path}: /suppressions/{index}/expires: {entry['expires']!r} is not a real date; write YYYY-MM-DD"
            ) from exc
    return _settings_from(raw, str(path))
