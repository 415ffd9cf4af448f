"""What golive read in the seeds reaches the run: real `golive run` processes, a real bash session,
stand-in tools (in a temp bin dir on PATH) that log how they were called. Each test names the seed
line it comes from; the seeds are read from ../shared/seeds, never copied."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

from golive.record.events import EventType
from golive.record.store import Store
from tests.conftest import seed
from tests.helpers import golive

STANDIN = r"""#!/bin/bash
# A stand-in: logs its name and arguments, prints what the checklist's next step needs.
{ printf '%s' "$(basename "$0")"; printf '\x1f%s' "$@"; printf '\x1e'; } >> "$STANDIN_LOG"
[ -t 0 ] || cat > /dev/null
case "$(basename "$0") $1 $2" in
  "aws sts get-caller-identity") echo 999 ;;
  "python scripts/migrate_json_to_sqlite.py"*)
    [ "${FAIL_MIGRATION:-}" = 1 ] && [ "$2" != "--dry-run" ] && { echo "migration failed" >&2; exit 1; } ;;
  "git log -1") echo "commit abc1234" ;;
esac
exit 0
"""


SUDO = '#!/bin/bash\n[ "$1" = -n ] && shift\nexec "$@"\n'  # sudo that needs no password: runs the command


def stand_ins(tmp_path: Path, *names: str) -> tuple[Path, dict[str, str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in names:
        path = bin_dir / name
        path.write_text(SUDO if name == "sudo" else STANDIN)
        path.chmod(0o755)
    log = tmp_path / "standin.log"
    log.write_text("")
    env = {**os.environ, "STANDIN_LOG": str(log), "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    return bin_dir, env


def calls(tmp_path: Path) -> list[list[str]]:
    return [c.split("\x1f") for c in (tmp_path / "standin.log").read_text().split("\x1e") if c]


def run_id(stdout: str) -> str:
    return stdout.splitlines()[0].split()[-1]


def started(home: Path, rid: str) -> dict[str, str]:
    """The command each step_started event recorded: the command as it ran."""
    store = Store.open(home)
    return {e.item or "": e.data["command"] for e in store.events(rid) if e.type == EventType.STEP_STARTED}


def finished(home: Path, rid: str) -> dict[str, dict]:  # type: ignore[type-arg]
    store = Store.open(home)
    return {e.item or "": e.data for e in store.events(rid) if e.type == EventType.STEP_FINISHED}


# --- point 1: a filled placeholder is what a person would type ------------------------------------


def test_seed_002_account_id_reaches_aws_as_typed_and_the_record_shows_it(tmp_path: Path, isolated_home: Path) -> None:
    """L65 `arn:aws:iam::${YOUR_ACCOUNT_ID}:policy/…` with ACCOUNT_ID=123 runs as `arn:aws:iam::123:policy/…`."""
    _bin, env = stand_ins(tmp_path, "aws")
    args = ["--var", "ACCOUNT_ID=123", "--var", "IAM_ROLE_USER_FOR_MONITOR=monitor role", "--choose", "C52=A"]
    env["AWS_PROFILE"] = "default"  # L59 reads $AWS_PROFILE: golive would pause for it
    r = golive("run", str(seed("002")), "--from", "C52", "--yes", "--non-interactive", *args, cwd=tmp_path, env=env)
    assert r.returncode == 3, r.stdout + r.stderr  # it goes on to the next manual item, L79
    attach = next(c for c in calls(tmp_path) if c[1:3] == ["iam", "attach-role-policy"])
    assert attach[3:] == [
        "--role-name",
        "monitor role",
        "--policy-arn",
        "arn:aws:iam::123:policy/DaylilyWorksetMonitorPolicy",
    ]
    recorded = started(isolated_home, run_id(r.stdout))["L63"]
    assert "--role-name 'monitor role'" in recorded
    assert "--policy-arn arn:aws:iam::123:policy/DaylilyWorksetMonitorPolicy" in recorded
    dry = golive("run", str(seed("002")), "--dry-run", *args, cwd=tmp_path, env=env)
    assert "--policy-arn arn:aws:iam::123:policy/DaylilyWorksetMonitorPolicy" in dry.stdout


# --- point 7: one choice over the same options ---------------------------------------------------


def seed_001_machine(tmp_path: Path) -> tuple[dict[str, str], list[str]]:
    """Stand-ins for what seed 001 calls, a venv to activate, and the options of an unattended run."""
    _bin, env = stand_ins(tmp_path, "sudo", "supervisorctl", "systemctl", "git", "pip", "python", "pytest")
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    (tmp_path / "venv" / "bin" / "activate").write_text("")
    return env, ["--yes", "--non-interactive", "--manual", "skip", "--var", "EXPECTED_COMMIT=abc1234"]


def test_seed_001_one_service_manager_choice_stops_and_starts_the_same_way(tmp_path: Path, isolated_home: Path) -> None:
    """Step 2 (L86–96) stops and Step 9 (L238–248) starts "if using systemd / OR supervisor / OR manually":
    one choice, made once (C88), applied at C240 without a second question."""
    env, options = seed_001_machine(tmp_path)
    r = golive("run", str(seed("001")), "--from", "C88", *options, "--choose", "C88=supervisor", cwd=tmp_path, env=env)
    rid = run_id(r.stdout)
    assert f"then `golive confirm {rid} L181 --done`" in r.stdout  # Step 6 is interactive: a person runs it
    assert golive("confirm", rid, "L181", "--done", cwd=tmp_path, env=env).returncode == 0
    r = golive("resume", rid, "--non-interactive", "--manual", "skip", cwd=tmp_path, env=env)
    assert f"golive confirm {rid} L207 to run it" in r.stdout  # L207 "Optionally generate detailed report"
    assert golive("confirm", rid, "L207", "--skip", "not needed", cwd=tmp_path, env=env).returncode == 0
    r = golive("resume", rid, "--non-interactive", "--manual", "skip", cwd=tmp_path, env=env)
    ran = [c[1:] for c in calls(tmp_path) if c[0] in ("supervisorctl", "systemctl")]
    assert ran == [["stop", "jobsearchai"], ["start", "jobsearchai"], ["status", "jobsearchai"]], r.stdout
    done = finished(isolated_home, rid)
    assert done["C240"]["reason"] == "option 2: supervisor (--choose C88=supervisor)"  # C88 answers the choice
    assert done["L240"]["status"] == "not_run" and done["L248"]["status"] == "not_run"


def test_seed_001_shared_choice_is_asked_once_when_nobody_is_at_the_terminal(
    tmp_path: Path, isolated_home: Path
) -> None:
    env, options = seed_001_machine(tmp_path)
    r = golive("run", str(seed("001")), "--from", "C88", *options, cwd=tmp_path, env=env)
    assert r.returncode == 3 and "C88" in r.stdout, r.stdout
    rid = run_id(r.stdout)
    assert golive("confirm", rid, "C88", "--choose", "systemd", cwd=tmp_path, env=env).returncode == 0
    for item, answer in (("L181", "--done"), ("L207", "--skip")):  # interactive, then optional: a person's
        r = golive("resume", rid, "--non-interactive", "--manual", "skip", cwd=tmp_path, env=env)
        assert f"golive confirm {rid} {item}" in r.stdout, r.stdout
        reason = ["not needed"] if answer == "--skip" else []
        assert golive("confirm", rid, item, answer, *reason, cwd=tmp_path, env=env).returncode == 0
    r = golive("resume", rid, "--non-interactive", "--manual", "skip", cwd=tmp_path, env=env)
    assert f"golive confirm {rid} C240" not in r.stdout  # never paused for the second group
    assert "as chosen at C88 (systemd)" in finished(isolated_home, rid)["C240"]["reason"]
    ran = [c for c in calls(tmp_path) if c[0] in ("supervisorctl", "systemctl")]
    assert ran == [
        ["systemctl", "stop", "jobsearchai"],
        ["systemctl", "start", "jobsearchai"],
        ["systemctl", "status", "jobsearchai"],
    ]


# --- point 7: optional steps are asked even under --yes --------------------------------------------


def test_seed_002_optional_sns_step_pauses_under_yes_and_a_skip_skips_it_whole(
    tmp_path: Path, isolated_home: Path
) -> None:
    """L88 `Step 3: Set Up SNS (Optional)`: --yes does not decide it; a person does."""
    _bin, env = stand_ins(tmp_path, "aws")
    r = golive("run", str(seed("002")), "--from", "L91", "--yes", "--non-interactive", cwd=tmp_path, env=env)
    assert r.returncode == 3, r.stdout + r.stderr
    rid = run_id(r.stdout)
    assert "optional" in r.stdout and f"golive confirm {rid} L89" in r.stdout and "--skip REASON" in r.stdout
    assert calls(tmp_path) == []  # nothing of the optional step ran
    assert golive("confirm", rid, "L89", "--skip", "no SNS in staging", cwd=tmp_path, env=env).returncode == 0
    r = golive("resume", rid, "--non-interactive", "--manual", "skip", cwd=tmp_path, env=env)
    done = finished(isolated_home, rid)
    assert done["L91"]["status"] == done["L96"]["status"] == "skipped"
    assert done["L91"]["reason"] == "no SNS in staging"
    assert calls(tmp_path) == []


def test_seed_002_optional_step_runs_when_a_person_says_run(tmp_path: Path, isolated_home: Path) -> None:
    _bin, env = stand_ins(tmp_path, "aws")
    r = golive("run", str(seed("002")), "--from", "L91", "--yes", "--non-interactive", cwd=tmp_path, env=env)
    rid = run_id(r.stdout)
    assert golive("confirm", rid, "L89", cwd=tmp_path, env=env).returncode == 0
    given = ["--var", "SNS_TOPIC_ARN=arn:aws:sns:us-west-2:1:alerts", "--var", "EMAIL=ops@corp.test"]
    golive("resume", rid, "--non-interactive", *given, cwd=tmp_path, env=env)
    create, subscribe = calls(tmp_path)[:2]
    assert create[1:3] == ["sns", "create-topic"]
    endpoint = ["--notification-endpoint", "ops@corp.test"]
    assert subscribe[1:] == [
        "sns",
        "subscribe",
        "--topic-arn",
        "arn:aws:sns:us-west-2:1:alerts",
        "--protocol",
        "email",
        *endpoint,
    ]


# --- point 7: message fields are filled before the message is shown -------------------------------


def test_seed_003_success_message_shows_the_times_golive_knows(tmp_path: Path, isolated_home: Path) -> None:
    """L436: `Start Time: [TIME]`, `End Time: [TIME]`, `Duration: [DURATION]` are filled by golive."""
    r = golive("run", str(seed("003")), "--from", "L436", "--non-interactive", cwd=tmp_path)
    assert r.returncode == 3, r.stdout + r.stderr  # a person sends it and confirms
    assert re.search(r"- Start Time: \d{4}-\d\d-\d\d \d\d:\d\d \w+", r.stdout), r.stdout
    assert re.search(r"- End Time: \d{4}-\d\d-\d\d \d\d:\d\d", r.stdout)
    assert re.search(r"- Duration: \d+ s", r.stdout)
    assert "[TIME]" not in r.stdout and "[DURATION]" not in r.stdout


def test_seed_003_announcement_asks_for_the_fields_only_a_person_knows(tmp_path: Path, isolated_home: Path) -> None:
    """L125: the window's planned end and the timeline's times are asked; the start is the run's."""
    r = golive("run", str(seed("003")), "--from", "L125", "--non-interactive", cwd=tmp_path)
    assert r.returncode == 3 and "a value for END_TIME" in r.stdout, r.stdout
    rid = run_id(r.stdout)
    names = ["END_TIME", "START_DEPLOYMENT_TIME", "DATABASE_MIGRATION_TIME", "APPLICATION_DEPLOYMENT_TIME"]
    names += ["SMOKE_TESTS_TIME", "SYSTEM_AVAILABLE_TIME"]
    values = [f"{n}={10 + i}:00" for i, n in enumerate(names)]
    assert golive("set", rid, *values, cwd=tmp_path).returncode == 0
    r = golive("resume", rid, "--non-interactive", cwd=tmp_path)
    assert "Deployment Window: " in r.stdout and " - 10:00" in r.stdout and "- 11:00: Start deployment" in r.stdout
    assert "[TIME]" not in r.stdout and "[END TIME]" not in r.stdout
    message = finished(isolated_home, rid).get("L125", {}).get("message") or ""
    assert message == "" or "[START TIME]" not in message


