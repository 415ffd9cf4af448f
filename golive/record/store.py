"""The store: runs, the append-only hash-chained event log, outputs, and lease locks (leases.py).

SQLite under GOLIVE_HOME (default `.golive/` of the working directory), or PostgreSQL with
GOLIVE_DATABASE_URL. Every append is its own committed transaction: when `append` returns,
the event survives a `kill -9` of golive. On SQLite, writes take the lock up front
(BEGIN IMMEDIATE) so concurrent writers queue instead of failing mid-transaction.

Nothing reaches the store unmasked: event data, outputs and the stored copy of the checklist
pass through `masker` first (the engine hands the store its own, which knows the run's secrets).
Each append also moves the chain's head on the run's row, in the same transaction
(record/chain.py); record/audit.py verifies and exports the chain.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, text, update

from golive.errors import InputError, NotFound
from golive.record import database, schema
from golive.record.chain import CHAIN, Event, Output, Run, canonical, chain_hash, now, output_digest, run_anchor, utc
from golive.record.events import EventType
from golive.record.leases import Leases
from golive.record.schema import events, outputs, runs
from golive.secrets import MASK, Masker, Secret

_INSERT_EVENT = insert(events)
_HEAD = (
    select(runs.c.event_count, runs.c.last_hash, runs.c.chain).where(runs.c.id == bindparam("id_")).with_for_update()
)
_MOVE_HEAD = (
    update(runs)
    .where(runs.c.id == bindparam("id_"))
    .values(
        event_count=bindparam("count"),
        last_hash=bindparam("last"),
        status=func.coalesce(bindparam("status"), runs.c.status),
    )
)
_MOVE_HEAD_FINISHED = _MOVE_HEAD.values(finished_at=bindparam("finished_at"))
_NOTIFY = text("SELECT pg_notify('golive_run', :run_id)")


def default_home() -> Path:
    return Path(os.environ.get("GOLIVE_HOME") or ".golive")


def database_url(home: Path | None = None) -> str:
    url = os.environ.get("GOLIVE_DATABASE_URL")
    if url:
        return url
    home = home or default_home()
    return f"sqlite:///{(home / 'golive.db').resolve()}"


class Store(Leases):
    def __init__(self, url: str, home: Path | None = None) -> None:
        self.url = url
        self.home = (home or default_home()).resolve()  # commands `cd` away: paths must not be relative
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.home.mkdir(parents=True, exist_ok=True)
        self._read = database.engine(url, immediate=False)
        self._write = database.engine(url, immediate=True) if self.sqlite else self._read
        self._writers = threading.local()  # each thread appends through its own long-lived connection
        self._all_writers: list[Connection] = []  # so close() closes every thread's
        self._writers_lock = threading.Lock()
        self.masker = Masker()  # finds secrets by their shape; the engine gives the store its own, which knows more
        database.migrate_if_needed(self._read, self.home)

    @classmethod
    def open(cls, home: Path | None = None) -> Store:
        home = home or default_home()
        return cls(database_url(home), home)

    def close(self) -> None:
        with self._writers_lock:
            writers, self._all_writers = self._all_writers, []
        for conn in writers:
            with contextlib.suppress(Exception):  # the connection of a thread that is gone
                conn.close()
        self._writers = threading.local()
        self._read.dispose()
        if self._write is not self._read:
            self._write.dispose()

    # --- runs -------------------------------------------------------------------------------------

    def create_run(
        self, *, path: str, sha256: str, text_: str, title: str, env: str, created_by: str, options: dict[str, Any]
    ) -> Run:
        """A new run. Its row keeps a masked copy of the checklist (the sha256 stays the original's)
        and is the start of its chain."""
        started = now()
        run_id = f"{started:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
        stored_text, stored_title, host = self.masker(text_), self.masker(title), socket.gethostname()
        stored_options = canonical(self.masker.data(options))
        row: dict[str, Any] = {
            "id": run_id,
            "checklist_path": path,
            "checklist_sha256": sha256,
            "checklist_text": stored_text,
            "title": stored_title,
            "env": env,
            "status": "running",
            "started_at": started,
            "finished_at": None,
            "created_by": created_by,
            "host": host,
            "options": stored_options,
            "chain": CHAIN,
            "event_count": 0,
        }
        schema.check_fits(runs, row)
        row["last_hash"] = run_anchor(
            run_id, path, sha256, stored_text, stored_title, env, started, created_by, host, stored_options
        )
        with self._write.begin() as conn:
            conn.execute(insert(runs).values(**row))
        return self.run(run_id)

    def run(self, ref: str) -> Run:
        """A run by id, unique prefix or suffix, or `last`."""
        with self._read.connect() as conn:
            if ref in ("last", "latest"):
                row = conn.execute(select(runs).order_by(runs.c.started_at.desc()).limit(1)).mappings().first()
            else:
                row = conn.execute(select(runs).where(runs.c.id == ref)).mappings().first()
                if row is None and ref:
                    rows = (
                        conn.execute(
                            select(runs).where(_id_like(f"{_like(ref)}%") | _id_like(f"%{_like(ref)}")).limit(3)
                        )
                        .mappings()
                        .all()
                    )
                    if len(rows) > 1:
                        raise InputError(f"run {ref!r} is ambiguous", "give more of its id (golive runs)")
                    row = rows[0] if rows else None
        if row is None:
            raise NotFound(f"no run {ref!r}", "golive runs lists them")
        return _run(row)

    def runs(self, limit: int = 50) -> list[Run]:
        with self._read.connect() as conn:
            rows = conn.execute(select(runs).order_by(runs.c.started_at.desc()).limit(limit)).mappings().all()
        return [_run(r) for r in rows]

    # --- events -------------------------------------------------------------------------------------

    def append(
        self,
        run_id: str,
        type_: str,
        item: str | None = None,
        actor: str | None = None,
        data: dict[str, Any] | None = None,
        status: str | None = None,
        finished: bool = False,
    ) -> Event:
        """Append one event (and the run's new status) in one committed transaction.

        The head of the chain is read from the run's row inside the transaction that extends it,
        with the row locked (PostgreSQL: SELECT … FOR UPDATE; SQLite: BEGIN IMMEDIATE holds the
        write lock), so concurrent writers queue instead of racing for the same seq.
        """
        conn = self._append_connection()
        with conn.begin():
            return self._append(conn, run_id, type_, item, actor, data or {}, status, finished)

    def _append(
        self,
        conn: Connection,
        run_id: str,
        type_: str,
        item: str | None,
        actor: str | None,
        data: dict[str, Any],
        status: str | None,
        finished: bool,
    ) -> Event:
        head = conn.execute(_HEAD, {"id_": run_id}).first()
        if head is None:
            raise NotFound(f"no run {run_id!r}", "golive runs lists them")
        seq, prev, chain = int(head[0]) + 1, str(head[1]), int(head[2])
        body = canonical(self._masked(type_, data))
        at = now()
        run_status = status
        digest = chain_hash(prev, run_id, seq, at, type_, item, actor, body, run_status, finished, chain=chain)
        row = {
            "run_id": run_id,
            "seq": seq,
            "at": at,
            "type": type_,
            "item": item,
            "actor": actor,
            "data": body,
            "prev_hash": prev,
            "hash": digest,
            "run_status": run_status,
            "finished": finished,
        }
        schema.check_fits(events, row)
        conn.execute(_INSERT_EVENT, row)
        moved = {"id_": run_id, "count": seq, "last": digest, "status": run_status}
        if finished:
            conn.execute(_MOVE_HEAD_FINISHED, {**moved, "finished_at": at})
        else:
            conn.execute(_MOVE_HEAD, moved)
        if not self.sqlite:
            notify(conn, run_id)
        return Event(run_id, seq, at, type_, item, actor, json.loads(body), prev, digest, run_status, finished)

    def _masked(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        """Event data with every secret masked. A field whose value had to be masked is a secret
        field from now on: its value is not in the record, so a resume asks for it again."""
        masked: dict[str, Any] = self.masker.data(data)
        value = data.get("value")
        if type_ == EventType.FIELD_SET and not isinstance(value, Secret) and masked.get("value") != value:
            masked["value"], masked["secret"] = MASK, True
        return masked

    def _append_connection(self) -> Connection:
        """Appends reuse a long-lived connection (one per thread): no pool checkout per event."""
        conn: Connection | None = getattr(self._writers, "conn", None)
        if conn is None or conn.closed:
            conn = self._write.connect()
            self._writers.conn = conn
            with self._writers_lock:
                self._all_writers.append(conn)
        return conn

    def events(self, run_id: str, after: int = 0) -> list[Event]:
        with self._read.connect() as conn:
            rows = (
                conn.execute(
                    select(events).where(events.c.run_id == run_id, events.c.seq > after).order_by(events.c.seq)
                )
                .mappings()
                .all()
            )
        return [
            Event(
                r["run_id"],
                r["seq"],
                utc(r["at"]) or now(),
                r["type"],
                r["item"],
                r["actor"],
                json.loads(r["data"]),
                r["prev_hash"],
                r["hash"],
                r["run_status"],
                bool(r["finished"]),
            )
            for r in rows
        ]

    def count_events(self, run_id: str) -> int:
        with self._read.connect() as conn:
            return int(conn.execute(select(func.count()).where(events.c.run_id == run_id)).scalar() or 0)

    def set_status(self, run_id: str, status: str, reason: str = "") -> Event:
        """Change a run's status. Like every change to a run, it is an event in its chain."""
        return self.append(run_id, EventType.STATUS_CHANGED, data={"status": status, "reason": reason}, status=status)

    # --- outputs -------------------------------------------------------------------------------------

    def save_output(
        self, run_id: str, item: str, attempt: int, stream: str, head: str, tail: str, total: int, cut: int
    ) -> int:
        """Keep an output (masked) and chain it: an `output_saved` event carrying its digest, in the
        same transaction."""
        head, tail = self.masker.parts(head, tail, cut)
        conn = self._append_connection()
        with conn.begin():
            values = {
                "run_id": run_id,
                "item": item,
                "attempt": attempt,
                "stream": stream,
                "head": head,
                "tail": tail,
                "total_bytes": total,
                "cut_bytes": cut,
            }
            schema.check_fits(outputs, values)
            if conn.execute(_HEAD, {"id_": run_id}).first() is None:  # lock the run before its output
                raise NotFound(f"no run {run_id!r}", "golive runs lists them")
            key = conn.execute(insert(outputs).values(**values)).inserted_primary_key
            output_id = int(key[0]) if key else 0
            sha = output_digest(output_id, run_id, item, attempt, stream, head, tail, total, cut)
            data = {"output": output_id, "stream": stream, "attempt": attempt, "bytes": total, "sha256": sha}
            self._append(conn, run_id, EventType.OUTPUT_SAVED, item, None, data, None, False)
        return output_id

    def outputs(self, run_id: str) -> list[Output]:
        with self._read.connect() as conn:
            rows = (
                conn.execute(select(outputs).where(outputs.c.run_id == run_id).order_by(outputs.c.id)).mappings().all()
            )
        return [
            Output(
                r["id"], r["item"], r["attempt"], r["stream"], r["head"], r["tail"], r["total_bytes"], r["cut_bytes"]
            )
            for r in rows
        ]

    # --- the audit chain ---------------------------------------------------------------------------------

    def verify(self, run_id: str) -> list[str]:
        """Problems in a run's record, first the first; empty when nothing was altered, removed or inserted."""
        from golive.record.audit import verify_run

        return [str(p) for p in verify_run(self, self.run(run_id))]

    def orphan_events(self) -> dict[str, int]:
        """Runs that have events but no row any more (a run deleted behind golive's back), with their counts."""
        query = (
            select(events.c.run_id, func.count())
            .where(events.c.run_id.not_in(select(runs.c.id)))
            .group_by(events.c.run_id)
        )
        with self._read.connect() as conn:
            return {str(r[0]): int(r[1]) for r in conn.execute(query)}

    def rows(self, table: Any, run_id: str | None = None) -> list[dict[str, Any]]:
        """Raw rows of a table (of one run), in storage order: for the audit, which trusts nothing else."""
        query = select(table)
        if run_id is not None:
            query = query.where(table.c.run_id == run_id)
        order = table.c.seq if "seq" in table.c else table.c.id
        with self._read.connect() as conn:
            return [dict(r) for r in conn.execute(query.order_by(order)).mappings()]


def notify(conn: Connection, run_id: str) -> None:
    """PostgreSQL: tell whoever waits on this run (team/wait.py) that it has a new event; sent at commit."""
    conn.execute(_NOTIFY, {"run_id": run_id})


def _like(ref: str) -> str:
    """A run id fragment as a LIKE pattern: wildcards taken literally, case folded (as on both backends)."""
    return ref.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _id_like(pattern: str) -> Any:
    return func.lower(runs.c.id).like(pattern, escape="\\")


def _run(row: Any) -> Run:
    return Run(
        id=row["id"],
        checklist_path=row["checklist_path"],
        checklist_sha256=row["checklist_sha256"],
        checklist_text=row["checklist_text"],
        title=row["title"],
        env=row["env"],
        status=row["status"],
        started_at=utc(row["started_at"]) or now(),
        finished_at=utc(row["finished_at"]),
        created_by=row["created_by"],
        host=row["host"],
        options=json.loads(row["options"]),
        chain=int(row["chain"]),
        event_count=int(row["event_count"]),
        last_hash=row["last_hash"],
        options_json=row["options"],
    )
