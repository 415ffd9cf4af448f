"""The stand-in of RecruitSmart Admin (seed 004): the app on real PostgreSQL and Redis, and its bot.

`build()` lays out what the seed's operator has when the deployment starts:
- `recruitsmart/`, the checkout at the release v1.9.0 (production-config guards, /health with its
  components, scripts/prod_smoke.sh, the message_templates migration) with the previous stable
  release tagged v1.8.0, both pushed to a bare `origin.git`;
- a PostgreSQL database of its own (per test) already migrated by v1.8.0, with its questions;
- a Redis key prefix of its own (REDIS_KEY_PREFIX) on the shared Redis;
- the Telegram Bot API as a loopback stand-in (telegram.py), since the real one is out of reach.
The data directory (the seed's /var/lib/recruitsmart_admin) is *not* created: the seed creates it.
The app's files are in app/v1.8 and app/v1.9 (what the release adds or changes).

A planted fault changes the release before it is tagged, as a bad merge would:
`missing_migration` leaves out migrations/0003_message_templates.sql, so the migration step
"succeeds" and /health reports the database component down.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.rehearsal.conftest import (
    Calls,
    PgDatabase,
    clone_with_origin,
    commit_all,
    free_port,
    git,
    rehearsal_pids,
    standin_env,
)
from tests.rehearsal.recruitsmart.telegram import FakeBotApi

APP = Path(__file__).resolve().parent / "app"
PREVIOUS, RELEASE = "v1.8.0", "v1.9.0"
FAULTS = {"missing_migration": "migrations/0003_message_templates.sql"}
QUESTIONS = [(1, 1, "What is your name?"), (1, 2, "Which city do you live in?"), (2, 1, "What does HTTP 503 mean?")]


@dataclass
class RecruitSmart:
    root: Path
    repo: Path
    origin: Path
    data_dir: Path
    port: int
    database: PgDatabase
    redis_prefix: str
    bot_api: FakeBotApi
    admin_password: str
    previous_commit: str
    release_commit: str
    rehearsal_id: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def calls(self) -> Calls:
        return Calls.in_dir(self.root)

    def env(self) -> dict[str, str]:
        """What the rehearsal profile reads from the environment (`${…}`) and the stand-ins need."""
        return {
            **standin_env(self.root, self.rehearsal_id),
            "RS_REPO": str(self.repo),
            "RS_DATA_DIR": str(self.data_dir),
            "RS_PORT": str(self.port),
            "RS_DB": self.database.name,
            "RS_REDIS_PREFIX": self.redis_prefix,
            "RS_TELEGRAM_API": self.bot_api.url,
            "RS_BOT_TOKEN": self.bot_api.token,
            "RS_ADMIN_PASSWORD": self.admin_password,
            "RS_PREVIOUS_TAG": PREVIOUS,
        }

    def app_env(self) -> dict[str, str]:
        """The operator's shell after the seed's exports (L21–L82), with the rehearsal's values."""
        return {
            **self.env(),
            "ENVIRONMENT": "production",
            "DATABASE_URL": self.database.url,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "REDIS_KEY_PREFIX": self.redis_prefix,
            "NOTIFICATION_BROKER": "redis",
            "DATA_DIR": str(self.data_dir),
            "SESSION_SECRET": secrets.token_hex(32),
            "BOT_TOKEN": self.bot_api.token,
            "TELEGRAM_API_URL": self.bot_api.url,
            "ADMIN_USER": "admin",
            "ADMIN_PASSWORD": self.admin_password,
        }

    def head(self) -> str:
        return git(self.repo, "rev-parse", "HEAD")

    def health(self) -> httpx.Response:
        return httpx.get(self.url + "/health", timeout=10)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database.url) as db:
            return list(db.execute(sql).fetchall())

    def processes(self, pattern: str) -> list[int]:
        """This rehearsal's live processes whose command line contains `pattern`."""
        found = []
        for pid in rehearsal_pids(self.rehearsal_id):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if pattern in cmdline:
                found.append(pid)
        return found


def _migrate_previous_release(repo: Path, database: PgDatabase) -> None:
    env = {**os.environ, "DATABASE_URL": database.url}
    subprocess.run([sys.executable, "scripts/run_migrations.py"], cwd=repo, env=env, check=True, capture_output=True)
    import psycopg

    with psycopg.connect(database.url) as db:
        for row in QUESTIONS:
            db.execute("INSERT INTO questions (test_no, position, text) VALUES (%s, %s, %s)", row)


def build(
    root: Path, database: PgDatabase, redis_prefix: str, bot_api: FakeBotApi, fault: str | None = None
) -> RecruitSmart:
    repo, origin = root / "recruitsmart", root / "origin.git"
    shutil.copytree(APP / "v1.8", repo)
    git(repo, "init", "-q", "-b", "main")
    previous = commit_all(repo, "RecruitSmart Admin 1.8.0")
    git(repo, "tag", PREVIOUS)
    _migrate_previous_release(repo, database)
    shutil.copytree(APP / "v1.9", repo, dirs_exist_ok=True)
    if fault is not None:
        (repo / FAULTS[fault]).unlink()
    release = commit_all(repo, "Production validation guards, smoke tests, /health components (1.9.0)")
    git(repo, "tag", RELEASE)
    clone_with_origin(repo, origin)
    git(repo, "push", "-q", "origin", "--tags")
    return RecruitSmart(
        root=root,
        repo=repo,
        origin=origin,
        data_dir=root / "var-lib-recruitsmart_admin",
        port=free_port(),
        database=database,
        redis_prefix=redis_prefix,
        bot_api=bot_api,
        admin_password=secrets.token_urlsafe(16),
        previous_commit=previous,
        release_commit=release,
        rehearsal_id=secrets.token_hex(6),
    )
