"""`env`, `file`, `version`, `process`, `secrets`, `git` and `log` against temp files, temp git
repositories and a real child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.checks.conftest import errors_of, run_check

MONITOR = f"emp_monitor_{os.getpid()}"  # other developers run emp_monitor stand-ins on this machine


def test_env_rules_pass_and_fail_with_secret_values_never_shown(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    good = {
        "ENVIRONMENT": "production",
        "DATABASE_URL": "postgresql://app:pw@db/app",
        "SESSION_SECRET": "x" * 40,
        "DATA_DIR": str(data),
    }
    spec = """
env: [ENVIRONMENT, DATABASE_URL, SESSION_SECRET]
rules: {ENVIRONMENT: {equals: production}, SESSION_SECRET: {min_length: 32},
        DATABASE_URL: {scheme: postgresql}, DATA_DIR: {outside: repo, writable: true}}
"""
    assert run_check(spec, cwd=tmp_path, env=good).passed
    bad = {**good, "ENVIRONMENT": "staging", "SESSION_SECRET": "abcde", "DATABASE_URL": "sqlite:///x.db"}
    bad["DATA_DIR"] = str(tmp_path / "repo" / "data")
    (tmp_path / "repo" / "data").mkdir(parents=True)
    result = run_check(spec, cwd=tmp_path, env=bad)
    assert not result.passed
    assert "ENVIRONMENT is 'staging', want 'production'" in result.reason
    assert "SESSION_SECRET: 5 characters, want ≥ 32" in result.reason
    assert "DATABASE_URL scheme sqlite, want postgresql" in result.reason
    assert f"DATA_DIR {tmp_path}/repo/data is inside {tmp_path}/repo" in result.reason
    assert "abcde" not in result.reason + json.dumps(result.measured)
    missing = run_check("env: [REDIS_URL]", env={})
    assert not missing.passed and missing.reason == "REDIS_URL is not set"


def test_malformed_env_checks() -> None:
    assert errors_of("env: []\nrules: {X: {min_len: 3}}") == [
        "11: rules.X.min_len: unknown option: did you mean `min_length`? `rules.X` takes equals, one_of, "
        "min_length, scheme, not_contains, outside, writable (env check)",
    ]


def test_file_mode_content_json_keys_size_and_checksum(tmp_path: Path) -> None:
    config = tmp_path / "monitor_data" / "config.json"
    config.parent.mkdir()
    config.write_text(json.dumps({"download_monitor": {"enabled": False, "interval": 60, "auth_token": "tok-123"}}))
    config.chmod(0o600)
    ok = run_check(
        "file: monitor_data/config.json\nmode: 0600\njson: {download_monitor.enabled: false, "
        'download_monitor.interval: ">=30"}\nsize: ">10"\ncontains: download_monitor',
        cwd=tmp_path,
    )
    assert ok.passed, ok.reason
    config.chmod(0o644)
    config.write_text(json.dumps({"download_monitor": {"enabled": True, "auth_token": "tok-123"}}))
    bad = run_check(
        'file: monitor_data/config.json\nmode: "600"\njson: {download_monitor.enabled: false, '
        "download_monitor.auth_token: other}",
        cwd=tmp_path,
    )
    assert not bad.passed
    assert "mode 644, want 600" in bad.reason
    assert "download_monitor.enabled is true, expected false" in bad.reason
    assert "download_monitor.auth_token does not match" in bad.reason and "tok-123" not in bad.reason
    import hashlib

    digest = hashlib.sha256(config.read_bytes()).hexdigest()
    assert run_check(f"file: {config}\nchecksum: sha256:{digest}").passed
    assert not run_check(f"file: {config}\nchecksum: {'0' * 64}").passed
    assert run_check(f"file: {tmp_path}/nothing\nexists: false").passed
    assert run_check(f'file: {tmp_path}\nkind: directory\nage: "<1h"').passed


def test_malformed_file_checks() -> None:
    assert errors_of("file: .env\nmode: rw-------\nsize: big") == [
        '11: mode: \'rw-------\' is not an octal mode such as "600" or "0644" (file check)',
        '12: size: \'big\' is not a number or a comparison such as "<200", ">=32", "<10MB", "<1h" (file check)',
    ]


def test_version_of_a_tool_python_and_the_servers(tmp_path: Path) -> None:
    tool = tmp_path / "bin" / "deploytool"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\necho 'deploytool version 3.1.9'\n")
    tool.chmod(0o755)
    env = {**os.environ, "PATH": f"{tool.parent}:{os.environ['PATH']}"}
    old = run_check("version: deploytool\nequals: 3.2.0", env=env)
    assert not old.passed and old.reason == "deploytool version 3.1.9, want 3.2.0"
    assert run_check("version: deploytool\nat_least: '3.1'\nbelow: '4'", env=env).passed
    assert run_check(f"version: python\nat_least: '3.{sys.version_info.minor}'", env=env).passed
    pg = run_check("version: postgresql\nurl: postgresql://postgres@127.0.0.1:5432/test\nat_least: '12'")
    redis_ = run_check("version: redis\nurl: redis://127.0.0.1:6379\nat_least: '5'")
    if not (pg.passed and redis_.passed) and "IN_CI" not in os.environ and "CI" not in os.environ:
        pytest.skip(f"servers unavailable: {pg.reason}; {redis_.reason}")
    assert pg.passed and redis_.passed, (pg.reason, redis_.reason)
    assert not run_check("version: postgresql\nurl: postgresql://postgres@127.0.0.1:5432/test\nat_least: '99'").passed


def test_malformed_version_checks() -> None:
    assert errors_of("version: postgresql") == [
        "10: version: say which versions pass: `at_least`, `below` or `equals` (version check)"
    ]


@pytest.fixture
def child(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    script = tmp_path / f"{MONITOR}.py"
    script.write_text("import time\nwhile True:\n    time.sleep(0.5)\n")
    proc = subprocess.Popen([sys.executable, str(script)])
    (tmp_path / "monitor.pid").write_text(str(proc.pid))
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_process_by_name_and_pidfile_sampled_over_a_window(child: subprocess.Popen[bytes], tmp_path: Path) -> None:
    ok = run_check(f'process: {MONITOR}\nsample: 1s\nexpect: {{cpu_percent: "<50", rss_mb: "<200"}}')
    assert ok.passed, ok.reason
    assert ok.measured["pids"] == [child.pid] and ok.measured["window_s"] == 1.0
    heavy = run_check(f'process: {MONITOR}\nexpect: {{rss_mb: "<1"}}')
    assert not heavy.passed and heavy.reason.startswith("memory ") and "want < 1 MB" in heavy.reason
    assert run_check(f"process: {{pidfile: {tmp_path}/monitor.pid}}\ncount: 1").passed
    child.kill()
    child.wait()
    gone = run_check(f"process: {MONITOR}")
    assert not gone.passed and gone.reason == f"{MONITOR}: processes 0, want ≥ 1"


def test_malformed_process_checks() -> None:
    assert errors_of("process: x\nport: 80") == [
        "10: process: find the process one way: by name, `pidfile` or `port` (process check)"
    ]


def test_secrets_found_by_detect_secrets_with_an_allow_list(tmp_path: Path) -> None:
    backend = tmp_path / "backend"
    backend.mkdir()
    (backend / "app.py").write_text("import os\nTOKEN = os.environ['TOKEN']\n")
    assert run_check("secrets: backend/", cwd=tmp_path).passed
    leaked = "AKIAIOSFODNN7EXAMPLE"
    (backend / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{leaked}"\n')
    result = run_check("secrets: backend/", cwd=tmp_path)
    assert not result.passed
    assert "settings.py:1 (AWS Access Key" in result.reason and leaked not in result.reason + str(result.measured)
    assert run_check("secrets: backend/\nallow: [settings.py:1]", cwd=tmp_path).passed


def test_malformed_secrets_checks() -> None:
    assert errors_of("secrets: backend/\nallow: settings.py") == [
        "11: allow: Input should be a valid list (secrets check)"
    ]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def test_git_clean_branch_tag_and_upstream(tmp_path: Path) -> None:
    origin, repo = tmp_path / "origin.git", tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(origin)], check=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(repo)], check=True, capture_output=True)
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "T")
    _git(repo, "checkout", "-q", "-b", "main")
    (repo / "app.py").write_text("print(1)\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "one")
    _git(repo, "push", "-q", "-u", "origin", "main")
    _git(repo, "tag", "v0.1.19")
    ok = run_check("git: {clean: true, tag: v0.1.19, branch: main, behind: 0, ahead: 0}", cwd=repo)
    assert ok.passed, ok.reason
    (repo / "app.py").write_text("print(2)\n")
    _git(repo, "commit", "-qam", "two")
    (repo / "notes.txt").write_text("x")
    bad = run_check(f"git: {repo}\nclean: true\ntag: v0.1.19\nahead: 0")
    assert not bad.passed
    assert "1 uncommitted change(s): notes.txt" in bad.reason
    assert "HEAD tags: none, want v0.1.19" in bad.reason
    assert "ahead of upstream 1, want 0" in bad.reason


def test_malformed_git_checks() -> None:
    assert errors_of("git: {clean: yes, tga: v1}") == [
        "10: tga: unknown option: did you mean `tag`? a git check takes clean, branch, tag, commit, ahead, "
        "behind, name, timeout, retries, backoff, needs (git check)"
    ]


def test_log_since_the_run_began(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("OperationalError: database is locked\n")
    from golive.checks.base import Context

    ctx_marks = {f"run:{log.resolve()}": log.stat().st_size}
    with log.open("a") as fh:
        fh.write("started worker\n")
    spec = 'log: app.log\nabsent: ["OperationalError: database is locked"]\npresent: started worker'
    assert _run_log(spec, tmp_path, ctx_marks, Context).passed
    whole = run_check(spec + "\nsince: file", cwd=tmp_path)
    assert not whole.passed
    assert "'OperationalError: database is locked': 1 line(s) in the file, first:" in whole.reason


def _run_log(spec: str, cwd: Path, marks: dict[str, int], context: type) -> object:
    import asyncio

    from golive.checks.execute import execute
    from golive.parse.annotations import parse_specs

    specs, _ = parse_specs(spec, 1)
    return asyncio.run(execute(specs[0].data, context(cwd=cwd, env={}, log_marks=marks)))


def test_malformed_log_checks() -> None:
    assert errors_of("log: app.log\nsince: yesterday") == [
        "11: since: Input should be 'run', 'step' or 'file' (log check)"
    ]
    assert errors_of("log: app.log") == ["10: log: say what to look for: `present` or `absent` (log check)"]
