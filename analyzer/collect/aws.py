"""boto3 sessions and clients for collection: guarded, retried, one per account and region.

Every botocore session made here carries the read-only guard: a ``before-call`` handler that raises
:class:`ForbiddenOperationError` for any operation outside :data:`READ_ONLY_OPERATIONS`, before a
request is built or sent. Member accounts are reached through a role assumed with botocore's own
refreshing credentials, so a long collection outlives the role session. Credentials stay in
botocore's objects: nothing here prints, logs or returns them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3  # type: ignore[import-untyped]
import botocore.session  # type: ignore[import-untyped]
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.credentials import (  # type: ignore[import-untyped]
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]
from botocore.parsers import ResponseParserError  # type: ignore[import-untyped]

from analyzer import __version__
from analyzer.collect.cli_json import cli_document, error_code
from analyzer.collect.operations import READ_ONLY_OPERATIONS

#: botocore clients are untyped; this alias says where one is expected.
Client = Any

SESSION_NAME = "trustmap-collect"
_DEFAULT_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


class ForbiddenOperationError(RuntimeError):
    """An operation outside the collector's read-only list was about to be called."""


class CollectError(Exception):
    """Collection cannot start (no credentials, no caller identity); the message says what to do."""


@dataclass(frozen=True, slots=True)
class AwsFailure:
    """A failed call: the AWS error code (or botocore's exception name) and its message."""

    code: str
    message: str


def refuse_unlisted(model: Any = None, **_: Any) -> None:
    """``before-call`` handler: only the listed read-only operations may proceed."""
    service = model.service_model.service_name if model is not None else "?"
    name = model.name if model is not None else "?"
    if (service, name) not in READ_ONLY_OPERATIONS:
        raise ForbiddenOperationError(f"trustmap collect is read-only and refuses {service}:{name}")


def guard(session: Any) -> Any:
    """Install the read-only guard on a boto3 or botocore session (before any client is created)."""
    events = session.events if isinstance(session, boto3.Session) else session.get_component("event_emitter")
    events.register("before-call", refuse_unlisted, unique_id="trustmap-read-only-guard")
    return session


def client_config(max_attempts: int) -> Any:
    return Config(
        retries={"mode": "adaptive", "max_attempts": max_attempts},
        user_agent_extra=f"trustmap/{__version__}",
    )


def partition_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[1] if len(parts) > 2 and parts[1] else "aws"


def default_region(partition: str) -> str:
    return _DEFAULT_REGION.get(partition, "us-east-1")


def failure_of(exc: Exception) -> AwsFailure:
    """The code and message of a failed call, as an error record holds them."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error_code(error.get("Code"), f"HTTP{status}" if status else "UnknownError")
        return AwsFailure(code, str(error.get("Message") or exc))
    return AwsFailure(error_code(type(exc).__name__, "BotoCoreError"), str(exc))


#: What a call may raise that is recorded as the call's failure (never ForbiddenOperationError).
#: A response botocore cannot parse (an HTML error page from a proxy or an emulator) is one of them.
CALL_ERRORS: tuple[type[Exception], ...] = (ClientError, BotoCoreError, ResponseParserError)


def call(client: Client, operation: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One operation, every page of it when botocore can paginate it (as the CLI does), CLI-shaped."""
    method = botocore.xform_name(operation)
    arguments = dict(params or {})
    if client.can_paginate(method):
        result = client.get_paginator(method).paginate(**arguments).build_full_result()
    else:
        result = getattr(client, method)(**arguments)
    return cli_document(result)


@dataclass(frozen=True, slots=True)
class Caller:
    account: str
    arn: str

    @property
    def partition(self) -> str:
        return partition_of(self.arn)


class _FixedProvider(CredentialProvider):  # type: ignore[misc]
    METHOD = "trustmap-assume-role"
    CANONICAL_NAME = "custom-trustmap-assume-role"

    def __init__(self, credentials: Any) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Any:
        return self._credentials


