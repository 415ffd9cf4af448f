"""The store, by example: runs, the hash-chained event log, outputs and lease locks.

Every test runs twice, on SQLite and on PostgreSQL (see conftest.py), each time on a fresh database.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import alembic.command
import pytest
from sqlalchemy import inspect

from golive.errors import InputError, LockHeld, NotFound
from golive.record import schema
from golive.record import store as store_module
from golive.record.chain import GENESIS, Run
from golive.record.store import Store
from golive.secrets import Secret
from tests.record.conftest import Database, RawSQL


def new_run(store: Store, title: str = "Deploy the API", **options: object) -> Run:
    return store.create_run(
        path="checklists/deploy.md",
        sha256="ab" * 32,
        text_="# Deploy the API\n\n- [ ] `make deploy`\n",
        title=title,
        env="staging",
        created_by="alice",
        options=dict(options),
    )


@pytest.fixture
def run_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run ids end in aaaa, bbbb, cccc … instead of random hex, so prefixes and suffixes are predictable."""
    tokens = iter(c * 4 for c in "abcdef")
    monkeypatch.setattr(store_module, "secrets", SimpleNamespace(token_hex=lambda _n: next(tokens)))


# --- migrations ---------------------------------------------------------------------------------------


def test_a_new_store_is_migrated_to_head_with_the_tables_of_the_schema(store: Store, raw_sql: RawSQL) -> None:
    assert raw_sql.rows("SELECT version_num FROM alembic_version") == [(schema.HEAD,)]
    found = inspect(raw_sql.engine)
    for table in schema.metadata.sorted_tables:
        columns = {c["name"] for c in found.get_columns(table.name)}
        assert columns == set(table.columns.keys()), table.name
    assert any(u["column_names"] == ["run_id", "seq"] for u in found.get_unique_constraints("events"))


