"""Real runs with a profile (real golive processes, real bash, real SQLite), on the seeds' own text:
pre-recorded answers attributed and marked, secrets by reference never written down, the shell set up
by the profile, and a resume that applies exactly the profile the run started with."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from golive.model import Commands
from golive.parse import parse_file
from golive.record.events import EventType
from golive.record.store import Store
from tests.conftest import seed
from tests.helpers import golive


def seed_block(prefix: str, line: int) -> str:
    """The fenced block of a seed that holds `line`, exactly as written."""
    path = seed(prefix)
    for _section, item in parse_file(path).walk():
        if isinstance(item, Commands) and item.line <= line <= item.end_line:
            return textwrap.dedent("\n".join(path.read_text().split("\n")[item.line - 1 : item.end_line]))
    raise AssertionError(f"no block at {prefix}:{line}")


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return golive(*args, cwd=tmp_path, env={**os.environ, **(env or {})}, timeout=120)


def show(tmp_path: Path, run_id: str = "last") -> dict[str, Any]:
    r = run(tmp_path, "show", run_id, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def steps(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in report["steps"]}


def line_of(path: Path, text: str) -> str:
    return "L" + str(next(n for n, line in enumerate(path.read_text().split("\n"), 1) if text in line))


# Seed 003, Step 5: the .env under /var/www/employee-system is reviewed, rewritten and locked down;
# then its checklist, and the QA Lead's sign-off.
def employees(tmp_path: Path, after: str = "") -> Path:
    return write(
        tmp_path / "DEPLOY.md",
        "# Employee Management System\n\n## Deployment Steps\n\n#### Step 5: Update Environment Variables\n"
        + seed_block("003", 224)
        + "\n\n**Checklist**:\n- [ ] Environment variables updated\n- [ ] Permissions set correctly\n\n"
        + after
        + "## Deployment Sign-Off\n\n**Sign-Off**:\n- [ ] QA Lead: _________________\n",
    )


def stand_in_app(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    (app / "backend").mkdir(parents=True)
    (app / "backend" / ".env").write_text("DATABASE_URL=sqlite:///old.db\n")
    return app


PROFILE = """
    name: rehearsal
    variables:
      DATABASE_URL: "postgresql://127.0.0.1:5432/employees_rehearsal"
    rewrite:
      paths: {"/var/www/employee-system": "${REHEARSAL_DIR}/app"}
    answers:
      - text: "Environment variables updated"
        by: "Ana Lima (DevOps)"
        answer: confirm
        reason: ".env rewritten by the step above"
      - text: "Permissions set correctly"
        by: "Ana Lima (DevOps)"
        answer: confirm
      - text: "QA Lead"
        by: "Quinn (QA lead)"
        answer: confirm
      - text: "cat >"
        by: "Ana Lima (DevOps)"
        answer: allow
        reason: "the .env is rewritten on purpose"
