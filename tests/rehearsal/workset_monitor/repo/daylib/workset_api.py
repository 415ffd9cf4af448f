"""The workset monitor's HTTP API (FastAPI): register and read worksets, change their state, take
and give back locks, and the queue's statistics. `/docs` is FastAPI's own documentation page."""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from fastapi import FastAPI, HTTPException, Response
from pydantic import BaseModel

from daylib.workset_state_db import PRIORITIES, STATE_INDEX, STATES, WorksetStateDB

LOG = logging.getLogger("daylib.api")


class WorksetIn(BaseModel):
    workset_id: str
    bucket: str
    prefix: str
    priority: str = "normal"
    metadata: dict[str, Any] = {}


class StateIn(BaseModel):
    state: str
    reason: str = "api"


class LockIn(BaseModel):
    owner_id: str


class Scheduler:
    """Looks at the ready queue every `interval_s` seconds and logs what would run next."""

    def __init__(self, db: WorksetStateDB, interval_s: float) -> None:
        self.db = db
        self.interval_s = interval_s
        self.ticks = 0
        self.last_tick: float | None = None
        self.next_workset: str | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._loop, name="scheduler", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                ready = self.db.get_ready_worksets_prioritized(limit=1)
            except Exception:
                LOG.exception("scheduler: could not read the ready queue")
                continue
            self.ticks += 1
            self.last_tick = time.time()
            self.next_workset = ready[0]["workset_id"] if ready else None
            LOG.debug("scheduler tick %d: next workset %s", self.ticks, self.next_workset)


def queue_index() -> str:
    # The rehearsal's planted fault: a typo in the index name, as a bad release could ship.
    return "state-priority-idx" if os.environ.get("DAYLILY_FAULT") == "queue-stats" else STATE_INDEX


def create_app(db: WorksetStateDB, scheduler: Scheduler | None = None) -> FastAPI:
    app = FastAPI(title="Daylily Workset Monitor", version="0.7.0")

    @app.get("/")
    def health() -> dict[str, Any]:
        db.client.describe_table(TableName=db.table_name)  # DynamoDB answers, the table is there
        return {
            "status": "healthy",
            "service": "daylily-workset-monitor",
            "table": db.table_name,
            "region": db.region,
            "scheduler": "enabled" if scheduler else "disabled",
        }

    @app.post("/worksets", status_code=201)
    def register(workset: WorksetIn) -> dict[str, Any]:
        if workset.priority not in PRIORITIES:
            raise HTTPException(422, f"priority must be one of {', '.join(PRIORITIES)}")
        if not db.register_workset(
            workset.workset_id, workset.bucket, workset.prefix, workset.priority, workset.metadata
        ):
            raise HTTPException(409, f"workset {workset.workset_id} is already registered")
        return _found(db, workset.workset_id)

    @app.get("/worksets")
    def by_state(state: str = "ready", priority: str | None = None) -> list[dict[str, Any]]:
        return db.list_worksets_by_state(state, priority)

    @app.get("/worksets/{workset_id}")
    def get(workset_id: str) -> dict[str, Any]:
        return _found(db, workset_id)

    @app.put("/worksets/{workset_id}/state")
    def set_state(workset_id: str, change: StateIn) -> dict[str, Any]:
        if change.state not in STATES:
            raise HTTPException(422, f"state must be one of {', '.join(STATES)}")
        try:
            db.update_state(workset_id, change.state, change.reason)
        except KeyError:
            raise HTTPException(404, f"no workset {workset_id}") from None
        return _found(db, workset_id)

    @app.post("/worksets/{workset_id}/lock")
    def lock(workset_id: str, owner: LockIn) -> dict[str, Any]:
        _found(db, workset_id)
        if not db.acquire_lock(workset_id, owner.owner_id):
            raise HTTPException(409, f"workset {workset_id} is locked by another owner")
        return {"workset_id": workset_id, "lock_owner": owner.owner_id}

    @app.delete("/worksets/{workset_id}/lock", status_code=204)
    def unlock(workset_id: str, owner_id: str) -> Response:
        if not db.release_lock(workset_id, owner_id):
            raise HTTPException(409, f"{owner_id} does not hold the lock of {workset_id}")
        return Response(status_code=204)

    @app.get("/queue/stats")
    def queue_stats() -> dict[str, Any]:
        depth = db.get_queue_depth(index=queue_index())
        return {"queue_depth": depth, "total_worksets": sum(depth.values()), "ready_worksets": depth["ready"]}

    @app.get("/scheduler/status")
    def scheduler_status() -> dict[str, Any]:
        if scheduler is None:
            return {"enabled": False}
        return {
            "enabled": True,
            "interval_s": scheduler.interval_s,
            "ticks": scheduler.ticks,
            "next_workset": scheduler.next_workset,
        }

    return app


def _found(db: WorksetStateDB, workset_id: str) -> dict[str, Any]:
    workset = db.get_workset(workset_id)
    if workset is None:
        raise HTTPException(404, f"no workset {workset_id}")
    return workset
