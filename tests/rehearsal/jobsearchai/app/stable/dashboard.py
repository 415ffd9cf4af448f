"""JobSearchAI dashboard (v1.4): job matches read from the JSON files in job_matches/."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from pathlib import Path

from flask import Flask, jsonify, redirect, request, session
from werkzeug.security import check_password_hash

VERSION = "1.4.0"
ROOT = Path(__file__).resolve().parent
DATABASE = ROOT / "instance" / "jobsearchai.db"

app = Flask(__name__)
app.secret_key = os.environ.get("FLASK_SECRET_KEY", "rehearsal-only-secret")
(ROOT / "logs").mkdir(exist_ok=True)
logging.basicConfig(
    filename=ROOT / "logs" / "dashboard.log",
    level=logging.INFO,
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)


def json_matches() -> list[dict[str, object]]:
    matches: list[dict[str, object]] = []
    for path in sorted((ROOT / "job_matches").glob("*.json")):
        matches.extend(json.loads(path.read_text(encoding="utf-8")))
    return matches


@app.get("/health")
def health() -> object:
    db = sqlite3.connect(DATABASE)
    users = db.execute("SELECT count(*) FROM users").fetchone()[0]
    db.close()
    return jsonify(status="ok", version=VERSION, source="json", users=users)


@app.post("/login")
def login() -> object:
    db = sqlite3.connect(DATABASE)
    row = db.execute("SELECT password_hash FROM users WHERE username = ?", (request.form.get("username"),)).fetchone()
    db.close()
    if row is None or not check_password_hash(row[0], request.form.get("password", "")):
        app.logger.warning("failed login for %r", request.form.get("username"))
        return jsonify(error="invalid credentials"), 401
    session["user"] = request.form["username"]
    return redirect("/")


@app.get("/")
def index() -> object:
    matches = json_matches()
    rows = "".join(f"<li>{m['Job Title']} — {m['Company Name']}</li>" for m in matches)
    return f"<h1>JobSearchAI {VERSION}</h1><p>{len(matches)} job matches</p><ul>{rows}</ul>"


@app.get("/api/matches")
def matches() -> object:
    if "user" not in session:
        return jsonify(error="login required"), 401
    return jsonify(matches=json_matches(), source="json")


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "5000"))
    app.logger.info("JobSearchAI dashboard %s starting on 127.0.0.1:%d", VERSION, port)
    app.run(host="127.0.0.1", port=port)
