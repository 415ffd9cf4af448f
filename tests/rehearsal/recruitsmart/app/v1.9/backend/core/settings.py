"""Settings from the environment, validated when ENVIRONMENT=production (any case).

In production every problem is collected and raised at once as PRODUCTION CONFIGURATION ERRORS:
PostgreSQL only (SQLite is forbidden), Redis required, NOTIFICATION_BROKER=redis, DATA_DIR outside
the repository and writable, SESSION_SECRET explicitly set and at least 32 characters.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
MIN_SECRET = 32


@dataclass(frozen=True)
class Settings:
    environment: str
    database_url: str
    redis_url: str
    redis_key_prefix: str
    notification_broker: str
    data_dir: str
    session_secret: str
    bot_token: str
    telegram_api_url: str
    db_pool_size: int
    db_max_overflow: int
    db_pool_timeout: int
    db_pool_recycle: int

    @property
    def production(self) -> bool:
        return self.environment.lower() == "production"


def production_errors(s: Settings) -> list[str]:
    errors = []
    if not s.database_url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        errors.append("SQLite database is forbidden in production: DATABASE_URL must be PostgreSQL")
    if not s.redis_url:
        errors.append("REDIS_URL must be set in production")
    if s.notification_broker != "redis":
        errors.append(f"NOTIFICATION_BROKER must be redis in production (got {s.notification_broker!r})")
    data_dir = Path(s.data_dir).resolve()
    if data_dir == REPOSITORY or REPOSITORY in data_dir.parents:
        errors.append(f"DATA_DIR is inside repository: {data_dir}")
    elif not (data_dir.is_dir() and os.access(data_dir, os.W_OK)):
        errors.append(f"DATA_DIR is not a writable directory: {data_dir}")
    if not s.session_secret:
        errors.append("SESSION_SECRET must be set in production (auto-generation is disabled)")
    elif len(s.session_secret) < MIN_SECRET:
        errors.append(f"SESSION_SECRET must be at least {MIN_SECRET} characters (got {len(s.session_secret)})")
    return errors


@lru_cache
def get_settings() -> Settings:
    env = os.environ.get
    settings = Settings(
        environment=env("ENVIRONMENT", "development"),
        database_url=env("DATABASE_URL", "sqlite:///data/recruitsmart.db"),
        redis_url=env("REDIS_URL", ""),
        redis_key_prefix=env("REDIS_KEY_PREFIX", "recruitsmart:"),
        notification_broker=env("NOTIFICATION_BROKER", "memory"),
        data_dir=env("DATA_DIR", str(REPOSITORY / "data")),
        session_secret=env("SESSION_SECRET", ""),
        bot_token=env("BOT_TOKEN", ""),
        telegram_api_url=env("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/"),
        db_pool_size=int(env("DB_POOL_SIZE", "5")),
        db_max_overflow=int(env("DB_MAX_OVERFLOW", "10")),
        db_pool_timeout=int(env("DB_POOL_TIMEOUT", "30")),
        db_pool_recycle=int(env("DB_POOL_RECYCLE", "3600")),
    )
    if settings.production:
        errors = production_errors(settings)
        if errors:
            raise RuntimeError("PRODUCTION CONFIGURATION ERRORS:\n" + "\n".join(f"  - {e}" for e in errors))
    return settings
