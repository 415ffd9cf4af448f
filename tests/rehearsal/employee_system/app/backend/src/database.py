"""The database: one engine per process, sessions per request."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from src.config import load_settings


class Base(DeclarativeBase):
    pass


@cache
def engine() -> Engine:
    return create_engine(load_settings().sqlalchemy_url, pool_pre_ping=True)


def session() -> Iterator[Session]:
    with sessionmaker(engine(), expire_on_commit=False)() as db:
        yield db
