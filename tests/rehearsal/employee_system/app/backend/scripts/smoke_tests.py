"""Smoke tests of a running Employee Management System, through its HTTP API.

EMPLOYEE_API_URL says where it runs (default http://localhost:8000); SMOKE_USER and SMOKE_PASSWORD
are an admin's login (default: the seed's admin / admin123). Everything created is deleted again.
Prints one line per area (✅ … PASS / ❌ … FAIL: why); exits 1 when any area fails.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

VERSION = (Path(__file__).resolve().parents[2] / "VERSION").read_text().strip()
EXTENDED_FIELDS = tuple(int(p) for p in VERSION.split(".")) >= (1, 0, 0)


class Failed(Exception):
    pass


def expect(condition: bool, why: str) -> None:
    if not condition:
        raise Failed(why)


def main() -> int:
    base = os.environ.get("EMPLOYEE_API_URL", "http://localhost:8000")
    client = httpx.Client(base_url=base, timeout=30)
    tag = uuid.uuid4().hex[:8]
    state: dict[str, str] = {}

    def authentication() -> None:
        response = client.post(
            "/api/auth/login",
            data={
                "username": os.environ.get("SMOKE_USER", "admin"),
                "password": os.environ.get("SMOKE_PASSWORD", "admin123"),
            },
        )
        expect(response.status_code == 200, f"login answered {response.status_code}")
        state["token"] = response.json()["access_token"]
        client.headers["Authorization"] = f"Bearer {state['token']}"
        expect(
            client.post("/api/auth/login", data={"username": "admin", "password": "wrong"}).status_code == 401,
            "a wrong password was accepted",
        )

    def crud() -> None:
        created = client.post("/api/employees", json={"first_name": "Smoke", "last_name": tag, "position": "QA"})
        expect(created.status_code == 201, f"create answered {created.status_code}")
        employee_id = created.json()["id"]
        updated = client.put(f"/api/employees/{employee_id}", json={"position": "Senior QA"})
        expect(updated.status_code == 200 and updated.json()["position"] == "Senior QA", "update did not stick")
        expect(client.delete(f"/api/employees/{employee_id}").status_code == 204, "delete failed")
        expect(client.get(f"/api/employees/{employee_id}").status_code == 404, "deleted employee still there")

    def search() -> None:
        created = client.post("/api/employees", json={"first_name": "Findme", "last_name": tag})
        try:
            found = client.get("/api/employees", params={"search": tag}).json()
            expect([e["last_name"] for e in found] == [tag], f"search for {tag} found {len(found)}")
        finally:
            client.delete(f"/api/employees/{created.json()['id']}")

    def departments() -> None:
        department = f"Smoke-{tag}"
        created = client.post("/api/employees", json={"first_name": "Dept", "last_name": tag, "department": department})
        try:
            expect(created.json()["department"] == department, "department not assigned")
            listed = client.get("/api/employees", params={"department": department}).json()
            expect(len(listed) == 1, f"filter by department found {len(listed)}")
            expect(department in [d["name"] for d in client.get("/api/departments").json()], "department not listed")
        finally:
            client.delete(f"/api/employees/{created.json()['id']}")

    def extended() -> None:
        created = client.post(
            "/api/employees",
            json={
                "first_name": "Ext",
                "last_name": tag,
                "phone": "+1 555 0100",
                "hire_date": "2024-01-15",
                "employment_type": "full_time",
            },
        )
        try:
            expect(created.status_code == 201, f"create with extended fields answered {created.status_code}")
            body = client.get(f"/api/employees/{created.json()['id']}").json()
            expect((body["phone"], body["hire_date"]) == ("+1 555 0100", "2024-01-15"), "extended fields not kept")
        finally:
            if created.status_code == 201:
                client.delete(f"/api/employees/{created.json()['id']}")

    def authorization() -> None:
        anonymous = httpx.get(f"{base}/api/employees", timeout=30)
        expect(anonymous.status_code == 401, f"no token: {anonymous.status_code}")
        forged = httpx.get(f"{base}/api/employees", headers={"Authorization": "Bearer not.a.token"}, timeout=30)
        expect(forged.status_code == 401, f"forged token: {forged.status_code}")

    checks: list[tuple[str, Callable[[], None]]] = [
        ("Authentication", authentication),
        ("Employee CRUD", crud),
        ("Search/Filter", search),
        ("Department Assignment", departments),
    ]
    if EXTENDED_FIELDS:
        checks.append(("Extended Fields", extended))
    checks.append(("Authorization", authorization))
    failures = 0
    for name, check in checks:
        try:
            check()
            print(f"✅ {name}: PASS")
        except (Failed, httpx.HTTPError, KeyError, ValueError) as exc:
            failures += 1
            print(f"❌ {name}: FAIL: {exc}")
    print(f"{len(checks) - failures}/{len(checks)} smoke tests passed against {base} (v{VERSION})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
