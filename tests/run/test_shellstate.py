"""A paused, killed or resumed run has the same shell: every variable (exported or not), function,
alias, the directory and the activated venv — and no secret in clear anywhere golive writes.

Seed 003 L330 sets `TOKEN=$(curl …)` without `export`; L337–L361 send `Authorization: Bearer $TOKEN`.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from golive.run.shell import ShellSession
from golive.run.shellstate import entries, fold, portable, restore_script
from golive.run.vault import Vault, VaultError
from tests.conftest import seed
from tests.helpers import golive

SECRET = "tok-8f3a9c2e71d4b605e0"  # planted: it must never reach the store, a report or a scratch file

CHECKLIST = """
    # Deploy the employee API

    ## Deployment Steps

    ### Step 1: Log in

    ```bash
    source venv/bin/activate
    mkdir -p work && cd work
    TOKEN=$(cat "$TOKEN_FILE")
    auth() { echo "Authorization: Bearer $TOKEN"; }
    alias ll='ls -la'
    REGION=eu-west-1
    ```

    - [ ] The login page shows the new build

    ### Step 2: Smoke test

    ```bash
    echo "token=${#TOKEN} region=$REGION venv=$VIRTUAL_ENV pwd=$PWD python=$(command -v python)"
    auth | sed 's/Bearer .*/Bearer SET/'
    alias ll
    ```
    """


def project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The checklist, a fake venv (its activate sets VIRTUAL_ENV and PATH) and the secret in a file."""
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    activate = f'export VIRTUAL_ENV={tmp_path}/venv\nexport PATH="$VIRTUAL_ENV/bin:$PATH"\n'
    (venv / "activate").write_text(activate + "deactivate() { unset VIRTUAL_ENV; }\n")
    (venv / "python").write_text("#!/bin/sh\necho venv-python\n")
    (venv / "python").chmod(0o755)
    (tmp_path / "token").write_text(SECRET + "\n")
    path = tmp_path / "DEPLOY.md"
    path.write_text(textwrap.dedent(CHECKLIST).lstrip())
    return path, {**os.environ, "TOKEN_FILE": str(tmp_path / "token")}


def run_id(out: str) -> str:
    return out.splitlines()[0].split()[-1]


def expected_smoke(tmp_path: Path) -> str:
    return (
        f"token={len(SECRET)} region=eu-west-1 venv={tmp_path}/venv pwd={tmp_path}/work "
        f"python={tmp_path}/venv/bin/python"
    )


def paused_after_step_1(tmp_path: Path) -> tuple[Path, dict[str, str], str]:
    path, env = project(tmp_path)
    r = golive("run", str(path), "--non-interactive", "--yes", cwd=tmp_path, env=env)
    assert r.returncode == 3, r.stdout + r.stderr
    rid = run_id(r.stdout)
    assert golive("confirm", rid, "L16", "--as", "ana", cwd=tmp_path, env=env).returncode == 0
    return path, env, rid


