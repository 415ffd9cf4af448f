"""The application: health, auth, employees; CORS from the settings and security headers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy import text

from src import auth, employees
from src.config import VERSION, load_settings
from src.database import engine

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Referrer-Policy": "no-referrer",
}

settings = load_settings()
logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
LOG = logging.getLogger("employee_system")


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    LOG.info("Employee Management System v%s starting (environment %s)", VERSION, settings.environment)
    yield
    LOG.info("Employee Management System v%s stopping", VERSION)


app = FastAPI(title="Employee Management System", version=VERSION, debug=settings.debug, lifespan=lifespan)
app.add_middleware(
    CORSMiddleware,
    allow_origins=list(settings.cors_origins),
    allow_methods=["*"],
    allow_headers=["Authorization", "Content-Type"],
)
app.include_router(auth.router)
app.include_router(employees.router)


@app.middleware("http")
async def security_headers(request: Request, call_next: Any) -> Response:
    response: Response = await call_next(request)
    response.headers.update(SECURITY_HEADERS)
    return response


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "healthy", "version": VERSION}


@app.get("/health/db")
def health_db() -> Response:
    try:
        with engine().connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # the answer says why, the log keeps the details
        LOG.warning("database check failed: %s", exc.__class__.__name__)
        return JSONResponse({"database": "disconnected", "reason": exc.__class__.__name__}, status_code=503)
    return JSONResponse({"database": "connected", "revision": revision})
