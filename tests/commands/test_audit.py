"""`golive audit verify|export`, resume's refusals and bounded values, as an operator meets them.

Real golive processes on SQLite and PostgreSQL (the `database` fixture of tests/record).
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import golive
from tests.record.conftest import BACKENDS, Database, RawSQL, fresh_database


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh SQLite or PostgreSQL store (as in tests/record): every test here runs on both."""
    with fresh_database(request.param, tmp_path) as db:
        yield db

PAUSING = """
# Resume me

## Deployment Steps

```bash
export API_TOKEN={token}
echo "first $API_TOKEN" >> "$OUT"
```

- [ ] Look at the dashboard

```bash
echo "second {token}" >> "$OUT"
```
"""


def env_for(database: Database, tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "GOLIVE_HOME": str(database.home), "NO_COLOR": "1", "OUT": str(tmp_path / "out.txt")}
    env.pop("GOLIVE_DATABASE_URL", None)
    if database.backend == "postgres":
        env["GOLIVE_DATABASE_URL"] = database.url
    return env


def paused_run(tmp_path: Path, database: Database, token: str = "tok_5f0c2a9d81e34b7a") -> tuple[str, Path]:
    path = tmp_path / "DEPLOY.md"
    path.write_text(textwrap.dedent(PAUSING).lstrip().format(token=token))
    r = golive("run", str(path), "--yes", "--non-interactive", cwd=tmp_path, env=env_for(database, tmp_path))
    assert r.returncode == 3, r.stdout + r.stderr
    run_id = r.stdout.split("golive run ", 1)[1].split()[0]
    item = r.stdout.split(f"golive confirm {run_id} ")[1].split()[0]
    confirmed = golive("confirm", run_id, item, "--as", "ana", cwd=tmp_path, env=env_for(database, tmp_path))
    assert confirmed.returncode == 0, confirmed.stderr
    return run_id, path


def test_a_run_prints_its_head_and_verify_agrees(tmp_path: Path, database: Database) -> None:
    run_id, _path = paused_run(tmp_path, database)
    env = env_for(database, tmp_path)
    resumed = golive("resume", run_id, "--yes", "--non-interactive", cwd=tmp_path, env=env)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    printed = re.search(r"record: (\d+) events, head ([0-9a-f]{64})", resumed.stdout)
    assert printed, resumed.stdout
    checked = golive("audit", "verify", run_id, cwd=tmp_path, env=env)
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout == f"{run_id}: intact ({printed[1]} events, head {printed[2]})\n"
    everything = golive("audit", "verify", cwd=tmp_path, env=env)
    assert everything.returncode == 0 and run_id in everything.stdout
    report = json.loads(golive("report", run_id, "--format", "json", cwd=tmp_path, env=env).stdout)
    assert report["run"]["last_hash"] == printed[2]  # the head is in the reports too
    written = golive("audit", "export", run_id, "-o", str(tmp_path / "run.jsonl"), cwd=tmp_path, env=env)
    assert written.returncode == 0, written.stderr
    records = [json.loads(line) for line in (tmp_path / "run.jsonl").read_text().splitlines()]
    assert records[0]["record"] == "run" and records[0]["last_hash"] == printed[2]


def test_verify_exits_1_naming_the_first_bad_event(tmp_path: Path, database: Database) -> None:
    run_id, _path = paused_run(tmp_path, database)
    env = env_for(database, tmp_path)
    sql = RawSQL(database.url)
    try:
        sql.execute("UPDATE events SET actor = 'mallory' WHERE run_id = :r AND type = 'answer'", r=run_id)
        seq = sql.scalar("SELECT seq FROM events WHERE run_id = :r AND type = 'answer'", r=run_id)
    finally:
        sql.engine.dispose()
    checked = golive("audit", "verify", run_id, cwd=tmp_path, env=env)
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[0] == (
        f"{run_id}: TAMPERED: event {seq} (answer) was altered: its hash does not match its contents"
    )
    assert golive("audit", "verify", cwd=tmp_path, env=env).returncode == 1


def test_resume_refuses_a_run_whose_stored_checklist_was_edited(tmp_path: Path, database: Database) -> None:
    run_id, _path = paused_run(tmp_path, database)
    env = env_for(database, tmp_path)
    sql = RawSQL(database.url)
    try:
        sql.execute(
            "UPDATE runs SET checklist_text = replace(checklist_text, 'echo \"second', 'echo \"EVIL') WHERE id = :r",
            r=run_id,
        )
    finally:
        sql.engine.dispose()
    resumed = golive("resume", run_id, "--yes", "--non-interactive", cwd=tmp_path, env=env)
    assert resumed.returncode == 2, resumed.stdout + resumed.stderr
    assert "its record fails verification" in resumed.stderr and "run's own row" in resumed.stderr
    assert "EVIL" not in (tmp_path / "out.txt").read_text()


