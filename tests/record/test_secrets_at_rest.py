"""No secret at rest in clear, anywhere golive writes: planted secrets, then every byte grepped.

One checklist plants each kind of secret: a `--var` named like a secret, a secret field, a
variable inherited from the operator's environment, a literal `export API_TOKEN=…` in a block,
an `export SESSION_TOKEN=$(…); echo $SESSION_TOKEN` in one command, a literal AWS key in the
checklist, and — printed by commands only — a JWT, another AWS key and a password inside a URL,
secrets on stderr, and secrets printed in pieces (across chunks of output and across lines).

It runs on SQLite and on PostgreSQL, to the end (passed), to a failure, to a crash (the store
refuses the last event: exit 70 with a crash log) and to a kill -9; then scans the store's bytes
(the SQLite file with its WAL, or `pg_dump`), every report format, `show` and `show --json`,
`audit export`, the terminal and every file under GOLIVE_HOME: zero hits.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

from tests.helpers import golive
from tests.record.conftest import Database

GENERATOR = '''
import base64, hashlib, json, sys
seed, what = sys.argv[1], sys.argv[2]
b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
h = lambda tag: hashlib.sha256((seed + tag).encode()).hexdigest()
if what == "jwt":
    header, payload = b64(b'{"alg":"HS256","typ":"JWT"}'), b64(json.dumps({"sub": h("sub")[:16]}).encode())
    print("jwt " + header + "." + payload + "." + b64(hashlib.sha256((seed + "sig").encode()).digest()))
elif what == "aws":
    print("aws key AKIA" + h("aws")[:16].upper())
elif what == "url":
    print("connecting to postgresql://app:" + h("pw")[:20] + "@db.internal:5432/app")
'''

CHECKLIST = """# Deploy with secrets

## Pre-Deployment

Database password: ____

## Deployment Steps

```bash
export API_TOKEN={api_token}
echo "using token $API_TOKEN"
echo "auth failed for $API_TOKEN" >&2
```

```bash
export SESSION_TOKEN=$(printf '%s%s' {session_a} {session_b}); echo "session $SESSION_TOKEN"
```

```bash
echo "admin $ADMIN_PASSWORD, db $DATABASE_PASSWORD, deploy $DEPLOY_TOKEN"
echo "configured key {aws_literal}"
python3 gen.py {seed} jwt
python3 gen.py {seed} aws
python3 gen.py {seed} url
python3 gen.py {seed} jwt >&2
```

```bash
printf '%s' "${{ADMIN_PASSWORD:0:12}}"; sleep 0.4; printf '%s\\n' "${{ADMIN_PASSWORD:12}}"
printf '%s\\n' "$DATABASE_PASSWORD" | fold -w 8
```

```bash
sleep "${{KILL_WAIT:-0}}"; echo "late $API_TOKEN"; test "${{FAIL_AT_END:-no}}" != yes
```

## Rollback Plan

