"""Checks in a real `golive run`: steps recorded like commands, variables from the session, captures,
secrets masked everywhere, concurrency, refusal of bad annotations, dry-run, reports."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from tests.checks.conftest import PASSWORD, TOKEN, App
from tests.helpers import golive

SECRET = "zq-session-secret-0123456789-abcdefghijkl"  # 40 characters, never to be written down


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "DEPLOY.md"
    path.write_text(text)
    return path


def _everything_written(tmp_path: Path, home: Path, run_id: str) -> str:
    """Every report format, `golive show`, and the raw store: all that golive ever wrote down."""
    out = []
    for fmt in ("md", "html", "json", "junit"):
        out.append(golive("report", run_id, "--format", fmt, cwd=tmp_path).stdout)
    out.append(golive("show", run_id, cwd=tmp_path).stdout)
    out.append(golive("show", run_id, "--json", cwd=tmp_path).stdout)
    with sqlite3.connect(home / "golive.db") as conn:
        for table in ("events", "outputs"):
            out += [repr(row) for row in conn.execute(f"SELECT * FROM {table}")]
    for path in home.rglob("*"):
        if path.is_file() and path.suffix in (".md", ".log", ".json"):
            out.append(path.read_text(errors="replace"))
    return "\n".join(out)


CHECKLIST = """# Deploy the API

## Pre-Deployment

```bash
export DATABASE_URL={pg}
```

```golive
- env: [DATABASE_URL, SESSION_SECRET]
  rules: {{SESSION_SECRET: {{min_length: 32}}, DATABASE_URL: {{scheme: postgresql}}}}
- sql: "{{{{ DATABASE_URL }}}}"
  query: SELECT COUNT(*) FROM employees
  expect: {{value: ">0"}}
- redis: redis://127.0.0.1:6379/0
```

## Verification

```golive
- http: GET {url}/health
  expect: {{status: 200, json: {{status: healthy}}}}
- http: POST {url}/login
  form: {{username: admin, password: "{{{{ ADMIN_PASSWORD }}}}"}}
  capture: {{API_TOKEN: json.access_token}}
- http: GET {url}/me
  auth: {{bearer: "{{{{ API_TOKEN }}}}"}}
  expect: {{json: {{user: admin}}}}
```

