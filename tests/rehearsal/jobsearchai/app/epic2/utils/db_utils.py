"""SQLite storage of job matches with deduplication (Epic 2).

A job match is unique per (normalised job URL, search term, CV): re-scraping the same search with the
same CV finds it already known and skips the API call that would match it again.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DATABASE = ROOT / "instance" / "jobsearchai.db"
TRACKING = ("utm_", "ref", "trk")


def normalize_url(url: str) -> str:
    """The URL a job is known by: lower-case host, no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.lower().startswith(TRACKING)]
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), urlencode(query), ""))


class JobMatchDatabase:
    def __init__(self, path: Path | str = DATABASE) -> None:
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, timeout=10)
        self.db.row_factory = sqlite3.Row

    def __enter__(self) -> JobMatchDatabase:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def tables(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def register_cv(self, cv_path: Path | str) -> str:
        content = Path(cv_path).read_bytes()
        cv_key = hashlib.sha256(content).hexdigest()[:16]
        with self.db:
            self.db.execute(
                "INSERT OR IGNORE INTO cv_versions (cv_key, file_path, file_hash, created_at) VALUES (?, ?, ?, ?)",
                (cv_key, str(cv_path), hashlib.sha256(content).hexdigest(), datetime.now().isoformat()),
            )
        return cv_key

    def job_exists(self, job_url: str, search_term: str, cv_key: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM job_matches WHERE job_url = ? AND search_term = ? AND cv_key = ?",
            (normalize_url(job_url), search_term, cv_key),
        ).fetchone()
        return row is not None

    def insert_job_match(self, match: dict[str, Any], search_term: str, cv_key: str) -> bool:
        """Store a match; False when it is a duplicate (same URL, search term and CV)."""
        with self.db:
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO job_matches (job_url, search_term, cv_key, job_title, company_name, location,"
                " overall_match, match_data, matched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    normalize_url(match["Application URL"]),
                    search_term,
                    cv_key,
                    match.get("Job Title"),
                    match.get("Company Name"),
                    match.get("Location"),
                    int(match.get("Overall Match", 0)),
                    json.dumps(match, ensure_ascii=False),
                    datetime.now().isoformat(),
                ),
            )
        return cursor.rowcount == 1

    def record_scrape(self, search_term: str, jobs_found: int, new_jobs: int, duplicates: int) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO scrape_history (search_term, scraped_at, jobs_found, new_jobs, duplicates_skipped,"
                " pages_scraped, early_exit) VALUES (?, ?, ?, ?, ?, 0, 0)",
                (search_term, datetime.now().isoformat(), jobs_found, new_jobs, duplicates),
            )

    def get_job_matches(self, search_term: str | None = None, min_score: int = 0) -> list[dict[str, Any]]:
        sql, args = "SELECT match_data FROM job_matches WHERE overall_match >= ?", [min_score]
        if search_term is not None:
            sql += " AND search_term = ?"
            args.append(search_term)
        return [json.loads(r[0]) for r in self.db.execute(sql + " ORDER BY overall_match DESC", args)]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM job_matches").fetchone()[0])
