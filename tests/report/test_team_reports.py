"""What a team reads in every report format: the approvals a policy requires that no checklist item
asks for (who, role, when, or missing), and each follow-up's due time and state, as `golive due` sees it."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

from golive.record.store import Store
from tests.helpers import golive
from tests.team.conftest import GATED, write

RUN = ("--non-interactive", "--yes", "--as", "ana")

# GATED, with a role no sign-off item asks for: asked at the end of the run.
WITH_RELEASE_MANAGER = GATED.replace(
    "required: [QA Lead, DevOps Lead]", "required: [QA Lead, DevOps Lead, Release Manager]"
).replace("roles: {QA Lead: [alice, bob]}", "roles: {QA Lead: [alice, bob], Release Manager: [carol]}")

DEPLOY = """
    # Deploy the widget service

    ## Deployment Steps

    ```bash
    echo deployed > deployed.txt
    ```

    ## Post-Deployment

    ### Day 1

    ```bash
    test -f deployed.txt && echo day-one-ok > day1.txt
    ```

    ### Week 1

    - [ ] Review usage patterns

    ### Month 1

    - [ ] Generate usage report
    """


def report(tmp_path: Path, run_id: str, fmt: str, *extra: str) -> str:
    r = golive("report", run_id, "--format", fmt, *extra, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return r.stdout


def waiting_at_the_end(tmp_path: Path) -> str:
    """The gate's roles approved; the run paused at the end, for the Release Manager only the policy names."""
    write(tmp_path, WITH_RELEASE_MANAGER)
    r = golive("run", "DEPLOY.md", *RUN, cwd=tmp_path)
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert r.returncode == 3, r.stdout + r.stderr
    for who, role in (("alice", "QA Lead"), ("dave", "DevOps Lead")):
        assert golive("approve", run_id, "--as", who, "--role", role, cwd=tmp_path).returncode == 0
    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3 and "a sign-off as Release Manager (carol)" in r.stdout, r.stdout
    return run_id


def test_a_missing_policy_approval_shows_in_every_format(tmp_path: Path) -> None:
    run_id = waiting_at_the_end(tmp_path)

    md = report(tmp_path, run_id, "md")
    assert "- Approvals the policy requires (DEPLOY.md:3 (front matter)) that no checklist item asks for:" in md
    assert "  - **Release Manager**: ⬜ missing\n" in md
    assert f"- Paused: waiting for a sign-off as Release Manager (carol) (`golive approve {run_id} --role" in md

    data = json.loads(report(tmp_path, run_id, "json"))
    assert data["approvals"]["policy"] == "DEPLOY.md:3 (front matter)"
    roles = {a["role"]: a for a in data["approvals"]["roles"]}
    assert (roles["QA Lead"]["item"], roles["QA Lead"]["status"], roles["QA Lead"]["by"]) == (
        "L16",
        "approved",
        "alice",
    )
    assert roles["Release Manager"] == {
        "role": "Release Manager", "item": None, "status": "missing", "by": None, "at": None, "note": None,
    }  # fmt: skip

    html = report(tmp_path, run_id, "html")
    assert "<h2>Approvals <small>(policy: DEPLOY.md:3 (front matter))</small></h2>" in html
    assert (
        "<tr><td>Release Manager</td><td>the policy (at the end of the run)</td>"
        '<td><span class="st s-missing">missing</span></td>' in html
    )

    suite = _approvals_suite(report(tmp_path, run_id, "junit"))
    [case] = suite.findall("testcase")
    assert case.get("name") == "Release Manager" and suite.get("errors") == "1"
    error = case.find("error")
    assert error is not None and "no one approved Release Manager" in (error.get("message") or "")