```bash
echo "token is $API_TOKEN"
```
"""


def test_healthy_passes_broken_fails_with_the_measured_value_and_no_secret_is_written(
    tmp_path: Path, app: App, pg_url: str, isolated_home: Path
) -> None:
    path = _write(tmp_path, CHECKLIST.format(pg=pg_url, url=app.url))
    env_vars = ["--var", f"ADMIN_PASSWORD={PASSWORD}"]
    env = {**os.environ, "SESSION_SECRET": SECRET}
    ok = golive("run", str(path), "--yes", "--non-interactive", *env_vars, cwd=tmp_path, env=env)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "6 checks" not in ok.stdout and "3 checks, up to 32 at a time" in ok.stdout
    assert "token is ***" in ok.stdout
    run_id = json.loads(golive("runs", "--json", cwd=tmp_path).stdout)[0]["id"]
    report = json.loads(golive("report", run_id, "--format", "json", cwd=tmp_path).stdout)
    checks = [s for s in report["steps"] if s["kind"] == "check"]
    assert [s["status"] for s in checks] == ["passed"] * 6
    assert f"SESSION_SECRET: {len(SECRET)} characters (≥ 32)" in checks[0]["reason"]
    assert checks[1]["measured"]["value"] == 3 and checks[3]["measured"]["status"] == 200
    written = _everything_written(tmp_path, isolated_home, run_id) + ok.stdout + ok.stderr
    for secret in (SECRET, PASSWORD, TOKEN):
        assert secret not in written

    app.broken = True
    path.write_text(CHECKLIST.format(pg=pg_url.replace("5432", "1"), url=app.url))
    env["SESSION_SECRET"] = "short"
    bad = golive("run", str(path), "--yes", "--non-interactive", *env_vars, cwd=tmp_path, env=env)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "SESSION_SECRET: 5 characters, want ≥ 32" in bad.stdout
    assert "status 503, want 200" in bad.stdout or "failed" in bad.stdout
    assert "short" not in bad.stdout.replace("short-", "")


def test_a_checklist_of_only_checks_passes_only_when_they_ran(tmp_path: Path, app: App) -> None:
    path = _write(
        tmp_path, f"# Health\n\n## Verify\n\n```golive\n- http: GET {app.url}/health\n- tcp: {app.url[7:]}\n```\n"
    )
    plan = golive("plan", str(path), "--json", cwd=tmp_path)
    assert json.loads(plan.stdout)["summary"]["checks"] == 2
    ok = golive("run", str(path), "--yes", "--non-interactive", cwd=tmp_path)
    assert ok.returncode == 0 and "2 passed" in ok.stdout, ok.stdout
    assert app.hits == 1
    path.write_text(
        "# Health\n\n## Verify\n\n```golive\n- http: GET http://127.0.0.1:1/health\n- tcp: 127.0.0.1:1\n```\n"
    )
    down = golive("run", str(path), "--yes", "--non-interactive", cwd=tmp_path)
    assert down.returncode == 1 and "passed" not in down.stdout.splitlines()[-2], down.stdout


def test_a_bad_annotation_is_an_error_with_file_line_and_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "# T\n\n## Verify\n\n```golive\n- http: GET http://x/\n  expect: {status: twohundred}\n```\n"
    )
    lint = golive("lint", str(path), cwd=tmp_path)
    assert lint.returncode == 1
    assert f"{path}:7: error: expect.status:" in lint.stdout
    run = golive("run", str(path), "--yes", "--non-interactive", cwd=tmp_path)
    assert run.returncode == 2 and f"{path}:7: expect.status:" in run.stderr, run.stderr
    assert not golive("runs", "--json", cwd=tmp_path).stdout.strip().strip("[]").strip()


def test_a_missing_variable_fails_the_check_naming_it_and_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '# T\n\n## Verify\n\n```golive\n- redis: "{{ NO_SUCH_REDIS_URL }}"\n```\n')
    r = golive("run", str(path), "--yes", "--non-interactive", cwd=tmp_path)
    assert r.returncode == 1
    assert "{{ NO_SUCH_REDIS_URL }} is not set" in r.stdout and "check at line 6" in r.stdout


def test_consecutive_checks_run_concurrently_and_needs_orders_them(tmp_path: Path, app: App) -> None:
    checks = "\n".join(f"- http: GET {app.url}/health?ms=300" for _ in range(8))
    path = _write(tmp_path, f"# T\n\n## Verify\n\n```golive\n{checks}\n```\n")
    assert golive("run", str(path), "--yes", "--non-interactive", cwd=tmp_path).returncode == 0
    assert app.most_in_flight > 1
    app.most_in_flight = 0
    assert golive("run", str(path), "--yes", "--non-interactive", "--concurrency", "1", cwd=tmp_path).returncode == 0
    assert app.most_in_flight == 1
    chained = "\n".join(
        f"- http: GET {app.url}/health?ms=200\n  name: c{i}" + (f"\n  needs: [c{i - 1}]" if i else "") for i in range(4)
    )
    path.write_text(f"# T\n\n## Verify\n\n```golive\n{chained}\n```\n")
    app.most_in_flight = 0
    assert golive("run", str(path), "--yes", "--non-interactive", cwd=tmp_path).returncode == 0
    assert app.most_in_flight == 1


def test_dry_run_shows_what_each_check_would_check_with_secrets_masked(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '# T\n\n## Verify\n\n```golive\n- sql: "{{ DATABASE_URL }}"\n- http: GET http://h/\n'
        '  auth: {bearer: "{{ API_TOKEN }}"}\n```\n',
    )
    r = golive(
        "run",
        str(path),
        "--dry-run",
        "--var",
        "DATABASE_URL=postgresql://u:pw123@db/app",
        "--var",
        "API_TOKEN=abcdef123456",
        cwd=tmp_path,
    )
    assert r.returncode == 0
    assert "L6 check: sql postgresql://u:***@db/app" in r.stdout
    assert "auth: {bearer: ***}" in r.stdout and "abcdef123456" not in r.stdout and "pw123" not in r.stdout
    assert "L6: sql check: only a real run knows its result" in r.stdout


def test_a_check_on_a_task_line_verifies_the_task(tmp_path: Path, app: App) -> None:
    path = _write(tmp_path, f'# T\n\n## Verify\n\n- [ ] API is up <!-- golive: {{http: "GET {app.url}/health"}} -->\n')
    plan = json.loads(golive("plan", str(path), "--json", cwd=tmp_path).stdout)
    assert plan["summary"]["checks"] == 1 and plan["summary"]["confirms"] == 0
    r = golive("run", str(path), "--non-interactive", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert "L5.1" in r.stdout or "L5" in r.stdout


def test_reports_carry_what_each_check_measured(tmp_path: Path, app: App) -> None:
    path = _write(
        tmp_path, f"# T\n\n## Verify\n\n```golive\n- http: GET {app.url}/health\n  expect: {{ms: '<5000'}}\n```\n"
    )
    assert golive("run", str(path), "--yes", "--non-interactive", cwd=tmp_path).returncode == 0
    html = golive("report", "last", "--format", "html", cwd=tmp_path).stdout
    assert "measured by L6" in html and "<dt>status</dt><dd><code>200</code>" in html
    junit = golive("report", "last", "--format", "junit", cwd=tmp_path).stdout
    assert '<property name="status" value="200" />' in junit
    md = golive("report", "last", "--format", "md", cwd=tmp_path).stdout
    assert "<code>http GET " in md and "passed" in md and "status 200; time " in md


def test_a_check_interrupted_by_kill_9_runs_again_on_resume_without_asking(tmp_path: Path, app: App) -> None:
    import signal
    import subprocess
    import sys
    import time

    app.broken = True
    path = _write(
        tmp_path,
        f"# T\n\n## Verify\n\n```golive\n- wait: {{http: GET {app.url}/health, expect: {{status: 200}}}}\n"
        "  timeout: 120s\n  interval: 200ms\n```\n",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "golive", "run", str(path), "--yes", "--non-interactive"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while app.hits < 3 and time.monotonic() < deadline:  # the wait is polling: its step has started
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    app.broken = False
    r = golive("resume", "last", "--non-interactive", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "passed after" in r.stdout
