"""Settings from the environment (systemd's EnvironmentFile), or from backend/.env for scripts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1]
VERSION = (BACKEND.parent / "VERSION").read_text().strip()
EXTENDED_FIELDS = tuple(int(p) for p in VERSION.split(".")) >= (1, 0, 0)  # shipped in 1.0.0


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    cors_origins: tuple[str, ...]
    environment: str
    debug: bool
    log_level: str

    @property
    def sqlalchemy_url(self) -> str:
        for prefix in ("postgresql://", "postgres://"):
            if self.database_url.startswith(prefix):
                return "postgresql+psycopg://" + self.database_url[len(prefix) :]
        return self.database_url


def load_settings() -> Settings:
    values = {**read_env_file(BACKEND / ".env"), **os.environ}
    if not values.get("DATABASE_URL"):
        raise RuntimeError(f"DATABASE_URL is not set (environment or {BACKEND / '.env'})")
    return Settings(
        database_url=values["DATABASE_URL"],
        secret_key=values.get("SECRET_KEY", ""),
        cors_origins=tuple(o.strip() for o in values.get("CORS_ORIGINS", "").split(",") if o.strip()),
        environment=values.get("ENVIRONMENT", "development"),
        debug=values.get("DEBUG", "False").lower() in ("1", "true", "yes"),
        log_level=values.get("LOG_LEVEL", "INFO").upper(),
    )
