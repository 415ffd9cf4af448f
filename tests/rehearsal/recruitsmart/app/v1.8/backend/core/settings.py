"""Settings from the environment (v1.8: no production validation yet)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Settings:
    environment: str
    database_url: str
    redis_url: str
    redis_key_prefix: str
    data_dir: str
    bot_token: str
    telegram_api_url: str


@lru_cache
def get_settings() -> Settings:
    return Settings(
        environment=os.environ.get("ENVIRONMENT", "development"),
        database_url=os.environ.get("DATABASE_URL", "sqlite:///data/recruitsmart.db"),
        redis_url=os.environ.get("REDIS_URL", ""),
        redis_key_prefix=os.environ.get("REDIS_KEY_PREFIX", "recruitsmart:"),
        data_dir=os.environ.get("DATA_DIR", "data"),
        bot_token=os.environ.get("BOT_TOKEN", ""),
        telegram_api_url=os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/"),
    )