def test_reopening_a_store_at_head_does_not_migrate_again(
    database: Database, store: Store, raw_sql: RawSQL, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = new_run(store)

    def no_migration(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a store already at HEAD ran its migrations again")

    monkeypatch.setattr(alembic.command, "upgrade", no_migration)
    again = database.open()
    try:
        assert again.run(run.id) == run  # same database, nothing lost
    finally:
        again.close()
    assert raw_sql.rows("SELECT version_num FROM alembic_version") == [(schema.HEAD,)]


def test_two_stores_opening_a_fresh_database_at_once_both_work(database: Database) -> None:
    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(lambda _: database.open(), range(2))
    try:
        run = new_run(first)
        second.append(run.id, "run_started", actor="bob")
        first.append(run.id, "warning", actor="alice")
        assert [(e.seq, e.actor) for e in second.events(run.id)] == [(1, "bob"), (2, "alice")]
        assert second.run(run.id) == run
    finally:
        first.close()
        second.close()


# --- runs -------------------------------------------------------------------------------------------


def test_create_run_keeps_what_it_was_given(store: Store) -> None:
    run = new_run(store, title="Deploy ✓ ünïcode", dry_run=True, only=["a", "b"])
    assert run.title == "Deploy ✓ ünïcode"
    assert run.options == {"dry_run": True, "only": ["a", "b"]}
    assert (run.status, run.finished_at, run.env, run.created_by) == ("running", None, "staging", "alice")
    assert run.checklist_text.startswith("# Deploy the API")
    assert run.started_at.tzinfo is not None
    assert store.run(run.id) == run


def test_a_run_is_found_by_id_prefix_suffix_or_last(store: Store, run_tokens: None) -> None:
    first = new_run(store, title="first")
    second = new_run(store, title="second")
    assert first.id.endswith("-aaaa") and second.id.endswith("-bbbb")
    assert store.run(first.id) == first
    assert store.run(first.id[:-2]) == first  # a unique prefix: "…-aa"
    assert store.run("aaaa") == first  # a unique suffix
    assert store.run("bbbb") == second
    assert store.run("last") == second
    assert store.run("latest") == second


def test_a_missing_run_is_not_found(store: Store) -> None:
    new_run(store)
    for ref in ("19990101-000000-ffff", "zzzz", ""):
        with pytest.raises(NotFound):
            store.run(ref)


def test_last_in_an_empty_store_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        store.run("last")


def test_an_ambiguous_prefix_is_an_input_error(store: Store) -> None:
    first, second = new_run(store), new_run(store)
    shared = first.id[:2]  # ids start with the date: every run of this century begins "20"
    assert second.id.startswith(shared)
    with pytest.raises(InputError, match="ambiguous") as raised:
        store.run(shared)
    assert not isinstance(raised.value, NotFound)


def test_runs_lists_newest_first_up_to_the_limit(store: Store) -> None:
    made = [new_run(store, title=f"run {i}") for i in range(4)]
    assert [r.id for r in store.runs()] == [r.id for r in reversed(made)]
    assert [r.title for r in store.runs(limit=2)] == ["run 3", "run 2"]


# --- appending events ---------------------------------------------------------------------------------


def test_appends_get_consecutive_seqs_chained_by_hash(store: Store) -> None:
    run = new_run(store)
    appended = [store.append(run.id, "step_started", item=f"s{i}", actor="alice") for i in range(1, 4)]
    assert [e.seq for e in appended] == [1, 2, 3]
    assert appended[0].prev_hash == run.anchor != GENESIS  # the chain starts at the run's own row
    assert [e.prev_hash for e in appended[1:]] == [e.hash for e in appended[:-1]]
    assert len({e.hash for e in appended}) == 3
    assert store.events(run.id) == appended
    assert store.events(run.id, after=2) == appended[2:]
    assert store.count_events(run.id) == 3
    head = store.run(run.id)
    assert (head.event_count, head.last_hash) == (3, appended[-1].hash)  # the head moved with each append
    assert store.verify(run.id) == []


def test_two_runs_have_independent_sequences(store: Store) -> None:
    one, two = new_run(store), new_run(store)
    for _ in range(3):
        store.append(one.id, "warning")
        store.append(two.id, "warning")
    store.append(two.id, "warning")
    assert [e.seq for e in store.events(one.id)] == [1, 2, 3]
    assert [e.seq for e in store.events(two.id)] == [1, 2, 3, 4]
    assert {e.run_id for e in store.events(one.id)} == {one.id}
    assert store.verify(one.id) == [] and store.verify(two.id) == []


def test_event_data_round_trips(store: Store) -> None:
    run = new_run(store)
    data = {
        "command": "echo 'héllo wörld' | tee /tmp/x",
        "nested": {"list": [1, 2.5, None, True, False, {"deep": ["ü", "日本語", "🚀"]}], "empty": {}},
        "zero": 0,
        "big": 2**53 + 1,
        'quote"and\\backslash': "line\nbreak\ttab",
    }
    appended = store.append(run.id, "step_finished", item="deploy-1", actor="ci bot ✓", data=data)
    (stored,) = store.events(run.id)
    assert stored.data == data == appended.data
    assert (stored.type, stored.item, stored.actor) == ("step_finished", "deploy-1", "ci bot ✓")
    assert stored.at == appended.at
    assert stored == appended
    assert store.verify(run.id) == []


def test_status_and_finished_at_change_only_when_asked(store: Store) -> None:
    run = new_run(store)
    store.append(run.id, "step_started", item="s1")
    assert (store.run(run.id).status, store.run(run.id).finished_at) == ("running", None)
    store.append(run.id, "paused", status="paused")
    assert (store.run(run.id).status, store.run(run.id).finished_at) == ("paused", None)
    finished = store.append(run.id, "run_finished", data={"status": "passed"}, status="passed", finished=True)
    assert store.run(run.id).status == "passed"
    assert store.run(run.id).finished_at == finished.at
    changed = store.set_status(run.id, "interrupted", "golive was killed")
    assert store.run(run.id).status == "interrupted"
    assert (changed.type, changed.run_status, changed.data) == (
        "status_changed",
        "interrupted",
        {"status": "interrupted", "reason": "golive was killed"},
    )
    assert store.verify(run.id) == []  # a status change is an event of the chain like any other


def test_a_secret_is_stored_as_stars_never_as_its_value(store: Store, raw_sql: RawSQL) -> None:
    run = new_run(store, api_key=Secret("opt-secret-5150"))
    data = {"field": "DB_PASSWORD", "value": Secret("hunter2-very-secret"), "more": [{"token": Secret("tok-9876")}]}
    event = store.append(run.id, "field_set", item="db", data=data)
    assert event.data == {"field": "DB_PASSWORD", "value": "***", "more": [{"token": "***"}]}
    raw_data = raw_sql.scalar("SELECT data FROM events WHERE run_id = :run", run=run.id)
    raw_options = raw_sql.scalar("SELECT options FROM runs WHERE id = :run", run=run.id)
    assert "hunter2-very-secret" not in raw_data and "tok-9876" not in raw_data
    assert raw_data.count('"***"') == 2
    assert "opt-secret-5150" not in raw_options and '"***"' in raw_options
    assert store.verify(run.id) == []


def test_appending_to_a_run_that_does_not_exist_is_not_found(
    request: pytest.FixtureRequest, database: Database, store: Store
) -> None:
    with pytest.raises(NotFound):
        store.append("19990101-000000-dead", "warning")


# --- concurrent writers -------------------------------------------------------------------------------


def test_two_stores_appending_alternately_never_collide(store: Store, open_store: Callable[[], Store]) -> None:
    other = open_store()
    run = new_run(store)
    for i in range(10):
        mine = store.append(run.id, "warning", actor="store-1", data={"i": i})
        theirs = other.append(run.id, "warning", actor="store-2", data={"i": i})
        assert (mine.seq, theirs.seq) == (2 * i + 1, 2 * i + 2)
        assert theirs.prev_hash == mine.hash
    events = other.events(run.id)
    assert [e.seq for e in events] == list(range(1, 21))
    assert [e.actor for e in events] == ["store-1", "store-2"] * 10
    assert store.verify(run.id) == [] and other.verify(run.id) == []


def test_a_burst_of_appends_from_four_threads_sharing_one_store(
    request: pytest.FixtureRequest, database: Database, store: Store
) -> None:
    run = new_run(store)
    threads, per_thread = 4, 50
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def write(worker: int) -> None:
        start.wait()
        for i in range(per_thread):
            try:
                store.append(run.id, "warning", actor=f"thread-{worker}", data={"i": i})
            except Exception as exc:  # collected: every error fails the test, not just the first
                errors.append(exc)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(write, range(threads)))

    assert not [e for e in errors if "database is locked" in str(e)]
    assert errors == []
    events = store.events(run.id)
    assert [e.seq for e in events] == list(range(1, threads * per_thread + 1))
    for worker in range(threads):  # each thread's events all arrived, in its own order
        assert [e.data["i"] for e in events if e.actor == f"thread-{worker}"] == list(range(per_thread))
    assert store.verify(run.id) == []


def test_closing_a_store_closes_the_connections_of_every_thread(
    request: pytest.FixtureRequest, database: Database
) -> None:
    store = database.open()
    runs = [new_run(store) for _ in range(4)]
    together = threading.Barrier(4)  # four tasks at once: four different worker threads

    def write(run: Run) -> None:
        together.wait()
        for _ in range(5):
            store.append(run.id, "warning")

    pool = ThreadPoolExecutor(4)  # one run per thread: no contention, only connections
    try:
        list(pool.map(write, runs))
        assert [store.count_events(run.id) for run in runs] == [5] * 4
        store.close()  # while the (idle) worker threads are still alive, as in a long-running server
        gc.collect()
        deadline = time.monotonic() + 2  # a closed PostgreSQL session can linger a moment in pg_stat_activity
        while database.still_connected() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not database.still_connected()
    finally:
        pool.shutdown()


# --- outputs ------------------------------------------------------------------------------------------


def test_outputs_round_trip_in_order(store: Store) -> None:
    run, other = new_run(store), new_run(store)
    first = store.save_output(run.id, "build", 1, "out", "compiling…\n", "done ✓\n", 22, 0)
    second = store.save_output(run.id, "build", 2, "err", "warning: x\n", "", 11, 0)
    store.save_output(other.id, "build", 1, "out", "elsewhere", "", 9, 0)
    assert 0 < first < second
    outputs = store.outputs(run.id)
    assert [(o.id, o.item, o.attempt, o.stream) for o in outputs] == [
        (first, "build", 1, "out"),
        (second, "build", 2, "err"),
    ]
    # Nothing cut: head and tail are one text (masked as one: a secret may straddle the seam).
    assert (outputs[0].head, outputs[0].tail, outputs[0].total_bytes, outputs[0].cut_bytes) == (
        "compiling…\ndone ✓\n",
        "",
        22,
        0,
    )
    assert outputs[0].text == "compiling…\ndone ✓\n"
    chained = [e for e in store.events(run.id) if e.type == "output_saved"]
    assert [(e.item, e.data["output"], e.data["stream"]) for e in chained] == [
        ("build", first, "out"),
        ("build", second, "err"),
    ]
    assert store.verify(run.id) == []


def test_an_output_that_was_cut_shows_the_cut_marker(store: Store) -> None:
    run = new_run(store)
    big = 5 * 2**30  # more than 32 bits: the byte counts are BIGINT
    store.save_output(run.id, "logs", 1, "out", "first lines", "last lines", big + 1234, big)
    (output,) = store.outputs(run.id)
    assert (output.total_bytes, output.cut_bytes) == (big + 1234, big)
    assert output.text == f"first lines\n[… {big:,} bytes not kept …]\nlast lines"


# --- lease locks --------------------------------------------------------------------------------------


def test_a_lock_is_held_renewed_and_released(store: Store) -> None:
    a, b = new_run(store), new_run(store)
    name = "checklists/deploy.md@staging"
    assert store.lock_holder(name) is None
    store.acquire_lock(name, a.id, "alice@host-1 pid 42", ttl_s=30)
    holder = store.lock_holder(name)
    assert holder is not None
    assert holder[:2] == (a.id, "alice@host-1 pid 42")
    with pytest.raises(LockHeld, match=a.id):
        store.acquire_lock(name, b.id, "bob@host-2", ttl_s=30)
    assert store.lock_holder(name) == holder  # the failed attempt changed nothing

    assert store.renew_lock(name, a.id, ttl_s=300)
    renewed = store.lock_holder(name)
    assert renewed is not None and renewed[2] > holder[2]
    assert not store.renew_lock(name, b.id, ttl_s=300)  # only the holder renews

    store.release_lock(name, b.id)  # not b's to release
    assert store.lock_holder(name) is not None
    store.release_lock(name, a.id)
    assert store.lock_holder(name) is None
    store.acquire_lock(name, b.id, "bob@host-2", ttl_s=30)
    taken = store.lock_holder(name)
    assert taken is not None and taken[0] == b.id


def test_an_expired_lease_can_be_taken_by_another_run(store: Store) -> None:
    a, b = new_run(store), new_run(store)
    store.acquire_lock("deploy@prod", a.id, "alice (crashed)", ttl_s=0.2)
    with pytest.raises(LockHeld):
        store.acquire_lock("deploy@prod", b.id, "bob", ttl_s=30)
    time.sleep(0.3)
    assert store.lock_holder("deploy@prod") is None
    store.acquire_lock("deploy@prod", b.id, "bob", ttl_s=30)
    holder = store.lock_holder("deploy@prod")
    assert holder is not None and holder[:2] == (b.id, "bob")
    assert not store.renew_lock("deploy@prod", a.id, ttl_s=30)  # a lost its lease for good


def test_locks_with_different_names_are_independent(store: Store) -> None:
    a, b = new_run(store), new_run(store)
    store.acquire_lock("deploy@staging", a.id, "alice", ttl_s=30)
    store.acquire_lock("deploy@prod", b.id, "bob", ttl_s=30)
    staging, prod = store.lock_holder("deploy@staging"), store.lock_holder("deploy@prod")
    assert staging is not None and prod is not None
    assert (staging[0], prod[0]) == (a.id, b.id)


def test_two_runs_racing_for_a_free_lock_one_wins_the_other_is_told_it_is_held(
    request: pytest.FixtureRequest, database: Database, store: Store
) -> None:
    a, b = new_run(store), new_run(store)
    for round_ in range(40):
        name = f"race-{round_}"
        start = threading.Barrier(2)

        def take(run_id: str, lock: str = name, barrier: threading.Barrier = start) -> str:
            barrier.wait()
            try:
                store.acquire_lock(lock, run_id, run_id, ttl_s=30)
            except LockHeld:
                return "held"
            return "acquired"

        with ThreadPoolExecutor(2) as pool:
            outcomes = sorted(pool.map(take, [a.id, b.id]))
        assert outcomes == ["acquired", "held"], f"round {round_}"
