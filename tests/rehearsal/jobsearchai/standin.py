"""The stand-in of JobSearchAI (seed 001): a git checkout, a real SQLite database, a Flask dashboard.

`build()` lays out, in a temp dir, what the seed's operator finds on the production machine:
- `origin`, a bare git repository whose main holds the Epic 2 release (the SQLite deduplication);
- `JobSearchAI/`, the deployed checkout one commit behind it at v1.4.0 (the previous stable
  commit), with its `venv/`, the live database `instance/jobsearchai.db` (users only: the job
  matches still live in `job_matches/*.json`) and the CV the matches were made with;
- a systemd unit `jobsearchai` for the dashboard (run by the stand-in systemctl in tests/rehearsal/bin).
The app's own files are in app/stable and app/epic2 (what the release adds or changes).

A planted fault changes the release before it is pushed to origin, as a bad merge would:
`missing_table` drops `scrape_history` from init_db.py, which Step 5's verify_schema.py must catch.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import httpx

from tests.rehearsal.conftest import (
    SHARED_BIN,
    Calls,
    clone_with_origin,
    commit_all,
    free_port,
    git,
    listening,
    make_venv,
    standin_env,
    wait_until,
)

APP = Path(__file__).resolve().parent / "app"
FAULTS = {
    "missing_table": ("init_db.py", '    "scrape_history": SCRAPE_HISTORY,\n', ""),
}
SEARCHES = [  # (file, search term a person remembers, jobs) — the third re-ran the first search
    ("job_matches_20251020_091500.json", "Data Analyst", range(0, 5)),
    ("job_matches_20251024_140200.json", "Python Developer", range(5, 10)),
    ("job_matches_20251028_101000.json", "Data Analyst", range(2, 7)),
]
CV = "process_cv/cv-data/input/Lebenslauf.pdf"


@dataclass
class JobSearchAI:
    root: Path
    repo: Path
    origin: Path
    units: Path
    port: int
    stable_commit: str
    release_commit: str
    admin_password: str
    rehearsal_id: str
    SEARCH_TERMS: ClassVar[list[str]] = [term for _, term, _ in SEARCHES]  # what a person answers L181

    @property
    def database(self) -> Path:
        return self.repo / "instance" / "jobsearchai.db"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def calls(self) -> Calls:
        return Calls.in_dir(self.root)

    def env(self) -> dict[str, str]:
        """What the rehearsal profile reads from the environment (`${…}`) and the stand-ins need."""
        return {
            **standin_env(self.root, self.rehearsal_id),
            "REHEARSAL_UNITS": str(self.units),
            "JSA_DIR": str(self.repo),
            "JSA_PORT": str(self.port),
            "JSA_STABLE_COMMIT": self.stable_commit,
            "JSA_RELEASE_COMMIT": self.release_commit,
            "JSA_ADMIN_PASSWORD": self.admin_password,
        }

    def app_env(self) -> dict[str, str]:
        """What the operator's shell holds for the app (the profile's `env` and `secrets` give the same)."""
        return {**self.env(), "JOBSEARCHAI_URL": self.url, "JOBSEARCHAI_ADMIN_PASSWORD": self.admin_password}

    def systemctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **self.env()}
        return subprocess.run([str(SHARED_BIN / "systemctl"), *args], env=env, capture_output=True, text=True)

    def start(self) -> None:
        done = self.systemctl("start", "jobsearchai")
        assert done.returncode == 0, done.stderr
        wait_until(f"the dashboard on {self.url}", lambda: listening(self.port))

    def stop(self) -> None:
        self.systemctl("stop", "jobsearchai")

    def running(self) -> bool:
        return self.systemctl("is-active", "jobsearchai").returncode == 0

    def health(self) -> dict[str, Any]:
        response = httpx.get(self.url + "/health", timeout=10)
        response.raise_for_status()
        health: dict[str, Any] = response.json()
        return health

    def tables(self) -> set[str]:
        db = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            db.close()

    def dump(self, database: Path | None = None) -> list[str]:
        """The database's content as SQL (what `sqlite3 … .dump` prints): equal dumps, equal data."""
        db = sqlite3.connect(f"file:{database or self.database}?mode=ro", uri=True)
        try:
            return list(db.iterdump())
        finally:
            db.close()

    def head(self) -> str:
        return git(self.repo, "rev-parse", "HEAD")

    def backups(self) -> list[Path]:
        return sorted((self.repo / "backups").glob("jobsearchai_backup_*.db"))


def job(n: int, tracking: bool) -> dict[str, Any]:
    url = f"https://www.jobs.ch/en/vacancies/detail/{1000 + n}/"
    return {
        "Job Title": [
            "Data Analyst",
            "BI Engineer",
            "Data Scientist",
            "Python Developer",
            "Backend Engineer",
            "ML Engineer",
            "Data Engineer",
            "Analytics Lead",
            "Software Engineer",
            "DevOps Engineer",
        ][n],
        "Company Name": f"Company {n}",
        "Location": "Zürich",
        "Overall Match": 60 + 3 * n,
        "Application URL": url + ("?utm_source=jobsearchai" if tracking else ""),
    }


def _lay_out_data(repo: Path, password: str) -> None:
    (repo / "job_matches").mkdir()
    for index, (name, _term, jobs) in enumerate(SEARCHES):
        matches = [job(n, tracking=index == 2) for n in jobs]
        (repo / "job_matches" / name).write_text(json.dumps(matches, indent=2, ensure_ascii=False), encoding="utf-8")
    cv = repo / CV
    cv.parent.mkdir(parents=True)
    cv.write_bytes(b"%PDF-1.4\n% Lebenslauf (rehearsal)\n")
    env = {**os.environ, "JOBSEARCHAI_ADMIN_PASSWORD": password}
    subprocess.run([sys.executable, "init_db.py"], cwd=repo, env=env, check=True, capture_output=True)


def _unit(units: Path, repo: Path, port: int) -> None:
    units.mkdir()
    (units / "jobsearchai.service").write_text(
        "[Unit]\nDescription=JobSearchAI dashboard\n\n[Service]\n"
        f"WorkingDirectory={repo}\nExecStart={repo}/venv/bin/python dashboard.py\n"
        f"Environment=PORT={port} FLASK_SECRET_KEY={secrets.token_hex(16)}\n"
    )


def build(root: Path, fault: str | None = None) -> JobSearchAI:
    """Lay out the stand-in under `root`; the dashboard is not started (see JobSearchAI.start)."""
    repo, origin, units = root / "JobSearchAI", root / "origin.git", root / "units"
    shutil.copytree(APP / "stable", repo)
    git(repo, "init", "-q", "-b", "main")
    stable = commit_all(repo, "JobSearchAI v1.4.0: dashboard on the JSON job matches")
    git(repo, "tag", "v1.4.0")
    shutil.copytree(APP / "epic2", repo, dirs_exist_ok=True)
    if fault is not None:
        name, old, new = FAULTS[fault]
        source = (repo / name).read_text()
        assert old in source, f"fault {fault}: {name} no longer holds the line it changes"
        (repo / name).write_text(source.replace(old, new))
    release = commit_all(repo, "Epic 2: SQLite deduplication & integration")
    clone_with_origin(repo, origin)
    git(repo, "reset", "-q", "--hard", stable)  # production runs the previous release
    make_venv(repo / "venv")
    password = secrets.token_urlsafe(12)
    _lay_out_data(repo, password)
    port = free_port()
    _unit(units, repo, port)
    return JobSearchAI(root, repo, origin, units, port, stable, release, password, secrets.token_hex(6))