"""
# (The last answer is for seed 003 L227, `# Update if needed`: optional and destructive, so asked even
# with --yes; `allow` runs it.)


def test_pre_recorded_answers_let_the_run_pass_attributed_and_marked(tmp_path: Path) -> None:
    checklist, app = employees(tmp_path), stand_in_app(tmp_path)
    profile = write(tmp_path / "rehearsal.yaml", PROFILE)
    env = {"REHEARSAL_DIR": str(tmp_path)}
    r = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    dotenv = app / "backend" / ".env"
    assert "DATABASE_URL=postgresql://127.0.0.1:5432/employees_rehearsal\n" in dotenv.read_text()
    assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600
    sha = hashlib.sha256(profile.read_bytes()).hexdigest()
    mark = f"pre-recorded by profile rehearsal ({sha[:12]})"
    report = show(tmp_path)
    assert report["run"]["profile"] == {"name": "rehearsal", "path": str(profile), "sha256": sha}
    s = steps(report)
    updated, permissions = line_of(checklist, "Environment variables updated"), line_of(checklist, "Permissions set")
    assert s[updated]["status"] == "confirmed" and s[updated]["actor"] == "Ana Lima (DevOps)"
    assert s[updated]["reason"] == ".env rewritten by the step above" and s[updated]["prerecorded"] == mark
    assert s[permissions]["prerecorded"] == mark
    signoff = s[line_of(checklist, "QA Lead")]
    assert (signoff["status"], signoff["actor"], signoff["role"]) == ("confirmed", "Quinn (QA lead)", "QA Lead")
    assert signoff["prerecorded"] == mark
    rewrite = line_of(checklist, "cat >")
    assert all(
        step["prerecorded"] is None for step in s.values() if step["kind"] == "command" and step["id"] != rewrite
    )
    md = run(tmp_path, "report", "last", "--format", "md").stdout
    assert "- [x] QA Lead: _________________ — *✅ confirmed by Quinn (QA lead) (QA Lead) at " in md
    # three answers, and the consent to `cat > .env` ("destructive, allowed by Ana Lima (DevOps) (pre-recorded …)")
    assert md.count(mark) == 4 and f"environment profile `rehearsal` ({profile}, sha256 `{sha[:12]}…`)" in md
    for fmt in ("html", "junit"):
        assert mark in run(tmp_path, "report", "last", "--format", fmt).stdout
    shown = run(tmp_path, "show", "last", env={"COLUMNS": "220"}).stdout
    assert f"{mark}: .env rewritten by the step above" in shown and f"{mark}: QA Lead" in shown
    # The record names the profile, its sha256 and text; its answers are events in the people's names.
    store = Store.open(tmp_path / "golive-home")
    events = store.events(store.runs(1)[0].id)
    started = events[0].data["profile"]
    assert (started["name"], started["sha256"], started["text"]) == ("rehearsal", sha, profile.read_text())
    answers = [e for e in events if e.type == EventType.ANSWER]
    assert [(e.actor, e.data["prerecorded"]) for e in answers] == [
        ("Ana Lima (DevOps)", f"profile rehearsal ({sha[:12]})"),
        ("Ana Lima (DevOps)", f"profile rehearsal ({sha[:12]})"),
        ("Quinn (QA lead)", f"profile rehearsal ({sha[:12]})"),
        ("Ana Lima (DevOps)", f"profile rehearsal ({sha[:12]})"),
    ]


def test_without_its_answers_the_same_run_waits_for_a_person(tmp_path: Path) -> None:
    checklist, _app = employees(tmp_path), stand_in_app(tmp_path)
    profile = write(tmp_path / "rehearsal.yaml", PROFILE.split("    answers:")[0])
    r = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes",
            env={"REHEARSAL_DIR": str(tmp_path)})  # fmt: skip
    assert r.returncode == 3, r.stdout + r.stderr
    assert show(tmp_path)["paused"]["item"] == line_of(checklist, "cat >")  # L227 "if needed": a person decides


def test_a_profile_that_forbids_pre_recorded_answers_refuses_them_before_a_run_exists(tmp_path: Path) -> None:
    checklist = employees(tmp_path)
    profile = write(tmp_path / "production.yaml", "name: production\nallow_prerecorded: false\n" + textwrap.dedent(
        PROFILE.split("    answers:")[1].join(["answers:", ""])))  # fmt: skip
    r = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes",
            env={"REHEARSAL_DIR": str(tmp_path)})  # fmt: skip
    assert r.returncode == 2
    assert f"{profile.resolve()}:3: profile production forbids pre-recorded answers" in r.stderr
    assert json.loads(run(tmp_path, "runs", "--json").stdout) == []


def test_secrets_by_reference_reach_the_commands_and_never_the_record(tmp_path: Path) -> None:
    # Seed 004's bot configuration: BOT_TOKEN and ADMIN_PASSWORD are placeholders the profile fills by reference.
    checklist = write(
        tmp_path / "DEPLOY.md",
        "# RecruitSmart Admin\n\n## Deployment\n\n### Bot Configuration\n\n"
        + seed_block("004", 49)
        + '\n\n### Use them\n\n```bash\nprintf %s "$ADMIN_PASSWORD" | sha256sum > admin.sha\n'
        + 'echo "bot $BOT_TOKEN admin $ADMIN_USER:$ADMIN_PASSWORD"\n```\n',
    )
    profile = write(
        tmp_path / "rehearsal.yaml",
        """
        name: rehearsal
        secrets:
          ADMIN_PASSWORD: {env: REHEARSAL_ADMIN_PASSWORD}
          BOT_TOKEN: {env: REHEARSAL_BOT_TOKEN}
        """,
    )
    password, token = "correct-horse-battery-staple", "7654321:rehearsal-bot-token-value"
    secrets = {"REHEARSAL_ADMIN_PASSWORD": password, "REHEARSAL_BOT_TOKEN": token}
    r = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes", env=secrets)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "admin.sha").read_text().split()[0] == hashlib.sha256(password.encode()).hexdigest()
    for fmt in ("md", "html", "json", "junit"):
        run(tmp_path, "report", "last", "--format", fmt, "-o", str(tmp_path / "golive-home" / f"report.{fmt}"))
    leaked = [
        str(p)
        for p in (tmp_path / "golive-home").rglob("*")
        if p.is_file() and (password.encode() in p.read_bytes() or token.encode() in p.read_bytes())
    ]
    assert leaked == [] and password not in r.stdout and token not in r.stdout
    assert "bot *** admin admin:***" in r.stdout
    missing = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes")
    assert missing.returncode == 2
    assert "secret ADMIN_PASSWORD needs $REHEARSAL_ADMIN_PASSWORD, which is not set" in missing.stderr


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_path_prefix_environment_and_prelude_reach_the_commands(tmp_path: Path) -> None:
    # Seed 003, Step 2: stop the application (systemd, Docker or PM2), then check it no longer answers.
    heading = "# Employees\n\n## Deployment\n\n### Step 2: Stop Application\n"
    checklist = write(tmp_path / "DEPLOY.md", heading + seed_block("003", 157))
    bin_dir = tmp_path / "stand-ins"
    bin_dir.mkdir()
    compose = bin_dir / "docker-compose"
    compose.write_text('#!/usr/bin/env bash\necho "docker-compose $* project=$COMPOSE_PROJECT_NAME" >>"$STANDIN_LOG"\n')
    compose.chmod(0o755)
    profile = write(
        tmp_path / "rehearsal.yaml",
        f"""
        name: rehearsal
        choices: {{"Step 2": docker}}
        rewrite:
          urls: {{"http://localhost:8000": "http://127.0.0.1:{closed_port()}"}}
        path_prefix: [stand-ins]
        env:
          STANDIN_LOG: "${{LOGS}}/calls.log"
        prelude: |
          export COMPOSE_PROJECT_NAME="employees-$(basename "$LOGS")"
        """,
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    r = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes",
            env={"LOGS": str(logs)})  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert (logs / "calls.log").read_text() == "docker-compose down project=employees-logs\n"
    s = steps(show(tmp_path))
    assert s[line_of(checklist, "docker-compose down")]["status"] == "passed"
    assert s[line_of(checklist, "pm2 stop all")]["status"] == "not_run"
    chosen = s["C" + line_of(checklist, "sudo systemctl stop")[1:]]
    assert chosen["reason"].startswith("option 2: Docker (profile rehearsal (") and "Step 2=docker" in chosen["reason"]
    health = s[line_of(checklist, "curl http://localhost:8000/health")]
    assert health["status"] == "passed" and "expected to fail" in health["reason"]
    assert health["text"].startswith("curl http://127.0.0.1:")


def test_a_prelude_that_fails_fails_the_run_before_any_step(tmp_path: Path) -> None:
    checklist = write(tmp_path / "DEPLOY.md", "# D\n\n## Steps\n\n```bash\ntouch ran\n```\n")
    profile = write(tmp_path / "p.yaml", "prelude: |\n  source ./missing-rehearsal-env.sh\n")
    r = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes")
    assert r.returncode == 1 and not (tmp_path / "ran").exists()
    report = show(tmp_path)
    assert report["run"]["status"] == "failed" and report["steps"][0]["status"] == "pending"
    assert "the prelude of profile p (" in r.stdout and "missing-rehearsal-env.sh" in r.stdout
    assert "missing-rehearsal-env.sh" in report["warnings"][0]


def test_a_resume_applies_the_same_profile_and_refuses_a_changed_one(tmp_path: Path) -> None:
    later = "### Verify\n\n```bash\nstat -c %a /var/www/employee-system/backend/.env\n# Expected: 600\n```\n\n"
    checklist, _app = employees(tmp_path, after=later), stand_in_app(tmp_path)
    text = PROFILE.split("    answers:")[0] + "    secrets:\n      ADMIN_PASSWORD: {env: REHEARSAL_ADMIN_PASSWORD}\n"
    profile = write(tmp_path / "rehearsal.yaml", text)
    env = {"REHEARSAL_DIR": str(tmp_path), "REHEARSAL_ADMIN_PASSWORD": "s3cret-for-the-rehearsal"}
    first = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes", env=env)
    assert first.returncode == 3, first.stdout + first.stderr
    run_id = show(tmp_path)["run"]["id"]
    for item in ("Environment variables updated", "Permissions set", "QA Lead"):
        assert run(tmp_path, "confirm", run_id, line_of(checklist, item), "--as", "Ana").returncode == 0
    assert run(tmp_path, "confirm", run_id, line_of(checklist, "cat >"), "--allow", "--as", "Ana").returncode == 0
    original = profile.read_bytes()
    profile.write_bytes(original + b"# tuned after the run started\n")
    changed = run(tmp_path, "resume", run_id, env=env)
    assert changed.returncode == 2 and f"profile {profile.resolve()} changed since run {run_id}" in changed.stderr
    profile.write_bytes(original)
    no_secret = run(tmp_path, "resume", run_id, env={"REHEARSAL_DIR": str(tmp_path)})
    assert no_secret.returncode == 2 and "$REHEARSAL_ADMIN_PASSWORD, which is not set" in no_secret.stderr
    # Even with the environment changed, the resumed run rewrites as it started: ${REHEARSAL_DIR} was recorded.
    resumed = run(tmp_path, "resume", run_id, env={**env, "REHEARSAL_DIR": "/nowhere"})
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    verify = steps(show(tmp_path))[line_of(checklist, "stat -c %a")]
    assert verify["status"] == "passed" and verify["text"] == f"stat -c %a {tmp_path}/app/backend/.env"
    # Rolling back is never refused for it: the run is undone with the profile it recorded.
    profile.write_bytes(original + b"# tuned again\n")
    rollback = run(tmp_path, "rollback", run_id, env=env)
    assert rollback.returncode == 0, rollback.stdout + rollback.stderr
    assert "the rollback applies the profile as the run recorded it" in rollback.stdout


# Seed 001 Step 4 "Verify critical packages" (L139 `pip show sqlite3`, which fails everywhere: sqlite3 ships
# with Python) and seed 000's "# Run tests (if available)" (L31), answered by the profile.
PACKAGES = """
    # JobSearchAI

    ## Deployment Steps

    ### Step 4: Verify packages

    ```bash
    # Verify critical packages
    pip show sqlite3
    python3 -c "open('imported.txt', 'w').write('ok')"
    # Run tests (if available)
    python3 -c "open('tested.txt', 'w').write('ok')"
    # Migrate the data
    python3 -c "open('migrated.txt', 'w').write('ok')"
    ```