- [ ] Nothing to undo
"""


@dataclass
class Planted:
    """The secrets of one test, each under the name of its kind; `pieces` are parts printed alone."""

    values: dict[str, str]
    pieces: list[str] = field(default_factory=list)

    def needles(self) -> dict[str, bytes]:
        found = {kind: value.encode() for kind, value in self.values.items()}
        found |= {f"piece {p}": p.encode() for p in self.pieces}
        return found


def plant(tmp_path: Path) -> Planted:
    seed = secrets.token_hex(6)

    def h(tag: str) -> str:
        return hashlib.sha256((seed + tag).encode()).hexdigest()

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    header, payload = b64(b'{"alg":"HS256","typ":"JWT"}'), b64(json.dumps({"sub": h("sub")[:16]}).encode())
    session_a, session_b = f"sess{secrets.token_hex(5)}", secrets.token_hex(6)
    values = {
        "named var": f"Adm1n-{secrets.token_hex(10)}",
        "field": f"Db-{secrets.token_hex(10)}",
        "inherited variable": f"dpl_{secrets.token_hex(12)}",
        "literal export": f"tok_{secrets.token_hex(12)}",
        "same-command export": session_a + session_b,
        "literal AWS key": "AKIA" + secrets.token_hex(8).upper(),
        "JWT": f"{header}.{payload}.{b64(hashlib.sha256((seed + 'sig').encode()).digest())}",
        "printed AWS key": "AKIA" + h("aws")[:16].upper(),
        "URL password": h("pw")[:20],
    }
    (tmp_path / "gen.py").write_text(GENERATOR)
    text = CHECKLIST.format(
        api_token=values["literal export"],
        session_a=session_a,
        session_b=session_b,
        aws_literal=values["literal AWS key"],
        seed=seed,
    )
    (tmp_path / "LEAK.md").write_text(text)
    # Printed alone: the password in two chunks, the field folded into lines of 8.
    admin, db = values["named var"], values["field"]
    pieces = [admin[:12], admin[12:], *(db[i : i + 8] for i in range(0, len(db), 8) if len(db[i : i + 8]) >= 6)]
    return Planted(values, pieces)


@dataclass
class Ran:
    run_id: str
    terminal: str
    code: int


def environment(home: Path, database: Database, **extra: str) -> dict[str, str]:
    env = {**os.environ, "GOLIVE_HOME": str(home), "NO_COLOR": "1", **extra}
    env.pop("GOLIVE_DATABASE_URL", None)
    if database.backend == "postgres":
        env["GOLIVE_DATABASE_URL"] = database.url
    return env


def run_args(planted: Planted) -> list[str]:
    return [
        "run",
        "LEAK.md",
        "--yes",
        "--non-interactive",
        "--var",
        f"ADMIN_PASSWORD={planted.values['named var']}",
        "--var",
        f"DATABASE_PASSWORD={planted.values['field']}",
    ]


def fail_the_last_event(database: Database) -> None:
    """A store that breaks at the end of the run: inserting `run_finished` raises a database error."""
    store = database.open()  # migrated first
    store.close()
    from tests.record.conftest import RawSQL

    sql = RawSQL(database.url)
    if database.backend == "sqlite":
        sql.execute(
            "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.type = 'run_finished' "
            "BEGIN SELECT RAISE(ABORT, 'the disk is on fire'); END"
        )
    else:
        sql.execute(
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN IF NEW.type = 'run_finished' THEN "
            "RAISE EXCEPTION 'the disk is on fire'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        sql.execute("CREATE TRIGGER boom BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION boom()")
    sql.engine.dispose()


def run_to(state: str, tmp_path: Path, home: Path, database: Database, planted: Planted) -> Ran:
    extra = {"DEPLOY_TOKEN": planted.values["inherited variable"]}
    if state == "failed":
        extra["FAIL_AT_END"] = "yes"
    if state == "kill -9":
        extra["KILL_WAIT"] = "3"  # golive is killed in it; its session finishes the command on its own
    if state == "crash":
        fail_the_last_event(database)
    env = environment(home, database, **extra)
    if state != "kill -9":
        r = golive(*run_args(planted), cwd=tmp_path, env=env, timeout=180)
        return Ran(run_id_of(database), r.stdout + r.stderr, r.returncode)
    proc = subprocess.Popen(
        [sys.executable, "-P", "-m", "golive", *run_args(planted)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    seen: list[bytes] = []
    reached = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            if b'$ sleep "${KILL_WAIT:-0}"' in line:
                reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert reached.wait(120), b"".join(seen).decode()
    time.sleep(0.5)  # well inside the sleep: the step is recorded as started
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    reader.join(timeout=10)
    psutil.wait_procs(leftovers(home), timeout=60)  # the orphaned session ends the command, then itself
    return Ran(run_id_of(database), b"".join(seen).decode(), proc.returncode)


def run_id_of(database: Database) -> str:
    store = database.open()
    try:
        return store.runs(1)[0].id
    finally:
        store.close()


def leftovers(home: Path) -> list[psutil.Process]:
    """Processes golive left behind after kill -9 (its session, the sleep): they carry this GOLIVE_HOME."""
    found = []
    for p in psutil.process_iter(["pid"]):
        try:
            if p.environ().get("GOLIVE_HOME") == str(home) and p.pid != os.getpid():
                found.append(p)
        except (psutil.Error, OSError):
            continue
    return found


def end_leftovers(home: Path) -> None:
    found = leftovers(home)
    for p in found:
        p.kill()
    psutil.wait_procs(found, timeout=10)


# --- the channels ------------------------------------------------------------------------------------------


def channels(
    home: Path, database: Database, ran: Ran, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, bytes]]:
    """(where, its bytes) for everything golive wrote or showed. The reports, `show` and the export are
    rendered in this process, by the functions behind `golive report|show|audit export`."""
    from golive.commands import audit, report, runs

    for name, value in environment(home, database).items():
        if name.startswith("GOLIVE_"):
            monkeypatch.setenv(name, value)
    if database.backend == "sqlite":
        monkeypatch.delenv("GOLIVE_DATABASE_URL", raising=False)
    yield "the terminal", ran.terminal.encode()
    rendered: list[tuple[str, Callable[[io.StringIO], int]]] = [
        *((f"report --format {f}", lambda out, f=f: report.report(ran.run_id, f, None, out)) for f in report.FORMATS),
        ("show", lambda out: runs.show(ran.run_id, False, out)),
        ("show --json", lambda out: runs.show(ran.run_id, True, out)),
        ("audit export", lambda out: audit.export(ran.run_id, None, out)),
    ]
    for where, render in rendered:
        out = io.StringIO()
        assert render(out) == 0
        yield where, out.getvalue().encode()
    if database.backend == "postgres":
        dump = subprocess.run(["pg_dump", "--no-owner", database.url], capture_output=True, timeout=120)
        assert dump.returncode == 0, dump.stderr.decode()
        assert b"checklist_text" in dump.stdout
        yield "pg_dump", dump.stdout
    for path in sorted(p for p in home.rglob("*") if p.is_file()):
        yield str(path.relative_to(home)), path.read_bytes()


def is_scratch(where: str) -> bool:
    """The shell session's scratch files (runs/RUN/sN-PID/…): the `shell` developer's part."""
    return where.startswith("runs/")


EXPECTED_EXIT = {"passed": 0, "failed": 1, "crash": 70, "kill -9": -signal.SIGKILL}


Hit = tuple[str, str]  # (which secret, where)


def scan(
    state: str, tmp_path: Path, database: Database, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[Hit], int, Ran]:
    planted = plant(tmp_path)
    home = database.home  # GOLIVE_HOME: the SQLite store, reports, crash logs, scratch files
    try:
        ran = run_to(state, tmp_path, home, database, planted)
        assert ran.code == EXPECTED_EXIT[state], ran.terminal[-3000:]
        needles = planted.needles()
        hits, looked = [], 0
        for where, data in channels(home, database, ran, monkeypatch):
            for kind, needle in needles.items():
                looked += 1
                if needle in data:
                    hits.append((kind, where))
        return hits, looked, ran
    finally:
        end_leftovers(home)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("state", ["passed", "failed", "crash"])
def test_no_secret_anywhere_golive_writes(
    state: str, tmp_path: Path, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    hits, looked, ran = scan(state, tmp_path, database, monkeypatch)
    print(f"{database.backend} {state}: {looked} looks, {len(hits)} hits")
    assert hits == []
    if state == "passed":  # the run did what it was asked: the secrets were really there to find
        assert "using token ***" in ran.terminal and "session ***" in ran.terminal
    if state == "crash":
        (log,) = database.home.glob("crash-*.log")
        assert log.stat().st_mode & 0o777 == 0o600
        assert "the disk is on fire" in log.read_text() and "ADMIN_PASSWORD=***" in log.read_text()


_KILLED: dict[str, list[Hit]] = {}  # backend -> hits after kill -9: one killed run serves both tests below


def killed_scan(tmp_path: Path, database: Database, monkeypatch: pytest.MonkeyPatch) -> list[Hit]:
    if database.backend not in _KILLED:
        hits, looked, _ran = scan("kill -9", tmp_path, database, monkeypatch)
        scratch = [h for h in hits if is_scratch(h[1])]
        print(f"{database.backend} kill -9: {looked} looks, {len(hits)} hits ({len(scratch)} in scratch files)")
        _KILLED[database.backend] = hits
    return _KILLED[database.backend]


@pytest.mark.timeout(300)
def test_after_kill_minus_nine_only_the_shell_scratch_files_may_hold_secrets(
    tmp_path: Path, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    hits = killed_scan(tmp_path, database, monkeypatch)
    assert [h for h in hits if not is_scratch(h[1])] == []


@pytest.mark.timeout(300)
def test_no_secret_anywhere_after_kill_minus_nine(
    tmp_path: Path, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert killed_scan(tmp_path, database, monkeypatch) == []
