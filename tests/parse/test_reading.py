"""Read what a careful operator reads (issue 13, points 4, 7 and 8), from the seeds' own text."""

from __future__ import annotations

from datetime import datetime

from golive import plan as planning
from golive.lint import lint
from golive.model import Commands, Due, Section, Step, Task
from golive.parse import parse_file, parse_text
from golive.plan import Kind, Plan
from tests.conftest import seed


def plan_of(prefix: str) -> Plan:
    return planning.build(parse_file(seed(prefix)))


def section(p: Plan, title: str) -> Section:
    return next(s for s in p.checklist.all_sections() if s.title == title)


def step(p: Plan, step_id: str) -> planning.PlanStep:
    found = p.step(step_id)
    assert found is not None, step_id
    return found


# --- alternatives: one choice over the same options ------------------------------------------------


def test_seed_001_stop_start_and_rollback_are_one_service_manager_choice() -> None:
    """Step 2 L86–96 (stop), Step 9 L238–248 (start), rollback L367–371 (stop): systemd / supervisor / manual."""
    p = plan_of("001")
    (choice,) = [c for c in p.choices if c.id == "C88"]
    assert choice.options == ("systemd", "supervisor", "manual")
    assert choice.steps == ("C88", "C240", "C369")
    assert step(p, "C369").group.keys == ("systemd", "supervisor")  # type: ignore[union-attr]
    assert step(p, "C88").text == "Choose one: systemd / supervisor / manual"


def test_seed_003_start_and_status_in_one_block_and_the_rollback_blocks_are_one_choice() -> None:
    """L294 (start) and L303 (status) in one block, L157 stop, L376 logs, rollback L496 and L558."""
    p = plan_of("003")
    (choice,) = p.choices
    assert choice.options == ("systemd", "docker", "pm2")
    assert choice.steps == ("C157", "C294", "C303", "C376", "C496", "C558")
    assert planning.summarize(p).choices == 1  # asked once in the main phase
    assert step(p, "C512").group.choice == ""  # type: ignore[union-attr]  # pg_restore / psql: another question


def test_option_a_and_b_paragraphs_before_separate_fences_are_alternatives() -> None:
    text = (
        "# Deploy\n\n## Step 2: Start\n\n**Option A: Docker**\n\n```bash\ndocker compose up -d\n```\n\n"
        "Option B: systemd\n\nUse this on the VM.\n\n```bash\nsudo systemctl start app\n```\n\n"
        "Then check it:\n\n```bash\ncurl -f http://localhost/health\n```\n"
    )
    p = planning.build(parse_text(text))
    chooses = [s for s in p.steps if s.kind is Kind.CHOOSE]
    assert [(s.id, s.group.labels) for s in chooses if s.group] == [("C5", ("A: Docker", "B: systemd"))]
    options = {s.line: s.command.option for s in p.steps if s.command is not None}
    assert options[8] and options[8].index == 0 and options[16] and options[16].index == 1
    assert options[22] is None  # "Then check it:" is not an option


def test_option_headings_are_alternatives() -> None:
    text = (
        "# Deploy\n\n## Deployment Steps\n\n### Option A: Docker\n\n```bash\ndocker compose up -d\n```\n\n"
        "### Option B: Kubernetes\n\n```bash\nkubectl apply -f k8s/\n```\n\n### Verify\n\n```bash\ncurl -f x\n```\n"
    )
    p = planning.build(parse_text(text))
    (choose,) = [s for s in p.steps if s.kind is Kind.CHOOSE]
    assert choose.group is not None and choose.group.labels == ("A: Docker", "B: Kubernetes")
    assert [s.command.option.index for s in p.steps if s.command and s.command.option] == [0, 1]
    assert choose.group.keys == ("docker", "kubernetes")


def test_a_group_spread_over_two_blocks_is_chosen_once() -> None:
    """Seed 004 L154 uvicorn, "Or using a production ASGI server like gunicorn:", L160: one C152."""
    p = plan_of("004")
    assert [s.id for s in p.steps if s.kind is Kind.CHOOSE].count("C152") == 1


