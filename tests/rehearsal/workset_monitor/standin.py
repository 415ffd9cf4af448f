"""The Workset Monitor's world on this machine: a local AWS (moto in server mode) and a checkout.

`World.create(tmp)` starts moto_server on a free loopback port, writes an AWS CLI config with a
`daylily` profile (dummy credentials: moto accepts any) and copies `repo/` (the daylily checkout:
`daylib`, `bin/daylily-workset-api`, `iam-policy.json`, its integration tests) into the temp dir.
Before the deployment the account already holds the monitor's IAM role, as the seed's L26 assumes.
Everything the seed's `aws …` lines and Python blocks do then happens, for real, in that emulator.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE / "repo"
VENV_BIN = Path(sys.executable).parent
REGION = "us-west-2"
ACCOUNT_ID = "123456789012"  # moto's account
MONITOR_ROLE = "daylily-workset-monitor"
AWS_PROFILE = "daylily"
START_TIMEOUT_S = 60.0

TRUST_POLICY = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = START_TIMEOUT_S) -> None:
    """Until `url` answers at all (any status); fails early when `proc` died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode} before {url} answered")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@dataclass
class World:
    directory: Path  # the rehearsal's temp dir
    repo: Path  # the checkout the seed runs in
    moto: subprocess.Popen[bytes]
    moto_port: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.moto_port}"

    @classmethod
    def create(cls, directory: Path) -> World:
        directory.mkdir(parents=True, exist_ok=True)
        repo = directory / "daylily"
        shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        _write_aws_config(directory / "aws")
        moto, port = _start_moto(directory)
        world = cls(directory, repo, moto, port)
        world.boto("iam").create_role(RoleName=MONITOR_ROLE, AssumeRolePolicyDocument=TRUST_POLICY)
        return world

    def env(self) -> dict[str, str]:
        """The environment an operator of this account has: the AWS CLI's config and the endpoint."""
        aws = self.directory / "aws"
        return {
            "AWS_CONFIG_FILE": str(aws / "config"),
            "AWS_PROFILE": AWS_PROFILE,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def boto(self, service: str):  # type: ignore[no-untyped-def]
        import boto3

        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        return session.client(service, endpoint_url=self.endpoint)

    def state(self) -> dict[str, object]:
        """Everything moto holds, as its /moto-api/data.json shows it."""
        return httpx.get(f"{self.endpoint}/moto-api/data.json", timeout=10).json()  # type: ignore[no-any-return]

    def close(self) -> None:
        for proc in [*self.processes, self.moto]:
            stop(proc)


def _write_aws_config(aws: Path) -> None:
    aws.mkdir(parents=True, exist_ok=True)
    # The dummy keys sit in the config file (the CLI reads them there too): one file to point at.
    (aws / "config").write_text(
        f"[profile {AWS_PROFILE}]\nregion = {REGION}\noutput = json\n"
        "aws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    (aws / "config").chmod(0o600)


def _start_moto(directory: Path) -> tuple[subprocess.Popen[bytes], int]:
    """moto_server on a free port; another process may take the port first, so try a few."""
    log = directory / "moto.log"
    for _attempt in range(5):
        port = free_port()
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "false"},
            )
        try:
            wait_http(f"http://127.0.0.1:{port}/moto-api/", proc)
        except RuntimeError:
            continue  # the port was taken meanwhile
        except TimeoutError:
            stop(proc)
            raise
        return proc, port
    raise RuntimeError(f"moto_server did not start; see {log}")
