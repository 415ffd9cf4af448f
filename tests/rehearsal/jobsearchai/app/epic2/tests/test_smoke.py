"""Smoke tests of a deployed JobSearchAI: the running dashboard (JOBSEARCHAI_URL) and its database."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import requests
from utils.db_utils import DATABASE, JobMatchDatabase

BASE = os.environ.get("JOBSEARCHAI_URL", "http://127.0.0.1:5000")


def test_dashboard_loads() -> None:
    response = requests.get(BASE + "/", timeout=10)
    assert response.status_code == 200
    assert "job matches (sqlite)" in response.text


def test_health_reads_sqlite() -> None:
    health = requests.get(BASE + "/health", timeout=10).json()
    assert health["status"] == "ok"
    assert health["source"] == "sqlite"
    assert health["matches"] > 0


def test_login_and_query_matches() -> None:
    with requests.Session() as s:
        assert s.get(BASE + "/api/matches", timeout=10).status_code == 401
        password = os.environ["JOBSEARCHAI_ADMIN_PASSWORD"]
        login = s.post(BASE + "/login", data={"username": "admin", "password": password}, timeout=10)
        assert login.status_code == 200
        found = s.get(BASE + "/api/matches", timeout=10).json()
    assert found["source"] == "sqlite"
    assert found["matches"]


def test_deduplication_skips_a_known_job(tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    shutil.copyfile(DATABASE, copy)
    with JobMatchDatabase(copy) as db:
        url, term, cv_key, data = db.db.execute(
            "SELECT job_url, search_term, cv_key, match_data FROM job_matches LIMIT 1"
        ).fetchone()
        before = db.count()
        assert db.job_exists(url + "/?utm_source=newsletter", term, cv_key)
        assert not db.insert_job_match(json.loads(data), term, cv_key)
        assert db.count() == before
