"""`golive plan --profile` and `run --dry-run --profile` show seed 003 as it will run in the rehearsal:
paths and URLs rewritten, options chosen, answers pre-recorded and by whom."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.conftest import seed
from tests.helpers import golive

SEED = seed("003")


def profile(tmp_path: Path) -> Path:
    path = tmp_path / "rehearsal.yaml"
    path.write_text(
        f"""
name: rehearsal
rewrite:
  paths: {{"/var/www/employee-system": "{tmp_path}/app"}}
  urls: {{"http://localhost:8000": "http://127.0.0.1:18000"}}
choices:
  "Step 2": docker
answers:
  - text: "QA Lead"
    by: "Quinn (QA lead)"
    answer: confirm
"""
    )
    return path


def test_plan_shows_the_checklist_as_it_will_run_with_the_profile(tmp_path: Path) -> None:
    r = golive("plan", str(SEED), "--profile", str(profile(tmp_path)), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert f"rewrite paths: /var/www/employee-system → {tmp_path}/app  (rewrote L196, L224, L227" in out
    assert f"L196 run            cd {tmp_path}/app  ◆ rewritten (paths)" in out
    assert "L322 run            curl http://127.0.0.1:18000/health  ◆ rewritten (urls)" in out
    assert "L160 alternative    docker-compose down  ← option 2 of 3 (Docker): runs only if chosen  ◆ chosen" in out
    assert "◆ not run: the profile chose Docker" in out
    assert "L667 sign-off       QA Lead  ◆ pre-recorded: confirm by Quinn (QA lead)" in out
    assert "/var/www/employee-system" not in out.split("Production Deployment Plan", 1)[1]
    plain = golive("plan", str(SEED), cwd=tmp_path).stdout
    assert "L196 run            cd /var/www/employee-system" in plain and "◆" not in plain


def commands(section: dict[str, Any]) -> dict[int, str]:
    out = {}
    for item in section.get("items", []):
        out.update({c["line"]: c["text"] for c in item.get("commands", [])})
        out.update(commands(item))
    for child in section.get("sections", []):
        out.update(commands(child))
    return out


def test_plan_json_holds_the_rewritten_commands_and_what_the_profile_does(tmp_path: Path) -> None:
    r = golive("plan", str(SEED), "--json", "--profile", str(profile(tmp_path)), cwd=tmp_path)
    data = json.loads(r.stdout)
    texts = commands({"sections": data["sections"]})
    assert texts[196] == f"cd {tmp_path}/app" and texts[166] == "curl http://127.0.0.1:18000/health"
    p = data["profile"]
    assert p["name"] == "rehearsal" and len(p["sha256"]) == 64
    assert p["answers"] == [
        {"item": "L667", "answer": "confirm", "by": "Quinn (QA lead)", "reason": "", "profile_line": 9}
    ]
    assert p["choices"] == [
        {
            "key": "Step 2",
            "label": "docker",
            "steps": [
                {"step": "C157", "option": 2, "label": "Docker"},
                {"step": "C496", "option": 2, "label": "docker-compose"},
            ],
        }
    ]
    paths = next(r for r in p["rewrites"] if r["kind"] == "paths")
    assert paths["lines"] == [196, 224, 227, 237, 248, 399, 523, 543]


def test_dry_run_shows_what_runs_there_and_what_a_person_already_answered(tmp_path: Path) -> None:
    r = golive("run", str(SEED), "--dry-run", "--profile", str(profile(tmp_path)), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "profile rehearsal: " in out.splitlines()[1]
    assert f"  L196 run: cd {tmp_path}/app\n" in out
    assert "  C157 chosen: option 2 (Docker) by profile rehearsal\n" in out
    assert "  L157 not run: option 2 is chosen (profile rehearsal)\n  L160 run: docker-compose down\n" in out
    assert "  L667 confirm by Quinn (QA lead), pre-recorded: QA Lead\n" in out
    cannot = out.split("cannot be simulated", 1)[1]
    assert "L667" not in cannot and "C157" not in cannot and "L666: a person's confirmation" in cannot


def test_env_picks_the_profile_beside_the_checklist(tmp_path: Path) -> None:
    checklist = tmp_path / "DEPLOY.md"
    shutil.copy(SEED, checklist)
    envs = tmp_path / "golive" / "envs"
    envs.mkdir(parents=True)
    shutil.move(profile(tmp_path), envs / "staging.yaml")
    elsewhere = tmp_path / "work"  # not beside golive/: `python -m golive` there would import that folder
    elsewhere.mkdir()
    staging = golive("run", str(checklist), "--env", "staging", "--dry-run", cwd=elsewhere)
    assert f"L196 run: cd {tmp_path}/app" in staging.stdout and "profile staging" not in staging.stdout
    assert "profile rehearsal: " + str(envs / "staging.yaml") in staging.stdout  # its name says rehearsal
    production = golive("run", str(checklist), "--env", "production", "--dry-run", cwd=elsewhere)
    assert production.returncode == 0 and "L196 run: cd /var/www/employee-system" in production.stdout


def test_choose_is_validated_like_the_profile_choices(tmp_path: Path) -> None:
    # The block's line names its choice, as the help says (--choose L88=…): before, only C157 did.
    by_line = golive("run", str(SEED), "--dry-run", "--choose", "L157=PM2", cwd=tmp_path)
    assert by_line.returncode == 0 and "C157 chosen: option 3 (PM2) by --choose L157=PM2" in by_line.stdout
    unknown = golive("run", str(SEED), "--dry-run", "--choose", "C157=kubernetes", cwd=tmp_path)
    assert unknown.returncode == 2
    assert "--choose C157=kubernetes: C157 (Step 2: Stop Application) has no option 'kubernetes'" in unknown.stderr
