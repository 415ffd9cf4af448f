"""Lease locks: one active run per checklist and environment, held until released or, when
golive dies without releasing it, until its time runs out unrenewed.

A lease outlives its holder while anything of the run still lives: after a kill -9 of golive,
its shell session finishes the command in flight on its own, so another run of the same
checklist and environment is refused while the first run's processes are found on this host
(its session's bash, anything in its cgroups, anything marked GOLIVE_RUN), and told which.
A holder is `host:pid:start-time`, so a reused pid is not taken for the holder."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from golive.errors import LockHeld
from golive.record.chain import now, utc
from golive.record.schema import locks


class Leases:
    """The lease locks of a `Store`, which mixes this in and provides the two engines."""

    _read: Engine
    _write: Engine
    home: Path
    # run id -> what of that run still lives on this host ("pid 12 (bash)"); replaceable in tests
    left_running: Callable[[Path, str], list[str]] | None = None

    def _still_running(self, run_id: str) -> list[str]:
        find = self.left_running or _left_running
        try:
            return find(self.home, run_id)
        except Exception:  # looking must never break taking a lock
            return []

    def acquire_lock(self, name: str, run_id: str, holder: str, ttl_s: float) -> None:
        """Hold `name` for `run_id` until released or `ttl_s` passes without a renewal."""
        for _attempt in range(3):
            try:
                self._try_lock(name, run_id, holder, ttl_s)
                return
            except IntegrityError:
                continue  # another run inserted the lock between our read and our write: look again
        raise LockHeld(f"the lock {name!r} is contended by several runs at once", "try again")

    def _try_lock(self, name: str, run_id: str, holder: str, ttl_s: float) -> None:
        t = now()
        with self._write.begin() as conn:
            row = conn.execute(select(locks).where(locks.c.name == name).with_for_update()).mappings().first()
            if row is not None:
                expires = utc(row["expires_at"])
                in_force = expires is not None and expires > t
                gone = row["holder"] != holder and not _holder_alive(row["holder"])
                mine = row["run_id"] == run_id and row["holder"] == holder
                if in_force and not gone and not mine:
                    raise LockHeld(
                        f"run {row['run_id']} of this checklist and environment is active ({row['holder']})",
                        f"wait for it, or if its holder died the lease expires at {expires:%H:%M:%S} UTC",
                    )
                if row["run_id"] != run_id:
                    # Its golive is gone; is anything of that run still running here (its session
                    # finishing the command golive was killed in)? Then nothing of ours may start beside it.
                    left = self._still_running(row["run_id"])
                    if left:
                        raise LockHeld(
                            f"run {row['run_id']} lost its golive ({row['holder']}) but its processes still run: "
                            f"{', '.join(left)}; golive left them running and did not start",
                            f"wait for them to end, or stop them, or `golive resume {row['run_id']}`",
                        )
                conn.execute(delete(locks).where(locks.c.name == name))
            conn.execute(
                insert(locks).values(
                    name=name, run_id=run_id, holder=holder, acquired_at=t, expires_at=t + timedelta(seconds=ttl_s)
                )
            )

    def lock_holder(self, name: str) -> tuple[str, str, datetime] | None:
        """(run id, holder, expiry) of a lease still in force, or of a lapsed one whose run still has
        processes alive here; None when the lock is free to take."""
        with self._read.connect() as conn:
            row = conn.execute(select(locks).where(locks.c.name == name)).mappings().first()
        if row is None:
            return None
        expires = utc(row["expires_at"])
        if expires is not None and expires > now() and _holder_alive(row["holder"]):
            return row["run_id"], row["holder"], expires
        left = self._still_running(row["run_id"])
        if left:
            holder = f"{row['holder']}, gone; its processes still run: {', '.join(left)}"
            return row["run_id"], holder, expires or now()
        return None

    def run_is_held(self, name: str, run_id: str) -> bool:
        """Is a living golive working on `run_id` (its lease in force, its holder alive)?"""
        with self._read.connect() as conn:
            row = conn.execute(select(locks).where(locks.c.name == name)).mappings().first()
        if row is None or row["run_id"] != run_id:
            return False
        expires = utc(row["expires_at"])
        return expires is not None and expires > now() and _holder_alive(row["holder"])

    def renew_lock(self, name: str, run_id: str, ttl_s: float) -> bool:
        with self._write.begin() as conn:
            result = conn.execute(
                update(locks)
                .where(locks.c.name == name, locks.c.run_id == run_id)
                .values(expires_at=now() + timedelta(seconds=ttl_s))
            )
        return bool(result.rowcount)

    def release_lock(self, name: str, run_id: str) -> None:
        with self._write.begin() as conn:
            conn.execute(delete(locks).where(locks.c.name == name, locks.c.run_id == run_id))


def holder_name() -> str:
    """This process as a lease holder: `host:pid:start-time`."""
    import psutil

    return f"{socket.gethostname()}:{os.getpid()}:{psutil.Process().create_time():.2f}"


def _holder_alive(holder: str) -> bool:
    """Is the process named by `host:pid[:start-time]` still alive? Another host's holder counts as alive."""
    parts = holder.split(":")
    if len(parts) not in (2, 3) or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return True
    import psutil

    try:
        proc = psutil.Process(int(parts[1]))
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return len(parts) == 2 or abs(proc.create_time() - float(parts[2])) < 0.05
    except (psutil.NoSuchProcess, ValueError):
        return False
    except psutil.Error:
        return True


def _left_running(home: Path, run_id: str) -> list[str]:
    from golive.run.tracking import describe, run_processes

    return [describe(p) for p in run_processes(home, run_id)]