"""


def test_a_profile_skips_or_does_any_command_in_a_named_persons_name_and_says_so(tmp_path: Path) -> None:
    checklist = write(tmp_path / "DEPLOY.md", PACKAGES)
    pip, tests, migrate = (line_of(checklist, t) for t in ("pip show", "tested.txt", "migrated.txt"))
    profile = write(
        tmp_path / "rehearsal.yaml",
        f"""
        name: rehearsal
        answers:
          - {{step: {pip}, skip: "sqlite3 is not a pip package; the next line imports the database layer", by: Ravi}}
          - {{item: {tests}, answer: confirm, by: Nikhil}}
          - {{step: {migrate}, done: "migrated at the DBA's terminal (interactive)", by: Dana}}
        """,
    )
    stand_in = tmp_path / "bin"
    stand_in.mkdir()
    (stand_in / "pip").write_text('#!/bin/sh\necho ran >> "$(dirname "$0")/pip-calls"\nexit 1\n')
    (stand_in / "pip").chmod(0o755)
    env = {"PATH": f"{stand_in}:{os.environ['PATH']}"}
    r = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes", env=env)

    assert r.returncode == 0, r.stdout + r.stderr
    assert not (stand_in / "pip-calls").exists(), "a skipped command ran"
    assert not (tmp_path / "migrated.txt").exists(), "a command done by hand ran again"
    assert (tmp_path / "imported.txt").exists() and (tmp_path / "tested.txt").exists()
    mark = f"pre-recorded by profile rehearsal ({hashlib.sha256(profile.read_bytes()).hexdigest()[:12]})"
    s = steps(show(tmp_path))
    assert (s[pip]["status"], s[pip]["actor"], s[pip]["prerecorded"]) == ("skipped", "Ravi", mark)
    assert "sqlite3 is not a pip package" in s[pip]["reason"]
    assert (s[migrate]["status"], s[migrate]["actor"], s[migrate]["prerecorded"]) == ("confirmed", "Dana", mark)
    assert s[migrate]["reason"] == "Dana did it by hand: migrated at the DBA's terminal (interactive)"
    assert (s[tests]["status"], s[tests]["prerecorded"]) == ("passed", f"confirm by Nikhil, {mark}")


def seed_lines(prefix: str, first: int, last: int) -> str:
    return "\n".join(seed(prefix).read_text().split("\n")[first - 1 : last])


def test_apply_merges_seed_000_rollback_json_into_the_config_file_in_a_named_persons_name(tmp_path: Path) -> None:
    """Seed 000 L224 `{"download_monitor": {"enabled": false}}` under "Immediate: Disable in config"."""
    rollback = seed_lines("000", 220, 226)
    assert '{"download_monitor": {"enabled": false}}' in rollback
    checklist = write(tmp_path / "DEPLOY.md", "# CV Download Monitor\n\n## Deployment\n\n```bash\nfalse\n```\n\n")
    checklist.write_text(checklist.read_text() + rollback + "\n")
    immediate, block = line_of(checklist, "Disable in config"), line_of(checklist, "```json")
    config = tmp_path / "monitor_data" / "config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"emp_id": 999, "download_monitor": {"enabled": True, "api_url": "http://x"}}))
    profile = write(
        tmp_path / "rehearsal.yaml",
        f"""
        name: rehearsal
        answers:
          - {{step: {immediate}, done: "the block below is applied by golive", by: Omar}}
        apply:
          - item: {block}
            file: monitor_data/config.json
            by: Omar
        """,
    )
    r = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes",
            "--rollback-on-failure")  # fmt: skip

    assert r.returncode == 1, r.stdout + r.stderr  # failed, and rolled back
    assert json.loads(config.read_text()) == {
        "emp_id": 999,
        "download_monitor": {"enabled": False, "api_url": "http://x"},
    }
    s = steps(show(tmp_path))[block]
    assert (s["status"], s["actor"]) == ("passed", "Omar")
    assert f"merged the block's keys into {config} (download_monitor.enabled = false)" in s["reason"]
    assert "applied by golive for Omar, as profile rehearsal" in s["reason"]
    plan = run(tmp_path, "plan", str(checklist), "--profile", str(profile)).stdout
    assert f"apply {block} to {config} (merge) by Omar" in plan


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("{item: L1, file: x.json, by: Omar}", "no step at L1"),
        ("{item: L6, file: x.json, by: Omar}", "L6 is a command"),
        (
            "{text: '{\"download_monitor\"', file: x.conf, how: replace, by: Omar}",
            "how: Input should be 'merge', 'write' or 'append'",
        ),
    ],
)
def test_an_apply_entry_that_cannot_write_its_block_is_an_error_at_its_line(
    tmp_path: Path, entry: str, says: str
) -> None:
    checklist = write(tmp_path / "DEPLOY.md", "# CV\n\n## Deployment\n\n```bash\nfalse\n```\n\n")
    checklist.write_text(checklist.read_text() + seed_lines("000", 220, 226) + "\n")
    profile = write(tmp_path / "rehearsal.yaml", f"name: r\napply:\n  - {entry}\n")
    r = run(tmp_path, "plan", str(checklist), "--profile", str(profile))
    assert r.returncode == 2 and "rehearsal.yaml:3: " in r.stderr and says in r.stderr, r.stderr


def test_a_destructive_command_a_person_judges_takes_the_profiles_allow_and_its_judgement(tmp_path: Path) -> None:
    """Seed 003 L361 `curl -X DELETE …/employees/999` with `# Expected: 204 No Content`: Quinn allows the
    delete and judges its (empty) output; both answers are hers, both pre-recorded."""
    checklist = write(
        tmp_path / "DEPLOY.md",
        """
        # Clean the cache

        ## Deployment Steps

        ```bash
        mkdir -p old-cache && rm -rf old-cache && echo cleaned
        # Expected: the old cache directory is gone
        ```
        """,
    )
    command = line_of(checklist, "rm -rf old-cache")
    profile = write(
        tmp_path / "rehearsal.yaml",
        f"""
        name: rehearsal
        answers:
          - {{item: {command}, answer: allow, by: Quinn Adams, reason: "the cache is rebuilt at start"}}
          - {{item: {command}, answer: passed, by: Quinn Adams, reason: "old-cache is gone"}}
        """,
    )
    r = run(tmp_path, "run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes")
    assert r.returncode == 0, r.stdout + r.stderr
    s = steps(show(tmp_path))[command]
    assert (s["status"], s["actor"]) == ("passed", "Quinn Adams")
    assert "judged by a person" in s["reason"] and not (tmp_path / "old-cache").exists()
