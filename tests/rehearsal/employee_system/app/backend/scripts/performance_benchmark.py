"""Response times of a running Employee Management System against its targets.

EMPLOYEE_API_URL says where (default http://localhost:8000). Each operation runs ROUNDS times; the
median is compared with the target (list < 100 ms, search < 150 ms, create < 50 ms, update < 50 ms).
Exits 1 when a median misses its target or a request fails. Its own employees are deleted again.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable

import httpx

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))
TARGETS_MS = {"Employee list": 100.0, "Search": 150.0, "Create": 50.0, "Update": 50.0}


def timed(call: Callable[[], httpx.Response]) -> float:
    began = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - began) * 1000
    response.raise_for_status()
    return elapsed


def main() -> int:
    base = os.environ.get("EMPLOYEE_API_URL", "http://localhost:8000")
    client = httpx.Client(base_url=base, timeout=30)
    login = client.post(
        "/api/auth/login",
        data={
            "username": os.environ.get("SMOKE_USER", "admin"),
            "password": os.environ.get("SMOKE_PASSWORD", "admin123"),
        },
    )
    login.raise_for_status()
    client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    tag = f"bench-{uuid.uuid4().hex[:8]}"
    created: list[int] = []
    samples: dict[str, list[float]] = {name: [] for name in TARGETS_MS}
    try:
        for _ in range(ROUNDS):
            samples["Employee list"].append(timed(lambda: client.get("/api/employees")))
            samples["Search"].append(timed(lambda: client.get("/api/employees", params={"search": "an"})))

            def create() -> httpx.Response:
                response = client.post("/api/employees", json={"first_name": "Bench", "last_name": tag})
                if response.status_code == 201:
                    created.append(response.json()["id"])
                return response

            samples["Create"].append(timed(create))
            samples["Update"].append(timed(lambda: client.put(f"/api/employees/{created[-1]}", json={"position": "x"})))
    finally:
        for employee_id in created:
            client.delete(f"/api/employees/{employee_id}")
    missed = 0
    print(f"{'operation':<15} {'median':>9} {'target':>9}  ({ROUNDS} rounds against {base})")
    for name, target in TARGETS_MS.items():
        median = statistics.median(samples[name])
        ok = median < target
        missed += not ok
        print(f"{name:<15} {median:7.1f}ms {target:7.0f}ms  {'✓' if ok else '✗ MISSED'}")
    print("all targets met" if not missed else f"{missed} target(s) missed")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
