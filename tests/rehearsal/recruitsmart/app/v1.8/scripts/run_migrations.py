"""Apply the SQL migrations in migrations/ to DATABASE_URL, each once, in order. Idempotent.

Each applied migration is recorded in schema_migrations; one applied by a newer release that this
checkout does not know is left alone, so running an older release's migrations is safe.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
RULE = "=" * 60


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    print(RULE)
    print("Database Migration Script")
    print(RULE)
    if not url.startswith(("postgresql://", "postgres://")):
        print(f"✗ DATABASE_URL must be a PostgreSQL URL (got {url.split(':', 1)[0] or 'nothing'})")
        return 1
    parts = urlsplit(url)
    print(f"Database URL: {parts.hostname}:{parts.port or 5432}{parts.path}")
    print("Running migrations...")
    try:
        with psycopg.connect(url, connect_timeout=10) as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ"
                " NOT NULL DEFAULT now())"
            )
            applied = {row[0] for row in db.execute("SELECT version FROM schema_migrations")}
            for path in sorted((ROOT / "migrations").glob("*.sql")):
                if path.stem in applied:
                    continue
                db.execute(path.read_text(encoding="utf-8"))
                db.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (path.stem,))
                print(f"  applied {path.stem}")
    except psycopg.Error as exc:
        print(f"✗ Migration failed: {exc}".strip())
        print(RULE)
        return 1
    print("✓ Migrations completed successfully")
    print(RULE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
