"""The five seed checklists, read as written: each test names what a deployment lead sees."""

from __future__ import annotations

from golive.model import Checklist, Command, Commands, ExpectKind, Mode, Section, SectionKind, Signoff
from golive.parse import parse_file
from tests.conftest import seed


def section(c: Checklist, title: str) -> Section:
    return next(s for s in c.all_sections() if s.title == title)


def command_at(c: Checklist, line: int) -> Command:
    for _s, item in c.walk():
        if isinstance(item, Commands):
            for cmd in item.commands:
                if cmd.line == line:
                    return cmd
    raise AssertionError(f"no command at line {line}")


def top_kinds(c: Checklist) -> dict[str, str]:
    return {s.title: s.kind.value for s in c.sections}


def test_seed_000_download_monitor() -> None:
    c = parse_file(seed("000"))
    assert c.title == "Deployment Checklist - v0.1.19 (Download Monitor)"
    assert (c.counts.headings, c.counts.tasks, c.counts.fences) == (38, 69, 10)
    assert top_kinds(c) == {
        "Pre-Deployment": "run",
        "Build & Package": "run",
        "Staging Deployment": "run",
        "Production Deployment": "run",
        "Configuration Management": "info",
        "Monitoring & Logging": "run",
        "Post-Deployment": "followup",
        "Rollback Plan": "rollback",
        "Support & Documentation": "run",
        "Sign-Off": "signoff",
    }
    assert section(c, "Support Contacts").kind is SectionKind.REFERENCE
    assert [(s.title, s.due_s) for s in section(c, "Post-Deployment").sections] == [
        ("Day 1", 86400),
        ("Week 1", 7 * 86400),
        ("Month 1", 30 * 86400),
    ]
    assert section(c, "If Critical Issues Occur").trigger == "If Critical Issues Occur"
    assert section(c, "Rollback Configuration").kind is SectionKind.ROLLBACK
    signoffs = [i for i in section(c, "Sign-Off").items if isinstance(i, Signoff)]
    assert (signoffs[0].role, signoffs[0].statement) == ("QA Lead", "Approved for production")
    assert [f.name for f in c.fields] == ["DEPLOYMENT_DATE", "DEPLOYED_BY", "APPROVED_BY"]


def test_seed_001_three_way_alternative_and_insert_placeholder() -> None:
    c = parse_file(seed("001"))
    assert (c.counts.headings, c.counts.tasks, c.counts.checked, c.counts.fences) == (49, 151, 12, 19)
    step2 = [command_at(c, n) for n in (88, 91, 95, 96)]
    assert [(x.option.index, x.option.label) for x in step2 if x.option] == [
        (0, "systemd"),
        (1, "supervisor"),
        (2, "manually"),
        (2, "manually"),
    ]
    assert {x.option.group for x in step2 if x.option} == {"L88"}
    kill = command_at(c, 96)
    assert kill.placeholders[0].text == "<PID>" and kill.destructive
    (expect,) = command_at(c, 115).expectations
    assert expect.kind is ExpectKind.FIELD and expect.text == "[insert commit hash of Epic 2 completion]"
    assert "EXPECTED_COMMIT" in {f.name for f in c.fields}
    # Step 4: the Windows activate line is an alternative for another platform
    windows = command_at(c, 133)
    assert windows.platform == "windows" and windows.option is not None and windows.option.index == 1
    # `echo $?  # Should be 0 for success` judges the exit status of the line before
    (zero,) = command_at(c, 204).expectations
    assert (zero.kind, zero.value) == (ExpectKind.LINE, "0")
    assert command_at(c, 296).mode is Mode.OBSERVE  # tail -f
    assert command_at(c, 248).mode is Mode.SERVICE  # nohup python dashboard.py &
    assert section(c, "When to Rollback").kind is SectionKind.ROLLBACK
    assert section(c, "Immediate (First Hour)").due_s == 3600
    assert section(c, "Short-term (First 24 Hours)").due_s == 86400
    assert section(c, "Medium-term (First Week)").due_s == 7 * 86400
    assert section(c, "Step 1: Pre-Deployment Backup").estimate is not None
    assert section(c, "Troubleshooting").kind is SectionKind.REFERENCE
    assert section(c, "Revision History").kind is SectionKind.REFERENCE
    # the last fence is never closed: read to the end of the file
    last = [i for _s, i in c.walk() if isinstance(i, Commands)][-1]
    assert not last.closed and last.commands[-1].text == "tail -f logs/job_matcher.log"


