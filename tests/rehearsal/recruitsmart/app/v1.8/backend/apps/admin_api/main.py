"""RecruitSmart admin API (v1.8)."""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI(title="RecruitSmart Admin", version="1.8.0")


@app.get("/")
def root() -> dict[str, object]:
    return {"ok": True, "admin": "/admin", "health": "/health"}


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
