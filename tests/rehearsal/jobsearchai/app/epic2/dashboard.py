"""JobSearchAI dashboard (v2.0, Epic 2): job matches from SQLite, the JSON files as a fallback."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, redirect, request, session
from utils.db_utils import ROOT, JobMatchDatabase
from werkzeug.security import check_password_hash

VERSION = "2.0.0"

app = Flask(__name__)
app.secret_key = os.environ.get("FLASK_SECRET_KEY", "rehearsal-only-secret")
(ROOT / "logs").mkdir(exist_ok=True)
logging.basicConfig(
    filename=ROOT / "logs" / "dashboard.log",
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)


def job_matches(search_term: str | None = None) -> tuple[list[dict[str, Any]], str]:
    """The matches and where they came from: SQLite when migrated, else the JSON files (fallback)."""
    with JobMatchDatabase() as db:
        if "job_matches" in db.tables() and db.count():
            return db.get_job_matches(search_term=search_term), "sqlite"
    matches: list[dict[str, Any]] = []
    for path in sorted(Path(ROOT, "job_matches").glob("*.json")):
        matches.extend(json.loads(path.read_text(encoding="utf-8")))
    return matches, "json"


@app.get("/health")
def health() -> object:
    matches, source = job_matches()
    return jsonify(status="ok", version=VERSION, source=source, matches=len(matches))


@app.post("/login")
def login() -> object:
    with JobMatchDatabase() as db:
        row = db.db.execute(
            "SELECT password_hash FROM users WHERE username = ?", (request.form.get("username"),)
        ).fetchone()
    if row is None or not check_password_hash(row[0], request.form.get("password", "")):
        app.logger.warning("failed login for %r", request.form.get("username"))
        return jsonify(error="invalid credentials"), 401
    session["user"] = request.form["username"]
    return redirect("/")


@app.get("/")
def index() -> object:
    matches, source = job_matches()
    rows = "".join(f"<li>{m['Job Title']} — {m['Company Name']} ({m.get('Overall Match')})</li>" for m in matches)
    return f"<h1>JobSearchAI {VERSION}</h1><p>{len(matches)} job matches ({source})</p><ul>{rows}</ul>"


@app.get("/api/matches")
def matches() -> object:
    if "user" not in session:
        return jsonify(error="login required"), 401
    found, source = job_matches(request.args.get("search_term"))
    return jsonify(matches=found, source=source)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    app.logger.info("JobSearchAI dashboard %s starting on 127.0.0.1:%d", VERSION, port)
    app.run(host="127.0.0.1", port=port)
