"""The RecruitSmart stand-in per test: its own database, Redis prefix and Bot API; nothing left running."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.rehearsal.conftest import PgDatabase, rehearsal_pids, stop_pid
from tests.rehearsal.recruitsmart.standin import RecruitSmart, build
from tests.rehearsal.recruitsmart.telegram import FakeBotApi


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as api:
        yield api


@pytest.fixture
def recruitsmart(
    tmp_path: Path, pg_database: PgDatabase, redis_prefix: str, bot_api: FakeBotApi
) -> Iterator[RecruitSmart]:
    standin = build(tmp_path, pg_database, redis_prefix, bot_api)
    yield standin
    for pid in rehearsal_pids(standin.rehearsal_id):  # whatever the test's shell started and left running
        stop_pid(pid)
