"""Notifications as a team hears them: a real golive run, a real webhook receiver on loopback
(apprise `json://127.0.0.1:PORT/`), one message per state, and never a secret in the bytes received."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.record.events import EventType as E
from golive.record.store import Store
from golive.team.notify import notify_approval, targets
from tests.helpers import golive
from tests.record.conftest import BACKENDS, fresh_database
from tests.team.receiver import dead_url, receiver

DB_PASSWORD = "pw-Kx81-zQ4mW7-secret"
API_TOKEN = "tok_9f3Lq2Vb7Rz0Xc5Nm8Pw"

DEPLOY = """
    ---
    golive:
      notify: ["{url}"]
    ---
    # Deploy the widget service

    ## Deployment Steps

    ### Step 1: Notify Stakeholders

    ```text
    Subject: Deploying widget 2.0

    The deployment started at [START TIME].
    Database password: [DB PASSWORD]
    ```

    - [ ] Change approved

    ### Step 2: Deploy

    ```bash
    echo "deploying with $API_TOKEN"
    {deploy}
    ```

    ## Rollback Plan

    ```bash
    echo rolled-back
    ```
    """


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The store on SQLite, then on PostgreSQL 127.0.0.1:5432 (a fresh database; under CI=true never skipped)."""
    with fresh_database(request.param, tmp_path) as db:
        if db.backend == "postgres":
            monkeypatch.setenv("GOLIVE_DATABASE_URL", db.url)
        yield db.backend


def write(tmp_path: Path, url: str, deploy: str = "echo deployed") -> Path:
    path = tmp_path / "DEPLOY.md"
    path.write_text(textwrap.dedent(DEPLOY).lstrip().replace("{url}", url).replace("{deploy}", deploy))
    return path


