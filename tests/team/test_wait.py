"""Two people, one run: one runs and waits at the gate, another approves or confirms from a second
process, and the waiting run continues by itself, without a resume (PostgreSQL LISTEN/NOTIFY; SQLite
a short poll of the event log). Waiting is bounded by --wait, then the run pauses (exit 3)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from golive.record.chain import Event
from golive.record.events import EventType as E
from golive.record.store import Store
from golive.run.people import Need
from golive.team.wait import Listener, wait_for_answer, waiting_line
from tests.helpers import golive
from tests.record.conftest import Database
from tests.team.conftest import GATED, open_store, write


class Clock:
    """An injected clock: waiting advances it instead of the test sleeping."""

    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


class FakeListener(Listener):
    def __init__(self, clock: Clock, then: Callable[[], None] = lambda: None) -> None:
        self.clock, self.then, self.conn = clock, then, None

    @property
    def slice_s(self) -> float:
        return 0.2

    def wait(self, seconds: float) -> None:
        self.clock.wait(seconds)
        self.then()


def a_run(store: Store) -> str:
    run = store.create_run(
        path="D.md", sha256="0" * 64, text_="# D", title="D", env="prod", created_by="ana", options={}
    )
    store.append(run.id, E.RUN_STARTED, actor="ana", data={"by": "ana"})
    return run.id


def test_a_wait_without_an_answer_ends_when_its_time_is_up(team_store: Database) -> None:
    store, clock = Store(team_store.url, team_store.home), Clock()
    run_id = a_run(store)
    store.append(run_id, E.WARNING, data={"message": "not an answer"})  # other events do not end a wait
    ticks: list[float] = []

    found = wait_for_answer(store, run_id, 0, 5.0, ticks.append, clock=clock, listener=FakeListener(clock))

    assert found is None
    assert round(sum(clock.waits), 6) == 5.0 and max(clock.waits) <= 0.2  # short slices, never past the limit
    assert ticks[0] == 0.0 and ticks == sorted(ticks)


def test_a_wait_ends_at_the_first_answer_given_by_someone_else(team_store: Database) -> None:
    store, clock = Store(team_store.url, team_store.home), Clock()
    run_id = a_run(store)
    after = store.count_events(run_id)
    other = Store(team_store.url, team_store.home)  # the second person's golive

    def approve_after_a_minute() -> None:
        if clock.now >= 160 and other.count_events(run_id) == after:
            other.append(run_id, E.APPROVAL, "L16", "alice", {"role": "QA Lead", "decision": "approved"})

    found = wait_for_answer(
        store, run_id, after, None, clock=clock, listener=FakeListener(clock, approve_after_a_minute)
    )

    assert isinstance(found, Event) and (found.type, found.actor) == (E.APPROVAL, "alice")
    assert 60 <= clock.now - 100 < 60.5


def test_ctrl_c_ends_a_wait(team_store: Database) -> None:
    store, clock = Store(team_store.url, team_store.home), Clock()
    run_id = a_run(store)
    found = wait_for_answer(
        store, run_id, 0, None, stop=lambda: clock.now > 103, clock=clock, listener=FakeListener(clock)
    )
    assert found is None and 103 < clock.now < 104


def test_on_postgresql_a_waiting_run_hears_of_each_new_event_of_its_run(team_store: Database) -> None:
    store = Store(team_store.url, team_store.home)
    run_id = a_run(store)
    listener = Listener(store, run_id, sleep=lambda _s: None)
    try:
        Store(team_store.url, team_store.home).append(run_id, E.ANSWER, "L9", "dave", {"verb": "confirm"})
        started = time.monotonic()
        listener.wait(30.0)  # PostgreSQL: the NOTIFY is there already; SQLite: the poll's slice
        waited = time.monotonic() - started
    finally:
        listener.close()
    assert waited < 5.0, f"waited {waited:.1f} s for a notification already sent"


def test_the_waiting_line_says_whom_it_waits_for_and_how_to_answer() -> None:
    need = Need("L16", "a sign-off as QA Lead (alice or bob)", "golive approve R --role 'QA Lead' --as NAME")
    assert waiting_line(need, "R", 120.0) == (
        "⧗ waiting for a sign-off as QA Lead (alice or bob) (up to 2 min 0 s)\n"
        "  give it with: golive approve R --role 'QA Lead' --as NAME"
    )
    assert "(until answered; Ctrl-C pauses)" in waiting_line(need, "R", None)


# --- two processes --------------------------------------------------------------------------------------

WITH_SMOKE_TEST = GATED.replace(
    "    echo deployed > deployed.txt\n    ```\n",
    "    echo deployed > deployed.txt\n    ```\n\n    - [ ] Smoke test passed\n",
)


def waiting_at(store: Store, run_id: str, count: int, runner: subprocess.Popen[str]) -> Event:
    """The runner's `count`-th wait, once it began (read from the record, as the other person's golive would)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        waits = [e for e in store.events(run_id) if e.type == E.PAUSED and e.data.get("waiting")]
        if len(waits) >= count:
            return waits[count - 1]
        assert runner.poll() is None, runner.communicate()[0]
        time.sleep(0.05)
    raise AssertionError(f"the runner did not wait a {count}th time")