def test_an_approval_given_at_the_end_shows_who_and_when_and_the_run_passes(tmp_path: Path) -> None:
    run_id = waiting_at_the_end(tmp_path)
    r = golive("approve", run_id, "--as", "carol", "--role", "Release Manager", "--comment", "go", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path).returncode == 0

    md = report(tmp_path, run_id, "md")
    assert "  - **Release Manager**: ✅ approved by carol at " in md and " UTC: go" in md
    [manager] = [a for a in json.loads(report(tmp_path, run_id, "json"))["approvals"]["roles"] if a["item"] is None]
    assert (manager["status"], manager["by"], manager["note"]) == ("approved", "carol", "go")
    assert manager["at"] is not None
    html = report(tmp_path, run_id, "html")
    assert '<td><span class="st s-approved">approved</span></td><td>carol</td>' in html
    suite = _approvals_suite(report(tmp_path, run_id, "junit"))
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "0")
    out = suite.find("testcase/system-out")
    assert out is not None and (out.text or "").startswith("approved by carol at ")


def test_without_a_policy_role_reports_add_no_approvals_of_their_own(tmp_path: Path) -> None:
    path = tmp_path / "DEPLOY.md"
    path.write_text(textwrap.dedent(DEPLOY).lstrip())
    r = golive("run", str(path), *RUN, cwd=tmp_path)
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert "Approvals the policy requires" not in report(tmp_path, run_id, "md")
    assert json.loads(report(tmp_path, run_id, "json"))["approvals"] == {"policy": None, "roles": []}
    assert "<h2>Approvals" not in report(tmp_path, run_id, "html")
    assert "Approvals the policy requires" not in report(tmp_path, run_id, "junit")


def test_follow_ups_carry_their_due_time_and_state_in_json_and_html(tmp_path: Path, isolated_home: Path) -> None:
    path = tmp_path / "DEPLOY.md"
    path.write_text(textwrap.dedent(DEPLOY).lstrip())
    r = golive("run", str(path), *RUN, cwd=tmp_path)
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert r.returncode == 0, r.stdout + r.stderr
    assert golive("followup", run_id, "Day 1", *RUN, cwd=tmp_path).returncode == 0
    finished = Store.open(isolated_home).run(run_id).finished_at
    assert finished is not None
    at = (finished + timedelta(days=8, hours=1)).isoformat()  # Week 1 late by more than a day: overdue

    data = json.loads(report(tmp_path, run_id, "json", "--at", at))
    states = {f["followup"]: f for f in data["followup_status"]}
    assert {name: f["state"] for name, f in states.items()} == {
        "Day 1": "closed", "Week 1": "overdue", "Month 1": "upcoming",
    }  # fmt: skip
    assert (
        states["Day 1"]["closed_by"] == "ana"
        and states["Day 1"]["due_at"] == (finished + timedelta(days=1)).isoformat()
    )
    assert states["Week 1"]["late_s"] == (timedelta(days=1, hours=1)).total_seconds()
    assert data["at"] == at

    html = report(tmp_path, run_id, "html", "--at", at)
    assert '<span class="st s-closed">closed</span> by ana at' in html
    assert '<span class="st s-overdue">overdue</span> 1 d 1 h late: <code>golive followup' in html
    assert '<span class="st s-upcoming">upcoming</span>' in html

    md = report(tmp_path, run_id, "md", "--at", at)  # the Markdown report, as it always did, at that moment
    assert "**Week 1** (L" in md and "⏰ overdue, 1 d 1 h late" in md


def test_a_run_that_did_not_pass_owes_no_follow_up(tmp_path: Path) -> None:
    path = tmp_path / "DEPLOY.md"
    path.write_text(textwrap.dedent(DEPLOY).replace("echo deployed > deployed.txt", "false").lstrip())
    r = golive("run", str(path), *RUN, cwd=tmp_path)
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert r.returncode == 1, r.stdout
    data = json.loads(report(tmp_path, run_id, "json"))
    assert [(f["followup"], f["state"], f["due_at"]) for f in data["followup_status"]] == [
        ("Day 1", "not owed", None), ("Week 1", "not owed", None), ("Month 1", "not owed", None),
    ]  # fmt: skip
    assert '<span class="st s-not_owed">not owed</span>' in report(tmp_path, run_id, "html")


def _approvals_suite(xml: str) -> ET.Element:
    root = ET.fromstring(xml)
    [suite] = [s for s in root.findall("testsuite") if s.get("name") == "Approvals the policy requires"]
    return suite