def run(checklist: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    secrets = ("--var", f"DB_PASSWORD={DB_PASSWORD}", "--var", f"API_TOKEN={API_TOKEN}")
    r = golive("run", str(checklist), "--non-interactive", "--yes", *secrets, *args, cwd=checklist.parent, env=env)
    run_id = r.stdout.splitlines()[0].split()[-1]
    return r.returncode, run_id, r.stdout + r.stderr


def events(home: Path, run_id: str, type_: str) -> list[dict]:  # type: ignore[type-arg]
    return [e.data for e in Store.open(home).events(run_id) if e.type == type_]


def test_each_state_of_a_run_reaches_the_webhook_once_and_no_secret_does(
    backend: str, tmp_path: Path, isolated_home: Path
) -> None:
    with receiver() as (got, url):
        checklist = write(tmp_path, url)
        code, run_id, said = run(checklist)
        assert code == 3, said
        assert got.titles[0] == "golive: Deploy the widget service (default) started"
        assert got.titles[1].startswith("golive: Deploy the widget service (default) waits for a person to confirm")
        assert len(got.titles) == 2
        # The message waits for the operator: it goes out only once it was seen and answered.
        for item in ("L11", "L18"):
            assert golive("confirm", run_id, item, "--as", "Ana", cwd=tmp_path).returncode == 0
        secrets = ("--var", f"DB_PASSWORD={DB_PASSWORD}", "--var", f"API_TOKEN={API_TOKEN}")  # never stored
        r = golive("resume", run_id, "--non-interactive", "--yes", *secrets, cwd=tmp_path)
        assert r.returncode == 0, r.stdout + r.stderr

        assert got.titles[2:] == ["Deploying widget 2.0", "golive: Deploy the widget service (default) passed"]
        sent = got.messages[2]["message"]
        assert "The deployment started at 20" in sent and "[START TIME]" not in sent  # its fields filled
        assert "Database password: ***" in sent
        waiting = "waiting for a person to confirm (send it (golive sends it to 1 notification service))"
        assert f"is paused at L11, {waiting}" in got.messages[1]["message"]
        assert f"golive confirm {run_id} L11" in got.messages[1]["message"]

        # A failure, then a rollback: their own messages (the message step skipped: nothing sent for it).
        checklist = write(tmp_path, url, deploy='echo "token=$API_TOKEN password=$DB_PASSWORD" >&2; exit 4')
        code, _, said = run(checklist, "--manual", "skip")
        assert code == 1, said
        code, _, said = run(checklist, "--manual", "skip", "--rollback-on-failure")
        assert code == 1, said
        titles = got.titles[4:]
        assert titles == [
            "golive: Deploy the widget service (default) started",
            "golive: Deploy the widget service (default) failed",
            "golive: Deploy the widget service (default) started",
            "golive: Deploy the widget service (default) was rolled back",
        ], titles

        # approvals (golive approve / reject, from another process) use the same path
        store = Store.open(isolated_home)
        assert notify_approval(store, run_id, "QA Lead", "Quinn", True) == []
        assert notify_approval(store, run_id, "QA Lead", "Quinn", False, f"API_TOKEN={API_TOKEN} was in a log") == []
        assert got.titles[8:] == [
            "golive: Deploy the widget service (default): QA Lead approved by Quinn",
            "golive: Deploy the widget service (default): QA Lead refused by Quinn",
        ]

    received = got.all_bytes()
    assert len(got.raw) == 10
    for secret in (DB_PASSWORD, API_TOKEN, DB_PASSWORD[:12], API_TOKEN[4:16]):
        assert secret.encode() not in received, secret
    sent_events = events(isolated_home, run_id, E.NOTIFIED)
    assert [e["event"] for e in sent_events] == [
        "run_started",
        "paused",
        "message",
        "passed",
        "approval_given",
        "approval_refused",
    ]
    assert all(e["to"] == [url.rstrip("/") + "/"] or e["to"] == [url] for e in sent_events), sent_events


def test_a_dead_receiver_never_fails_the_run_and_its_failures_are_recorded_and_shown(
    tmp_path: Path, isolated_home: Path
) -> None:
    checklist = write(tmp_path, dead_url())
    code, run_id, said = run(checklist, "--manual", "skip")
    assert code == 0, said
    assert "notification (run_started) to json://127.0.0.1" in said and "failed" in said
    failed = events(isolated_home, run_id, E.NOTIFY_FAILED)
    assert [e["event"] for e in failed] == ["run_started", "passed"]
    assert all("Connection" in e["reason"] or "connect" in e["reason"].lower() for e in failed), failed
    assert Store.open(isolated_home).run(run_id).status == "passed"
    md = golive("report", run_id, cwd=tmp_path).stdout
    assert "Notifications: 0 sent, 2 failed" in md


def test_golive_notify_and_the_profile_add_services_whose_tokens_are_never_recorded(
    tmp_path: Path, isolated_home: Path
) -> None:
    with receiver() as (first, url1), receiver() as (second, url2):
        checklist = write(tmp_path, url1)
        envs = tmp_path / "golive" / "envs"
        envs.mkdir(parents=True)
        port = url2.rsplit(":", 1)[1].strip("/")
        (envs / "default.yaml").write_text('notify: ["json://127.0.0.1:${HOOK_PORT}/?token=${HOOK_TOKEN}"]\n')
        env = {**os.environ, "HOOK_PORT": port, "HOOK_TOKEN": "hk_tok_771Gz0pQ", "GOLIVE_NOTIFY": url1}
        code, run_id, said = run(checklist, "--manual", "skip", env=env)
        assert code == 0, said
        assert len(first.raw) == 2  # the front matter and GOLIVE_NOTIFY name the same service: sent once
        assert [m["title"].rsplit(" ", 1)[-1] for m in second.messages] == ["started", "passed"]
    store = Store.open(isolated_home)
    recorded = b"".join(str(e.data).encode() for e in store.events(run_id))
    assert b"hk_tok_771Gz0pQ" not in recorded and b"${HOOK_TOKEN}" in recorded  # the profile as written


def test_targets_come_from_front_matter_profile_and_environment() -> None:
    text = '---\ngolive:\n  notify: ["json://a.example/${TOKEN}", "mailto://x"]\n---\n# T\n'
    found = targets(text, ["slack://${MISSING}"], {"TOKEN": "t0k3n", "GOLIVE_NOTIFY": "json://b.example/ mailto://x"})
    assert [(t.url, t.source) for t in found] == [
        ("json://a.example/t0k3n", "front matter"),
        ("mailto://x", "front matter"),
        ("slack://${MISSING}", "profile"),
        ("json://b.example/", "GOLIVE_NOTIFY"),
    ]
    assert found[2].problem == "${MISSING} is not set in the environment"
    assert targets("# no front matter\n", (), {}) == []


def test_the_seeds_notify_stakeholders_message_is_sent_with_its_own_subject() -> None:
    from golive import plan as planning
    from golive.parse import load
    from golive.team.notify import About, compose
    from tests.conftest import seed

    plan = planning.build(load(seed("003")))
    step = next(s for s in plan.steps if s.content is not None and s.content.purpose == "message")
    assert "Notify Stakeholders" in step.section.title
    about = About("RUN", plan.checklist.title, "production", "DEPLOY.md", "Ana")
    message = compose("message", about, text=step.content.text, label=step.label)
    assert message.title == "Production Deployment - Employee Management System v1.0.0"
    assert message.body.startswith("Dear Team,") and "We will send updates every 15 minutes." in message.body
