"""Interactive commands (seed 001 Step 6: "This step is interactive and requires user input"): at a
terminal the command gets it, through a pseudo-terminal golive relays and records; without one the
run pauses for a person to run it, and `golive confirm RUN LINE --done` takes effect on resume."""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import pexpect

from golive.parse import load
from golive.plan import build
from golive.record.store import Store
from tests.conftest import seed
from tests.helpers import golive

CHECKLIST = """
    # Migrate the job data

    ## Deployment Steps

    ### Step 6: Run Data Migration

    **IMPORTANT:** This step is interactive and requires user input for metadata.

    ```bash
    python3 migrate.py --dry-run
    python3 migrate.py
    ```
    """

MIGRATE = """
import sys
if "--dry-run" in sys.argv:
    print("would migrate 3 files")
    sys.exit(0)
print("at a terminal:", sys.stdin.isatty())
term = input("Enter search term used: ")
print(f"migrated 3 files for {term!r}")
"""


def project(tmp_path: Path) -> Path:
    (tmp_path / "migrate.py").write_text(MIGRATE)
    path = tmp_path / "MIGRATE.md"
    path.write_text(textwrap.dedent(CHECKLIST).lstrip())
    return path


def test_seed_001_step_6_migration_is_interactive_and_its_dry_run_is_not() -> None:
    plan = build(load(seed("001")))
    marked = {s.id: s.interactive for s in plan.steps if s.interactive}
    assert marked == {"L181": "interactive"}  # L176 is the --dry-run preview: it reads nothing


def test_at_a_terminal_the_command_gets_it_and_its_output_is_recorded(tmp_path: Path, isolated_home: Path) -> None:
    path = project(tmp_path)
    child = pexpect.spawn(
        sys.executable,
        ["-P", "-m", "golive", "run", str(path), "--yes"],
        cwd=str(tmp_path),
        env={**os.environ, "GOLIVE_HOME": str(isolated_home)},
        encoding="utf-8",
        timeout=60,
        dimensions=(40, 120),
    )
    child.expect("Enter search term used: ")
    child.sendline("data engineer")
    child.expect("migrated 3 files for 'data engineer'")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before

    store = Store.open(isolated_home)
    run = store.runs(1)[0]
    assert run.status == "passed"
    recorded = "".join(o.text for o in store.outputs(run.id) if o.item == "L11")
    assert "at a terminal: True" in recorded
    assert "Enter search term used: data engineer" in recorded  # the prompt, and the answer as the terminal echoed it
    assert "migrated 3 files for 'data engineer'" in recorded


def test_without_a_terminal_the_run_pauses_for_a_person_and_their_done_is_kept(
    tmp_path: Path, isolated_home: Path
) -> None:
    path = project(tmp_path)
    r = golive("run", str(path), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    rid = r.stdout.splitlines()[0].split()[-1]
    assert "would migrate 3 files" in r.stdout  # the dry run is not interactive: it ran
    assert f"run it yourself, then `golive confirm {rid} L11 --done`" in r.stdout
    assert "EOFError" not in r.stdout

    assert golive("confirm", rid, "L11", "--done", "--as", "ana", cwd=tmp_path).returncode == 0
    r = golive("resume", rid, "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Enter search term" not in r.stdout  # golive did not run it: the person did
    store = Store.open(isolated_home)
    events = [e for e in store.events(rid) if e.item == "L11" and e.type == "step_finished"]
    assert events[-1].data["status"] == "confirmed" and events[-1].actor == "ana"


def test_ctrl_c_at_the_commands_prompt_stops_the_command_and_golive_asks_what_next(
    tmp_path: Path, isolated_home: Path
) -> None:
    path = project(tmp_path)
    child = pexpect.spawn(
        sys.executable,
        ["-P", "-m", "golive", "run", str(path), "--yes"],
        cwd=str(tmp_path),
        env={**os.environ, "GOLIVE_HOME": str(isolated_home)},
        encoding="utf-8",
        timeout=60,
    )
    child.expect("Enter search term used: ")
    child.sendintr()  # Ctrl-C goes to the command, as at any terminal
    child.expect("KeyboardInterrupt")
    child.expect_exact("[r]etry / [s]kip / [a]bort")  # golive's own prompt again, the terminal back in line mode
    child.sendline("a")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    store = Store.open(isolated_home)
    run = store.runs(1)[0]
    assert run.status == "aborted"
    recorded = "".join(o.text for o in store.outputs(run.id) if o.item == "L11")
    assert "Enter search term used: " in recorded and "KeyboardInterrupt" in recorded
