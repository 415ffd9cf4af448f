"""Each seed's own verifications, written as annotations in a copy of the seed (the seeds stay as
they are), checked against a small healthy stand-in of its system and against a broken one.

The annotations go under the seed's own headings; the test reads the annotated copy like any
checklist, finds each check planned as a step of that section, and runs the checks.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest

from golive import plan as planning
from golive.checks.base import Context, Result, failed
from golive.checks.execute import execute
from golive.checks.template import MissingVariable, fill
from golive.parse import parse_text
from golive.plan import Kind
from tests.checks.conftest import PASSWORD, REDIS_URL, App
from tests.conftest import seed

# seed -> [(the heading the checks go under, the checks)]
ANNOTATIONS: dict[str, list[tuple[str, str]]] = {
    "000": [
        ("### Configuration", "- file: monitor_data/config.json\n  json: {download_monitor.enabled: false}"),
        ("### Verification Checklist", "- secrets: backend/"),
        (
            "### Performance Testing",
            '- process: "{{ MONITOR }}"\n  sample: 2s\n  expect: {cpu_percent: "<1", rss_mb: "<20"}',
        ),
        ("### Pre-Release", "- git: {clean: true, tag: v0.1.19}"),
    ],
    "001": [
        (
            "### Step 5: Initialize/Update Database Schema",
            "- sql: sqlite:///instance/jobsearchai.db\n  tables: [job_matches, cv_versions, scrape_history]",
        ),
        (
            "### Step 9: Restart Services",
            '- log: logs/app.log\n  since: file\n  absent: ["OperationalError: database is locked"]',
        ),
    ],
    "002": [
        (
            "### Step 5: Deploy API Server",
            '- http: GET {{ API }}/health\n  expect: {status: 200, ms: "<2000"}\n- tcp: "{{ API_ADDRESS }}"',
        ),
    ],
    "003": [
        (
            "#### Step 9: Run Smoke Tests",
            "- http: GET {{ API }}/health\n  expect: {status: 200, json: {status: healthy}}\n"
            '- http: POST {{ API }}/login\n  form: {username: admin, password: "{{ ADMIN_PASSWORD }}"}\n'
            "  capture: {TOKEN: json.access_token}\n"
            '- http: GET {{ API }}/me\n  auth: {bearer: "{{ TOKEN }}"}\n  expect: {json: {user: admin}}',
        ),
        (
            "#### Step 7: Verify Database Integrity",
            '- sql: "{{ DATABASE_URL }}"\n  query: SELECT COUNT(*) FROM employees\n  expect: {value: ">0"}',
        ),
    ],
    "004": [
        (
            "### 1. Prepare Environment",
            "- env: [ENVIRONMENT, DATABASE_URL, REDIS_URL, SESSION_SECRET, NOTIFICATION_BROKER]\n"
            "  rules: {ENVIRONMENT: {equals: production}, SESSION_SECRET: {min_length: 32},\n"
            "          DATABASE_URL: {scheme: postgresql}, NOTIFICATION_BROKER: {equals: redis},\n"
            "          DATA_DIR: {outside: repo, writable: true}}\n"
            '- version: postgresql\n  url: "{{ DATABASE_URL }}"\n  at_least: "12"\n'
            '- version: redis\n  url: "{{ REDIS_URL }}"\n  at_least: "5"',
        ),
        ("#### Redis Connectivity", '- redis: "{{ REDIS_URL }}"'),
    ],
}


def annotated(prefix: str) -> str:
    """A copy of the seed's text with a ```golive block under each named heading."""
    lines = seed(prefix).read_text().split("\n")
    for heading, checks in reversed(ANNOTATIONS[prefix]):
        at = next(i for i, line in enumerate(lines) if line.strip() == heading)
        lines[at + 1 : at + 1] = ["", "```golive", *checks.split("\n"), "```"]
    return "\n".join(lines)


@dataclass
class StandIn:
    """A seed's system in miniature: a working directory, variables, and what makes it break."""

    root: Path
    variables: dict[str, str] = field(default_factory=dict)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _build(prefix: str, root: Path, app: App, pg_url: str, healthy: bool) -> StandIn:
    s = StandIn(root, {"API": app.url, "API_ADDRESS": app.url.removeprefix("http://")})
    app.broken = not healthy
    if prefix == "002" and not healthy:  # its API server did not start
        s.variables |= {"API": "http://127.0.0.1:9", "API_ADDRESS": "127.0.0.1:9"}
    if prefix == "000":
        (root / "monitor_data").mkdir()
        config = {"download_monitor": {"enabled": not healthy, "api_url": "http://ats-tool.test/api"}}
        (root / "monitor_data" / "config.json").write_text(json.dumps(config))
        (root / "backend").mkdir()
        code = "import os\nTOKEN = os.environ['CV_CAPTURE_AUTH_TOKEN']\n"
        if not healthy:
            code += 'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\n'
        (root / "backend" / "download_monitor.py").write_text(code)
        _git(root, "init", "-q", "-b", "main")
        _git(root, "-c", "user.email=t@x", "-c", "user.name=T", "add", ".")
        _git(root, "-c", "user.email=t@x", "-c", "user.name=T", "commit", "-qm", "v0.1.19")
        if healthy:
            _git(root, "tag", "v0.1.19")
        s.variables["MONITOR"] = f"emp_monitor_{root.name[-12:]}"
    elif prefix == "001":
        (root / "instance").mkdir()
        with sqlite3.connect(root / "instance" / "jobsearchai.db") as conn:
            for table in ("job_matches", "cv_versions", "scrape_history")[: 3 if healthy else 2]:
                conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY)")
        (root / "logs").mkdir()
        log = "INFO started\n" + ("" if healthy else "ERROR sqlite3.OperationalError: database is locked\n")
        (root / "logs" / "app.log").write_text(log)
    elif prefix == "003":
        s.variables |= {"DATABASE_URL": pg_url, "ADMIN_PASSWORD": PASSWORD}
        if not healthy:
            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute("DELETE FROM employees")
    elif prefix == "004":
        (root / "repo" / "data").mkdir(parents=True)
        (root / "data").mkdir()
        s.variables |= {
            "ENVIRONMENT": "production" if healthy else "development",
            "DATABASE_URL": pg_url if healthy else "sqlite:///recruitsmart.db",
            "REDIS_URL": REDIS_URL,
            "SESSION_SECRET": "s" * 48 if healthy else "changeme",
            "NOTIFICATION_BROKER": "redis" if healthy else "memory",
            "DATA_DIR": str(root / ("data" if healthy else "repo/data")),
        }
    return s


