"""`golive run` end to end, as an operator runs it: real golive processes, real bash, real SQLite."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from golive.record.store import Store
from tests.helpers import golive


def write(tmp_path: Path, text: str, name: str = "DEPLOY.md") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def last_run(home: Path) -> dict:  # type: ignore[type-arg]
    store = Store.open(home)
    run = store.runs(1)[0]
    from golive.report import json as as_json
    from golive.report import view

    return as_json.render(view.build(store, run.id))


def statuses(report: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {s["id"]: s["status"] for s in report["steps"]}


DEPLOY = """
    # Deploy the widget service

    ## Pre-Deployment

    - [ ] Change approved
    - [x] Release notes written

    **Deployed by**: ____

    ## Deployment Steps

    ### Step 1: Prepare

    ```bash
    mkdir -p release && cd release
    export VERSION=2.0
    echo "$VERSION by $DEPLOYED_BY" > version.txt
    ```

    ### Step 2: Verify

    ```bash
    cat version.txt
    # Expected: 2.0 by ana
    echo '{"status": "healthy", "version": "2.0", "at": "2026-01-01T00:00:00Z"}'
    # Expected: {"status": "healthy", "version": "2.0"}
    ```

    - [ ] Dashboard looks right

    ## Rollback Plan

    ```bash
    echo rolled-back > rollback.txt
    ```

    ## Sign-Off

    - [ ] QA Lead: Approved for production
    """


def test_non_interactive_run_pauses_for_people_then_resumes_to_the_end(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, DEPLOY)
    r = golive("run", str(checklist), "--non-interactive", "--yes", "--var", "DEPLOYED_BY=ana", cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert "paused: waiting for a person to confirm" in r.stdout and f"golive confirm {run_id} L5" in r.stdout
    assert not (tmp_path / "release").exists()  # nothing ran past the pause

    for item, who in (("L5", "Ana"), ("L29", "Ana"), ("L39", "Quinn")):
        assert golive("confirm", run_id, item, "--as", who, cwd=tmp_path).returncode == 0
    r = golive("resume", run_id, "--non-interactive", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "release" / "version.txt").read_text() == "2.0 by ana\n"  # cd and export carried over

    report = last_run(isolated_home)
    assert report["run"]["status"] == "passed"
    s = statuses(report)
    assert s["L5"] == "confirmed" and s["L6"] == "prechecked" and s["DEPLOYED_BY"] == "set"
    assert s["L15"] == s["L16"] == s["L17"] == s["L23"] == s["L25"] == "passed"
    assert s["L39"] == "confirmed"
    signoff = next(x for x in report["steps"] if x["id"] == "L39")
    assert (signoff["actor"], signoff["role"]) == ("Quinn", "QA Lead")

    md = golive("report", run_id, cwd=tmp_path).stdout
    assert "- [x] Change approved — *✅ confirmed by Ana" in md
    assert "**Deployed by**: **ana**" in md
    assert "<details><summary>✅ <code>cat version.txt</code>" in md and "2.0 by ana" in md
    assert "- [x] QA Lead: Approved for production — *✅ confirmed by Quinn (QA Lead)" in md


def test_interactive_run_answers_at_the_terminal(tmp_path: Path) -> None:
    checklist = write(tmp_path, DEPLOY)
    # change approved: y; deployed by: ana; accept block 1: y; accept block 2: y; dashboard: y; sign-off: y
    answers = "y\nana\ny\ny\ny\ny\n"
    r = golive("run", str(checklist), "--services", "leave", cwd=tmp_path, stdin=answers)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "run these?" in r.stdout and "Deployed by [DEPLOYED_BY]" in r.stdout
    assert (tmp_path / "release" / "version.txt").read_text() == "2.0 by ana\n"


def test_input_ending_pauses_instead_of_hanging(tmp_path: Path) -> None:
    r = golive("run", str(write(tmp_path, DEPLOY)), cwd=tmp_path, stdin="")
    assert r.returncode == 3


def test_a_wrong_system_fails_at_the_right_step_and_rolls_back_on_request(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, DEPLOY)
    r = golive(
        "run",
        str(checklist),
        "--non-interactive",
        "--yes",
        "--manual",
        "skip",
        "--var",
        "DEPLOYED_BY=bob",
        "--rollback-on-failure",
        cwd=tmp_path,
    )
    assert r.returncode == 1, r.stdout
    report = last_run(isolated_home)
    s = statuses(report)
    assert s["L23"] == "failed" and "does not contain '2.0 by ana'" in next(
        x["reason"] for x in report["steps"] if x["id"] == "L23"
    )
    assert s["L25"] == "pending"  # nothing after the failure ran
    assert report["run"]["status"] == "rolled_back" and report["rollback"]["status"] == "passed"
    # the rollback ran in the same shell session: Step 1's `cd release` still holds
    assert (tmp_path / "release" / "rollback.txt").read_text() == "rolled-back\n"
    assert s["L5"] == "skipped"  # --manual skip records why
    assert "--manual skip" in next(x["reason"] for x in report["steps"] if x["id"] == "L5")


def test_rollback_later_with_golive_rollback(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, DEPLOY)
    r = golive(
        "run",
        str(checklist),
        "--non-interactive",
        "--yes",
        "--manual",
        "skip",
        "--var",
        "DEPLOYED_BY=bob",
        cwd=tmp_path,
    )
    assert r.returncode == 1
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert not list(tmp_path.rglob("rollback.txt"))
    r = golive("rollback", run_id, "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert (tmp_path / "release" / "rollback.txt").exists()  # a new session, restored where the run left off
    assert last_run(isolated_home)["run"]["status"] == "rolled_back"


PLACEHOLDERS = """
    # Restart

    ## Deployment Steps

    ```bash
    echo "killing <PID>" > killed.txt
    ```

    ```bash
    # If using systemd
    echo systemd > chosen-systemd.txt
    # OR if using supervisor
    echo supervisor > chosen-supervisor.txt
    # OR if running manually
    echo manual > chosen-manual.txt
    ```

    ## Rollback Plan

    - [ ] Nothing to undo
    """


def test_a_placeholder_command_never_runs_until_filled(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, PLACEHOLDERS)
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3 and "a value for PID" in r.stdout
    assert not (tmp_path / "killed.txt").exists()
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert golive("set", run_id, "PID=4242", cwd=tmp_path).returncode == 0
    r = golive("resume", run_id, "--non-interactive", "--choose", "C11=supervisor", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert (tmp_path / "killed.txt").read_text() == "killing 4242\n"


def test_an_alternative_group_never_runs_whole(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, PLACEHOLDERS)
    r = golive("run", str(checklist), "--non-interactive", "--yes", "--var", "PID=1", cwd=tmp_path)
    assert r.returncode == 3 and "a choice: systemd / supervisor / manually" in r.stdout
    assert not list(tmp_path.glob("chosen-*"))
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert golive("confirm", run_id, "C11", "--choose", "supervisor", cwd=tmp_path).returncode == 0
    assert golive("resume", run_id, "--non-interactive", cwd=tmp_path).returncode == 0
    assert [p.name for p in tmp_path.glob("chosen-*")] == ["chosen-supervisor.txt"]
    s = statuses(last_run(isolated_home))
    assert (s["C11"], s["L11"], s["L13"], s["L15"]) == ("set", "not_run", "passed", "not_run")


def test_secrets_never_reach_the_store_or_the_reports(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(
        tmp_path,
        """
        # Rotate

        ## Deployment Steps

        ```bash
        echo "logging in with $ADMIN_PASSWORD"
        export API_TOKEN=tok-$(echo 8c1d2e3f4a5b)
        echo "token is $API_TOKEN"
        ```

        ## Rollback Plan

        - [ ] Nothing to undo
        """,
    )
    r = golive(
        "run", str(checklist), "--non-interactive", "--yes", "--var", "ADMIN_PASSWORD=hunter2-very-secret", cwd=tmp_path
    )
    assert r.returncode == 0, r.stdout
    assert "hunter2-very-secret" not in r.stdout and "tok-8c1d2e3f4a5b" not in r.stdout
    assert "logging in with ***" in r.stdout and "token is ***" in r.stdout
    run_id = r.stdout.splitlines()[0].split()[-1]
    db = (isolated_home / "golive.db").read_bytes() + b"".join(
        p.read_bytes() for p in isolated_home.glob("golive.db-*")
    )
    assert b"hunter2-very-secret" not in db and b"tok-8c1d2e3f4a5b" not in db
    for fmt in ("md", "json"):
        out = golive("report", run_id, "--format", fmt, cwd=tmp_path).stdout
        assert "hunter2-very-secret" not in out and "tok-8c1d2e3f4a5b" not in out and "***" in out
    rows = sqlite3.connect(isolated_home / "golive.db").execute("select data from events").fetchall()
    assert any('"secret":true' in row[0] and '"value":"***"' in row[0] for row in rows)


def test_destructive_commands_are_asked_again_even_with_yes(tmp_path: Path) -> None:
    checklist = write(
        tmp_path,
        """
        # Clean

        ## Deployment Steps

        ```bash
        mkdir -p old/cache && rm -rf old
        ```

        ## Rollback Plan

        - [ ] Nothing to undo
        """,
    )
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3 and "destructive" in r.stdout
    r = golive("run", str(checklist), "--non-interactive", "--yes", "--allow-destructive", cwd=tmp_path)
    assert r.returncode == 0 and not (tmp_path / "old").exists()


def test_another_active_run_holds_the_lock(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, DEPLOY)
    store = Store.open(isolated_home)
    store.acquire_lock(f"{checklist.resolve()}::default", "other-run", "elsewhere:1", 30)
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 4 and "other-run" in r.stderr and "Traceback" not in r.stderr
    assert golive("run", str(checklist), "--env", "staging", "--non-interactive", cwd=tmp_path).returncode == 3


def test_runs_and_show_look_back(tmp_path: Path) -> None:
    checklist = write(tmp_path, DEPLOY)
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    run_id = r.stdout.splitlines()[0].split()[-1]
    listed = json.loads(golive("runs", "--json", cwd=tmp_path).stdout)
    assert listed[0]["id"] == run_id and listed[0]["status"] == "paused"
    assert set(listed[0]) == {"id", "checklist", "title", "env", "status", "started_at", "finished_at"}
    shown = golive("show", run_id[-4:], cwd=tmp_path).stdout
    assert "paused at L5" in shown
    assert golive("show", "nope", cwd=tmp_path).returncode == 2


def test_dry_run_prints_what_would_run_and_what_it_cannot_simulate(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, PLACEHOLDERS)
    r = golive("run", str(checklist), "--dry-run", "--var", "PID=77", cwd=tmp_path)
    assert r.returncode == 0
    assert 'L6 run: echo "killing 77" > killed.txt' in r.stdout
    assert "cannot be simulated" in r.stdout and "a choice between alternatives" in r.stdout
    assert not (tmp_path / "killed.txt").exists() and not (isolated_home / "golive.db").exists()


def test_a_bounded_observation_and_a_background_service(tmp_path: Path, isolated_home: Path) -> None:
    port = _free_port()
    checklist = write(
        tmp_path,
        f"""
        # Serve

        ## Deployment Steps

        ```bash
        echo started > app.log
        tail -f app.log
        python3 -m http.server {port} --bind 127.0.0.1
        curl -s -o /dev/null -w '%{{http_code}}\\n' http://127.0.0.1:{port}/
        # Expected: 200
        ```

        ## Rollback Plan

        - [ ] Nothing to undo
        """,
    )
    r = golive(
        "run",
        str(checklist),
        "--non-interactive",
        "--yes",
        "--follow-window",
        "1",
        "--services",
        "stop",
        cwd=tmp_path,
        timeout=60,
    )
    assert r.returncode == 0, r.stdout
    s = statuses(last_run(isolated_home))
    assert (s["L6"], s["L7"], s["L8"], s["L9"]) == ("passed", "observed", "passed", "passed")
    assert "stopped service L8" in r.stdout
    alive = [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] and str(port) in p.info["cmdline"]]
    assert alive == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("bad", [["--choose", "L999=x"], ["--from", "L999"]])
def test_bad_options_are_input_errors(tmp_path: Path, bad: list[str]) -> None:
    r = golive("run", str(write(tmp_path, PLACEHOLDERS)), "--non-interactive", *bad, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_ctrl_c_stops_the_command_and_asks_what_next(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, """
        # Slow

        ## Deployment Steps

        ```bash
        sleep 30; echo never > never.txt
        ```

        ## Rollback Plan

        - [ ] Nothing to undo
        """)  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "golive", "run", str(checklist)], cwd=tmp_path,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ})  # fmt: skip
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write("y\na\n")  # accept the block; after the interrupt: abort
    proc.stdin.flush()
    seen = ""
    while "$ sleep 30" not in seen:  # the command runs (however slow the machine is to get there)
        line = proc.stdout.readline()
        assert line, seen
        seen += line
    time.sleep(0.5)
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    out = seen + out
    assert proc.returncode == 1 and time.monotonic() - started < 15, out + err
    assert "interrupted by the operator" in out and not (tmp_path / "never.txt").exists()
    report = last_run(isolated_home)
    assert report["run"]["status"] == "aborted"
    sleeps = [p for p in psutil.process_iter(["cmdline", "cwd"]) if p.info["cmdline"] == ["sleep", "30"]]
    assert [p for p in sleeps if p.info["cwd"] == str(tmp_path)] == [], "this run's sleep (other tests run beside it)"


def test_a_service_started_before_a_pause_is_ended_by_the_resumed_run(tmp_path: Path) -> None:
    port = _free_port()
    checklist = write(tmp_path, f"""
        # Serve, then ask

        ## Deployment Steps

        ```bash
        python3 -m http.server {port} --bind 127.0.0.1
        ```

        - [ ] Looks right

        ## Rollback Plan

        - [ ] Nothing to undo
        """)  # fmt: skip
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert _listening(port)  # a paused run is not over: its service stays up
    assert golive("confirm", run_id, "L9", cwd=tmp_path).returncode == 0
    r = golive("resume", run_id, "--non-interactive", "--services", "stop", cwd=tmp_path)
    assert r.returncode == 0 and "stopped service L6" in r.stdout, r.stdout
    assert not _listening(port)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0