def test_a_run_resumed_from_another_terminal_has_the_same_shell_and_no_secret_is_written_in_clear(
    tmp_path: Path, isolated_home: Path
) -> None:
    _path, env, rid = paused_after_step_1(tmp_path)
    # Another terminal: its own environment, without what step 1 set.
    env = {**{k: v for k, v in env.items() if k != "VIRTUAL_ENV"}, "SSH_AUTH_SOCK": "/tmp/agent-of-terminal-2"}
    r = golive("resume", rid, "--non-interactive", "--yes", cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert expected_smoke(tmp_path) in r.stdout  # unexported TOKEN, REGION; cwd; venv's PATH and VIRTUAL_ENV
    assert "Authorization: Bearer SET" in r.stdout  # the function, with the unexported variable inside
    assert "alias ll='ls -la'" in r.stdout
    assert SECRET not in r.stdout

    written = [p for p in isolated_home.rglob("*") if p.is_file()]
    assert any(p.name == "golive.db" for p in written)
    leaks = [str(p) for p in written if SECRET.encode() in p.read_bytes()]
    assert leaks == []  # the SQLite file (and its WAL), reports, scratch, the sealed state
    with sqlite3.connect(isolated_home / "golive.db") as db:
        kept = [json.loads(d) for (d,) in db.execute("select data from events where type = 'session_state'")]
    last = kept[-1]
    assert "var:TOKEN" in last["withheld"] and last["set_by"]["var:TOKEN"] == "L10"  # named, never its value
    assert last["holds"]["functions"] == ["auth", "deactivate"] and last["holds"]["aliases"] == ["ll"]
    recorded = fold([k.get("entries") or {} for k in kept])  # what another machine gets back: no secret
    assert {"var:REGION", "func:auth", "alias:ll", "var:VIRTUAL_ENV"} <= set(recorded) and "var:TOKEN" not in recorded
    key, sealed = isolated_home / "vault.key", isolated_home / "vault" / f"{rid}.sealed"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(sealed.stat().st_mode) == 0o600
    assert SECRET.encode() in Vault(isolated_home).open(rid)  # what a resume needs is there, encrypted


def test_without_the_vault_key_the_lost_variable_is_named_and_its_step_can_run_again(
    tmp_path: Path, isolated_home: Path
) -> None:
    _path, env, rid = paused_after_step_1(tmp_path)
    (isolated_home / "vault.key").unlink()  # another machine, or the key is gone
    r = golive("resume", rid, "--non-interactive", "--yes", cwd=tmp_path, env=env)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "TOKEN (set by L10)" in r.stdout and "no vault key on this machine" in r.stdout
    assert f"golive confirm {rid} L10 --rerun" in r.stdout and "--var TOKEN=…" in r.stdout
    assert "token=" not in r.stdout  # nothing ran with TOKEN empty
    # What the record holds without a secret came back; the step that set TOKEN runs again on request.
    assert golive("confirm", rid, "L10", "--rerun", cwd=tmp_path, env=env).returncode == 0
    r = golive("resume", rid, "--non-interactive", "--yes", cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "running L10 again" in r.stdout and expected_smoke(tmp_path) in r.stdout


def test_at_a_terminal_the_operator_types_what_could_not_be_restored(tmp_path: Path, isolated_home: Path) -> None:
    import pexpect

    path, env = project(tmp_path)
    r = golive("run", str(path), "--yes", cwd=tmp_path, env=env, stdin="")  # no one answers "Done?": paused
    assert r.returncode == 3, r.stdout + r.stderr
    rid = run_id(r.stdout)
    assert golive("confirm", rid, "L16", "--as", "ana", cwd=tmp_path, env=env).returncode == 0
    (isolated_home / "vault.key").unlink()
    child = pexpect.spawn(
        sys.executable,
        ["-P", "-m", "golive", "resume", rid, "--yes"],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
    )
    try:
        child.expect("TOKEN.* \\(set by L10\\) could not be restored")
    except pexpect.EOF:
        raise AssertionError(child.before) from None
    child.expect_exact("[e]nter the value / [p]ause the run")
    child.sendline("e")
    child.expect("TOKEN")
    child.sendline(SECRET)  # typed, not echoed
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before or ""
    assert child.exitstatus == 0, shown
    assert f"token={len(SECRET)} region=eu-west-1" in shown and SECRET not in shown
    leaks = [str(p) for p in isolated_home.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert leaks == []


def test_a_secret_field_given_before_the_pause_is_not_asked_again(tmp_path: Path, isolated_home: Path) -> None:
    path = tmp_path / "DB.md"
    path.write_text(
        '# Rotate\n\n## Deployment Steps\n\n```bash\necho "login ${DB_PASSWORD}" | wc -c\n```\n\n'
        '- [ ] Replica caught up\n\n```bash\necho "again ${DB_PASSWORD}" | wc -c\n```\n'
    )
    r = golive("run", str(path), "--non-interactive", "--yes", "--var", f"DB_PASSWORD={SECRET}", cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    rid = run_id(r.stdout)
    assert golive("confirm", rid, "L9", "--as", "ana", cwd=tmp_path).returncode == 0
    r = golive("resume", rid, "--non-interactive", "--yes", cwd=tmp_path)  # no --var this time
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"│ {len('again ' + SECRET) + 1}" in r.stdout
    assert [str(p) for p in isolated_home.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()] == []


def test_after_kill_9_the_resumed_shell_has_what_the_last_command_set(tmp_path: Path, isolated_home: Path) -> None:
    path, env = project(tmp_path)
    # The orphaned shell finishes the sleep (the resume waits for it, as for any step still in flight).
    text = path.read_text().replace("- [ ] The login page shows the new build", "```bash\nsleep 8\n```")
    path.write_text(text)
    proc = subprocess.Popen(
        [sys.executable, "-P", "-m", "golive", "run", str(path), "--non-interactive", "--yes"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "$ sleep 8" in line:
            break
    time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with sqlite3.connect(isolated_home / "golive.db") as db:
        (rid,) = db.execute("select id from runs").fetchone()
    assert golive("confirm", rid, "L17", "--done", cwd=tmp_path, env=env).returncode == 0  # `sleep 8`, in doubt
    r = golive("resume", rid, "--non-interactive", "--yes", cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert expected_smoke(tmp_path) in r.stdout


class _EmployeeApi(BaseHTTPRequestHandler):
    """A stand-in for seed 003's API on loopback: a login that hands out a JWT, and what each call sent."""

    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLW9mLWFkbWlu"
    seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._reply(json.dumps({"access_token": self.jwt, "token_type": "bearer"}))

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("Authorization", ""))
        self._reply("[]")

    def _reply(self, body: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


def test_seed_003_token_set_without_export_is_sent_after_the_pause(tmp_path: Path, isolated_home: Path) -> None:
    """Seed 003 L329–L339 as written: `TOKEN=$(curl … | jq -r .access_token)`, a person judges "JWT token"
    (the run pauses), then `curl -H "Authorization: Bearer $TOKEN"` — in the resumed shell."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmployeeApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        lines = seed("003").read_text().splitlines()
        block = "\n".join(lines[328:339]).replace("http://localhost:8000", f"http://127.0.0.1:{server.server_port}")
        path = tmp_path / "SMOKE.md"
        path.write_text(f"# Smoke tests\n\n## Deployment Steps\n\n```bash\n{block}\n```\n")
        r = golive("run", str(path), "--non-interactive", "--yes", cwd=tmp_path)
        assert r.returncode == 3 and "JWT token" in r.stdout, r.stdout + r.stderr
        rid = run_id(r.stdout)
        item = r.stdout.split(f"golive confirm {rid} ")[1].split()[0]
        assert golive("confirm", rid, item, "--as", "ana", cwd=tmp_path).returncode == 0
        r = golive("resume", rid, "--non-interactive", "--yes", cwd=tmp_path)
        assert r.returncode in (0, 3), r.stdout + r.stderr  # 3: a person judges "JSON array of employees" too
        assert _EmployeeApi.seen == [f"Bearer {_EmployeeApi.jwt}"]  # never "Bearer " with nothing
        assert _EmployeeApi.jwt not in (isolated_home / "golive.db").read_bytes().decode("latin-1")
    finally:
        server.shutdown()


def test_a_session_that_cannot_be_sealed_does_not_stop_the_run_and_says_so(tmp_path: Path, isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True)
    (isolated_home / "vault").write_text("not a folder")  # the sealed state has nowhere to go
    path = tmp_path / "X.md"
    path.write_text("# X\n\n## Deployment Steps\n\n```bash\nTOKEN=$(echo abc)\nX=1\necho $X\n```\n")
    r = golive("run", str(path), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    with sqlite3.connect(isolated_home / "golive.db") as db:
        warnings = [json.loads(d)["message"] for (d,) in db.execute("select data from events where type = 'warning'")]
    assert len(warnings) == 1 and warnings[0].startswith("the session could not be sealed for a resume")


# --- the parts, against real bash ---------------------------------------------------------------------


def test_a_dump_restores_in_a_new_bash_without_the_terminals_own_variables(tmp_path: Path) -> None:
    terminal = {**os.environ, "SSH_AUTH_SOCK": "/tmp/agent-a", "LANG": "C.UTF-8"}
    old = ShellSession(tmp_path, tmp_path / "a", terminal)
    old.start()
    for command in [
        "NOTE=$'two\\nlines'",
        "arr=(a 'b c')",
        "declare -A by=([k]=v)",
        'shout() { echo "$*" | tr a-z A-Z; }; export -f shout',
        "alias ll='ls -la'",
        "unset LANG",
        "braces() { cat <<'EOF'\n}\nEOF\n}",  # a `}` line in a heredoc is not where the function ends
        "export STAGE=prod",
        "readonly RELEASE=v2.1",
    ]:
        assert old.run(command).exit_code == 0
    old.close()
    kept = {(e.kind, e.name) for e in portable(old.state.dump, old.env)}
    assert {("var", "NOTE"), ("var", "arr"), ("var", "by"), ("alias", "ll")} <= kept
    assert {("func", "shout"), ("func", "braces")} <= kept
    assert ("var", "STAGE") in kept and ("var", "SSH_AUTH_SOCK") not in kept and ("var", "BASH_VERSINFO") not in kept
    assert {e.name for e in entries(old.state.dump) if e.kind == "func"} >= {"shout", "__golive_rc"}

    # A resume from another terminal: its own SSH_AUTH_SOCK stays; what the session set comes back.
    other = {**os.environ, "SSH_AUTH_SOCK": "/tmp/agent-b", "LANG": "C.UTF-8"}
    new = ShellSession(tmp_path, tmp_path / "b", other)
    new.start(restore_script(old.state.dump, old.state.cwd, old.env))
    r = new.run('echo "$NOTE|${arr[1]}|${by[k]}|$STAGE|$RELEASE|$SSH_AUTH_SOCK|${LANG-unset}"; bash -c "shout ok"')
    assert new.run("alias ll").out == "alias ll='ls -la'\n"
    assert new.run("braces").out == "}\n"
    assert r.out == "two\nlines|b c|v|prod|v2.1|/tmp/agent-b|unset\nOK\n"
    left = [p.name for p in (tmp_path / "b").iterdir() if p.name.startswith(("restore", "vars", "in-"))]
    assert left == []  # the restore came through a FIFO and left no file behind
    new.close()
    assert not (tmp_path / "b").exists()  # a closed session's scratch is removed
    assert new.state.exported.get("GOLIVE_SESSION") == new.session_id  # never the old session's


def test_the_vault_opens_only_with_this_machines_key(tmp_path: Path) -> None:
    vault = Vault(tmp_path)
    vault.seal("run-1", b"TOKEN=" + SECRET.encode())
    assert SECRET.encode() not in vault.path("run-1").read_bytes()
    assert Vault(tmp_path).open("run-1") == b"TOKEN=" + SECRET.encode()
    vault.key_path.chmod(0o644)
    Vault(tmp_path).open("run-1")
    assert stat.S_IMODE(vault.key_path.stat().st_mode) == 0o600  # closed again before use
    with pytest.raises(VaultError, match="nothing sealed"):
        Vault(tmp_path).open("run-2")
    elsewhere = tmp_path / "elsewhere"
    Vault(elsewhere).seal("other", b"x")  # another machine's key
    (elsewhere / "vault" / "run-1.sealed").write_bytes(vault.path("run-1").read_bytes())
    with pytest.raises(VaultError, match="cannot be opened with this machine's vault key"):
        Vault(elsewhere).open("run-1")
    vault.key_path.unlink()
    with pytest.raises(VaultError, match="no vault key"):
        Vault(tmp_path).open("run-1")


def test_a_sessions_settings_and_traps_come_back_last_and_only_those_it_changed(tmp_path: Path) -> None:
    old = ShellSession(tmp_path, tmp_path / "a", dict(os.environ))
    old.start()
    assert [e for e in portable(old.state.dump, old.env) if e.kind in ("set", "shopt", "trap")] == []  # a fresh one
    for command in [
        "set -euo pipefail",
        "shopt -s nullglob extglob",
        "set +o braceexpand",
        "trap 'echo cleaning up' EXIT",
        "trap 'echo \"it'\\''s\nfailed\"' ERR",  # a quote and a newline inside a trap
        "mkdir -p work && cd work",
    ]:
        assert old.run(command).exit_code == 0
    old.close()
    kept = [e for e in portable(old.state.dump, old.env) if e.kind in ("set", "shopt", "trap")]
    assert {(e.kind, e.name) for e in kept} == {
        ("set", "errexit"), ("set", "nounset"), ("set", "pipefail"), ("set", "braceexpand"),
        ("shopt", "nullglob"), ("shopt", "extglob"), ("trap", "EXIT"), ("trap", "ERR"),
    }  # fmt: skip
    script = restore_script(old.state.dump, old.state.cwd, old.env)
    lines = script.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(("set ", "shopt ", "trap ")))
    assert not any(line.startswith(("declare", "unset", "cd ", "alias")) for line in lines[first:]), (
        "settings last: `set -u` must not stop the restore"
    )

    new = ShellSession(tmp_path, tmp_path / "b", dict(os.environ))
    new.start(script)
    r = new.run('echo "$-" | grep -c e; shopt -q nullglob && echo nullglob; echo {a,b}; trap -p ERR')
    assert r.out.splitlines()[:3] == ["1", "nullglob", "{a,b}"]
    assert "failed" in r.out
    assert new.run("[[ -o pipefail && -o nounset ]] && echo both").out == "both\n"
    new.close()


def test_a_resumed_run_under_set_e_fails_where_the_first_would_have(tmp_path: Path, isolated_home: Path) -> None:
    """`set -e` in a first block, a pause, a resume: the failing `ls` stops its command, as without the
    pause (before, the resumed session had lost `set -e`, ran `echo` after it and called the step passed)."""
    checklist = tmp_path / "DEPLOY.md"
    checklist.write_text(
        "# Release\n\n## Deployment Steps\n\n```bash\nset -e\necho one\n```\n\n- [ ] Looked at the dashboard\n\n"
        "```bash\nls /nonexistent-dir; echo went-on\n```\n"
    )
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    rid = run_id(r.stdout)
    assert golive("confirm", rid, "L10", "--as", "ana", cwd=tmp_path).returncode == 0
    (isolated_home / "vault.key").unlink()  # another machine: the settings come back from the record
    r = golive("resume", rid, "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "│ went-on" not in r.stdout and "L13 failed" in r.stdout
