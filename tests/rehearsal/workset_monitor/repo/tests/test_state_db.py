from __future__ import annotations

import time

import pytest
from daylib.workset_state_db import STATE_INDEX, WorksetStateDB


def test_table_exists_with_its_state_priority_index(db: WorksetStateDB) -> None:
    table = db.client.describe_table(TableName=db.table_name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == [STATE_INDEX]


def test_register_workset_starts_ready(db: WorksetStateDB, workset_ids: list[str]) -> None:
    assert db.register_workset(workset_ids[0], "bucket", "in/", "urgent")
    workset = db.get_workset(workset_ids[0])
    assert workset is not None
    assert (workset["state"], workset["priority"], workset["bucket"]) == ("ready", "urgent", "bucket")


def test_registering_twice_is_refused(db: WorksetStateDB, workset_ids: list[str]) -> None:
    assert db.register_workset(workset_ids[0], "bucket", "in/")
    assert not db.register_workset(workset_ids[0], "other", "x/")
    assert db.get_workset(workset_ids[0])["bucket"] == "bucket"  # type: ignore[index]


def test_unknown_workset_is_none(db: WorksetStateDB, workset_ids: list[str]) -> None:
    assert db.get_workset(workset_ids[0]) is None


def test_state_changes_are_kept_in_the_history(db: WorksetStateDB, workset_ids: list[str]) -> None:
    db.register_workset(workset_ids[0], "bucket", "in/")
    db.update_state(workset_ids[0], "in_progress", "picked up")
    db.update_state(workset_ids[0], "error", "failed", error_details="disk full")
    workset = db.get_workset(workset_ids[0])
    assert workset is not None
    assert workset["state"] == "error"
    assert [h["state"] for h in workset["state_history"]] == ["ready", "in_progress", "error"]
    assert workset["state_history"][-1]["error"] == "disk full"


def test_unknown_state_is_refused(db: WorksetStateDB, workset_ids: list[str]) -> None:
    db.register_workset(workset_ids[0], "bucket", "in/")
    with pytest.raises(ValueError):
        db.update_state(workset_ids[0], "exploded", "?")


def test_lock_is_taken_once(db: WorksetStateDB, workset_ids: list[str]) -> None:
    db.register_workset(workset_ids[0], "bucket", "in/")
    assert db.acquire_lock(workset_ids[0], "monitor-a")
    assert db.acquire_lock(workset_ids[0], "monitor-a")  # its owner may take it again
    assert not db.acquire_lock(workset_ids[0], "monitor-b")


def test_released_lock_can_be_taken_by_another(db: WorksetStateDB, workset_ids: list[str]) -> None:
    db.register_workset(workset_ids[0], "bucket", "in/")
    assert db.acquire_lock(workset_ids[0], "monitor-a")
    assert not db.release_lock(workset_ids[0], "monitor-b")  # only the owner releases
    assert db.release_lock(workset_ids[0], "monitor-a")
    assert db.acquire_lock(workset_ids[0], "monitor-b")


def test_stale_lock_is_released_automatically(db: WorksetStateDB, workset_ids: list[str]) -> None:
    db.register_workset(workset_ids[0], "bucket", "in/")
    assert db.acquire_lock(workset_ids[0], "crashed-monitor")
    impatient = WorksetStateDB(db.table_name, db.region, lock_timeout_s=0)
    time.sleep(1.1)
    assert impatient.acquire_lock(workset_ids[0], "monitor-b")
    assert db.get_workset(workset_ids[0])["lock_owner"] == "monitor-b"  # type: ignore[index]


def test_ready_worksets_come_urgent_first(db: WorksetStateDB, workset_ids: list[str]) -> None:
    low, normal, urgent, done = workset_ids
    db.register_workset(low, "b", "l/", "low")
    db.register_workset(normal, "b", "n/", "normal")
    db.register_workset(urgent, "b", "u/", "urgent")
    db.register_workset(done, "b", "d/", "urgent")
    db.update_state(done, "complete", "finished")
    ours = [w["workset_id"] for w in db.get_ready_worksets_prioritized(limit=1000) if w["workset_id"] in workset_ids]
    assert ours == [urgent, normal, low]


def test_queue_depth_counts_each_state(db: WorksetStateDB, workset_ids: list[str]) -> None:
    before = db.get_queue_depth()
    db.register_workset(workset_ids[0], "b", "a/")
    db.register_workset(workset_ids[1], "b", "b/")
    db.update_state(workset_ids[1], "in_progress", "started")
    after = db.get_queue_depth()
    assert after["ready"] - before["ready"] == 1
    assert after["in_progress"] - before["in_progress"] == 1
