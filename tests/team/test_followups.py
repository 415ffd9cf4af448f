"""Follow-ups as a team owes them: due after the run finished, listed by `golive due` at fixed moments
(the clock is an argument: nothing sleeps), run and closed by `golive followup` against the run's record."""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from golive import plan as planning
from golive.commands.due import due
from golive.parse import load
from golive.record.events import EventType as E
from golive.record.store import Store
from golive.team import followups
from tests.conftest import seed
from tests.helpers import golive
from tests.record.conftest import BACKENDS, fresh_database
from tests.team.receiver import receiver

DEPLOY = """
    # Deploy the widget service

    ## Deployment Steps

    ```bash
    mkdir -p release && cd release
    echo deployed > deployed.txt
    ```

    ## Post-Deployment

    ### Day 1

    ```bash
    test -f deployed.txt && echo day-one-ok > day1.txt
    ```

    - [ ] Error rates normal

    ### Week 1

    - [ ] Review usage patterns

    ### Month 1

    - [ ] Generate usage report
    """


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The store on SQLite, then on PostgreSQL 127.0.0.1:5432 (a fresh database; under CI=true never skipped)."""
    with fresh_database(request.param, tmp_path) as db:
        if db.backend == "postgres":
            monkeypatch.setenv("GOLIVE_DATABASE_URL", db.url)
        yield db.backend


def deployed(tmp_path: Path, home: Path, deploy: str = DEPLOY) -> tuple[str, datetime]:
    """A deployment that ran (and passed, unless told otherwise): its run id and when it finished."""
    checklist = tmp_path / "DEPLOY.md"
    checklist.write_text(textwrap.dedent(deploy).lstrip())
    r = golive("run", str(checklist), "--non-interactive", "--yes", "--as", "Ana", cwd=tmp_path)
    run_id = r.stdout.splitlines()[0].split()[-1]
    run = Store.open(home).run(run_id)
    assert run.finished_at is not None, r.stdout + r.stderr
    return run_id, run.finished_at


def due_at(moment: datetime, tmp_path: Path) -> list[dict]:  # type: ignore[type-arg]
    r = golive("due", "--json", "--at", moment.isoformat(), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["followups"]  # type: ignore[no-any-return]


def test_golive_due_lists_day_1_the_next_day_and_week_1_a_week_later(
    backend: str, tmp_path: Path, isolated_home: Path
) -> None:
    run_id, finished = deployed(tmp_path, isolated_home)
    day = timedelta(days=1)

    assert due_at(finished + day / 2, tmp_path) == []
    [day1] = due_at(finished + day + timedelta(minutes=5), tmp_path)
    assert (day1["run"], day1["followup"], day1["owner"], day1["state"]) == (run_id, "Day 1", "Ana", "due")
    assert day1["due_at"] == (finished + day).isoformat() and day1["late_s"] == 300

    later = due_at(finished + 7 * day + timedelta(hours=1), tmp_path)
    assert [(f["followup"], f["state"]) for f in later] == [("Week 1", "due"), ("Day 1", "overdue")]

    r = golive("due", "--at", (finished + 2 * day).isoformat(), cwd=tmp_path)
    assert r.returncode == 0
    assert "1 follow-up owed at" in r.stdout and "Day 1" in r.stdout and "overdue" in r.stdout
    assert "1 d" in r.stdout and f'then: golive followup {run_id} "Day 1"' in r.stdout
    assert "Week 1" not in r.stdout


def test_month_1_is_a_calendar_month_after_the_finish() -> None:
    plan = planning.build(load(seed("000")))
    by_name = {f.name: f for f in followups.of_plan(plan)}
    finished = datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    assert by_name["Month 1"].due_at(finished) == datetime(2027, 2, 28, 10, 0, tzinfo=UTC)
    assert by_name["Week 1"].due_at(finished) == datetime(2027, 2, 7, 10, 0, tzinfo=UTC)
    assert by_name["Monitor First 24 Hours"].due_at(finished) == datetime(2027, 2, 1, 10, 0, tzinfo=UTC)


def test_the_seeds_follow_ups_are_found_with_their_offsets() -> None:
    plan = planning.build(load(seed("003")))
    found = [(f.name, f.due.seconds if f.due else None, len(f.steps)) for f in followups.of_plan(plan)]
    assert found == [
        ("Immediate (T+1 hour)", 3600, 5),
        ("Short-term (T+24 hours)", 86400, 5),
        ("Long-term (T+1 week)", 604800, 5),
    ]
    assert followups.find(followups.of_plan(plan), "t+24").name == "Short-term (T+24 hours)"


def test_golive_followup_runs_the_section_against_the_same_record_and_closes_it(
    backend: str, tmp_path: Path, isolated_home: Path
) -> None:
    run_id, finished = deployed(tmp_path, isolated_home)
    r = golive("followup", run_id, "day 1", "--yes", "--as", "Bo", cwd=tmp_path, stdin="y\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "follow-up Day 1 closed" in r.stdout
    # its command ran in the shell where the deployment left off (cd release)
    assert (tmp_path / "release" / "day1.txt").read_text() == "day-one-ok\n"

    store = Store.open(isolated_home)
    assert store.run(run_id).status == "passed"  # the run's own status stays
    closed = [e for e in store.events(run_id) if e.type == E.FOLLOWUP_CLOSED]
    assert [(e.item, e.actor, e.data["status"]) for e in closed] == [("L12", "Bo", "passed")]
    assert due_at(finished + timedelta(days=1, minutes=1), tmp_path) == []  # closed: owed no more

    md = golive("report", run_id, cwd=tmp_path).stdout
    assert "- **Day 1** (L12) — due " in md and "✅ closed by Bo at" in md
    assert "- **Week 1** (L20) — due " in md and "⬜ upcoming" in md

    again = golive("followup", run_id, "Day 1", cwd=tmp_path)
    assert again.returncode == 2 and "was closed by Bo" in again.stderr
    assert golive("audit", "verify", run_id, cwd=tmp_path).returncode == 0


def test_a_follow_up_whose_check_fails_is_not_closed_and_stays_owed(tmp_path: Path, isolated_home: Path) -> None:
    run_id, finished = deployed(tmp_path, isolated_home)
    (tmp_path / "release" / "deployed.txt").unlink()
    r = golive("followup", run_id, "Day 1", "--yes", "--non-interactive", cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "follow-up Day 1 failed: L15 failed" in r.stdout
    [day1] = due_at(finished + timedelta(days=1, hours=1), tmp_path)
    assert (day1["followup"], day1["state"], day1["late_s"]) == ("Day 1", "failed", 3600)
    # put right, it is run again and closes
    (tmp_path / "release" / "deployed.txt").write_text("deployed\n")
    r = golive("followup", run_id, "Day 1", "--yes", cwd=tmp_path, stdin="y\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert due_at(finished + timedelta(days=1, hours=1), tmp_path) == []


def test_golive_due_reminds_once_when_a_follow_up_falls_due(
    backend: str, tmp_path: Path, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiver() as (got, url):
        monkeypatch.setenv("GOLIVE_NOTIFY", url)
        run_id, finished = deployed(tmp_path, isolated_home)
        passed = got.messages[-1]["message"]  # the run's own messages tell what it owes, and when
        day1 = finished + timedelta(days=1)
        assert f"Follow-ups due: Day 1 at {day1:%Y-%m-%d %H:%M} UTC; Week 1 at" in passed and "Month 1 at" in passed
        got.raw.clear()
        out = io.StringIO()
        due(False, None, out, clock=lambda: finished + timedelta(hours=20))
        assert got.raw == [] and "no follow-up is due" in out.getvalue()
        for hours in (25, 26):  # cron, every hour: one reminder
            due(False, None, io.StringIO(), clock=lambda h=hours: finished + timedelta(hours=h))
        assert got.titles == ["golive: Deploy the widget service (default): follow-up Day 1 is due"]
        assert f'golive followup {run_id} "Day 1"' in got.messages[0]["message"]
        assert "owed by Ana" in got.messages[0]["message"]
        due(False, finished + timedelta(days=8), io.StringIO())  # --at: planning, reminds nobody
        assert len(got.raw) == 1
    reminded = [e for e in Store.open(isolated_home).events(run_id) if e.type == E.NOTIFIED]
    assert [(e.item, e.data["event"]) for e in reminded][-1:] == [("L12", "followup_due")]
    assert [e.data["event"] for e in reminded].count("followup_due") == 1


def test_a_run_that_did_not_pass_owes_no_follow_ups(tmp_path: Path, isolated_home: Path) -> None:
    failing = DEPLOY.replace("echo deployed > deployed.txt", "exit 7")
    run_id, finished = deployed(tmp_path, isolated_home, failing)
    assert due_at(finished + timedelta(days=40), tmp_path) == []
    r = golive("followup", run_id, "Day 1", cwd=tmp_path)
    assert r.returncode == 2 and "only a deployment that passed owes follow-ups" in r.stderr


def test_a_follow_up_nobody_answers_waits_in_progress_and_is_taken_up_again(
    tmp_path: Path, isolated_home: Path
) -> None:
    run_id, finished = deployed(tmp_path, isolated_home)
    r = golive("followup", run_id, "Day 1", "--yes", "--non-interactive", cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr
    assert f'golive followup {run_id} "Day 1"' in r.stdout
    [day1] = due_at(finished + timedelta(days=1), tmp_path)
    assert day1["state"] == "in progress"
    # at a terminal: the command that passed is not run again, the confirmation is asked, and it closes
    (tmp_path / "release" / "day1.txt").unlink()
    r = golive("followup", run_id, "Day 1", "--as", "Bo", cwd=tmp_path, stdin="y\n")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not (tmp_path / "release" / "day1.txt").exists()
    assert due_at(finished + timedelta(days=1), tmp_path) == []