@pytest.fixture
def monitor(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        p.kill()
        p.wait()


def _run(prefix: str, text: str, stand_in: StandIn) -> dict[str, Result]:
    plan = planning.build(parse_text(text, f"{prefix}-annotated.md"))
    steps = [s for s in plan.steps if s.kind is Kind.CHECK and s.check is not None]
    results: dict[str, Result] = {}
    env = dict(stand_in.variables)

    async def go() -> None:
        ctx = Context(cwd=stand_in.root, env=env)
        try:
            for step in steps:  # in document order, so a capture reaches the checks after it
                assert step.check is not None
                try:
                    data = fill(step.check.data, lambda name: env.get(name))
                except MissingVariable as missing:  # a capture of a check that failed
                    results[f"{step.id} {step.check.type}"] = failed(f"{missing.name} is not set")
                    continue
                results[f"{step.id} {step.check.type}"] = result = await execute(data, ctx)
                env.update(result.captured)
        finally:
            await ctx.close()

    asyncio.run(go())
    return results


@pytest.mark.parametrize("prefix", sorted(ANNOTATIONS))
def test_each_seed_annotated_passes_healthy_and_fails_broken(
    prefix: str, tmp_path: Path, app: App, pg_url: str, monitor: list[subprocess.Popen[bytes]]
) -> None:
    before = hashlib.sha256(seed(prefix).read_bytes()).hexdigest()
    text = annotated(prefix)
    checklist = parse_text(text, f"{prefix}-annotated.md")
    plan = planning.build(checklist)
    checks = [s for s in plan.steps if s.kind is Kind.CHECK]
    written = sum(block.count("\n- ") + 1 for _h, block in ANNOTATIONS[prefix])
    assert len(checks) == written, [s.label for s in checks]
    for heading, _block in ANNOTATIONS[prefix]:
        title = heading.lstrip("# ")
        assert any(s.section.title == title for s in checks), f"no check planned under {heading}"

    (tmp_path / "healthy").mkdir()
    healthy = _build(prefix, tmp_path / "healthy", app, pg_url, healthy=True)
    if prefix == "000":
        monitor.append(_start_monitor(tmp_path, healthy.variables["MONITOR"]))
    passed = _run(prefix, text, healthy)
    assert all(r.passed for r in passed.values()), {k: r.reason for k, r in passed.items() if not r.passed}

    for p in monitor:
        p.kill()
        p.wait()
    (tmp_path / "broken").mkdir()
    broken = _build(prefix, tmp_path / "broken", app, pg_url, healthy=False)
    failed = _run(prefix, text, broken)
    assert not any(r.passed for r in failed.values() if not _unaffected(prefix, r)), {
        k: r.reason for k, r in failed.items()
    }
    for expected in BROKEN_REASONS[prefix]:
        assert any(expected in r.reason for r in failed.values()), (expected, [r.reason for r in failed.values()])
    assert "changeme" not in json.dumps({k: (r.reason, r.measured) for k, r in failed.items()})
    assert hashlib.sha256(seed(prefix).read_bytes()).hexdigest() == before


def _unaffected(prefix: str, result: Result) -> bool:
    """Checks the broken stand-in does not break (the same Redis serves both)."""
    return prefix == "004" and ("PONG" in result.reason or "redis version" in result.reason)


# What the broken stand-in's failures must say: the measured value beside the expectation.
BROKEN_REASONS = {
    "000": [
        "download_monitor.enabled is true, expected false",
        "backend/: download_monitor.py:3 (AWS Access Key",
        ": processes 0, want ≥ 1",
        "HEAD tags: none, want v0.1.19",
    ],
    "001": ["tables missing: scrape_history", "'OperationalError: database is locked': 1 line(s) in the file"],
    "002": ["could not connect", "127.0.0.1:9 is closed"],
    "003": ["status 503, want 200", "status 401, want < 400", "value 0, want > 0"],
    "004": [
        "ENVIRONMENT is 'development', want 'production'",
        "SESSION_SECRET: 8 characters, want ≥ 32",
        "DATABASE_URL scheme sqlite, want postgresql",
        "is inside",
        "NOTIFICATION_BROKER is 'memory', want 'redis'",
    ],
}


def _start_monitor(tmp_path: Path, name: str) -> subprocess.Popen[bytes]:
    """A monitor that idles, like the seed's; returned once its interpreter has started (that costs CPU)."""
    import time

    script, ready = tmp_path / f"{name}.py", tmp_path / f"{name}.ready"
    script.write_text(f"import pathlib, time\npathlib.Path({str(ready)!r}).touch()\nwhile True:\n    time.sleep(1)\n")
    proc = subprocess.Popen([sys.executable, str(script)])
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return proc