# --- optional steps ----------------------------------------------------------------------------


def test_optional_steps_are_marked_in_the_plan_with_why() -> None:
    p2, p3 = plan_of("002"), plan_of("003")
    assert section(p2, "Step 3: Set Up SNS (Optional)").optional == "(Optional)"  # L88
    assert step(p2, "L91").optional and step(p2, "L96").optional and step(p2, "L102").optional
    assert step(p2, "L108").optional == "(Optional)"  # L107 Step 4: Configure Linear (Optional)
    assert step(p2, "L209").optional == "(if applicable)"  # L208 Migration (if applicable)
    assert step(p3, "L227").optional == "if needed"  # "# Update if needed (example)"
    assert not step(p3, "L224").optional and not step(p2, "L115").optional
    assert any("a person decides whether it runs" in w for w in step(p3, "L227").why)


# --- an example value is a placeholder --------------------------------------------------------------


def test_seed_003_example_version_is_a_placeholder() -> None:
    """L527 `# Example: v0.9.5` before L530 `git checkout v0.9.5`, and L546 `grep v0.9.5`."""
    p = plan_of("003")
    for line in ("L530", "L546"):
        s = next(x for x in p.rollback if x.id == line)
        assert s.needs == ("PREVIOUS_VERSION",) and s.command is not None
        assert [ph.text for ph in s.command.placeholders] == ["v0.9.5"]
    assert next(x for x in p.rollback if x.id == "L526").needs == ()  # `grep -v v1.0.0` is not the example


# --- message fields ----------------------------------------------------------------------------------


def test_seed_003_message_fields_golive_fills_and_those_it_asks() -> None:
    p = plan_of("003")
    announce, success, rolled_back = step(p, "L125"), step(p, "L436"), next(x for x in p.rollback if x.id == "L583")
    known = {ph.field: ph.known for s in (announce, success, rolled_back) if s.content for ph in s.content.placeholders}
    assert known["START_TIME"] == "run_start" and known["DURATION"] == "elapsed" and known["ROLLBACK_TIME"] == "now"
    assert known["ISSUE"] == "reason"
    assert success.needs == ()  # Start Time, End Time, Duration: golive knows them all
    assert announce.needs[0] == "END_TIME" and "SMOKE_TESTS_TIME" in announce.needs
    assert rolled_back.needs == ("DETAILED_EXPLANATION", "USER_IMPACT")


# --- follow-ups --------------------------------------------------------------------------------------


def test_follow_ups_among_the_steps_have_due_offsets() -> None:
    p0, p1 = plan_of("000"), plan_of("001")
    monitor = next(s for s in p0.followups if s.id == "L142")  # "3. Monitor First 24 Hours" in Deployment Steps
    assert monitor.due == Due(seconds=86400, text="First 24 Hours") and p0.step("L142") in p0.followups
    assert "Check error logs for crashes" in monitor.text  # its bullets are read too
    assert all(s.id != "L142" for s in p0.steps)
    archive, review = (next(s for s in p1.followups if s.id == i) for i in ("L533", "L547"))
    assert archive.due is not None and archive.due.seconds == 7 * 86400  # after the First Week window (L328)
    assert review.due is not None and review.due.seconds == 7 * 86400  # "Schedule 1-week review meeting"


def test_month_1_is_a_calendar_month_after_the_finish() -> None:
    month_1 = section(plan_of("000"), "Month 1").due
    assert month_1 == Due(months=1, text="Month 1")
    assert month_1.at(datetime(2026, 1, 31, 18, 0)) == datetime(2026, 2, 28, 18, 0)
    assert month_1.at(datetime(2026, 12, 15, 9, 30)) == datetime(2027, 1, 15, 9, 30)
    assert section(plan_of("000"), "Week 1").due == Due(seconds=7 * 86400, text="Week 1")