# --- point 8: a value the session already holds fills the placeholder ------------------------------


def seed_004_env_checklist(tmp_path: Path) -> Path:
    """Seed 004's own Core and Bot configuration blocks (L19–L62) and its `.env` heredoc (L97–L108),
    with the heredoc written to a temp file instead of /var/lib/recruitsmart_admin/.env."""
    lines = seed("004").read_text().split("\n")
    core, bot, heredoc = lines[18:43], lines[46:62], lines[96:108]
    env_file = tmp_path / "app.env"
    heredoc = [ln.replace("/var/lib/recruitsmart_admin/.env", str(env_file)) for ln in heredoc]
    text = "# Seed 004 configuration\n\n## Deployment Steps\n\n" + "\n".join(core) + "\n\n" + "\n".join(bot)
    text += "\n\n```bash\n" + "\n".join(heredoc) + "\n```\n\n## Rollback Plan\n\n- [ ] Nothing\n"
    path = tmp_path / "DEPLOY.md"
    path.write_text(text)
    return path


def test_seed_004_env_file_takes_what_the_session_already_holds(tmp_path: Path, isolated_home: Path) -> None:
    """L41 generates SESSION_SECRET in the session; L97's `SESSION_SECRET=...` gets it, no second question."""
    checklist = seed_004_env_checklist(tmp_path)
    given = ["DATABASE_URL=postgresql://app:pw@db:5432/recruitsmart", "REDIS_URL=redis://cache:6379/0"]
    given += ["BOT_TOKEN=42:bot-token", "ADMIN_PASSWORD=s3cret pass"]
    args = [a for g in given for a in ("--var", g)]
    options = ["--yes", "--non-interactive", "--allow-destructive", "--choose", "Deployment Steps=1"]
    r = golive("run", str(checklist), *options, *args, cwd=tmp_path)
    assert r.returncode in (0, 3), r.stdout + r.stderr
    assert "SESSION_SECRET" not in r.stdout.split("paused")[-1] or "paused" not in r.stdout
    written = dict(line.split("=", 1) for line in (tmp_path / "app.env").read_text().splitlines())
    assert re.fullmatch(r"[0-9a-f]{64}", written["SESSION_SECRET"])  # the secret L41 generated
    assert written["DATABASE_URL"] == "postgresql://app:pw@db:5432/recruitsmart"
    assert written["ADMIN_PASSWORD"] == "s3cret pass"  # as typed: no quotes inside the file


