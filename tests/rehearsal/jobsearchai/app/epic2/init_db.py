"""Create or update the JobSearchAI database schema (instance/jobsearchai.db); safe to run again."""

from __future__ import annotations

import os
import sqlite3

from utils.db_utils import DATABASE
from werkzeug.security import generate_password_hash

USERS = [
    "CREATE TABLE IF NOT EXISTS users ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL)",
]
JOB_MATCHES = [
    "CREATE TABLE IF NOT EXISTS job_matches ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, job_url TEXT NOT NULL, search_term TEXT NOT NULL, cv_key TEXT NOT NULL,"
    " job_title TEXT, company_name TEXT, location TEXT, overall_match INTEGER, match_data TEXT NOT NULL,"
    " matched_at TEXT NOT NULL, UNIQUE (job_url, search_term, cv_key))",
    "CREATE INDEX IF NOT EXISTS idx_job_matches_url ON job_matches (job_url)",
    "CREATE INDEX IF NOT EXISTS idx_job_matches_search ON job_matches (search_term, cv_key)",
    "CREATE INDEX IF NOT EXISTS idx_job_matches_score ON job_matches (overall_match)",
]
CV_VERSIONS = [
    "CREATE TABLE IF NOT EXISTS cv_versions ("
    " cv_key TEXT PRIMARY KEY, file_path TEXT NOT NULL, file_hash TEXT NOT NULL, created_at TEXT NOT NULL)",
]
SCRAPE_HISTORY = [
    "CREATE TABLE IF NOT EXISTS scrape_history ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, search_term TEXT NOT NULL, scraped_at TEXT NOT NULL,"
    " jobs_found INTEGER, new_jobs INTEGER, duplicates_skipped INTEGER, pages_scraped INTEGER, early_exit INTEGER)",
    "CREATE INDEX IF NOT EXISTS idx_scrape_history_term ON scrape_history (search_term, scraped_at)",
]
SCHEMA = {
    "users": USERS,
    "job_matches": JOB_MATCHES,
    "cv_versions": CV_VERSIONS,
    "scrape_history": SCRAPE_HISTORY,
}


def main() -> None:
    DATABASE.parent.mkdir(exist_ok=True)
    db = sqlite3.connect(DATABASE)
    with db:
        for table, statements in SCHEMA.items():
            for statement in statements:
                db.execute(statement)
            print(f"✓ {table}")
        password = os.environ.get("JOBSEARCHAI_ADMIN_PASSWORD")
        if password:
            db.execute(
                "INSERT OR IGNORE INTO users (username, password_hash) VALUES ('admin', ?)",
                (generate_password_hash(password),),
            )
    db.close()
    print(f"✓ Schema initialised: {DATABASE}")


if __name__ == "__main__":
    main()
