"""Waiting for a person's answer while the run stays up: a second terminal (another machine) gives it
with `golive approve`, `confirm` or `set`, and the waiting run continues by itself, without a resume.

PostgreSQL: every append NOTIFYs channel `golive_run` with the run's id (record/store.py), and the
waiting run LISTENs: it wakes within milliseconds. SQLite: the waiting run reads the event log every
`POLL_S` (WAL readers never block the writer). Either way the event log decides: a notification only
says "look now", so a missed one costs at most a slice of waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from golive.record.chain import Event
from golive.record.events import EventType as E
from golive.record.store import Store
from golive.run.people import Need, NeedPerson

CHANNEL = "golive_run"
POLL_S = 0.2  # SQLite: how often the event log is read while waiting
LISTEN_SLICE_S = 1.0  # PostgreSQL: the longest wait for a notification before the log is read anyway
ANSWERS = (E.ANSWER, E.APPROVAL, E.FIELD_SET)  # what can end a wait


class AwaitApproval(NeedPerson):
    """A sign-off only someone other than the runner can give: at a terminal the run waits for it."""


class Listener:
    """Something that returns when the run may have news, or after `seconds`."""

    def __init__(self, store: Store, run_id: str, sleep: Callable[[float], None] = time.sleep) -> None:
        self.run_id = run_id
        self.sleep = sleep
        self.conn: Any = None
        if not store.sqlite:
            import psycopg

            url = store.url.replace("postgresql+psycopg://", "postgresql://", 1)
            self.conn = psycopg.connect(url, autocommit=True)
            self.conn.execute(f"LISTEN {CHANNEL}")

    @property
    def slice_s(self) -> float:
        return LISTEN_SLICE_S if self.conn is not None else POLL_S

    def wait(self, seconds: float) -> None:
        if self.conn is None:
            self.sleep(seconds)
            return
        for notice in self.conn.notifies(timeout=seconds):
            if notice.payload == self.run_id:
                return

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def wait_for_answer(
    store: Store,
    run_id: str,
    after: int,
    limit_s: float | None,
    tick: Callable[[float], None] = lambda _elapsed: None,
    stop: Callable[[], bool] = lambda: False,
    clock: Callable[[], float] = time.monotonic,
    listener: Listener | None = None,
) -> Event | None:
    """The first answer appended to `run_id` after event `after`, or None when `limit_s` ran out (None:
    no limit) or `stop()` says so (Ctrl-C). `tick(elapsed)` is called each slice, for the live line."""
    own = listener is None
    listener = listener or Listener(store, run_id)
    try:
        start = clock()
        while True:
            found = next((e for e in store.events(run_id, after=after) if e.type in ANSWERS), None)
            if found is not None:
                return found
            elapsed = clock() - start
            if (limit_s is not None and elapsed >= limit_s) or stop():
                return None
            tick(elapsed)
            left = listener.slice_s if limit_s is None else min(listener.slice_s, limit_s - elapsed)
            listener.wait(max(left, 0.0))
    finally:
        if own:
            listener.close()


def waiting_line(need: Need, run_id: str, limit_s: float | None) -> str:
    """The line a waiting run shows: whom it waits for, how to answer, how long it waits."""
    how_long = "until answered; Ctrl-C pauses" if limit_s is None else f"up to {_seconds(limit_s)}"
    return f"⧗ waiting for {need.what} ({how_long})\n  give it with: {need.hint}"


def _seconds(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600} h {s % 3600 // 60} min" if s >= 3600 else f"{s // 60} min {s % 60} s" if s >= 60 else f"{s} s"
