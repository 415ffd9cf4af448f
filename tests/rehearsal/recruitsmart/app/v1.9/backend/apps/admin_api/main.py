"""RecruitSmart admin API (v1.9): admin UI, the web app's API and a /health of every component."""

from __future__ import annotations

import logging
import os
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import redis
from backend.core.settings import get_settings
from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials
from sqlalchemy import create_engine, text

settings = get_settings()  # in production a bad configuration stops the app here, before it serves
engine = create_engine(
    settings.database_url.replace("postgresql://", "postgresql+psycopg://", 1),
    pool_size=settings.db_pool_size,
    max_overflow=settings.db_max_overflow,
    pool_timeout=settings.db_pool_timeout,
    pool_recycle=settings.db_pool_recycle,
    pool_pre_ping=True,
)
cache = redis.Redis.from_url(
    settings.redis_url or "redis://127.0.0.1:6379/0", socket_timeout=2, socket_connect_timeout=2
)
log = logging.getLogger("recruitsmart.admin")
basic = HTTPBasic()


def setup_logging() -> None:
    logs = Path(settings.data_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(logs / "app.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("recruitsmart")
    root.addHandler(handler)
    root.setLevel(logging.INFO)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    setup_logging()
    where = urlsplit(settings.redis_url)
    try:
        cache.ping()
        log.info("✓ Phase 2 Cache initialized: %s:%s", where.hostname, where.port or 6379)
    except redis.RedisError as exc:
        log.error("Failed to initialize cache: %s", exc)
    log.info("✓ Notification service started (broker: %s)", settings.notification_broker)
    yield
    engine.dispose()


app = FastAPI(title="RecruitSmart Admin", version="1.9.0", lifespan=lifespan)


def timed(probe: Any) -> dict[str, Any]:
    began = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # a health check reports every failure as the component being down
        return {"status": "down", "error": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
    return {"status": "up", "latency_ms": round((time.perf_counter() - began) * 1000, 2)}


def database_probe() -> None:
    with engine.connect() as db:
        db.execute(text("SELECT count(*) FROM message_templates"))  # the bot reads its messages from here


def redis_probe() -> None:
    cache.set(f"{settings.redis_key_prefix}health", datetime.now(UTC).isoformat(), ex=60)


@app.get("/")
def root() -> dict[str, object]:
    return {"ok": True, "admin": "/admin", "webapp_api": "/api/webapp", "health": "/health"}


@app.get("/health")
def health() -> JSONResponse:
    began = time.perf_counter()
    components = {"application": {"status": "up"}, "database": timed(database_probe), "redis": timed(redis_probe)}
    healthy = all(c["status"] == "up" for c in components.values())
    for name, component in components.items():
        if component["status"] != "up":
            log.error("health: %s is down: %s", name, component["error"])
    body = {
        "status": "healthy" if healthy else "unhealthy",
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "components": components,
        "response_time_ms": round((time.perf_counter() - began) * 1000, 2),
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


def admin(credentials: Annotated[HTTPBasicCredentials, Depends(basic)]) -> str:
    user_ok = secrets.compare_digest(credentials.username, os.environ.get("ADMIN_USER", "admin"))
    password_ok = secrets.compare_digest(credentials.password, os.environ.get("ADMIN_PASSWORD", ""))
    if not (user_ok and password_ok and os.environ.get("ADMIN_PASSWORD")):
        raise HTTPException(status_code=401, headers={"WWW-Authenticate": "Basic"})
    return credentials.username


@app.get("/admin")
def admin_home(user: Annotated[str, Depends(admin)]) -> dict[str, Any]:
    with engine.connect() as db:
        questions = db.execute(text("SELECT test_no, position, text FROM questions ORDER BY 1, 2")).all()
        templates = db.execute(text("SELECT key, text FROM message_templates ORDER BY 1")).all()
    return {"user": user, "questions": [list(q) for q in questions], "templates": dict(templates)}


@app.get("/api/webapp/slots")
def free_slots() -> list[str]:
    with engine.connect() as db:
        rows = db.execute(text("SELECT starts_at FROM slots WHERE booked_by IS NULL ORDER BY 1")).all()
    return [r[0].isoformat() for r in rows]
