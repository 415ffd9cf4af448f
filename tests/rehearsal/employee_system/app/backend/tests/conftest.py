"""Unit tests run the app in-process on a scratch SQLite database."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='emp-tests-')}/test.db"
os.environ["SECRET_KEY"] = "unit-tests-only-" + os.urandom(8).hex()

from fastapi.testclient import TestClient
from src.database import Base, engine
from src.main import app
from src.models import User
from src.security import hash_password


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    Base.metadata.create_all(engine())
    from sqlalchemy.orm import Session

    with Session(engine()) as db:
        db.add(User(username="admin", password_hash=hash_password("admin123"), role="admin"))
        db.add(User(username="viewer", password_hash=hash_password("viewer123"), role="viewer"))
        db.commit()
    with TestClient(app) as test_client:
        yield test_client


def token(client: TestClient, username: str = "admin", password: str = "admin123") -> dict[str, str]:
    response = client.post("/api/auth/login", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