# --- point 4 (from 6): success criteria are claims -------------------------------------------------


def test_seed_001_report_does_not_tick_completed_without_errors_after_l181_failed(
    tmp_path: Path, isolated_home: Path
) -> None:
    env, options = seed_001_machine(tmp_path)
    r = golive("run", str(seed("001")), "--from", "C88", *options, "--choose", "C88=systemd", cwd=tmp_path, env=env)
    assert r.returncode == 3, r.stdout  # Step 6 is interactive: the operator runs it, and it fails
    rid = run_id(r.stdout)
    assert golive("confirm", rid, "L181", "--fail", "EOFError in the migration", cwd=tmp_path, env=env).returncode == 0
    r = golive("resume", rid, "--non-interactive", "--manual", "skip", cwd=tmp_path, env=env)
    assert r.returncode == 1, r.stdout
    md = golive("report", rid, cwd=tmp_path).stdout
    assert "- [ ] All deployment steps completed without errors" in md
    assert "- [x] All deployment steps completed without errors" not in md


CLAIMED = """
    # Claims

    ## Deployment Steps

    ### Step 6: Run Data Migration

    ```bash
    false
    ```

    {criteria}
    """


def test_a_claim_the_record_refutes_is_not_ticked_even_when_a_person_confirms_it(tmp_path: Path) -> None:
    lines = seed("001").read_text().split("\n")
    criteria = "\n".join(lines[502:518])  # seed 001 L503–L518: "## Success Criteria" and its [x] items
    checklist = tmp_path / "DEPLOY.md"
    checklist.write_text(textwrap.dedent(CLAIMED).format(criteria=criteria))
    # accept the block, skip the failure (with a reason), then confirm every claim
    r = golive(
        "run", str(checklist), "--services", "leave", cwd=tmp_path, stdin="y\ns\nskipped in a test\n" + "y\n" * 20
    )
    md = golive("report", "last", cwd=tmp_path).stdout
    line = next(ln for ln in md.splitlines() if "All deployment steps completed without errors" in ln)
    assert line.startswith("- [ ]") and "not true in this run" in line, r.stdout + md
    assert "- [x] All smoke tests passing" in md  # a claim golive cannot check stays the person's word


