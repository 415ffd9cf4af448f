"""Login (form → JWT), who is calling, and the limit on failed logins."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Header, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from src.config import load_settings
from src.database import session
from src.models import User
from src.security import create_token, decode_token, verify_password

router = APIRouter(prefix="/api/auth")
FAILED_LOGINS_PER_MINUTE = 10
_failures: dict[str, deque[float]] = defaultdict(deque)


def _too_many_failures(client: str) -> bool:
    recent = _failures[client]
    while recent and recent[0] < time.monotonic() - 60:
        recent.popleft()
    return len(recent) >= FAILED_LOGINS_PER_MINUTE


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    db: Annotated[Session, Depends(session)],
) -> dict[str, str]:
    client = request.client.host if request.client else "?"
    if _too_many_failures(client):
        raise HTTPException(429, "too many failed logins; try again in a minute")
    user = db.scalar(select(User).where(User.username == username))
    if user is None or not verify_password(password, user.password_hash):
        _failures[client].append(time.monotonic())
        raise HTTPException(401, "wrong username or password")
    token = create_token(load_settings().secret_key, user.username, user.role)
    return {"access_token": token, "token_type": "bearer"}


def current_user(authorization: Annotated[str, Header()] = "") -> dict[str, str]:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "not authenticated", headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = decode_token(load_settings().secret_key, token)
    except Exception:
        raise HTTPException(401, "invalid or expired token", headers={"WWW-Authenticate": "Bearer"}) from None
    return {"username": str(claims["sub"]), "role": str(claims["role"])}


def admin(user: Annotated[dict[str, str], Depends(current_user)]) -> dict[str, str]:
    if user["role"] != "admin":
        raise HTTPException(403, "admins only")
    return user
