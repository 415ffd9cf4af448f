"""Create the JobSearchAI database (instance/jobsearchai.db): the users who log in to the dashboard."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from werkzeug.security import generate_password_hash

DATABASE = Path(__file__).resolve().parent / "instance" / "jobsearchai.db"


def main() -> None:
    DATABASE.parent.mkdir(exist_ok=True)
    db = sqlite3.connect(DATABASE)
    with db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS users ("
            " id INTEGER PRIMARY KEY AUTOINCREMENT, username TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL)"
        )
        password = os.environ.get("JOBSEARCHAI_ADMIN_PASSWORD")
        if password:
            db.execute(
                "INSERT OR IGNORE INTO users (username, password_hash) VALUES ('admin', ?)",
                (generate_password_hash(password),),
            )
    db.close()
    print(f"✓ Database initialised: {DATABASE}")


if __name__ == "__main__":
    main()
