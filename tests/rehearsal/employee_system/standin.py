"""The Employee Management System's world on this machine, built fresh in a temp dir per test.

- `origin.git`: the team's repository (bare), holding v0.9.5 (tagged) and the 1.0.0 candidate on main;
- `staging/`: a clone on main (the seed's /home/peter/AI-Schedule-Manager);
- `www/`: production's clone at v0.9.5 (/var/www/employee-system), with backend/.env and a venv;
- a uniquely named PostgreSQL database (the seed's `employee_system`), migrated to v0.9.5 and holding
  production data: users (admin / admin123, as the seed's smoke test logs in), departments, employees
  (999 is the record the seed's smoke test updates and deletes);
- `systemd/units/employee-backend.service`, run by the stand-in `systemctl` in bin/ (uvicorn on a free
  loopback port), logging to `log/app.log` (/var/log/employee-system/app.log);
- `backups/production/` (/backups/production/).
The planted fault `duplicate-email` puts two employees with one e-mail address into the data, which
1.0.0's migration (a unique index on e-mail) cannot take.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
APP = HERE / "app"
BIN = HERE / "bin"
VENV_BIN = Path(sys.executable).parent
SITE_PACKAGES = sysconfig.get_paths()["purelib"]
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
UNIT = "employee-backend"
OLD, NEW = "v0.9.5", "v1.0.0"
ONLY_IN_NEW = ("backend/migrations/versions/0002_v100_extended_fields.py",)
START_TIMEOUT_S = 60.0
# The seed's commands on its systemd path, by line, in order (docker-compose and pm2 not chosen).
PHASE_1 = [57, 58, 59, 62, 63, 66, 67, 70, 71, 74, 86, 89, 106, 107, 110, 111]
PHASE_2_TO_MIGRATION = [
    157,
    166,
    178,
    182,
    185,
    196,
    199,
    200,
    203,
    204,
    205,
    206,
    208,
    209,
    212,
    224,
    227,
    237,
    248,
    251,
    254,
    256,
    259,
]
AFTER_MIGRATION = [262, 275, 278, 281, 282, 294, 303, 319, 322, 326, 330, 333, 337, 342, 354, 361, 385, 399, 400, 420]
ROLLBACK = [
    496,
    506,
    509,
    515,
    518,
    523,
    526,
    530,
    533,
    534,
    536,
    537,
    538,
    543,
    546,
    549,
    552,
    558,
    565,
    566,
    572,
    578,
]
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Rehearsal Builder",
    "GIT_AUTHOR_EMAIL": "builder@rehearsal.example",
    "GIT_COMMITTER_NAME": "Rehearsal Builder",
    "GIT_COMMITTER_EMAIL": "builder@rehearsal.example",
}
EMPLOYEES = [
    ("Alice", "Nguyen", "Engineering", "Backend Engineer"),
    ("Bruno", "Costa", "Engineering", "Frontend Engineer"),
    ("Chen", "Wei", "Engineering", "Engineering Manager"),
    ("Dana", "Okafor", "Sales", "Account Executive"),
    ("Elif", "Yilmaz", "Sales", "Sales Manager"),
    ("Farid", "Haddad", "HR", "HR Partner"),
    ("Greta", "Lind", "HR", "Recruiter"),
    ("Hana", "Sato", "Operations", "Operations Analyst"),
    ("Ivan", "Petrov", "Operations", "Site Lead"),
    ("Julia", "Santos", "Finance", "Accountant"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def admin_connection() -> Any:
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/test", autocommit=True, connect_timeout=5)


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, args))} in {cwd}: exit {result.returncode}\n{result.stdout}{result.stderr}"
        )
    return result.stdout


@dataclass
class World:
    directory: Path
    database: str
    port: int

    # --- where things are -------------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"{PG_SERVER}/{self.database}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def staging(self) -> Path:
        return self.directory / "staging"

    @property
    def www(self) -> Path:
        return self.directory / "www"

    @property
    def origin(self) -> Path:
        return self.directory / "origin.git"

    @property
    def backups(self) -> Path:
        return self.directory / "backups" / "production"

    @property
    def app_log(self) -> Path:
        return self.directory / "log" / "app.log"

    @property
    def calls_log(self) -> Path:
        return self.directory / "standin-calls.log"

    # --- building it ------------------------------------------------------------------------------

    @classmethod
    def create(cls, directory: Path, fault: str = "") -> World:
        world = cls(directory, f"emp_rehearsal_{secrets.token_hex(5)}", free_port())
        directory.mkdir(parents=True, exist_ok=True)
        for folder in (world.backups, world.app_log.parent, directory / "systemd" / "units"):
            folder.mkdir(parents=True, exist_ok=True)
        world._build_repository()
        sh("git", "clone", "-q", world.origin, world.staging, cwd=directory)
        sh("git", "clone", "-q", world.origin, world.www, cwd=directory)
        sh("git", "-c", "advice.detachedHead=false", "checkout", "-q", OLD, cwd=world.www)
        admin = admin_connection()
        try:
            admin.execute(f'CREATE DATABASE "{world.database}"')
        finally:
            admin.close()
        world.write_env_file()
        sh(VENV_BIN / "alembic", "upgrade", "head", cwd=world.www / "backend", env={"DATABASE_URL": world.database_url})
        world._load_production_data(fault)
        sh(sys.executable, "-m", "venv", "--without-pip", "venv", cwd=world.www / "backend")
        world._write_unit()
        world.systemctl("start", UNIT)
        world.wait_healthy()
        return world

    def _build_repository(self) -> None:
        work = self.directory / "build"
        shutil.copytree(APP, work, ignore=shutil.ignore_patterns("__pycache__", "htmlcov", ".coverage"))
        saved = {p: (work / p).read_bytes() for p in ONLY_IN_NEW}
        for path in ONLY_IN_NEW:
            (work / path).unlink()
        _set_version(work, OLD.lstrip("v"))
        git = ("git", "-c", "init.defaultBranch=main")
        sh(*git, "init", "-q", cwd=work)
        sh("git", "add", "-A", cwd=work)
        sh("git", "commit", "-qm", "Release 0.9.5", cwd=work, env=GIT_IDENTITY)
        sh("git", "tag", "-a", OLD, "-m", "Production release 0.9.5", cwd=work, env=GIT_IDENTITY)
        for path, content in saved.items():
            (work / path).write_bytes(content)
        _set_version(work, NEW.lstrip("v"))
        sh("git", "add", "-A", cwd=work)
        sh(
            "git",
            "commit",
            "-qm",
            "1.0.0: extended employee fields, unique e-mail addresses",
            cwd=work,
            env=GIT_IDENTITY,
        )
        sh("git", "clone", "-q", "--bare", work, self.origin, cwd=self.directory)
        shutil.rmtree(work)

    def write_env_file(self) -> None:
        env = self.www / "backend" / ".env"
        env.write_text(
            f"DATABASE_URL={self.database_url}\nSECRET_KEY={secrets.token_hex(32)}\n"
            "CORS_ORIGINS=https://employees.company.com\nENVIRONMENT=production\nDEBUG=False\nLOG_LEVEL=INFO\n"
        )
        env.chmod(0o600)

    def _load_production_data(self, fault: str) -> None:
        sys.path.insert(0, str(self.www / "backend"))
        try:
            from src.security import hash_password  # the hashing of the release being deployed
        finally:
            sys.path.pop(0)
            for name in [m for m in sys.modules if m == "src" or m.startswith("src.")]:
                del sys.modules[name]
        import psycopg

        with psycopg.connect(self.database_url, autocommit=False) as db:
            db.execute(
                "INSERT INTO users (username, password_hash, role) VALUES (%s, %s, 'admin'), (%s, %s, 'viewer')",
                ("admin", hash_password("admin123"), "viewer", hash_password(secrets.token_hex(8))),
            )
            for name in sorted({d for _f, _l, d, _p in EMPLOYEES}):
                db.execute("INSERT INTO departments (name) VALUES (%s)", (name,))
            rows = [(f, last, f"{f.lower()}.{last.lower()}@company.com", p, d) for f, last, d, p in EMPLOYEES]
            if fault == "duplicate-email":  # a second record for Alice, typed in by hand years ago
                rows.append(("Alice", "Nguyen-Smith", "alice.nguyen@company.com", "Backend Engineer", "Engineering"))
            for row in rows:
                db.execute(
                    "INSERT INTO employees (first_name, last_name, email, position, department_id) "
                    "SELECT %s, %s, %s, %s, id FROM departments WHERE name = %s",
                    row,
                )
            db.execute(
                "INSERT INTO employees (id, first_name, last_name, email, position) VALUES "
                "(999, 'Smoke', 'Fixture', 'smoke.fixture@company.com', 'QA Engineer')"
            )
            db.execute("SELECT setval('employees_id_seq', (SELECT max(id) FROM employees))")

    def _write_unit(self) -> None:
        backend = self.www / "backend"
        (self.directory / "systemd" / "units" / f"{UNIT}.service").write_text(
            "[Unit]\nDescription=Employee Management System backend\nAfter=network.target postgresql.service\n\n"
            "[Service]\nType=simple\n"
            f"WorkingDirectory={backend}\n"
            f"EnvironmentFile={backend}/.env\n"
            f"Environment=PYTHONPATH={SITE_PACKAGES}\n"
            f"ExecStart={backend}/venv/bin/python -m uvicorn src.main:app --host 127.0.0.1 --port {self.port}\n"
            f"StandardOutput=append:{self.app_log}\nStandardError=inherit\nRestart=no\n\n"
            "[Install]\nWantedBy=multi-user.target\n"
        )

    # --- using it ---------------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """What the operator's machine provides: the stand-in commands' state, libpq and pip settings."""
        return {
            "STANDIN_SYSTEMD": str(self.directory / "systemd"),
            "STANDIN_LOG": str(self.calls_log),
        }

    def systemctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "systemctl"), *args],
            env={**os.environ, **self.env()},
            capture_output=True,
            text=True,
            timeout=60,
        )

    def wait_healthy(self, timeout: float = START_TIMEOUT_S) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"{self.url}/health", timeout=2)
                if response.status_code == 200:
                    return response.json()  # type: ignore[no-any-return]
            except httpx.TransportError:
                pass
            if self.systemctl("is-active", UNIT).returncode != 0:
                raise RuntimeError(f"{UNIT} is not running; its log:\n{self.app_log.read_text()[-3000:]}")
            time.sleep(0.1)
        raise TimeoutError(f"{self.url}/health did not answer within {timeout} s")

    def running(self) -> bool:
        return self.systemctl("is-active", UNIT).returncode == 0

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as db:
            return [tuple(r) for r in db.execute(query).fetchall()]  # type: ignore[arg-type]

    def database_oid(self) -> int | None:
        admin = admin_connection()
        try:
            row = admin.execute("SELECT oid FROM pg_database WHERE datname = %s", (self.database,)).fetchone()
        finally:
            admin.close()
        return int(row[0]) if row else None

    def close(self) -> None:
        self.systemctl("stop", UNIT)
        admin = admin_connection()
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        finally:
            admin.close()


def _set_version(tree: Path, version: str) -> None:
    (tree / "VERSION").write_text(version + "\n")
    for package in ("package.json", "frontend/package.json", "frontend/package-lock.json"):
        path = tree / package
        path.write_text(re.sub(r'"version": "[^"]*"', f'"version": "{version}"', path.read_text()))
