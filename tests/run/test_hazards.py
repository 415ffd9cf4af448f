"""What the seeds throw at a runner, run through golive: each hazard handled, none hangs.

Every test takes a block as the seed wrote it (read from ../shared/seeds), puts it in a small
checklist, and runs it against stand-ins of the tools it calls (a fake `docker-compose` that
follows logs forever, a fake `sudo` that would ask for a password, a `uvicorn` that serves).
Only ports are changed (to a free loopback port); every test has a time limit.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from golive.model import Commands
from golive.parse import parse_file
from golive.record.store import Store
from golive.report import json as as_json
from golive.report import view
from tests.conftest import seed
from tests.helpers import golive as run_golive

pytestmark = pytest.mark.timeout(90)


def seed_block(prefix: str, line: int) -> str:
    """The fenced block of a seed that holds `line`, fence lines included, dedented, exactly as written."""
    path = seed(prefix)
    for _section, item in parse_file(path).walk():
        if isinstance(item, Commands) and item.line <= line <= item.end_line:
            lines = path.read_text().split("\n")[item.line - 1 : item.end_line]
            return textwrap.dedent("\n".join(lines))
    raise AssertionError(f"no block at {prefix}:{line}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def checklist(tmp_path: Path, *blocks: str, title: str = "Deployment Steps") -> Path:
    body = "\n\n".join(blocks)
    text = f"# Hazard\n\n## {title}\n\n{body}\n\n## Rollback Plan\n\n- [ ] Nothing to undo\n"
    path = tmp_path / "HAZARD.md"
    path.write_text(text)
    return path


def tool(bin_dir: Path, name: str, script: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / name
    path.write_text("#!/usr/bin/env bash\n" + textwrap.dedent(script))
    path.chmod(0o755)


def golive(tmp_path: Path, *args: str, bin_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_golive(*args, cwd=tmp_path, bin_dir=bin_dir, timeout=80)


def steps(home: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    store = Store.open(home)
    report = as_json.render(view.build(store, store.runs(1)[0].id))
    return {s["id"]: s for s in report["steps"]}


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().split("\n"), start=1) if text in line)


# --- commands that never return -------------------------------------------------------------------


def test_seed_001_tail_f_is_watched_for_a_bounded_window(tmp_path: Path, isolated_home: Path) -> None:
    block = seed_block("001", 296)  # tail -f logs/dashboard.log / tail -f logs/job_matcher.log
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "dashboard.log").write_text("GET / 200\n")
    (tmp_path / "logs" / "job_matcher.log").write_text("matched 3 jobs\n")
    path = checklist(tmp_path, block)
    started = time.monotonic()
    r = golive(tmp_path, "run", str(path), "--non-interactive", "--yes", "--follow-window", "1")
    assert r.returncode == 0, r.stdout
    assert time.monotonic() - started < 30
    s = steps(isolated_home)
    for needle in ("dashboard.log", "job_matcher.log"):
        record = s[f"L{line_of(path, needle)}"]
        assert record["status"] == "observed" and "bounded observation" in record["reason"]
        assert needle.split(".")[0].split("_")[0] in " ".join(o["text"] for o in record["output"]) or record["output"]
    assert "GET / 200" in r.stdout  # what it printed is shown and recorded


def test_seed_003_docker_compose_logs_f_and_pm2_logs_are_bounded(tmp_path: Path, isolated_home: Path) -> None:
    block = seed_block("003", 379)  # tail -f … / docker-compose logs -f backend / pm2 logs, then grep for errors
    bin_dir = tmp_path / "bin"
    tool(bin_dir, "docker-compose", 'while true; do echo "backend_1 | GET /health 200"; sleep 0.2; done\n')
    path = checklist(tmp_path, block)
    group = f"C{line_of(path, 'tail -f /var/log')}"
    r = golive(
        tmp_path,
        "run",
        str(path),
        "--non-interactive",
        "--yes",
        "--follow-window",
        "1",
        "--choose",
        f"{group}=Docker",
        bin_dir=bin_dir,
    )
    s = steps(isolated_home)
    observed = s[f"L{line_of(path, 'docker-compose logs -f backend')}"]
    assert observed["status"] == "observed" and "GET /health 200" in observed["output"][0]["text"]
    assert s[f"L{line_of(path, 'pm2 logs')}"]["status"] == "not_run"
    # The seed then greps a log this machine does not have: an honest failure, after the observation.
    grep = s[f"L{line_of(path, 'grep -i error')}"]
    assert grep["status"] == "failed" and grep["exit_code"] == 2 and r.returncode == 1


# --- services started in the foreground ------------------------------------------------------------

SERVER = """
    port=""; prev=""
    for a in "$@"; do
      case "$prev" in --port|-p) port=$a ;; --bind|-b) port=${a##*:} ;; esac
      case "$a" in --port=*) port=${a#--port=} ;; esac
      prev=$a
    done
    echo "INFO:     Started server process [$$]"
    exec python3 -m http.server "$port" --bind 127.0.0.1
    """


def test_seed_004_uvicorn_in_the_foreground_runs_in_the_background(tmp_path: Path, isolated_home: Path) -> None:
    port = free_port()
    block = seed_block("004", 154).replace("0.0.0.0", "127.0.0.1").replace("8000", str(port))
    tool(tmp_path / "bin", "uvicorn", SERVER)
    probe = f"```bash\ncurl -s -o /dev/null -w '%{{http_code}}\\n' http://127.0.0.1:{port}/\n# Expected: 200\n```"
    known = '```bash\necho "pid $GOLIVE_SERVICE_PID port $GOLIVE_SERVICE_PORT"\n```'
    path = checklist(tmp_path, block, probe, known)
    started = time.monotonic()
    r = golive(tmp_path, "run", str(path), "--non-interactive", "--yes", "--services", "stop", bin_dir=tmp_path / "bin")
    assert r.returncode == 0, r.stdout
    assert time.monotonic() - started < 30
    s = steps(isolated_home)
    service = s[f"L{line_of(path, 'uvicorn backend')}"]
    assert service["status"] == "passed" and f"port {port} accepts connections" in service["reason"]
    assert s[f"L{line_of(path, 'curl -s')}"]["status"] == "passed"  # the next step reached it
    known_line = line_of(path, 'echo "pid')
    assert f"port {port}" in s[f"L{known_line}"]["output"][0]["text"]  # and knows the service's pid and port
    assert f"stopped service L{line_of(path, 'uvicorn backend')}" in r.stdout
    assert not _listening(port)


def test_seed_002_api_server_named_by_its_comment_becomes_a_service(tmp_path: Path, isolated_home: Path) -> None:
    port = free_port()
    block = seed_block("002", 115).replace("8000", str(port))  # "# Start API server" ./bin/daylily-workset-api …
    tool(tmp_path / "bin", "daylily-workset-api", SERVER)
    path = checklist(tmp_path, block)
    r = golive(tmp_path, "run", str(path), "--non-interactive", "--yes", "--services", "leave")
    assert r.returncode == 0, r.stdout
    service = steps(isolated_home)[f"L{line_of(path, './bin/daylily-workset-api')}"]
    assert service["status"] == "passed" and "background" in service["reason"]
    assert "left running" in r.stdout and _listening(port)  # the operator chose to leave it up
    _stop_listener(port)


def test_seed_004_bot_is_never_left_orphaned_when_the_run_fails(tmp_path: Path, isolated_home: Path) -> None:
    block = seed_block("004", 173)  # python3 bot.py
    (tmp_path / "bot.py").write_text(
        "import time\nprint('BOOT: using bot id=42, username=@demo_bot', flush=True)\nwhile True:\n    time.sleep(1)\n"
    )
    failing = "```bash\nfalse\n```"
    path = checklist(tmp_path, block, failing)
    r = golive(tmp_path, "run", str(path), "--non-interactive", "--yes")
    assert r.returncode == 1
    bot = steps(isolated_home)[f"L{line_of(path, 'python3 bot.py')}"]
    assert bot["status"] == "passed" and "BOOT: using bot" in bot["reason"]
    assert "stopped service" in r.stdout  # a failed run does not leave what it started running
    bots = [p for p in psutil.process_iter(["cmdline", "cwd"]) if p.info["cmdline"] == ["python3", "bot.py"]]
    assert not [p for p in bots if p.info["cwd"] == str(tmp_path)], "this test's bot (others may run elsewhere)"


def test_seed_001_nohup_background_line_is_a_service(tmp_path: Path, isolated_home: Path) -> None:
    line = "nohup python dashboard.py &"
    assert line in seed_block("001", 248)
    (tmp_path / "dashboard.py").write_text(
        "import time\nprint('Running on http://127.0.0.1', flush=True)\ntime.sleep(60)\n"
    )
    bin_dir = tmp_path / "bin"
    tool(bin_dir, "python", 'exec python3 "$@"\n')
    path = checklist(tmp_path, f"```bash\n{line}\n```")
    r = golive(tmp_path, "run", str(path), "--non-interactive", "--yes", "--services", "stop", bin_dir=bin_dir)
    assert r.returncode == 0, r.stdout
    record = steps(isolated_home)[f"L{line_of(path, 'nohup')}"]
    assert record["status"] == "passed" and "Running on" in record["reason"]


def test_a_server_nobody_named_is_recognised_when_it_listens(tmp_path: Path, isolated_home: Path) -> None:
    port = free_port()
    handler = "h.BaseHTTPRequestHandler"
    serve = f"python3 -c 'import http.server as h; h.HTTPServer((\"127.0.0.1\", {port}), {handler}).serve_forever()'"
    probe = f"curl -s -o /dev/null -w '%{{http_code}}\\n' http://127.0.0.1:{port}/\n# Expected: 501"
    path = checklist(tmp_path, f"### Step 3: Migrate\n\n```bash\n{serve}\n{probe}\n```")
    started = time.monotonic()
    r = golive(tmp_path, "run", str(path), "--non-interactive", "--yes", "--start-window", "1", "--services", "stop")
    assert r.returncode == 0, r.stdout
    assert time.monotonic() - started < 30
    s = steps(isolated_home)
    assert "still running" in s[f"L{line_of(path, 'python3 -c')}"]["reason"]
    assert s[f"L{line_of(path, 'curl')}"]["status"] == "passed"
    assert not _listening(port)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _stop_listener(port: int) -> None:
    for proc in psutil.process_iter(["pid"]):
        try:
            if any(c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in proc.net_connections()):
                proc.kill()
        except psutil.Error:
            continue


# --- sudo and other platforms -------------------------------------------------------------------------


def test_sudo_that_would_ask_for_a_password_fails_clearly_instead_of_hanging(
    tmp_path: Path, isolated_home: Path
) -> None:
    block = seed_block("001", 240)  # Step 9: # If using systemd / sudo systemctl start jobsearchai …
    bin_dir = tmp_path / "bin"
    tool(
        bin_dir,
        "sudo",
        """
        if [ "$1" = "-n" ]; then echo "sudo: a password is required" >&2; exit 1; fi
        read -r -s password < /dev/tty
        exec "$@"
        """,
    )
    path = checklist(tmp_path, block)
    group = f"C{line_of(path, 'sudo systemctl start')}"
    started = time.monotonic()
    r = golive(
        tmp_path, "run", str(path), "--non-interactive", "--yes", "--choose", f"{group}=systemd", bin_dir=bin_dir
    )
    assert r.returncode == 1 and time.monotonic() - started < 30
    record = steps(isolated_home)[f"L{line_of(path, 'sudo systemctl start')}"]
    assert record["status"] == "failed" and "sudo would ask for a password" in record["reason"]


def test_sudo_that_needs_no_password_just_runs(tmp_path: Path, isolated_home: Path) -> None:
    block = seed_block("001", 240)
    bin_dir = tmp_path / "bin"
    tool(bin_dir, "sudo", 'if [ "$1" = "-n" ]; then shift; fi\nexec "$@"\n')
    tool(bin_dir, "systemctl", 'echo "systemctl $*" >> "$PWD/systemctl.log"\n')
    path = checklist(tmp_path, block)
    group = f"C{line_of(path, 'sudo systemctl start')}"
    r = golive(
        tmp_path, "run", str(path), "--non-interactive", "--yes", "--choose", f"{group}=systemd", bin_dir=bin_dir
    )
    assert r.returncode == 0, r.stdout
    assert (tmp_path / "systemctl.log").read_text().split("\n")[:2] == [
        "systemctl start jobsearchai",
        "systemctl status jobsearchai",
    ]


def test_seed_001_windows_activate_is_an_alternative_for_another_platform(tmp_path: Path, isolated_home: Path) -> None:
    block = (
        seed_block("001", 131).split("\n\n")[0] + "\n```"
    )  # source venv/bin/activate # Linux/Mac / # OR / venv\Scripts\…
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "activate").write_text('export VIRTUAL_ENV="$PWD/venv"\n')
    probe = "```bash\necho $VIRTUAL_ENV\n```"
    path = checklist(tmp_path, block, probe)
    r = golive(tmp_path, "run", str(path), "--non-interactive", "--yes")
    assert r.returncode == 0, r.stdout
    s = steps(isolated_home)
    assert s[f"L{line_of(path, 'venv/bin/activate')}"]["status"] == "passed"
    windows = s[f"L{line_of(path, 'Scripts')}"]
    assert windows["status"] == "not_run"
    assert "the only option for this platform" in s[f"C{line_of(path, 'venv/bin/activate')}"]["reason"]
    assert f"{tmp_path}/venv" in r.stdout  # the activation carried over to the next block


# --- reading: expected output left bare, Python in a bash block, open fences, nested blocks ---------


def test_seed_004_bare_expected_json_is_judged_and_never_run(tmp_path: Path, isolated_home: Path) -> None:
    port = free_port()
    health = {
        "status": "healthy",
        "timestamp": "2026-11-25T10:00:00Z",
        "components": {
            "application": {"status": "up"},
            "database": {"status": "up", "latency_ms": 1.5},
            "redis": {"status": "up", "latency_ms": 0.4},
        },
        "response_time_ms": 3.1,
    }
    (tmp_path / "health.json").write_text(json.dumps(health))
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if _listening(port):
                break
            time.sleep(0.05)
        block = seed_block("004", 184).replace("http://localhost:8000/health", f"http://127.0.0.1:{port}/health.json")
        path = checklist(tmp_path, block)
        r = golive(tmp_path, "run", str(path), "--non-interactive", "--yes")
    finally:
        server.kill()
    assert r.returncode == 0, r.stdout
    s = steps(isolated_home)
    assert list(s) == [f"L{line_of(path, 'curl')}"]  # the JSON lines are not steps
    assert s[f"L{line_of(path, 'curl')}"]["reason"].endswith("JSON matches the example")
    assert "command not found" not in r.stdout + r.stderr


def test_seed_004_python_written_in_a_bash_block_runs_as_python(tmp_path: Path, isolated_home: Path) -> None:
    block = seed_block("004", 346)  # ```bash holding `from backend.core.settings import get_settings` …
    pkg = tmp_path / "backend" / "core"
    pkg.mkdir(parents=True)
    (tmp_path / "backend" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "settings.py").write_text("import functools\n@functools.lru_cache\ndef get_settings():\n    return {}\n")
    path = checklist(tmp_path, block)
    assert "holds Python" in golive(tmp_path, "lint", str(path)).stdout
    r = golive(tmp_path, "run", str(path), "--non-interactive", "--yes")
    assert r.returncode == 0, r.stdout
    (record,) = steps(isolated_home).values()
    assert record["status"] == "passed"


def test_a_fence_left_open_at_the_end_is_read_to_the_end_of_the_file(tmp_path: Path, isolated_home: Path) -> None:
    path = tmp_path / "OPEN.md"
    text = "# Open\n\n## Rollback Plan\n\n- [ ] x\n\n## Deployment Steps\n\n```bash\n"
    path.write_text(text + "echo one > one.txt\necho two > two.txt\n")
    lint = golive(tmp_path, "lint", str(path)).stdout
    assert f"{path}:9: warning: this fence is never closed" in lint
    assert golive(tmp_path, "run", str(path), "--non-interactive", "--yes").returncode == 0
    assert (tmp_path / "two.txt").exists()


def test_seed_002_rollback_steps_nested_in_a_numbered_list_run_in_order(tmp_path: Path, isolated_home: Path) -> None:
    text = seed("002").read_text().split("\n")
    rollback = "\n".join(text[239:264])  # "## Rollback Plan" … "4. Document issues" with its tasks, as written
    path = tmp_path / "ROLLBACK.md"
    path.write_text(f"# Rollback drill\n\n## Deployment Steps\n\n```bash\nfalse\n```\n\n{rollback}\n")
    bin_dir = tmp_path / "bin"
    for name in ("pkill", "git", "aws"):
        tool(bin_dir, name, f'echo "{name} $*" >> "$PWD/tools.log"\n')
    lint = golive(tmp_path, "lint", str(path)).stdout
    assert lint.count("nested-block") == 3
    r = golive(
        tmp_path,
        "run",
        str(path),
        "--non-interactive",
        "--yes",
        "--rollback-on-failure",
        "--allow-destructive",
        "--manual",
        "skip",
        "--as",
        "drill",
        "--var",
        "COMMIT_HASH=abc123",
        "--var",
        "RESTORE_TABLE_FROM_BACKUP_ARGS=--target-table-name t --backup-arn arn:1",
        bin_dir=bin_dir,
    )
    assert r.returncode == 1, r.stdout
    assert (tmp_path / "tools.log").read_text().splitlines() == [
        "pkill -f daylily-workset-api",
        "git revert abc123",
        "aws dynamodb restore-table-from-backup --target-table-name t --backup-arn arn:1",
    ]
    assert "rolled_back" in r.stdout
