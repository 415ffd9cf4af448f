"""A pipe does not hide a failure: each side of a command's last pipeline is judged, as with
`set -o pipefail`. Seed 003 L89 `pg_restore --list backup_*.sql | head -20` exits as `head` does,
0, while pg_restore refuses the plain-SQL dump L86 wrote; golive says the step failed and why.
A reader that stops early (`… | head -1`, `… | grep -q`) is not a failure, nor is `a | b || true`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.parse.shellvars import judges_pipe
from tests.commands.test_run import last_run, write
from tests.helpers import golive
from tests.profile.test_run import line_of, seed_block
from tests.record.conftest import _admin_connection


def run_block(tmp_path: Path, block: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    checklist = write(tmp_path, "# Deploy\n\n## Deployment Steps\n\n" + block + "\n")
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    return r.returncode, {s["id"]: s for s in last_run(tmp_path / "golive-home")["steps"]}


@pytest.mark.postgres
def test_seed_003_l89_fails_when_pg_restore_refuses_the_backup(tmp_path: Path, isolated_home: Path) -> None:
    _admin_connection().close()  # a reachable PostgreSQL, or skip (fail under CI=true)
    block = seed_block("003", 89).replace("employee_system", "test")  # the server's own database
    assert "pg_restore --list backup_*.sql | head -20" in block

    code, steps = run_block(tmp_path, block)
    dump, verify = (line_of(tmp_path / "DEPLOY.md", text) for text in ("pg_dump -U", "pg_restore --list"))

    assert steps[dump]["status"] == "passed"  # the dump was written
    assert (steps[verify]["status"], steps[verify]["exit_code"]) == ("failed", 0), steps[verify]["reason"]
    assert "a command before a `|` failed: exit statuses 1 0" in steps[verify]["reason"]
    assert code == 1


@pytest.mark.parametrize(
    "command",
    [
        "yes | head -1",  # yes is stopped by SIGPIPE (141): head read what it wanted
        "seq 1 100000 | grep -q 5",  # grep -q stops reading at the first match
        "false | cat || true",  # the writer said a failure is fine
        'printf "%s\\n" a b | sort \\',  # a trailing backslash does not swallow golive's trailer
        "TOKEN=$(false | cat); echo ok",  # a pipe inside $( … ) is the assignment's business
    ],
)
def test_what_pipefail_would_wrongly_fail_passes(tmp_path: Path, isolated_home: Path, command: str) -> None:
    code, steps = run_block(tmp_path, f"```bash\n{command}\n```")
    assert (code, steps["L6"]["status"]) == (0, "passed"), steps["L6"]["reason"]


def test_a_failing_reader_is_the_pipeline_s_own_exit_status(tmp_path: Path, isolated_home: Path) -> None:
    code, steps = run_block(tmp_path, "```bash\necho x | grep -q y\n```")
    assert (code, steps["L6"]["status"], steps["L6"]["exit_code"]) == (1, "failed", 1)
    assert "before a `|`" not in steps["L6"]["reason"]


def test_a_pipe_is_judged_only_where_bash_runs_one() -> None:
    assert judges_pipe("pg_restore --list backup_*.sql | head -20")
    assert judges_pipe("cd app && make 2>&1 |& tee build.log")
    assert not judges_pipe("echo 'a | b'")
    assert not judges_pipe("a | b || echo failed")
    assert not judges_pipe("cat <<'EOF'\nx | y\nEOF")
    assert not judges_pipe("ls # | head")