def test_resume_runs_the_file_when_the_stored_copy_was_masked(tmp_path: Path, database: Database) -> None:
    token = "tok_" + "9c1e" * 6
    run_id, _path = paused_run(tmp_path, database, token)
    env = env_for(database, tmp_path)
    shown = golive("show", run_id, "--json", cwd=tmp_path, env=env).stdout
    assert token not in shown  # the stored copy is masked …
    resumed = golive("resume", run_id, "--yes", "--non-interactive", cwd=tmp_path, env=env)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    # … and yet the command ran with the real token, not `***`: the file, whose sha256 the run recorded, ran.
    assert (tmp_path / "out.txt").read_text().splitlines() == ["first " + token, "second " + token]


def test_resume_refuses_when_the_masked_checklist_file_changed(tmp_path: Path, database: Database) -> None:
    run_id, path = paused_run(tmp_path, database)
    path.write_text(path.read_text().replace('echo "second', 'echo "changed'))
    env = env_for(database, tmp_path)
    resumed = golive("resume", run_id, "--yes", "--non-interactive", cwd=tmp_path, env=env)
    assert resumed.returncode == 2, resumed.stdout + resumed.stderr
    (line,) = resumed.stderr.strip().splitlines()
    assert "had secrets masked, so golive runs the file itself" in line and "has changed since the run started" in line
    assert "changed" not in (tmp_path / "out.txt").read_text()


@pytest.mark.parametrize(
    ("option", "value"),
    [("--env", "e" * 101), ("--as", "a" * 201), ("--var", "N" * 101 + "=1")],
    ids=["env", "as", "var-name"],
)
def test_a_value_too_long_for_its_column_is_exit_2_before_a_run_exists(
    option: str, value: str, tmp_path: Path, database: Database
) -> None:
    path = tmp_path / "DEPLOY.md"
    path.write_text("# D\n\n## Deployment Steps\n\n```bash\necho hi\n```\n")
    env = env_for(database, tmp_path)
    r = golive("run", str(path), "--yes", "--non-interactive", option, value, cwd=tmp_path, env=env)
    assert r.returncode == 2, r.stdout + r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert line.startswith(f"golive: {option} ") and "characters; golive keeps at most" in line
    listed = golive("runs", "--json", cwd=tmp_path, env=env)
    assert json.loads(listed.stdout or "[]") == []


def test_a_crash_log_keeps_no_secret_and_no_sql_parameter(tmp_path: Path, database: Database) -> None:
    """The store refuses to create the run: a crash (exit 70), whose log has the traceback and nothing secret."""
    store = database.open()
    store.close()
    sql = RawSQL(database.url)
    try:
        if database.backend == "sqlite":
            sql.execute("CREATE TRIGGER boom BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'no more runs'); END")
        else:
            sql.execute(
                "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no more runs'; END $$ "
                "LANGUAGE plpgsql"
            )
            sql.execute("CREATE TRIGGER boom BEFORE INSERT ON runs FOR EACH ROW EXECUTE FUNCTION boom()")
    finally:
        sql.engine.dispose()
    token, password, inherited = "tok_" + "3e7a" * 6, "Adm1n-" + "b4c2" * 5, "sekr1t-" + "77aa" * 5
    path = tmp_path / "DEPLOY.md"
    path.write_text(f"# D\n\n## Deployment Steps\n\n```bash\nexport API_TOKEN={token}\n```\n")
    env = {**env_for(database, tmp_path), "VAULT_TOKEN": inherited}
    r = golive("run", str(path), "--yes", "--var", f"ADMIN_PASSWORD={password}", cwd=tmp_path, env=env)
    assert r.returncode == 70, r.stdout + r.stderr
    (log,) = database.home.glob("crash-*.log")
    text = log.read_text()
    assert "no more runs" in text and "Traceback" in text
    assert "ADMIN_PASSWORD=***" in text
    if database.backend == "postgres":
        assert "SQL parameters hidden" in text
    for secret in (token, password, inherited):
        assert secret not in text
    assert log.stat().st_mode & 0o777 == 0o600
