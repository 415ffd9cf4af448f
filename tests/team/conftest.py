"""The team tests run on both stores, the way two people use golive: real processes sharing a store.

`team_store` points every golive process of a test at one fresh store: SQLite under the test's
GOLIVE_HOME, or a fresh PostgreSQL database on 127.0.0.1:5432 through GOLIVE_DATABASE_URL (under
CI=true an unreachable PostgreSQL fails the test, never skips it).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.record.store import Store
from tests.record.conftest import BACKENDS, Database, fresh_database


@pytest.fixture(params=BACKENDS)
def team_store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    with fresh_database(request.param, tmp_path) as db:
        if db.backend == "postgres":
            monkeypatch.setenv("GOLIVE_DATABASE_URL", db.url)
        yield db


def open_store(home: Path) -> Store:
    """The store the golive processes of this test use (GOLIVE_DATABASE_URL, or SQLite under `home`)."""
    return Store.open(home)


# A release with a sign-off gate before production: QA Lead (alice or bob) and DevOps Lead must approve,
# each a different person, neither the one who runs it. deployed.txt is what production would see.
GATED = """
    ---
    title: Release 1.2
    golive:
      signoff: {required: [QA Lead, DevOps Lead], distinct: true, not_runner: true}
      roles: {QA Lead: [alice, bob]}
    ---
    # Release 1.2

    ## Pre-Deployment

    ```bash
    echo staging ok > staging.txt
    ```

    ## Sign-Off
    - [ ] QA Lead: Approved for production
    - [ ] DevOps Lead: Infrastructure ready

    ## Deployment Steps

    ```bash
    echo deployed > deployed.txt
    ```

    ## Rollback Plan

    ```bash
    echo rolled back > rolled_back.txt
    ```
    """


def write(tmp_path: Path, text: str = GATED, name: str = "DEPLOY.md") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path