# --- success criteria are claims -----------------------------------------------------------------------


def test_seed_001_success_criteria_are_claims_confirmed_after_the_last_main_step() -> None:
    p = plan_of("001")
    claims = [s for s in p.steps if s.claim]
    assert [s.id for s in claims][:3] == ["L507", "L508", "L510"]
    assert not any(s.prechecked for s in claims)
    assert p.steps[-len(claims) :] == tuple(claims)  # after L550, the last main step
    assert "L513" in {s.id for s in p.followups}  # "No critical bugs in first 48 hours": only known later


# --- one field per thing, asked before it is needed ------------------------------------------------------


def test_seed_002_the_same_value_is_one_field() -> None:
    p = plan_of("002")
    names = [f.name for f in p.checklist.fields]
    assert "TABLE_NAME" not in names and "TOPIC_ARN" not in names and "REGION" not in names
    fields = [s for s in p.steps if s.kind is Kind.FIELD]
    assert [s.line for s in fields if s.field and s.field.name == "DYNAMODB_TABLE_NAME"] == [22, 42]
    assert [s.line for s in fields if s.field and s.field.name == "SNS_TOPIC_ARN"] == [24, 103]
    assert step(p, "L96").needs[0] == "SNS_TOPIC_ARN"  # YOUR_TOPIC_ARN: asked at L24, before L96
    python = step(p, "L155")
    assert python.needs == ("SNS_TOPIC_ARN",)


def test_seed_004_env_heredoc_takes_the_session_values_and_lint_does_not_call_them_errors() -> None:
    p = plan_of("004")
    heredoc = step(p, "L97")
    assert dict(heredoc.session) == {
        "DATABASE_URL": 24,
        "REDIS_URL": 27,
        "SESSION_SECRET": 41,
        "BOT_TOKEN": 49,
        "ADMIN_PASSWORD": 53,
    }
    found = [f for f in lint(p) if f.line == 97]
    assert {f.severity for f in found if f.code in ("placeholder", "from-session")} == {"note"}


def test_seed_001_rollback_placeholders_are_warnings_not_errors() -> None:
    found = {(f.line, f.severity) for f in lint(plan_of("001")) if f.code == "placeholder"}
    assert {(381, "warning"), (384, "warning"), (394, "warning"), (397, "warning")} <= found
    assert (96, "error") in found  # `kill <PID>` in the main phase: nothing fills it


# --- a fence left open -------------------------------------------------------------------------------------


def test_an_open_fence_runs_nothing_that_reads_as_a_task_or_prose() -> None:
    """Seed 001's last fence (L579) is never closed; had the author written tasks after it, none would run."""
    lines = seed("001").read_text().split("\n")
    text = "\n".join(lines[:607]) + "\n\n- [ ] Verify the rollback worked\nRun the smoke tests once more.\n"
    c = parse_text(text)
    block = [i for _s, i in c.walk() if isinstance(i, Commands)][-1]
    assert block.line == 579 and block.commands[-1].text == "tail -f logs/job_matcher.log"
    assert block.assumed_end == 609
    found = [f for f in lint(planning.build(c)) if f.code == "open-fence"]
    assert [(f.line, f.severity) for f in found] == [(609, "warning")]
    assert "opened at line 579 is never closed" in found[0].message
    untouched = parse_file(seed("001"))  # as written, every line after L579 is a command: all kept
    assert [i for _s, i in untouched.walk() if isinstance(i, Commands)][-1].assumed_end == 0


def test_numbered_steps_keep_their_bullets() -> None:
    """Seed 000 L137 "Notify Users" and its three bullets: a person reads all of them."""
    s = step(plan_of("000"), "L137")
    assert s.text.split("\n") == [
        "Notify Users",
        "- Send email about new feature",
        "- Include setup instructions",
        "- Provide support contact",
    ]
    assert isinstance(next(i for _x, i in plan_of("000").checklist.walk() if i.line == 137), Step | Task)
