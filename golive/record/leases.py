"""Lease locks: one active run per checklist and environment, held until released or, when
golive dies without releasing it, until its time runs out unrenewed."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from golive.errors import LockHeld
from golive.record.chain import now, utc
from golive.record.schema import locks


class Leases:
    """The lease locks of a `Store`, which mixes this in and provides the two engines."""

    _read: Engine
    _write: Engine

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
                # The same run may take its lease back only from a holder that is gone (golive was killed).
                if in_force and (row["run_id"] != run_id or (row["holder"] != holder and _holder_alive(row["holder"]))):
                    raise LockHeld(
                        f"run {row['run_id']} of this checklist and environment is active ({row['holder']})",
                        f"wait for it, or if its holder died the lease expires at {expires:%H:%M:%S} UTC",
                    )
                conn.execute(delete(locks).where(locks.c.name == name))
            conn.execute(
                insert(locks).values(
                    name=name, run_id=run_id, holder=holder, acquired_at=t, expires_at=t + timedelta(seconds=ttl_s)
                )
            )

    def lock_holder(self, name: str) -> tuple[str, str, datetime] | None:
        """(run id, holder, expiry) of a lease still in force, or None."""
        with self._read.connect() as conn:
            row = conn.execute(select(locks).where(locks.c.name == name)).mappings().first()
        if row is None:
            return None
        expires = utc(row["expires_at"])
        if expires is None or expires <= now():
            return None
        return row["run_id"], row["holder"], expires

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


def _holder_alive(holder: str) -> bool:
    """Is the process named by `host:pid` still alive? Another host's holder counts as alive."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