# --- follow-ups: Month 1 is a calendar month ------------------------------------------------------


def test_seed_000_follow_ups_are_due_on_dates_month_1_a_calendar_month(tmp_path: Path) -> None:
    lines = seed("000").read_text().split("\n")
    post = "\n".join(lines[199:218])  # seed 000 L200–L218: "## Post-Deployment" with Day 1, Week 1, Month 1
    checklist = tmp_path / "DEPLOY.md"
    checklist.write_text("# Follow-ups\n\n## Deployment Steps\n\n```bash\ntrue\n```\n\n" + post + "\n")
    r = golive("run", str(checklist), "--yes", "--non-interactive", cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    md = golive("report", "last", cwd=tmp_path).stdout
    finish = re.search(r"finished (\d{4})-(\d\d)-(\d\d)", md)
    assert finish is not None
    year, month, day = map(int, finish.groups())
    month_1 = re.search(r"\*\*Month 1\*\* \(L\d+\) — due (\d{4})-(\d\d)-(\d\d)", md)
    assert month_1 is not None, md
    y, m, d = map(int, month_1.groups())
    assert (y, m) == ((year, month + 1) if month < 12 else (year + 1, 1)) and d <= day
    assert re.search(r"\*\*Day 1\*\* \(L\d+\) — due \d{4}-\d\d-\d\d .* — ⬜ upcoming", md)
    assert re.search(r"\*\*Week 1\*\* \(L\d+\) — due", md)
