"""Data integrity of the database named by DATABASE_URL (environment or backend/.env).

Checks: the tables exist; the schema is at this checkout's Alembic head; every employee's
department exists (no orphans) and the foreign key is in place; at least one admin can log in;
e-mail addresses are unique where the schema says so. Exits 1 when any check fails.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BACKEND))

from alembic.config import Config  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import create_engine, inspect, text  # noqa: E402
from src.config import EXTENDED_FIELDS, load_settings  # noqa: E402

TABLES = {"users", "departments", "employees", "alembic_version"}


def main() -> int:
    engine = create_engine(load_settings().sqlalchemy_url)
    head = ScriptDirectory.from_config(Config(str(BACKEND / "alembic.ini"))).get_current_head()
    with engine.connect() as db:
        present = set(inspect(db).get_table_names())
        revision = (
            db.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if "alembic_version" in present
            else None
        )

        def scalar(sql: str) -> int:
            return int(db.execute(text(sql)).scalar() or 0)

        checks: list[tuple[str, Callable[[], bool]]] = [
            (f"tables present: {', '.join(sorted(TABLES))}", lambda: present >= TABLES),
            (f"schema at head ({head}); database at {revision}", lambda: revision == head),
            (
                "no orphaned employees",
                lambda: (
                    scalar(
                        "SELECT count(*) FROM employees e LEFT JOIN departments d ON d.id = e.department_id "
                        "WHERE e.department_id IS NOT NULL AND d.id IS NULL"
                    )
                    == 0
                ),
            ),
            (
                "foreign key employees.department_id intact",
                lambda: any(fk["referred_table"] == "departments" for fk in inspect(db).get_foreign_keys("employees")),
            ),
            ("an admin user exists", lambda: scalar("SELECT count(*) FROM users WHERE role = 'admin'") > 0),
        ]
        if EXTENDED_FIELDS:
            checks.append(
                (
                    "e-mail addresses unique",
                    lambda: (
                        scalar(
                            "SELECT count(*) FROM (SELECT email FROM employees WHERE email IS NOT NULL "
                            "GROUP BY email HAVING count(*) > 1) d"
                        )
                        == 0
                    ),
                )
            )
        failed = 0
        for name, check in checks:
            ok = check()
            failed += not ok
            print(f"{'✓' if ok else '✗'} {name}")
    print("data integrity verified" if not failed else f"data integrity check FAILED ({failed})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
