"""The stand-in, driven by seed 003's own commands (read from ../shared/seeds, never copied), in one
bash session as an operator's terminal, with the substitutions the rehearsal profile makes (paths,
database name, port, the `[revision_id]` and DATABASE_URL values). Green here means each command of
the systemd path works against the stand-in, or fails the way it fails on a real system."""

from __future__ import annotations

import os
import re
import subprocess

import httpx
import pytest

from tests.conftest import seed
from tests.rehearsal.employee_system.standin import (
    AFTER_MIGRATION,
    BIN,
    PHASE_1,
    PHASE_2_TO_MIGRATION,
    ROLLBACK,
    SITE_PACKAGES,
    VENV_BIN,
    World,
)
from tests.rehearsal.rehearsing import seed_commands

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def substitutions(world: World) -> list[tuple[str, str]]:
    return [
        ("postgresql://user:password@prod-db:5432/employee_system", world.database_url),
        ("/home/peter/AI-Schedule-Manager", str(world.staging)),
        ("/var/www/employee-system", str(world.www)),
        ("/backups/production/", f"{world.backups}/"),
        ("/var/log/employee-system", str(world.app_log.parent)),
        ("http://localhost:8000", world.url),
        ("production-db", "127.0.0.1"),
        ("employee_system", world.database),
        ("[revision_id]", "0001_v095"),
        ("< pre_migration_*.sql", f"< {world.backups}/pre_migration_*.sql"),
        ("python backend/scripts/smoke_tests.py", f"python {world.www}/backend/scripts/smoke_tests.py"),
        ("sleep 10", f"until curl -sf {world.url}/health >/dev/null; do sleep 0.2; done"),
    ]


def session_env(world: World) -> dict[str, str]:
    return {
        **os.environ,
        **world.env(),
        "PATH": f"{BIN}:{VENV_BIN}:{os.environ['PATH']}",
        "PGHOST": "127.0.0.1",
        "PGUSER": "postgres",
        "DATABASE_URL": world.database_url,
        "EMPLOYEE_API_URL": world.url,
        "E2E_BASE_URL": world.url,
        "PYTHONPATH": SITE_PACKAGES,
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "npm_config_offline": "true",
        "npm_config_audit": "false",
        "npm_config_fund": "false",
        "npm_config_update_notifier": "false",
        "GIT_AUTHOR_NAME": "Rita Release",
        "GIT_AUTHOR_EMAIL": "rita@rehearsal.example",
        "GIT_COMMITTER_NAME": "Rita Release",
        "GIT_COMMITTER_EMAIL": "rita@rehearsal.example",
    }


def run_session(world: World, lines: list[int]) -> dict[int, tuple[int, str]]:
    """Run the seed's commands at `lines` in one bash; each line's exit status and output."""
    commands = seed_commands(seed("003"))
    script = []
    for line in lines:
        text = commands[line]
        for old, new in substitutions(world):
            text = text.replace(old, new)
        script.append(f"echo '@@start {line}'\n{text}\necho \"@@end {line} $?\"")
    result = subprocess.run(
        ["bash", "--noprofile", "--norc"],
        input="\n".join(script) + "\n",
        cwd=world.directory,
        env=session_env(world),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
    )
    outputs: dict[int, tuple[int, str]] = {}
    for match in re.finditer(r"@@start (\d+)\n(.*?)@@end \1 (\d+)\n", result.stdout, re.S):
        outputs[int(match[1])] = (int(match[3]), match[2])
    missing = [line for line in lines if line not in outputs]
    assert not missing, f"lines {missing} did not finish:\n{result.stdout[-3000:]}"
    return outputs


def passed(outputs: dict[int, tuple[int, str]], *lines: int) -> None:
    failed = {line: outputs[line] for line in lines if outputs[line][0] != 0}
    assert not failed, failed


def test_the_seeds_systemd_path_deploys_1_0_0(world: World) -> None:
    out = run_session(world, PHASE_1 + PHASE_2_TO_MIGRATION + AFTER_MIGRATION)

    passed(out, 57, 58, 59, 62, 63, 66, 67, 70, 71, 74, 86, 106, 107, 110, 111)
    assert "7 passed" in out[63][1] and "all e2e checks passed" in out[67][1]
    assert "all targets met" in out[71][1] and "security validation passed" in out[74][1]
    assert out[89][0] == 0  # `pg_restore --list … | head`: head's status, though pg_restore failed
    assert "v1.0.0" in subprocess.run(["git", "tag"], cwd=world.origin, capture_output=True, text=True).stdout

    passed(out, 157, 178, 182, 185, 196, 199, 200, 204, 205, 206, 209, 212, 224, 227, 237, 251, 254, 256, 259)
    assert out[166][0] == 7  # curl: connection refused, as the seed expects
    assert list(world.backups.glob("pre_migration_*.sql"))
    assert "Requirement already satisfied: fastapi" in out[206][1]
    assert "0002_v100 (head)" in out[262][1]

    passed(out, 262, 275, 278, 281, 282, 294, 303, 319, 322, 326, 330, 337, 342, 354, 361, 399, 400, 420)
    assert '"version":"1.0.0"' in out[322][1] and '"database":"connected"' in out[326][1]
    assert re.search(r"Token: \S+\.\S+\.\S+", out[333][1])
    assert '"id":999' in out[354][1] and '"Senior QA Engineer"' in out[354][1]
    assert out[385][0] == 1  # grep found no error: its status says "no match"
    assert out[400][1].count("PASS") == 6
    assert world.running()
    assert (world.www / "frontend" / "build" / "index.html").read_text().count("v1.0.0") == 1
    assert "sudo systemctl start employee-backend" in world.calls_log.read_text()


def test_the_planted_fault_fails_the_migration_and_the_rollback_restores(faulty_world: World) -> None:
    world = faulty_world
    out = run_session(world, PHASE_1 + PHASE_2_TO_MIGRATION)
    assert out[259][0] != 0
    assert 'could not create unique index "ux_employees_email"' in out[259][1]
    assert world.sql("SELECT version_num FROM alembic_version") == [("0001_v095",)]
    before = world.database_oid()

    out = run_session(world, [196, 203, *ROLLBACK])  # the shell is where L248 left it
    passed(out, 496, 506, 509, 515, 518, 526, 530, 534, 537, 538, 546, 549, 552, 558, 565, 566, 572, 578)
    assert world.database_oid() != before  # dropped and created again …
    assert world.sql("SELECT count(*) FROM employees WHERE email = 'alice.nguyen@company.com'") == [(2,)]
    assert world.sql("SELECT version_num FROM alembic_version") == [("0001_v095",)]  # … from the backup
    assert httpx.get(f"{world.url}/health").json() == {"status": "healthy", "version": "0.9.5"}
    assert out[572][1].count("PASS") == 5 and "Extended Fields" not in out[572][1]
