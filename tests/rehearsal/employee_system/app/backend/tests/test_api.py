from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import token


def test_health(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "healthy"


def test_login_gives_a_jwt(client: TestClient) -> None:
    assert token(client)["Authorization"].count(".") == 2


def test_wrong_password_is_401(client: TestClient) -> None:
    assert client.post("/api/auth/login", data={"username": "admin", "password": "nope"}).status_code == 401


def test_employees_need_a_token(client: TestClient) -> None:
    assert client.get("/api/employees").status_code == 401


def test_create_update_delete(client: TestClient) -> None:
    auth = token(client)
    created = client.post(
        "/api/employees", headers=auth, json={"first_name": "Ada", "last_name": "Lovelace", "department": "Engineering"}
    )
    assert created.status_code == 201
    employee_id = created.json()["id"]
    assert (
        client.put(f"/api/employees/{employee_id}", headers=auth, json={"position": "CTO"}).json()["position"] == "CTO"
    )
    assert client.delete(f"/api/employees/{employee_id}", headers=auth).status_code == 204
    assert client.get(f"/api/employees/{employee_id}", headers=auth).status_code == 404


def test_search_and_department_filter(client: TestClient) -> None:
    auth = token(client)
    client.post(
        "/api/employees", headers=auth, json={"first_name": "Grace", "last_name": "Hopper", "department": "Navy"}
    )
    assert [e["last_name"] for e in client.get("/api/employees?search=hopp", headers=auth).json()] == ["Hopper"]
    assert [e["first_name"] for e in client.get("/api/employees?department=Navy", headers=auth).json()] == ["Grace"]


def test_viewers_cannot_write(client: TestClient) -> None:
    auth = token(client, "viewer", "viewer123")
    assert client.get("/api/employees", headers=auth).status_code == 200
    assert client.post("/api/employees", headers=auth, json={"first_name": "X", "last_name": "Y"}).status_code == 403
