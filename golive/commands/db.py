"""`golive db upgrade` and `golive db current`: the store's schema, on SQLite and PostgreSQL alike.

Every golive command that opens the store migrates it to head when it is behind; these two let an
operator do it, or see where it stands, deliberately (before a release, on a shared PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from golive.errors import EXIT_FAILED, EXIT_PASSED, InputError
from golive.record import database, schema
from golive.record.store import database_url, default_home


def upgrade(out: TextIO) -> int:
    url, home = database_url(), default_home()
    if url.startswith("sqlite"):
        home.mkdir(parents=True, exist_ok=True)
    with _engine(url) as read:
        before = database.version(read)
        database.migrate_if_needed(read, home.resolve())
        after = database.version(read)
    if before == after:
        out.write(f"{_shown(url)}: already at {after} (head)\n")
    else:
        out.write(f"{_shown(url)}: upgraded from {before or 'an empty store'} to {after} (head)\n")
    return EXIT_PASSED


def current(out: TextIO) -> int:
    url = database_url()
    if url.startswith("sqlite") and not Path(make_url(url).database or "").is_file():
        out.write(f"{_shown(url)}: no store yet; this golive's head is {schema.HEAD} (golive db upgrade)\n")
        return EXIT_FAILED
    with _engine(url) as read:
        at = database.version(read)
    if at == schema.HEAD:
        out.write(f"{_shown(url)}: {at} (head)\n")
        return EXIT_PASSED
    out.write(f"{_shown(url)}: {at or 'no schema yet'}; this golive's head is {schema.HEAD} (golive db upgrade)\n")
    return EXIT_FAILED


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    read = database.engine(url, immediate=False)
    try:
        with read.connect():
            pass
        yield read
    except SQLAlchemyError as exc:
        reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["unknown error"])[0]
        raise InputError(f"cannot reach the store {_shown(url)}: {reason}", "check GOLIVE_DATABASE_URL") from None
    finally:
        read.dispose()


def _shown(url: str) -> str:
    """The store's address without a password."""
    return make_url(url).render_as_string(hide_password=True)