def start_runner(tmp_path: Path, checklist: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-P", "-m", "golive", "run", str(checklist), *args],
        cwd=tmp_path, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def the_run(store: Store) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        runs = store.runs(1)
        if runs:
            return runs[0].id
        time.sleep(0.05)
    raise AssertionError("no run started")


def test_one_runs_with_wait_another_approves_and_confirms_and_the_run_passes_without_resume(
    team_store: Database, tmp_path: Path, isolated_home: Path
) -> None:
    checklist = write(tmp_path, WITH_SMOKE_TEST)
    runner = start_runner(tmp_path, checklist, "--non-interactive", "--yes", "--as", "ana", "--wait", "2m")
    try:
        store = open_store(isolated_home)
        run_id = the_run(store)

        first = waiting_at(store, run_id, 1, runner)
        assert first.item == "L16" and first.data["what"].startswith("a sign-off as QA Lead (alice or bob)")
        assert golive("approve", run_id, "--as", "alice", "--role", "QA Lead", cwd=tmp_path).returncode == 0
        assert waiting_at(store, run_id, 2, runner).item == "L17"
        # While it waits: ana may not approve her own deployment, nor alice fill a second role.
        for who, rule in (("ana", "not_runner"), ("alice", "distinct")):
            refused = golive("approve", run_id, "--as", who, "--role", "DevOps Lead", cwd=tmp_path)
            assert refused.returncode == 2 and f"refused ({rule})" in refused.stderr
        assert not (tmp_path / "deployed.txt").exists()  # still held at the gate
        said = golive("approve", run_id, "--as", "dave", "--role", "DevOps Lead", cwd=tmp_path)
        assert said.returncode == 0 and "is waiting for answers: it continues by itself" in said.stdout
        smoke = waiting_at(store, run_id, 3, runner)
        assert smoke.data["need"] == "confirm"
        assert golive("confirm", run_id, smoke.item or "", "--as", "dave", cwd=tmp_path).returncode == 0

        out, _ = runner.communicate(timeout=60)
    finally:
        runner.kill()
    assert runner.returncode == 0, out
    assert "⧗ waiting for a sign-off as QA Lead (alice or bob)" in out and "approval by alice: going on" in out
    assert (tmp_path / "deployed.txt").exists()
    events = store.events(run_id)
    assert store.run(run_id).status == "passed"
    resumed = [e for e in events if e.type == E.RUN_RESUMED]
    assert [(e.actor, e.data["how"]) for e in resumed] == [
        ("ana", "approval by alice, while it waited"),
        ("ana", "approval by dave, while it waited"),
        ("ana", "answer by dave, while it waited"),
    ]  # the runner itself went on each time: nobody ran `golive resume`
    answers = [e for e in events if e.type in (E.APPROVAL, E.ANSWER)]
    latency = [(r.at - a.at).total_seconds() for a, r in zip(answers, resumed, strict=True)]
    print(f"\n{team_store.backend}: from the answer to the runner going on: {', '.join(f'{s:.3f}' for s in latency)} s")
    assert max(latency) < 3.0, latency


def test_when_the_wait_runs_out_the_run_pauses_and_resume_goes_on(
    team_store: Database, tmp_path: Path, isolated_home: Path
) -> None:
    r = golive("run", str(write(tmp_path)), "--non-interactive", "--yes", "--as", "ana", "--wait", "1s", cwd=tmp_path)
    assert r.returncode == 3, r.stdout
    assert "(up to 1 s)" in r.stdout and "‖ paused: waiting for a sign-off as QA Lead" in r.stdout
    run_id = r.stdout.splitlines()[0].split()[-1]
    assert open_store(isolated_home).run(run_id).status == "paused"
    for who, role in (("bob", "QA Lead"), ("carol", "DevOps Lead")):
        assert golive("approve", run_id, "--as", who, "--role", role, cwd=tmp_path).returncode == 0
    assert golive("resume", run_id, "--non-interactive", cwd=tmp_path).returncode == 0
