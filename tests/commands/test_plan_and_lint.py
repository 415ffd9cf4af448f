"""`golive plan` and `golive lint` as a user runs them: real processes, real exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import SEEDS, seed
from tests.helpers import golive


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_plan_json_contract(path: Path) -> None:
    r = golive("plan", str(path), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) >= {"file", "title", "counts", "sections"}
    assert set(doc["counts"]) == {
        "headings",
        "tasks",
        "checked",
        "fences",
        "commands",
        "fields",
        "signoffs",
        "expectations",
        "placeholders",
    }
    for section in doc["sections"]:
        assert set(section) >= {"title", "kind", "level", "line", "estimate_s", "items", "sections"}


def test_plan_tree_shows_what_runs_and_what_never_runs() -> None:
    r = golive("plan", str(seed("001")))
    assert r.returncode == 0, r.stderr
    out = " ".join(r.stdout.split())  # columns aside
    assert "L88 alternative sudo systemctl stop jobsearchai" in out
    assert "L96 alternative kill <PID>" in out and "destructive (kills processes)" in out
    assert "L65 placeholder cd /path/to/JobSearchAI" in out
    assert "L296 observe tail -f logs/dashboard.log" in out
    assert "L347 Rollback Procedure rollback" in out
    assert "L489 reference python verify_schema.py" in out
    assert "Plan:" in out and "Rollback:" in out


def test_lint_reports_real_findings_with_file_and_line() -> None:
    path = seed("001")
    r = golive("lint", str(path))
    assert r.returncode == 1  # an unfilled placeholder nothing fills is an error
    assert f"{path}:96: error: command holds placeholder '<PID>'" in r.stdout  # kill <PID>
    assert f"{path}:579: warning: this fence is never closed" in r.stdout
    assert f"{path}:96: warning: destructive command (kills processes)" in r.stdout
    assert r.stdout.splitlines()[-1].startswith(f"{path}: ")  # a summary line per file


def test_lint_on_seed_003_flags_dropdb_and_the_hardcoded_password() -> None:
    path = seed("003")
    r = golive("lint", str(path))
    assert f"{path}:506: warning: destructive command (drops a database)" in r.stdout
    assert f"{path}:330: warning: a password is written in the checklist" in r.stdout


def test_lint_exit_0_on_warnings_only(tmp_path: Path) -> None:
    checklist = tmp_path / "ok.md"
    checklist.write_text("# Deploy\n## Steps\n```bash\necho hi\n# Expected: hi\n```\n")
    r = golive("lint", str(checklist))
    assert r.returncode == 0, r.stdout
    assert f"{checklist}:1: warning: no rollback section" in r.stdout


@pytest.mark.parametrize("bad", ["missing.md", "."])
def test_unreadable_file_is_exit_2_with_one_line_and_no_traceback(bad: str, tmp_path: Path) -> None:
    for command in ("plan", "lint"):
        r = golive(command, bad, cwd=tmp_path)
        assert r.returncode == 2
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "latin1.md"
    f.write_bytes(b"# caf\xe9\n")
    r = golive("plan", str(f))
    assert r.returncode == 2 and "not UTF-8" in r.stderr


def test_usage_errors_are_exit_2() -> None:
    assert golive("plan").returncode == 2
    assert golive("no-such-command").returncode == 2


CLASSES = {"run", "observe", "service", "alternative", "placeholder", "platform", "reference"}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_every_command_of_every_seed_is_classified(path: Path) -> None:
    """run, observe, service, alternative, placeholder, platform or reference; bare output is an expectation."""
    doc = json.loads(golive("plan", str(path), "--json").stdout)
    commands, bare = [], []

    def visit(items: list[dict], section: dict) -> None:  # type: ignore[type-arg]
        for item in items:
            if item["kind"] == "commands":
                commands.extend(item["commands"])
                bare.extend(e for c in item["commands"] for e in c.get("expectations", []) if e["source"] == "bare")
            visit(item.get("items", []), section)

    def walk(section: dict) -> None:  # type: ignore[type-arg]
        visit(section["items"], section)
        for child in section["sections"]:
            walk(child)

    for section in doc["sections"]:
        walk(section)
    assert len(commands) == doc["counts"]["commands"] > 0
    assert {c["class"] for c in commands} <= CLASSES
    assert all(c["why"] or c["class"] == "run" for c in commands)
    if path.name.startswith("004"):
        assert len(bare) == 1 and bare[0]["line"] == 187  # the expected JSON body written inside the bash block


def test_a_malformed_annotation_is_an_error_with_its_line(tmp_path: Path) -> None:
    checklist = tmp_path / "a.md"
    checklist.write_text("# A\n## Steps\n```golive\n- http: GET http://x\n  expect: {status: 200\n```\n")
    r = golive("lint", str(checklist))
    assert r.returncode == 1 and f"{checklist}:5: error: annotation YAML does not read" in r.stdout  # the broken line
    run = golive("run", str(checklist), "--non-interactive", cwd=tmp_path)
    assert run.returncode == 2 and f"{checklist}:5:" in run.stderr


def test_output_in_a_pipe_is_plain_text(tmp_path: Path) -> None:
    checklist = tmp_path / "p.md"
    checklist.write_text("# P\n## Steps\n```bash\necho hi\n```\n## Rollback Plan\n- [ ] x\n")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    for args in (("plan", str(checklist)), ("run", str(checklist), "--non-interactive", "--yes")):
        r = golive(*args, cwd=tmp_path, env={**env, "FORCE_COLOR": ""})
        assert r.returncode == 0 and "\x1b[" not in r.stdout, r.stdout


def test_a_checklist_over_the_limit_is_refused_at_once(tmp_path: Path) -> None:
    """Issue 17: a 50 MB file took minutes and GBs in `plan`; now it is exit 2 with one line."""
    big = tmp_path / "huge.md"
    with big.open("wb") as fh:
        fh.write(b"# Deploy\n\n- [ ] step\n")
        fh.truncate(50 * 2**20)
    for command in ("plan", "lint", "run"):
        r = golive(command, str(big), cwd=tmp_path, timeout=30)
        assert r.returncode == 2, (command, r.stdout, r.stderr)
        assert "is 50.0 MB; golive reads checklists up to 4 MB" in r.stderr and "Traceback" not in r.stderr


def test_plan_shows_one_choice_over_the_same_options_and_where_it_applies() -> None:
    doc = json.loads(golive("plan", str(seed("001")), "--json").stdout)
    assert doc["choices"] == [
        {"id": "C88", "options": ["systemd", "supervisor", "manual"], "steps": ["C88", "C240", "C369"]}
    ]
    assert {f["id"]: f["due"]["seconds"] for f in doc["followups"] if f["id"] in ("L533", "L547")} == {
        "L533": 604800,
        "L547": 604800,
    }
    out = " ".join(golive("plan", str(seed("001"))).stdout.split())
    assert "L88 C88 Choose one: systemd / supervisor / manual ← one choice for every group over these options" in out
    assert "L240 C240 Choose one: systemd / supervisor / manual ← one choice with C88" in out
    assert "L507 claim All deployment steps completed without errors" in out
    month = json.loads(golive("plan", str(seed("000")), "--json").stdout)
    post = next(s for s in month["sections"] if s["title"] == "Post-Deployment")
    assert [s["due"] for s in post["sections"]][2] == {"months": 1, "seconds": 0, "text": "Month 1"}
    assert "L214 Month 1 followup (due 1 month after the deployment)" in " ".join(
        golive("plan", str(seed("000"))).stdout.split()
    )


def test_lint_of_rollback_and_session_placeholders() -> None:
    r = golive("lint", str(seed("001")))
    assert f"{seed('001')}:381: warning: rollback step holds placeholder 'YYYYMMDD_HHMMSS'" in r.stdout
    r = golive("lint", str(seed("004")))
    assert f"{seed('004')}:97: error" not in r.stdout
    assert f"{seed('004')}:97: note: '...' is filled from the session: line 41 sets SESSION_SECRET" in r.stdout
