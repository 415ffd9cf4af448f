"""Seed 002 rehearsed end to end, unmodified, against its stand-in (see README.md).

`golive run` with the profile rehearsal.yaml, --non-interactive: every `aws …` line goes to moto through
the real AWS CLI, the API server runs on loopback. The planted fault (DAYLILY_FAULT=queue-stats: the
API queries an index that does not exist) is caught by the check on L149 "Queue stats work" (the seed's
own curl at L144 exits 0 on a 500), and --rollback-on-failure stops the API (L246).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import seed
from tests.rehearsal.rehearsing import markdown_is_complete, rehearse
from tests.rehearsal.workset_monitor.standin import World, free_port

PROFILE = Path(__file__).with_name("rehearsal.yaml")
PLACEHOLDERS = ("YOUR_MONITOR_ROLE", "YOUR_TOPIC_ARN", "YOUR_ACCOUNT_ID", "your-email@example.com", "<commit-hash>")
RUN_OPTIONS = ("--yes",)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("golive.profile") is None, reason="needs environment profiles"),
]
COMMANDS = ["L33", "L53", "L59", "L63", "L91", "L96", "L131", "L141", "L144", "L155", "L183"]


def env_for(world: World, port: int) -> dict[str, str]:
    return {
        "REHEARSAL_DIR": str(world.directory),
        "API_PORT": str(port),
        "MOTO_ENDPOINT": world.endpoint,
        "DAY_EC_PYTHON": sys.executable,
        "REHEARSAL_LINEAR_API_KEY": "lin_api_unused_in_the_rehearsal",
    }


def test_seed_002_deploys_the_workset_monitor_on_moto(world: World) -> None:
    port = free_port()
    run = rehearse(seed("002"), PROFILE, world.repo, env_for(world, port), *RUN_OPTIONS, "--services", "stop")
    assert run.code == 0, run.why()
    outcomes = run.outcomes()
    assert set(COMMANDS) <= outcomes["passed"]
    assert "L115" in outcomes["passed"] | outcomes.get("service", set())  # the API server, kept running
    assert "L68" in outcomes["not_run"]  # Option B, the inline policy: not chosen
    assert "failed" not in outcomes and "paused" not in outcomes
    for command in run.commands_run():
        assert not any(p in command for p in PLACEHOLDERS), f"ran with a placeholder: {command}"
    assert "19 passed" in "".join(o["text"] for o in run.step("L183")["output"])
    for key in (k for k in outcomes.get("passed", set()) | outcomes.get("failed", set()) if k.endswith(".check")):
        assert run.step(key)["status"] == "passed", run.step(key)["reason"]
    assert markdown_is_complete(run, seed("002")) == []

    # What the deployment left in the account
    policies = world.boto("iam").list_attached_role_policies(RoleName="daylily-workset-monitor")["AttachedPolicies"]
    assert [p["PolicyName"] for p in policies] == ["DaylilyWorksetMonitorPolicy"]
    assert "Test notification" in str(world.state()["sns"])


def test_failing_queue_stats_are_caught_at_l149_and_the_api_stopped(world: World) -> None:
    port = free_port()
    os.environ["DAYLILY_FAULT"] = "queue-stats"
    try:
        run = rehearse(seed("002"), PROFILE, world.repo, env_for(world, port), *RUN_OPTIONS, "--rollback-on-failure")
    finally:
        del os.environ["DAYLILY_FAULT"]
    assert run.code == 1, run.why()
    assert run.report["run"]["status"] == "rolled_back"
    assert run.step("L144")["status"] == "passed"  # the seed's curl (no -f) exits 0 on the 500
    failed = run.step("L149.1.check")  # the profile's check after L149
    assert failed["status"] == "failed" and "500" in failed["reason"]
    assert run.step("L246")["status"] == "passed"
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