class AccountSessions:
    """The caller's session and one assumed-role session per other account; clients cached per place."""

    def __init__(
        self,
        base: Any,
        caller: Caller,
        role_name: str,
        home_region: str,
        config: Any,
        session_name: str,
        profile: str | None = None,
    ) -> None:
        self.base = base
        self.profile = profile
        self.caller = caller
        self.role_name = role_name
        self.home_region = home_region
        self.config = config
        self.session_name = session_name
        self._lock = threading.RLock()  # re-entrant: a credential refresh creates an STS client
        self._sessions: dict[str, Any] = {caller.account: base}
        self._clients: dict[tuple[str, str, str], Client] = {}

    def role_arn(self, account: str) -> str:
        return f"arn:{self.caller.partition}:iam::{account}:role/{self.role_name}"

    def open(self, account: str) -> AwsFailure | None:
        """Make sure the account can be reached (assume the role now); the failure if it cannot."""
        try:
            credentials = self._session(account).get_credentials()
            if credentials is None:
                return AwsFailure("NoCredentials", "no AWS credentials were found")
            credentials.get_frozen_credentials()
        except CALL_ERRORS as exc:
            failure = failure_of(exc)
            with self._lock:
                self._sessions.pop(account, None)
            return AwsFailure(failure.code, f"sts:AssumeRole {self.role_arn(account)}: {failure.message}")
        return None

    def client(self, account: str, service: str, region: str | None = None) -> Client:
        where = region or self.home_region
        key = (account, service, where)
        session = self._session(account)
        with self._lock:  # creating clients from one session is not thread-safe in botocore
            found = self._clients.get(key)
            if found is None:
                found = session.client(service, region_name=where, config=self.config)
                self._clients[key] = found
            return found

    def _base_client(self, service: str, **kwargs: Any) -> Client:
        with self._lock:
            return self.base.client(service, **kwargs)

    def _session(self, account: str) -> Any:
        with self._lock:
            found = self._sessions.get(account)
            if found is None:
                found = self._assumed(account)
                self._sessions[account] = found
            return found

    def _assumed(self, account: str) -> Any:
        source = self.base.get_credentials()
        if source is None:
            raise CollectError("no AWS credentials were found for the calling account")
        creator = functools.partial(self._base_client, region_name=self.home_region, config=self.config)
        fetcher = AssumeRoleCredentialFetcher(
            client_creator=creator,
            source_credentials=source,
            role_arn=self.role_arn(account),
            extra_args={"RoleSessionName": self.session_name},
        )
        credentials = DeferredRefreshableCredentials(refresh_using=fetcher.fetch_credentials, method="assume-role")
        # Same profile as the caller's (for its CA bundle, endpoints and such); its credentials are replaced.
        core = guard(botocore.session.Session(profile=self.profile))
        core.register_component("credential_provider", CredentialResolver([_FixedProvider(credentials)]))
        return boto3.Session(botocore_session=core)


def open_caller(profile: str | None, max_attempts: int) -> tuple[Any, Caller, str, Any]:
    """The guarded base session, who is calling, the home region, and the client config."""
    try:
        base = guard(boto3.Session(profile_name=profile))
    except BotoCoreError as exc:
        raise CollectError(f"cannot open the AWS profile {profile!r}: {exc}") from exc
    config = client_config(max_attempts)
    region = base.region_name or "us-east-1"
    try:
        identity = call(base.client("sts", region_name=region, config=config), "GetCallerIdentity")
    except CALL_ERRORS as exc:
        failure = failure_of(exc)
        raise CollectError(
            f"cannot tell who is calling (sts:GetCallerIdentity failed with {failure.code}: {failure.message}); "
            "configure AWS credentials (aws configure, AWS_PROFILE or --profile) and try again"
        ) from exc
    caller = Caller(str(identity["Account"]), str(identity["Arn"]))
    home = base.region_name if base.region_name else default_region(caller.partition)
    return base, caller, home, config
