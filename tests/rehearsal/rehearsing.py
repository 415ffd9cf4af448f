"""Running a seed through golive against its stand-in, and reading back what the record says.

Shared by the rehearsals of seeds 002 and 003: `golive run SEED --env rehearsal --profile P
--non-interactive` as an operator runs it (a real process, the stand-in's environment), then the
run's JSON and Markdown reports and its events, straight from the store.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from golive.model import Commands
from golive.parse import load
from golive.record.store import Store
from golive.secrets import Masker
from tests.helpers import golive

VENV_BIN = Path(sys.executable).parent


def seed_commands(path: Path) -> dict[int, str]:
    """A seed's commands by line, as golive reads them (the seed itself is never copied)."""
    found: dict[int, str] = {}
    for _section, item in load(str(path)).walk():
        if isinstance(item, Commands):
            found.update({cmd.line: cmd.text for cmd in item.commands})
    return found


@dataclass
class Rehearsal:
    """One finished `golive run` of a seed: its exit, what it printed, its reports and events."""

    result: subprocess.CompletedProcess[str]
    seconds: float
    report: dict[str, Any]
    markdown: str
    events: list[Any]

    @property
    def code(self) -> int:
        return self.result.returncode

    def outcomes(self) -> dict[str, set[str]]:
        """Step ids by status; a check gets `.check` after its item's id."""
        out: dict[str, set[str]] = defaultdict(set)
        for step in self.report["steps"]:
            out[step["status"]].add(step_key(step))
        return dict(out)

    def step(self, key: str) -> dict[str, Any]:
        found = [s for s in self.report["steps"] if step_key(s) == key]
        assert len(found) == 1, f"{key}: {len(found)} steps"
        return found[0]

    def commands_run(self) -> list[str]:
        """The text of every command golive started, as the record keeps it."""
        return [
            str(e.data.get("command", "")) for e in self.events if e.type == "step_started" and e.data.get("command")
        ]

    def why(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.result.stdout[-6000:]}\n--- stderr\n{self.result.stderr[-3000:]}"


def step_key(step: dict[str, Any]) -> str:
    return f"{step['id']}.check" if step["kind"] == "check" else str(step["id"])


def rehearse(seed: Path, profile: Path, cwd: Path, env: dict[str, str], *extra: str, timeout: float = 600) -> Rehearsal:
    args = ("run", str(seed), "--env", "rehearsal", "--profile", str(profile), "--non-interactive", *extra)
    return _rehearsal(args, cwd, env, timeout)


def resume(run_id: str, cwd: Path, env: dict[str, str], *extra: str, timeout: float = 600) -> Rehearsal:
    """A paused rehearsal taken on, as the operator would: `golive resume RUN …`."""
    return _rehearsal(("resume", run_id, "--non-interactive", *extra), cwd, env, timeout)


def _rehearsal(args: tuple[str, ...], cwd: Path, env: dict[str, str], timeout: float) -> Rehearsal:
    environment = {**os.environ, **env, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    began = time.monotonic()
    result = golive(*args, cwd=cwd, env=environment, timeout=timeout)
    seconds = time.monotonic() - began
    report = golive("report", "last", "--format", "json", cwd=cwd, env=environment)
    assert report.returncode == 0, report.stderr
    markdown = golive("report", "last", "--format", "md", cwd=cwd, env=environment)
    assert markdown.returncode == 0, markdown.stderr
    data = json.loads(report.stdout)
    store = Store.open()
    try:
        events = list(store.events(data["run"]["id"]))
    finally:
        store.close()
    rehearsal = Rehearsal(result, seconds, data, markdown.stdout, events)
    save(rehearsal, cwd)
    return rehearsal


def markdown_is_complete(rehearsal: Rehearsal, checklist: Path) -> list[str]:
    """What the Markdown report leaves out: a line of the checklist, or the outcome of a step.

    The report is the checklist filled in: every line of it, each item's line annotated with its
    outcome (status, who, why), each command in its block's results.
    """
    md = rehearsal.markdown.replace("- [x]", "- [ ]")  # a confirmed item is ticked
    filled = {s["line"] for s in rehearsal.report["steps"] if s["kind"] == "field" and s["value"]}
    masked = Masker()  # the record keeps the checklist with what looks like a secret masked (issue 17.1)
    missing = [
        f"checklist line {n}"
        for n, line in enumerate(checklist.read_text().splitlines(), 1)
        if line.strip() and line.strip() not in md and masked(line.strip()) not in md and n not in filled
    ]
    for step in rehearsal.report["steps"]:
        if step["status"] in ("pending", "not_run"):
            continue
        shown = step["status"].replace("_", " ")
        if step["kind"] == "command":
            first = step["text"].strip().split("\n")[0][:100]
            code = first.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            found = f"<code>{code}</code> — {shown}" in md
        else:
            found = (
                f"**{step['id']}**" in md
                or any(
                    line.startswith(step["text"].split("\n")[0][:20]) is False
                    and f" {shown}" in line
                    and f"L{step['line']}" in line
                    for line in md.splitlines()
                )
                or any(f" {shown}" in line and (step["actor"] or "") in line for line in _lines_at(md, step))
            )
        if not found:
            missing.append(f"{step_key(step)} ({shown}) {step['text'][:50]!r}")
    return missing


def _lines_at(md: str, step: dict[str, Any]) -> list[str]:
    """The report's lines that hold the item's own text (where its outcome is annotated)."""
    head = step["text"].split("\n")[0].strip()[:30]
    return [line for line in md.splitlines() if head and head in line]


def save(rehearsal: Rehearsal, directory: Path) -> None:
    """Keep the reports beside the stand-in, for a person reading a failed test."""
    (directory / "golive-report.json").write_text(json.dumps(rehearsal.report, indent=1))
    (directory / "golive-report.md").write_text(rehearsal.markdown)
