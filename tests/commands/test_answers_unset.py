"""A command that reads a variable nothing has set is never run with an empty value: golive asks for it
at a terminal, or pauses naming it, and `golive set` / the environment of `golive resume` answers.

Seed 003 L578 sends `Authorization: Bearer $TOKEN`, TOKEN being set at L330 only in a healthy run.
"""

from __future__ import annotations

import os
from pathlib import Path

from golive.record.store import Store
from tests.commands.test_answers import run_id_of
from tests.commands.test_run import last_run, statuses, write
from tests.helpers import golive
from tests.run.test_prompts import finish, spawn

# Seed 003 L577-L579 as the rollback's "Test critical functionality" writes it, against a file.
TOKEN_BLOCK = """
    # Deploy

    ## Deployment Steps

    ```bash
    # Test critical functionality
    echo "Authorization: Bearer $TOKEN" > sent.txt
    ```
"""


def env_without(*names: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in names}


def test_an_unset_token_pauses_the_run_naming_it_and_the_command_does_not_run(
    tmp_path: Path, isolated_home: Path
) -> None:
    checklist = write(tmp_path, TOKEN_BLOCK)
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path, env=env_without("TOKEN"))

    assert r.returncode == 3, r.stdout + r.stderr
    assert "$TOKEN, which is not set in the session" in r.stdout
    assert "export TOKEN=" in r.stdout  # a secret is given through the environment, never stored
    assert not (tmp_path / "sent.txt").exists(), "ran with an empty TOKEN"

    r = golive("resume", run_id_of(r.stdout), "--non-interactive", "--yes", cwd=tmp_path,
               env={**env_without("TOKEN"), "TOKEN": "eyJhbGciOiJIUzI1NiJ9.e30.sig"})  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "sent.txt").read_text() == "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig\n"


def test_golive_set_gives_a_plain_variable_the_run_paused_for(tmp_path: Path, isolated_home: Path) -> None:
    """Seed 004 L394 `mkdir -p "$DATA_DIR"`, DATA_DIR not exported in this shell."""
    checklist = write(tmp_path, TOKEN_BLOCK.replace('echo "Authorization: Bearer $TOKEN" > sent.txt',
                                                    'mkdir -p "$DATA_DIR" && touch "$DATA_DIR/made"'))  # fmt: skip
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path, env=env_without("DATA_DIR"))
    assert r.returncode == 3 and "$DATA_DIR" in r.stdout, r.stdout
    assert statuses(last_run(isolated_home)).get("L7") != "passed", "ran `mkdir -p ''`"
    run_id = run_id_of(r.stdout)

    data_dir = tmp_path / "data"
    s = golive("set", run_id, f"DATA_DIR={data_dir}", "--as", "Ana", cwd=tmp_path)
    assert s.returncode == 0, s.stderr
    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path, env=env_without("DATA_DIR"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert (data_dir / "made").exists()


def test_a_variable_an_earlier_command_set_is_not_asked_for(tmp_path: Path, isolated_home: Path) -> None:
    """Seed 003 L330 sets TOKEN without export; L333 reads it in the same session: nothing to ask."""
    checklist = write(tmp_path, TOKEN_BLOCK.replace("# Test critical functionality", "TOKEN=$(echo abc.def.ghi)"))
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path, env=env_without("TOKEN"))
    assert r.returncode == 0, r.stdout
    assert (tmp_path / "sent.txt").read_text() == "Authorization: Bearer abc.def.ghi\n"
    assert set(statuses(last_run(isolated_home)).values()) == {"passed"}


def test_at_a_terminal_the_operator_types_the_value_and_it_is_never_written_down(
    tmp_path: Path, isolated_home: Path
) -> None:
    checklist = write(tmp_path, TOKEN_BLOCK)
    child = spawn(tmp_path, "run", str(checklist), "--yes")
    child.expect(r"TOKEN, which is not set in the session")
    child.expect(r"\[TOKEN\]")
    child.sendline("s3cr3t-token-value")
    code, seen = finish(child)

    assert code == 0, seen
    assert (tmp_path / "sent.txt").read_text() == "Authorization: Bearer s3cr3t-token-value\n"
    assert "s3cr3t-token-value" not in seen  # typed without echo: TOKEN is a secret by its name
    for kept in (p for p in isolated_home.rglob("*") if p.is_file()):  # the store, its reports, its scratch
        assert b"s3cr3t-token-value" not in kept.read_bytes(), kept


def test_golive_set_refuses_a_value_the_record_would_mask_and_keeps_nothing(
    tmp_path: Path, isolated_home: Path
) -> None:
    """A value detect-secrets flags for a plain field would be kept as *** and asked again on resume."""
    checklist = write(tmp_path, TOKEN_BLOCK.replace('echo "Authorization: Bearer $TOKEN" > sent.txt',
                                                    'psql "$DSN" -c "select 1"'))  # fmt: skip
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path, env=env_without("DSN"))
    assert r.returncode == 3 and "$DSN" in r.stdout, r.stdout
    run_id = run_id_of(r.stdout)

    s = golive("set", run_id, "DSN=postgresql://app:Zx9qW2rT7vLm@db:5432/app", cwd=tmp_path)
    assert s.returncode == 2, s.stdout + s.stderr
    assert "the value given for DSN looks like a secret" in s.stderr and "Zx9qW2rT7vLm" not in s.stderr
    events = [e.type for e in Store.open(isolated_home).events(run_id)]
    assert "field_set" not in events
    assert golive("set", run_id, "DSN=postgresql://postgres@127.0.0.1:5432/test", cwd=tmp_path).returncode == 0


def test_confirm_and_set_read_the_run_with_its_profile(tmp_path: Path, isolated_home: Path) -> None:
    """A field the profile declares secret is secret for `golive set` too: never stored in clear."""
    checklist = write(tmp_path, """
        # Deploy

        ## Deployment Steps

        - [ ] Change approved

        **Database URL**: ____

        ```bash
        echo ok
        ```
    """)  # fmt: skip
    profile = tmp_path / "rehearsal.yaml"
    profile.write_text("name: rehearsal\nsecrets:\n  DATABASE_URL: {env: REHEARSAL_DB}\n")
    env = {**os.environ, "REHEARSAL_DB": "postgresql://postgres@127.0.0.1:5432/test"}
    r = golive("run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes", cwd=tmp_path, env=env)
    assert r.returncode == 3, r.stdout + r.stderr  # waiting for "Change approved"
    run_id = run_id_of(r.stdout)

    s = golive("set", run_id, "DATABASE_URL=postgresql://postgres@127.0.0.1:5432/other", cwd=tmp_path)
    assert s.returncode == 2 and "DATABASE_URL is a secret and secrets are never stored" in s.stderr, s.stderr
    assert golive("confirm", run_id, "L5", "--as", "Ana", cwd=tmp_path).returncode == 0
    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