def test_seed_002_option_a_b_and_topic_arn() -> None:
    c = parse_file(seed("002"))
    assert (c.counts.headings, c.counts.tasks, c.counts.fences) == (25, 93, 11)
    options = [command_at(c, n).option for n in (53, 59, 63, 68)]
    assert [(o.index, o.label) for o in options if o] == [
        (0, "A: Create managed policy (recommended)"),
        (0, "A: Create managed policy (recommended)"),
        (0, "A: Create managed policy (recommended)"),
        (1, "B: Inline policy"),
    ]
    assert command_at(c, 33).option is None  # "Option A" alone is only a label
    subscribe = command_at(c, 96)
    assert [p.text for p in subscribe.placeholders] == ["YOUR_TOPIC_ARN", "your-email@example.com"]
    assert subscribe.placeholders[0].field == "SNS_TOPIC_ARN"  # L24 "SNS topic ARN" = L103 "Topic ARN"
    assert command_at(c, 63).placeholders[0].field == "IAM_ROLE_USER_FOR_MONITOR"
    assert command_at(c, 115).mode is Mode.SERVICE  # "# Start API server" … --port 8000
    assert command_at(c, 246).destructive  # pkill -f daylily-workset-api
    assert "DYNAMODB_TABLE_NAME" in {f.name for f in c.fields}
    assert next(f for f in c.fields if f.name == "LINEAR_API_KEY").secret


def test_seed_003_connection_refused_and_alternatives() -> None:
    c = parse_file(seed("003"))
    assert (c.counts.headings, c.counts.tasks, c.counts.fences) == (46, 113, 24)
    (refused,) = command_at(c, 166).expectations
    assert refused.kind is ExpectKind.FAILS and refused.text == "Connection refused or timeout"
    assert [o.label for o in (command_at(c, n).option for n in (157, 160, 163)) if o] == [
        "Stop backend service",
        "Docker",
        "PM2",
    ]
    (healthy,) = command_at(c, 322).expectations
    assert healthy.kind is ExpectKind.JSON
    assert command_at(c, 333).expectations[0].kind is ExpectKind.PERSON  # "JWT token"
    assert command_at(c, 262).expectations[0].kind is ExpectKind.REGEX  # "head revision"
    assert command_at(c, 506).destructive == "drops a database"
    assert section(c, "Phase 1: Pre-Deployment (T-24 hours)").at_s == -86400
    assert section(c, "Phase 3: Post-Deployment Validation (T+15 minutes)").kind is SectionKind.RUN
    assert section(c, "Immediate (T+1 hour)").due_s == 3600
    assert section(c, "Deployment Sign-Off").kind is SectionKind.SIGNOFF
    assert c.total_estimate is not None and c.total_estimate.seconds == 35 * 60
    status = next(f for f in c.fields if f.name == "DEPLOYMENT_STATUS")
    assert status.choices == ("Success", "Partial", "Rolled Back")


def test_seed_004_expected_response_json_and_services() -> None:
    c = parse_file(seed("004"))
    assert (c.counts.headings, c.counts.tasks, c.counts.fences) == (47, 16, 37)
    (health,) = command_at(c, 184).expectations
    assert (health.kind, health.http_status, health.source) == (ExpectKind.JSON, 200, "bare")
    assert '"status": "healthy"' in health.value
    assert command_at(c, 118).expectations[0].value == "✓ ALL CHECKS PASSED - Ready for production deployment"
    uvicorn, gunicorn = command_at(c, 154), command_at(c, 160)
    assert uvicorn.mode is Mode.SERVICE and uvicorn.port == 8000
    assert uvicorn.option and gunicorn.option and uvicorn.option.group == gunicorn.option.group
    assert command_at(c, 173).mode is Mode.SERVICE  # python3 bot.py
    assert command_at(c, 298).expectations[0].value == "PONG"
    python_in_bash = next(i for _s, i in c.walk() if isinstance(i, Commands) and i.line == 344)
    assert python_in_bash.lang == "python" and "Python" in python_in_bash.assumed
    assert section(c, "Common Production Issues").kind is SectionKind.REFERENCE
    assert section(c, "Rollback Procedure").trigger == "If issues occur in production"
    assert command_at(c, 24).placeholders[0].field == "DATABASE_URL"
