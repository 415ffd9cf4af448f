"""The Markdown report says what people answered: the choice made between alternatives and how, a
message as it was sent (its fields filled), and a command a person skipped or did by hand, each
with who and, when a profile gave it, that it was pre-recorded."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tests.helpers import golive
from tests.profile.test_run import line_of, write

SEED_003 = next(p for p in (Path(__file__).parents[2].parent / "shared" / "seeds").glob("003*"))


def success_message() -> str:
    """Seed 003 Step 3 "Notify Stakeholders (Success)": its heading and text block, as written."""
    lines = SEED_003.read_text().split("\n")
    start = lines.index("#### Step 3: Notify Stakeholders (Success)")
    end = next(i for i in range(start + 2, len(lines)) if lines[i].strip() == "```")
    return "\n".join(lines[start : end + 1])


def test_the_md_report_shows_choices_messages_and_answers_for_commands_attributed(tmp_path: Path) -> None:
    checklist = write(
        tmp_path / "DEPLOY.md",
        "# Employee Management System\n\n## Deployment Steps\n\n#### Step 2: Start Service\n"
        "```bash\n# If using systemd\necho systemd > started.txt\n# OR if using supervisor\n"
        "echo supervisor > started.txt\n```\n\n#### Step 3: Verify\n```bash\n# Verify critical packages\n"
        "pip show sqlite3\n```\n\nThen notify:\n" + success_message().split("\n", 1)[1] + "\n",
    )
    pip, message = line_of(checklist, "pip show"), line_of(checklist, "Subject: Production Deployment Complete")
    block = int(message[1:]) - 1  # the message's fence
    profile = write(
        tmp_path / "rehearsal.yaml",
        f"""
        name: rehearsal
        choices:
          "Step 2": systemd
        answers:
          - {{step: {pip}, skip: "sqlite3 ships with Python: not a pip package", by: Ravi Menon}}
          - {{item: L{block}, answer: confirm, by: Quinn Adams}}
        """,
    )
    r = golive("run", str(checklist), "--profile", str(profile), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    md = golive("report", "last", "--format", "md", cwd=tmp_path).stdout
    mark = f"pre-recorded by profile rehearsal ({hashlib.sha256(profile.read_bytes()).hexdigest()[:12]})"

    choice = next(line for line in md.splitlines() if line.startswith("- Choice **C"))
    assert "option 1: systemd" in choice and "profile rehearsal" in choice and "Step 2=systemd" in choice
    skipped = next(line for line in md.splitlines() if "<code>pip show sqlite3</code>" in line)
    assert "skipped" in skipped and "by Ravi Menon" in skipped and mark in skipped
    assert "sqlite3 ships with Python" in skipped
    sent = md.split("> sent as:")[1]
    assert "Start Time: " in sent and "[TIME]" not in sent.split("Status")[0]  # filled, as it was sent
    assert "Duration: " in sent and "[DURATION]" not in sent.split("Status")[0]
    confirmed = next(line for line in md.splitlines() if f"**L{block}**" in line)
    assert "confirmed by Quinn Adams" in confirmed and mark in confirmed
