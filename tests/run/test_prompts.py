"""Every prompt in a real pseudo-terminal: Ctrl-C means stop (pause or abort, the operator's choice,
recorded), never a later keypress taken as yes; under NO_COLOR no escape code; choices shown once."""

from __future__ import annotations

import io
import os
import sys
import textwrap
from pathlib import Path

import pexpect
import pytest

from tests.commands.test_run import last_run, statuses, write
from tests.helpers import golive

INTERRUPTED = r"interrupted: \[p\]ause the run"


def spawn(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> pexpect.spawn:
    environment = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160", **(env or {})}
    child = pexpect.spawn(
        sys.executable, ["-P", "-m", "golive", *args], cwd=str(tmp_path), env=environment, encoding="utf-8", timeout=60
    )
    child.logfile_read = io.StringIO()  # the whole transcript, as the operator saw it
    return child


def finish(child: pexpect.spawn) -> tuple[int, str]:
    """Wait for golive to end: its exit code and everything it printed."""
    child.expect(pexpect.EOF)
    child.close()
    assert isinstance(child.logfile_read, io.StringIO)
    return int(child.exitstatus if child.exitstatus is not None else -1), child.logfile_read.getvalue()


def section(body: str) -> str:
    return (
        "# Deploy\n\n## Deployment Steps\n\n"
        + textwrap.dedent(body).strip()
        + "\n\n## Rollback Plan\n\n- [ ] Nothing to undo\n"
    )


# One checklist per kind of prompt, the prompt it shows, and the options to run it with. After the
# prompt nothing may have written ran.txt.
PROMPTS = {
    "accept": ("```bash\necho yes > ran.txt\n```", r"run these\? \[y\]es / \[s\]kip them / \[a\]bort", []),
    "confirm": ("- [ ] Change approved\n\n```bash\necho yes > ran.txt\n```", r"Done\? \[y\]es", ["--yes"]),
    "signoff": (
        "- [ ] Smoke test done\n\n## Sign-Off\n\n- [ ] QA Lead: Approved for production\n\n"
        "```bash\necho x > ran.txt\n```",
        r"sign off as QA Lead\?",
        ["--yes", "--manual", "skip"],
    ),
    "destructive": ("```bash\nmkdir -p old && rm -rf old && echo yes > ran.txt\n```", r"really run it\?", ["--yes"]),
    "field": ("**Deployed by**: ____\n\n```bash\necho yes > ran.txt\n```", r"Deployed by \[DEPLOYED_BY\]", ["--yes"]),
    "choose": (
        "```bash\n# If using systemd\necho systemd > ran.txt\n# OR if using supervisor\necho supervisor > ran.txt\n```",
        r"which one runs\?",
        ["--yes"],
    ),
    "judge": (
        "```bash\necho hello\n# Expected: a friendly greeting\n```\n\n```bash\necho yes > ran.txt\n```",
        r"does the output match\?",
        ["--yes"],
    ),
    "failure": (
        "```bash\nfalse\n```\n\n```bash\necho yes > ran.txt\n```",
        r"\[r\]etry / \[s\]kip / \[a\]bort",
        ["--yes"],
    ),
}


@pytest.mark.parametrize("kind", sorted(PROMPTS))
def test_ctrl_c_at_a_prompt_then_enter_pauses_the_run_and_runs_nothing(
    tmp_path: Path, isolated_home: Path, kind: str
) -> None:
    body, prompt, options = PROMPTS[kind]
    checklist = write(tmp_path, section(body))
    child = spawn(tmp_path, "run", str(checklist), *options)
    child.expect(prompt)
    child.sendintr()
    child.expect(INTERRUPTED)
    child.sendline("")  # Enter, the key most likely to follow by habit: it pauses, it never says yes
    code, out = finish(child)
    assert code == 3, out
    assert not (tmp_path / "ran.txt").exists()
    assert last_run(isolated_home)["run"]["status"] == "paused"
    assert "golive resume" in out


@pytest.mark.parametrize("kind", ["accept", "confirm", "signoff"])
def test_ctrl_c_then_abort_is_recorded_as_aborted(tmp_path: Path, isolated_home: Path, kind: str) -> None:
    body, prompt, options = PROMPTS[kind]
    child = spawn(tmp_path, "run", str(write(tmp_path, section(body))), *options)
    child.expect(prompt)
    child.sendintr()
    child.expect(INTERRUPTED)
    child.sendline("a")
    code, _out = finish(child)
    report = last_run(isolated_home)
    assert code == 1 and report["run"]["status"] == "aborted"
    assert not (tmp_path / "ran.txt").exists()


def test_ctrl_c_twice_pauses_at_once(tmp_path: Path, isolated_home: Path) -> None:
    child = spawn(tmp_path, "run", str(write(tmp_path, section(PROMPTS["accept"][0]))))
    child.expect(PROMPTS["accept"][1])
    child.sendintr()
    child.expect(INTERRUPTED)
    child.sendintr()
    code, _out = finish(child)
    assert code == 3 and last_run(isolated_home)["run"]["status"] == "paused"
    assert not (tmp_path / "ran.txt").exists()


def test_ctrl_c_while_a_command_runs_stops_it_and_asks_pause_or_abort(tmp_path: Path, isolated_home: Path) -> None:
    body = "```bash\nsleep 30; echo never > never.txt\n```\n\n```bash\necho yes > ran.txt\n```"
    child = spawn(tmp_path, "run", str(write(tmp_path, section(body))), "--yes")
    child.expect(r"\$ sleep 30")
    child.sendintr()
    child.expect(INTERRUPTED)
    child.sendline("")
    code, _out = finish(child)
    assert code == 3
    assert not (tmp_path / "never.txt").exists() and not (tmp_path / "ran.txt").exists()
    report = last_run(isolated_home)
    assert report["run"]["status"] == "paused"
    assert statuses(report)["L6"] == "failed"  # stopped by the operator: resume runs it again


def test_ctrl_c_at_keep_watching_stops_the_watched_command(tmp_path: Path, isolated_home: Path) -> None:
    body = "```bash\ntouch app.log\ntail -f app.log\n```\n\n```bash\necho yes > ran.txt\n```"
    child = spawn(tmp_path, "run", str(write(tmp_path, section(body))), "--yes", "--follow-window", "1")
    child.expect(r"keep watching\?")
    child.sendintr()
    child.expect(INTERRUPTED)
    child.sendline("p")
    code, _out = finish(child)
    assert code == 3 and not (tmp_path / "ran.txt").exists()
    assert last_run(isolated_home)["run"]["status"] == "paused"


def test_no_color_means_no_escape_code_and_choices_are_shown_once(tmp_path: Path) -> None:
    body = "- [ ] Change approved\n\n```bash\necho hello\n```\n\n## Sign-Off\n\n- [ ] QA Lead: Approved for production"
    child = spawn(tmp_path, "run", str(write(tmp_path, section(body))), env={"NO_COLOR": "1"})
    child.expect(r"Done\?")
    child.sendline("y")
    child.expect(r"run these\?")
    child.sendline("")
    child.expect(r"sign off as QA Lead\?")
    child.sendline("y")
    code, out = finish(child)
    assert code == 0, out
    runs = spawn(tmp_path, "runs", env={"NO_COLOR": "1"})
    _code, listing = finish(runs)
    for text in (out, listing):
        assert "\x1b[" not in text
    # The question says its choices once; no "[y/s/f/a]" or "(y)" repeated by the prompt library.
    assert "[y/s/f/a]" not in out and "(y):" not in out


def test_a_sign_off_never_defaults_to_yes(tmp_path: Path, isolated_home: Path) -> None:
    body = "- [ ] Smoke test done\n\n## Sign-Off\n\n- [ ] QA Lead: Approved for production"
    child = spawn(tmp_path, "run", str(write(tmp_path, section(body))), "--manual", "skip")
    child.expect(r"sign off as QA Lead\? \[y\]es, approved / \[n\]o, not approved / \[l\]ater:")
    child.sendline("")  # Enter is not an answer: asked again
    child.expect(r"sign off as QA Lead\?")
    child.sendline("l")
    code, _out = finish(child)
    assert code == 3 and statuses(last_run(isolated_home))["L9"] == "paused"


def test_a_skip_at_the_terminal_needs_a_reason(tmp_path: Path, isolated_home: Path) -> None:
    body = "- [ ] Change approved\n\n```bash\necho yes > ran.txt\n```"
    child = spawn(tmp_path, "run", str(write(tmp_path, section(body))), "--yes")
    child.expect(r"Done\?")
    child.sendline("s")
    child.expect("why")
    child.sendline("")
    child.expect("a reason is required")
    child.sendline("approved by mail")
    code, out = finish(child)
    assert code == 0, out
    l5 = next(s for s in last_run(isolated_home)["steps"] if s["id"] == "L5")
    assert (l5["status"], l5["reason"]) == ("skipped", "approved by mail")


def test_a_run_started_without_a_terminal_asks_the_person_who_resumes_it_at_one(
    tmp_path: Path, isolated_home: Path
) -> None:
    """CI starts it with --non-interactive and it pauses at a confirmation; the lead resumes it at a
    terminal and is asked there, instead of being paused again. A resume without a terminal still pauses."""
    checklist = write(tmp_path, section(PROMPTS["confirm"][0]))
    started = golive("run", str(checklist), "--yes", "--non-interactive", cwd=tmp_path)
    assert started.returncode == 3, started.stdout
    run_id = last_run(isolated_home)["run"]["id"]
    assert golive("resume", run_id, cwd=tmp_path).returncode == 3  # still nobody to ask
    child = spawn(tmp_path, "resume", run_id)
    child.expect(PROMPTS["confirm"][1])
    child.sendline("y")
    code, out = finish(child)
    assert code == 0, out
    assert (tmp_path / "ran.txt").read_text() == "yes\n"
