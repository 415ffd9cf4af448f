"""`golive plan` shows a checklist's sign-off policy before anything runs: the roles it needs, who may
give each, the rules in words, and where the run stops for them (a gate before production, or the end)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import golive
from tests.team.conftest import GATED, write

# GATED, with a role only the policy names: no sign-off item asks for it, so it is asked at the end.
WITH_RELEASE_MANAGER = GATED.replace(
    "required: [QA Lead, DevOps Lead]", "required: [QA Lead, DevOps Lead, Release Manager]"
).replace("roles: {QA Lead: [alice, bob]}", "roles: {QA Lead: [alice, bob], Release Manager: [carol]}")


def test_the_plan_opens_with_the_policy_its_gate_and_the_role_asked_at_the_end(tmp_path: Path) -> None:
    path = write(tmp_path, WITH_RELEASE_MANAGER)
    r = golive("plan", str(path))
    assert r.returncode == 0, r.stderr
    top = r.stdout.split("Release 1.2  ")[0]  # what comes before the tree
    assert f"sign-off policy ({path}:3 (front matter)):" in top
    assert (
        "required: QA Lead — alice or bob; DevOps Lead — anyone but whoever runs the deployment; "
        "Release Manager — carol" in top
    )
    assert "rule: distinct people: one person approves one role at most" in top
    assert "rule: not the runner: whoever runs (or resumes) the deployment does not approve it" in top
    gate = "gate L15 Sign-Off: holds the 1 step after it (from L22) until QA Lead (L16) and DevOps Lead (L17) approve"
    assert gate in top
    assert "at the end: Release Manager (carol): no sign-off item asks for it; the run does not pass without it" in top
    # and in the tree: the gate, and who gives each of its sign-offs
    assert "Sign-Off  signoff  ◆ gate: waits for QA Lead and DevOps Lead" in r.stdout
    assert "QA Lead: Approved for production  ◆ approved by alice or bob" in r.stdout


def test_plan_json_carries_the_policy_as_data(tmp_path: Path) -> None:
    path = write(tmp_path, WITH_RELEASE_MANAGER)
    r = golive("plan", str(path), "--json")
    assert r.returncode == 0, r.stderr
    signoff = json.loads(r.stdout)["signoff"]
    assert signoff["source"] == f"{path}:3 (front matter)"
    assert signoff["required"] == ["QA Lead", "DevOps Lead", "Release Manager"]
    assert (signoff["distinct"], signoff["not_runner"]) == (True, True)
    assert len(signoff["rules"]) == 2
    roles = {r["role"]: r for r in signoff["roles"]}
    assert roles["QA Lead"] == {
        "role": "QA Lead",
        "approvers": ["alice", "bob"],
        "who": "alice or bob",
        "item": "L16",
        "asked": "at a gate",
        "gate": 15,
    }
    assert roles["Release Manager"]["item"] is None and roles["Release Manager"]["asked"] == "at the end"
    assert signoff["gates"] == [
        {
            "section": "Sign-Off",
            "line": 15,
            "items": [{"id": "L16", "role": "QA Lead"}, {"id": "L17", "role": "DevOps Lead"}],
            "held": 1,
            "first_held": "L22",
        }
    ]
    assert signoff["at_end"] == ["Release Manager"]


def test_a_profile_policy_shows_with_the_profile_as_its_source(tmp_path: Path) -> None:
    path = write(tmp_path, GATED.split("    ---\n    # Release 1.2\n")[1])  # no front matter at all
    profile = tmp_path / "prod.yaml"
    profile.write_text("signoff: {required: [QA Lead], not_runner: true}\nroles: {QA Lead: [dana]}\n")
    r = golive("plan", str(path), "--profile", str(profile))
    assert r.returncode == 0, r.stderr
    assert f"sign-off policy ({profile}:1):" in r.stdout
    assert "required: QA Lead — dana; DevOps Lead — anyone but whoever runs the deployment" in r.stdout
    assert "distinct" not in r.stdout
    doc = json.loads(golive("plan", str(path), "--profile", str(profile), "--json").stdout)
    assert doc["signoff"]["source"] == f"{profile}:1" and doc["signoff"]["at_end"] == []


def test_sign_offs_after_the_last_step_hold_nothing(tmp_path: Path) -> None:
    at_the_end = GATED.replace("## Sign-Off\n    - [ ] QA Lead: Approved for production\n", "").replace(
        "## Rollback Plan", "## Sign-Off\n    - [ ] QA Lead: Approved for production\n\n    ## Rollback Plan"
    )
    r = golive("plan", str(write(tmp_path, at_the_end)))
    assert r.returncode == 0, r.stderr
    assert "Sign-Off (after the last step): waits for QA Lead" in r.stdout
    assert "gate" not in r.stdout.split("Release 1.2  ")[0]
    doc = json.loads(golive("plan", str(write(tmp_path, at_the_end)), "--json").stdout)
    assert doc["signoff"]["gates"] == []
    assert {r["role"]: r["asked"] for r in doc["signoff"]["roles"]}["QA Lead"] == "after the last step"


def test_without_a_policy_the_plan_says_nothing_of_one(tmp_path: Path) -> None:
    no_policy = GATED.split("    ---\n    # Release 1.2\n")[1]
    r = golive("plan", str(write(tmp_path, no_policy)))
    assert r.returncode == 0 and "sign-off policy" not in r.stdout and "◆" not in r.stdout
    assert json.loads(golive("plan", str(tmp_path / "DEPLOY.md"), "--json").stdout)["signoff"] is None


def test_a_broken_policy_is_refused_at_its_line_as_run_would(tmp_path: Path) -> None:
    path = write(tmp_path, GATED.replace("not_runner: true", "not_runner: maybe"))
    r = golive("plan", str(path))
    assert r.returncode == 2
    assert "DEPLOY.md:4: front matter" in r.stderr and "golive.signoff.not_runner: expected true or false" in r.stderr
