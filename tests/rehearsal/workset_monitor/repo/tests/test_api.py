from __future__ import annotations

import httpx


def test_health_names_the_table(api: httpx.Client) -> None:
    response = api.get("/")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


def test_register_then_read_a_workset(api: httpx.Client, workset_ids: list[str]) -> None:
    body = {"workset_id": workset_ids[0], "bucket": "b", "prefix": "p/", "priority": "normal"}
    assert api.post("/worksets", json=body).status_code == 201
    assert api.post("/worksets", json=body).status_code == 409
    assert api.get(f"/worksets/{workset_ids[0]}").json()["state"] == "ready"


def test_unknown_workset_is_404(api: httpx.Client, workset_ids: list[str]) -> None:
    assert api.get(f"/worksets/{workset_ids[0]}").status_code == 404


def test_state_update_and_lock_through_the_api(api: httpx.Client, workset_ids: list[str]) -> None:
    api.post("/worksets", json={"workset_id": workset_ids[0], "bucket": "b", "prefix": "p/"})
    assert api.put(f"/worksets/{workset_ids[0]}/state", json={"state": "in_progress"}).json()["state"] == "in_progress"
    assert api.post(f"/worksets/{workset_ids[0]}/lock", json={"owner_id": "a"}).status_code == 200
    assert api.post(f"/worksets/{workset_ids[0]}/lock", json={"owner_id": "b"}).status_code == 409
    assert api.delete(f"/worksets/{workset_ids[0]}/lock", params={"owner_id": "a"}).status_code == 204


def test_queue_stats_count_every_state(api: httpx.Client) -> None:
    response = api.get("/queue/stats")
    assert response.status_code == 200
    stats = response.json()
    assert stats["total_worksets"] == sum(stats["queue_depth"].values())
