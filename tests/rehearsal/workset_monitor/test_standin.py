"""The stand-in, driven by the seed's own commands (read from ../shared/seeds, never copied) with the
substitutions the rehearsal profile makes: the API's port, the placeholders' values, the DAY-EC
python. Green here means every `aws …`, Python and curl line of seed 002 works against it."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from tests.conftest import seed
from tests.rehearsal.rehearsing import seed_commands
from tests.rehearsal.workset_monitor.standin import (
    ACCOUNT_ID,
    MONITOR_ROLE,
    REGION,
    VENV_BIN,
    World,
    free_port,
    wait_http,
)

pytestmark = pytest.mark.slow
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:daylily-workset-alerts"


class Operator:
    """A terminal in the checkout, with the rehearsal's substitutions applied to each command."""

    def __init__(self, world: World, api_port: int) -> None:
        self.world = world
        self.commands = seed_commands(seed("002"))
        self.substitutions = {
            "--port 8000": f"--port {api_port}",
            "http://localhost:8001": f"http://127.0.0.1:{api_port}",
            "YOUR_MONITOR_ROLE": MONITOR_ROLE,
            "${YOUR_ACCOUNT_ID}": ACCOUNT_ID,
            "YOUR_TOPIC_ARN": TOPIC_ARN,
            "your-email@example.com": "oncall@rehearsal.example",
            "~/miniconda3/envs/DAY-EC/bin/python": sys.executable,
            "pkill -f daylily-workset-api": f"pkill -f 'daylily-workset-api .*--port {api_port}'",
        }
        self.env = {
            **os.environ,
            **world.env(),
            "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
            "PYTHONPATH": str(world.repo),
            "DAYLILY_API_URL": f"http://127.0.0.1:{api_port}",
        }

    def text(self, line: int) -> str:
        text = self.commands[line]
        for old, new in self.substitutions.items():
            text = text.replace(old, new)
        return text

    def run(self, line: int, python: bool = False) -> subprocess.CompletedProcess[str]:
        args = ["python3", "-"] if python else ["bash", "-c", self.text(line)]
        return subprocess.run(
            args,
            input=self.text(line) if python else None,
            cwd=self.world.repo,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def start(self, line: int) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            ["bash", "-c", "exec " + self.text(line)],
            cwd=self.world.repo,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.world.processes.append(proc)
        return proc


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_seeds_commands_deploy_the_workset_monitor(world: World) -> None:
    port = free_port()
    op = Operator(world, port)

    assert "Table created" in ok(op.run(33))
    table = world.boto("dynamodb").describe_table(TableName="daylily-worksets")["Table"]
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "state-priority-index"

    ok(op.run(53))
    assert ok(op.run(59)) == ""  # the seed's AWS_ACCOUNT_ID=$(…): works once AWS_PROFILE names a profile
    ok(op.run(63))
    attached = world.boto("iam").list_attached_role_policies(RoleName=MONITOR_ROLE)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["DaylilyWorksetMonitorPolicy"]

    assert TOPIC_ARN in ok(op.run(91))
    ok(op.run(96))
    subscriptions = world.boto("sns").list_subscriptions_by_topic(TopicArn=TOPIC_ARN)["Subscriptions"]
    assert [s["Endpoint"] for s in subscriptions] == ["oncall@rehearsal.example"]

    api = op.start(115)
    wait_http(f"http://127.0.0.1:{port}/", api)
    assert httpx.get(f"http://127.0.0.1:{port}/").json()["scheduler"] == "enabled"
    assert httpx.get(f"http://127.0.0.1:{port}/docs").status_code == 200
    assert '"state":"ready"' in ok(op.run(131))
    assert '"workset_id":"test-001"' in ok(op.run(141))
    assert '"ready_worksets":1' in ok(op.run(144))

    ok(op.run(155, python=True))
    assert "Test notification" in str(world.state()["sns"])

    tests = ok(op.run(183))
    assert "19 passed" in tests, tests

    ok(op.run(246))
    api.wait(timeout=30)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_the_planted_fault_breaks_queue_stats_only(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    op = Operator(world, port)
    op.env["DAYLILY_FAULT"] = "queue-stats"
    ok(op.run(33))
    api = op.start(115)
    wait_http(f"http://127.0.0.1:{port}/", api)
    ok(op.run(131))
    assert httpx.get(f"http://127.0.0.1:{port}/worksets/test-001").status_code == 200
    stats = httpx.get(f"http://127.0.0.1:{port}/queue/stats")
    assert stats.status_code == 500
    assert ok(op.run(144)) == "Internal Server Error"  # the seed's curl (no -f) still exits 0
    assert "state-priority-idx" in (world.repo / "logs" / "workset-api.log").read_text()


def test_the_api_refuses_to_start_without_its_table(world: World) -> None:
    op = Operator(world, free_port())
    api = op.start(115)
    assert api.wait(timeout=60) == 1
    assert "does not exist" in (world.repo / "logs" / "workset-api.log").read_text()
