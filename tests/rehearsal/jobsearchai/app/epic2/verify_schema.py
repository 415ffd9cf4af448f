"""Verify the JobSearchAI schema: the Epic 2 tables, their columns and indexes. Exit 1 if anything is missing."""

from __future__ import annotations

import sys

from utils.db_utils import DATABASE, JobMatchDatabase

REQUIRED = {
    "job_matches": {"job_url", "search_term", "cv_key", "job_title", "overall_match", "match_data"},
    "cv_versions": {"cv_key", "file_path", "file_hash"},
    "scrape_history": {"search_term", "scraped_at", "jobs_found", "new_jobs", "duplicates_skipped"},
}
INDEXES = {"idx_job_matches_url", "idx_job_matches_search", "idx_job_matches_score", "idx_scrape_history_term"}


def main() -> int:
    if not DATABASE.exists():
        print(f"✗ No database at {DATABASE}: run python init_db.py")
        return 1
    problems = 0
    with JobMatchDatabase() as db:
        tables = db.tables()
        for table, columns in REQUIRED.items():
            if table not in tables:
                print(f"✗ Missing table: {table}")
                problems += 1
                continue
            have = {r[1] for r in db.db.execute(f"PRAGMA table_info({table})")}
            lacking = sorted(columns - have)
            if lacking:
                print(f"✗ Table {table} lacks columns: {', '.join(lacking)}")
                problems += 1
            else:
                print(f"✓ Table {table} ({len(have)} columns)")
        indexes = {r[0] for r in db.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        for index in sorted(INDEXES):
            if index in indexes:
                print(f"✓ Index {index}")
            else:
                print(f"✗ Missing index: {index}")
                problems += 1
    if problems:
        print(f"✗ Schema verification failed: {problems} problem(s)")
        return 1
    print("✓ Schema verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
