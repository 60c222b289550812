"""A moto server on 127.0.0.1, an organization built in it, and the two bundles collected from it.

moto, boto3 and the AWS CLI come with the ``test`` extra. On a developer machine without them the
tests here are skipped with the reason; in CI (env ``CI`` set) a missing tool is an error.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

IN_CI = bool(os.environ.get("CI"))


def need_module(name: str) -> Any:
    """The module, or (outside CI only) a skip naming what to install."""
    if IN_CI:
        return importlib.import_module(name)
    return pytest.importorskip(name, reason=f"{name} is not installed (pip install -e '.[test]')")


def aws_cli() -> str:
    """The ``aws`` executable installed beside this Python (the test extra), else the one on PATH."""
    beside = Path(sys.executable).with_name("aws")
    found = str(beside) if beside.exists() else shutil.which("aws")
    if found is None:
        if IN_CI:
            raise RuntimeError("the AWS CLI (awscli, from the test extra) is not installed")
        pytest.skip("the AWS CLI is not installed (pip install -e '.[test]')")
    return found


#: Fake credentials, distinctive enough to search the bundles for.
FAKE_KEY_ID = "AKIATRUSTMAPFAKEKEY1"
FAKE_SECRET = "trustmap-fake-secret-never-written"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Emulator:
    endpoint: str
    env: dict[str, str]  # the variables every AWS client here sees


@pytest.fixture(scope="package")
def emulator() -> Iterator[Emulator]:
    need_module("boto3")
    server_module = need_module("moto.server")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": FAKE_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",  # never send the emulator's traffic through a proxy
        "no_proxy": "127.0.0.1,localhost",
        # moto then lists every AWS managed policy (~1500, without PolicyName) in every account's
        # get-account-authorization-details: real-world variation the loader has to take in its stride.
        "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    }
    dropped = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_PROFILE")
    saved = {k: os.environ.get(k) for k in (*env, *dropped)}
    for key in dropped:
        os.environ.pop(key, None)
    os.environ.update(env)
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield Emulator(endpoint, env)
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="package")
def built_org(emulator: Emulator) -> Any:
    from tests.collect.org_builder import build_org

    return build_org()


@dataclass(frozen=True)
class Collected:
    path: Path
    exit_code: int
    stderr: str
    seconds: float
    operations: frozenset[tuple[str, str]]  # every (service, operation) a botocore client was asked for


@pytest.fixture(scope="package")
def org_bundle(built_org: Any, tmp_path_factory: pytest.TempPathFactory) -> Collected:
    """``trustmap collect --org`` run in-process, with every botocore operation it attempts recorded.

    The recorder is registered first on every client, so it sees an operation even if the
    collector's own guard would refuse it.
    """
    import botocore.session
    from click.testing import CliRunner

    from analyzer.cli import main

    out = tmp_path_factory.mktemp("org") / "bundle"
    seen: set[tuple[str, str]] = set()
    original = botocore.session.Session.create_client

    def recording_create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)

        def record(model: Any = None, **_: Any) -> None:
            seen.add((model.service_model.service_name, model.name))

        client.meta.events.register_first("before-call", record)
        return client

    args = [
        "collect", "--out", str(out), "--org", "--identity-account", built_org.identity,
        "--regions", "us-east-1,eu-west-1", "--max-attempts", "2", "--workers", "6",
    ]  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session.Session, "create_client", recording_create_client)
        started = time.monotonic()
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        seconds = time.monotonic() - started
    return Collected(out, result.exit_code, result.stderr, seconds, frozenset(seen))


@pytest.fixture(scope="package")
def cli_bundle(built_org: Any, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Collected:
    """``scripts/collect-with-aws-cli.sh`` run with the real AWS CLI, in the Test account."""
    import boto3

    aws = aws_cli()
    account = built_org.members["Test"]
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="auditor"
    )["Credentials"]
    out = tmp_path_factory.mktemp("cli") / "bundle"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(emulator.env)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
            "AWS_SESSION_TOKEN": credentials["SessionToken"],
            "AWS_MAX_ATTEMPTS": "2",
            "PATH": f"{Path(aws).parent}{os.pathsep}{env.get('PATH', '')}",
            "REGIONS": "us-east-1 eu-west-1",
            "IDENTITY_ACCOUNT": built_org.identity,
        }
    )
    script = Path(__file__).resolve().parents[2] / "scripts" / "collect-with-aws-cli.sh"
    started = time.monotonic()
    done = subprocess.run(
        ["bash", str(script), str(out)], env=env, capture_output=True, text=True, timeout=150, check=False
    )
    seconds = time.monotonic() - started
    return Collected(out, done.returncode, done.stderr, seconds, frozenset())
