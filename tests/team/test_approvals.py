"""Sign-offs as approvals, on SQLite and PostgreSQL: the gate holds production until its roles are
approved by the people the policy allows; every violation is refused naming its rule; a rejection
fails the gate; a run never passes while an approval it needs is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.record.events import EventType as E
from tests.commands.test_run import last_run, statuses
from tests.helpers import golive
from tests.record.conftest import Database
from tests.team.conftest import open_store, write
from tests.team.receiver import receiver

RUN = ("--non-interactive", "--yes", "--as", "ana")


def start(tmp_path: Path, *extra: str) -> str:
    """ana starts the release; it stops at the gate, before production."""
    r = golive("run", str(write(tmp_path)), *RUN, *extra, cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "waiting for a sign-off as QA Lead (alice or bob): Approved for production" in r.stdout
    assert "golive approve" in r.stdout and "--role 'QA Lead'" in r.stdout
    return r.stdout.splitlines()[0].split()[-1]


def approve(tmp_path: Path, run_id: str, who: str, role: str, *extra: str) -> tuple[int, str]:
    r = golive("approve", run_id, "--as", who, "--role", role, *extra, cwd=tmp_path)
    return r.returncode, r.stdout + r.stderr


@pytest.mark.parametrize(
    ("who", "role", "rule", "why"),
    [
        ("ana", "DevOps Lead", "not_runner", "ana runs this deployment and may not approve it"),
        ("carol", "QA Lead", "roles", "carol is not listed for QA Lead ("),
        ("alice", "Release Manager", "unknown role", "'Release Manager' is not a sign-off role of this run"),
        ("alice", "DevOps Lead", "distinct", "alice already approved QA Lead; one person fills one role"),
        ("bob", "QA Lead", "decided", "QA Lead was already approved by alice"),
    ],
)
def test_each_violation_is_refused_naming_its_rule_and_nothing_is_recorded(
    team_store: Database, tmp_path: Path, isolated_home: Path, who: str, role: str, rule: str, why: str
) -> None:
    run_id = start(tmp_path)
    assert approve(tmp_path, run_id, "alice", "QA Lead")[0] == 0
    before = open_store(isolated_home).count_events(run_id)

    code, said = approve(tmp_path, run_id, who, role)

    assert code == 2 and f"refused ({rule}): {why}" in said, said
    if rule == "roles":
        assert "DEPLOY.md:5 (front matter) lists alice, bob" in said  # where the list is written
    assert open_store(isolated_home).count_events(run_id) == before


def test_the_gate_holds_production_until_approved_then_the_run_passes_with_who_approved(
    team_store: Database, tmp_path: Path, isolated_home: Path
) -> None:
    run_id = start(tmp_path)
    assert (tmp_path / "staging.txt").exists() and not (tmp_path / "deployed.txt").exists()

    assert approve(tmp_path, run_id, "Alice", "qa lead", "--comment", "tested on staging")[0] == 0
    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 3 and "a sign-off as DevOps Lead (anyone but ana, who runs it)" in r.stdout
    assert not (tmp_path / "deployed.txt").exists()  # one approval of two: production still waits

    assert approve(tmp_path, run_id, "dave", "DevOps Lead")[0] == 0
    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    assert (tmp_path / "deployed.txt").read_text() == "deployed\n"
    steps = {s["id"]: s for s in last_run(isolated_home)["steps"]}
    assert (steps["L16"]["status"], steps["L16"]["actor"], steps["L16"]["reason"]) == (
        "confirmed", "Alice", "tested on staging",
    )  # fmt: skip
    assert (steps["L17"]["status"], steps["L17"]["actor"]) == ("confirmed", "dave")
    # Each approval is an event of the hash-chained record: who, role, how identified, where.
    approvals = [e for e in open_store(isolated_home).events(run_id) if e.type == E.APPROVAL]
    assert [(e.actor, e.data["role"], e.data["decision"], e.data["how"]) for e in approvals] == [
        ("Alice", "QA Lead", "approved", "--as"), ("dave", "DevOps Lead", "approved", "--as"),
    ]  # fmt: skip
    assert all(e.data["host"] for e in approvals)
    assert golive("audit", "verify", run_id, cwd=tmp_path).returncode == 0


def test_an_approval_given_before_the_run_reaches_the_gate_is_waiting_for_it(
    team_store: Database, tmp_path: Path, isolated_home: Path
) -> None:
    checklist = write(tmp_path)
    r = golive("run", str(checklist), "--non-interactive", "--as", "ana", cwd=tmp_path)  # no --yes: stops at L10
    assert r.returncode == 3 and "accept" in r.stdout
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert approve(tmp_path, run_id, "bob", "QA Lead")[0] == 0
    assert golive("approve", run_id, "--role", "DevOps Lead", cwd=tmp_path, env=_user("erin")).returncode == 0

    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)

    assert r.returncode == 0, r.stdout
    approvals = [e for e in open_store(isolated_home).events(run_id) if e.type == E.APPROVAL]
    assert (approvals[1].actor, approvals[1].data["how"]) == ("erin", "GOLIVE_USER")


def test_a_rejection_fails_the_gate_and_production_never_runs(
    team_store: Database, tmp_path: Path, isolated_home: Path
) -> None:
    run_id = start(tmp_path)
    r = golive("reject", run_id, "--as", "bob", "--role", "QA Lead", "--reason", "login broken", cwd=tmp_path)
    assert r.returncode == 0, r.stderr

    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)

    assert r.returncode == 1 and "not approved by bob (QA Lead): login broken" in r.stdout
    assert not (tmp_path / "deployed.txt").exists()
    report = last_run(isolated_home)
    assert report["run"]["status"] == "failed" and statuses(report)["L16"] == "failed"
    refused = golive("approve", run_id, "--as", "alice", "--role", "QA Lead", cwd=tmp_path)
    assert refused.returncode == 2 and "already finished (failed)" in refused.stderr


def test_a_rejection_rolls_back_when_the_run_rolls_back_on_failure(
    team_store: Database, tmp_path: Path, isolated_home: Path
) -> None:
    run_id = start(tmp_path, "--rollback-on-failure")
    rejected = golive("reject", run_id, "--as", "alice", "--role", "QA Lead", "--reason", "no", cwd=tmp_path)
    assert rejected.returncode == 0
    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 1, r.stdout
    assert last_run(isolated_home)["run"]["status"] == "rolled_back"
    assert (tmp_path / "rolled_back.txt").exists() and not (tmp_path / "deployed.txt").exists()


def test_golive_confirm_on_a_sign_off_item_keeps_the_same_rules(
    team_store: Database, tmp_path: Path, isolated_home: Path
) -> None:
    run_id = start(tmp_path)
    refused = golive("confirm", run_id, "L16", "--as", "ana", cwd=tmp_path)
    assert refused.returncode == 2 and "refused (roles): ana is not listed for QA Lead" in refused.stderr
    given = golive("confirm", run_id, "L16", "--as", "bob", cwd=tmp_path)
    assert given.returncode == 0 and "QA Lead approved by bob" in given.stdout


def test_a_role_only_the_policy_requires_is_awaited_before_the_run_may_pass(
    team_store: Database, tmp_path: Path, isolated_home: Path
) -> None:
    """The checklist has no Release Manager item; the policy requires one: the run does not end passed."""
    checklist = write(tmp_path)
    checklist.write_text(checklist.read_text().replace("[QA Lead, DevOps Lead]", "[QA Lead, Release Manager]"))
    r = golive("run", str(checklist), *RUN, cwd=tmp_path)
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert approve(tmp_path, run_id, "alice", "QA Lead")[0] == 0
    assert approve(tmp_path, run_id, "bob", "DevOps Lead")[0] == 0  # an item of the checklist: anyone but ana

    r = golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path)

    assert r.returncode == 3 and "a sign-off as Release Manager (anyone but ana, who runs it)" in r.stdout
    assert (tmp_path / "deployed.txt").exists()  # the policy's own role closes the run, it gates nothing before
    assert last_run(isolated_home)["run"]["status"] == "paused"
    assert approve(tmp_path, run_id, "carol", "Release Manager")[0] == 0
    assert golive("resume", run_id, "--non-interactive", "--yes", cwd=tmp_path).returncode == 0
    assert last_run(isolated_home)["run"]["status"] == "passed"


def _user(name: str) -> dict[str, str]:
    import os

    return {**os.environ, "GOLIVE_USER": name}


def test_a_profiles_policy_governs_the_run_it_applies_to(
    team_store: Database, tmp_path: Path, isolated_home: Path
) -> None:
    """Production's profile names who may approve QA Lead; the checklist itself has no policy."""
    checklist = tmp_path / "DEPLOY.md"
    checklist.write_text(write(tmp_path).read_text().split("---\n", 2)[2])  # the same release, no front matter
    profile = tmp_path / "prod.yaml"
    profile.write_text("name: prod\nsignoff: {not_runner: true}\nroles:\n  QA Lead: [quinn]\n")
    r = golive("run", str(checklist), "--profile", str(profile), *RUN, cwd=tmp_path)
    assert r.returncode == 3 and "a sign-off as QA Lead (quinn)" in r.stdout, r.stdout
    run_id = r.stdout.splitlines()[0].split()[-1]

    code, said = approve(tmp_path, run_id, "alice", "QA Lead")
    assert code == 2 and f"refused (roles): alice is not listed for QA Lead ({profile}:3 lists quinn)" in said
    assert approve(tmp_path, run_id, "ana", "DevOps Lead")[1].count("refused (not_runner)") == 1
    assert approve(tmp_path, run_id, "quinn", "QA Lead")[0] == 0


def test_approve_and_reject_reach_the_runs_notification_services(
    team_store: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiver() as (got, url):
        monkeypatch.setenv("GOLIVE_NOTIFY", url)
        run_id = start(tmp_path)
        assert approve(tmp_path, run_id, "alice", "QA Lead", "--comment", "tested on staging")[0] == 0
        r = golive("reject", run_id, "--as", "dave", "--role", "DevOps Lead", "--reason", "no rollback plan",
                   cwd=tmp_path)  # fmt: skip
        assert r.returncode == 0, r.stderr
    assert got.titles[0] == "golive: Release 1.2 (default) started"
    assert "waits for a sign-off as QA Lead (alice or bob)" in got.titles[1]  # who is awaited
    assert got.titles[2:] == [
        "golive: Release 1.2 (default): QA Lead approved by alice",
        "golive: Release 1.2 (default): DevOps Lead refused by dave",
    ]
    assert "no rollback plan" in got.messages[-1]["message"]
