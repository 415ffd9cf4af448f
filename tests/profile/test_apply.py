"""A profile applied to seed 003 (Employee Management System): which items its entries name, and
every entry that names none, or more than one, or the wrong kind, is an error at its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from golive.model import Check, Commands, Task
from golive.parse import parse_file
from golive.plan import is_secret
from golive.profile import Applied, ProfileError, apply, load
from tests.conftest import seed

SEED = seed("003")


def applied(tmp_path: Path, text: str) -> Applied:
    path = tmp_path / "rehearsal.yaml"
    path.write_text(textwrap.dedent(text).lstrip())
    return apply(load(path, {}), parse_file(SEED))


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(ProfileError) as caught:
        applied(tmp_path, text)
    return str(caught.value)


def test_answers_name_items_by_line_text_list_or_section(tmp_path: Path) -> None:
    a = applied(
        tmp_path,
        """
        answers:
          - item: L98
            by: Quinn (QA lead)
            answer: confirm
          - text: "backup verified (can be"
            by: Quinn (QA lead)
            answer: confirm
          - items: [l189, "191"]
            by: Ana Lima
            answer: skip
            reason: the stand-in keeps one copy only
          - section: "Deployment Sign-Off"
            by: Quinn (QA lead)
            answer: confirm
          - item: L506
            by: Ana Lima
            answer: allow
        """,
    )
    found = {x.step: (x.verb, x.by, x.reason, x.line) for x in a.answers}
    assert found["L98"] == ("confirm", "Quinn (QA lead)", "", 2)
    assert found["L99"][:2] == ("confirm", "Quinn (QA lead)")  # "Backup verified (can be restored)"
    assert found["L189"] == found["L191"] == ("skip", "Ana Lima", "the stand-in keeps one copy only", 8)
    assert {"L666", "L667", "L668", "L669"} <= set(found)  # the four sign-offs
    assert found["L506"][0] == "allow"  # dropdb in the rollback: allowed, as `golive confirm L506 --allow` does
    needs = {x.step: x.need for x in a.answers}
    assert (needs["L98"], needs["L666"], needs["L506"], needs["L189"]) == (
        "confirm",
        "signoff",
        "destructive",
        "confirm",
    )


MISMATCHES = [
    ("text: Backup verified", "text 'Backup verified' matches 2 steps: L99 (Backup verified (can be restored)), L190"),
    ("text: Backup on the moon", "text 'Backup on the moon' matches no step"),
    ("item: L5000", "no step at L5000"),
    ("item: L612", "L612 is a follow-up, due after the deployment"),
    ("item: L86", "L86 is a command the checklist does not call optional: a profile answers confirm only"),
    ("item: L661", "L661 is a field (give it under variables)"),
    ("item: C157", "C157 is a choice between alternatives (give it under choices)"),
    ("section: Deployment", "section 'Deployment' is ambiguous"),
    ("section: Emergency Contacts", "section 'Emergency Contacts' has no step of that kind"),
]


@pytest.mark.parametrize(("names", "says"), MISMATCHES, ids=[m[0] for m in MISMATCHES])
def test_an_answer_must_name_exactly_the_items_it_means(tmp_path: Path, names: str, says: str) -> None:
    entry = "    by: Quinn\n    answer: confirm\n"
    text = f"answers:\n  - item: L98\n{entry}  - {names}\n{entry}"
    message = error(tmp_path, text)
    assert ":5: " in message and says in message  # line 5: the second entry


def test_an_item_answered_twice_or_allowed_without_being_destructive_is_an_error(tmp_path: Path) -> None:
    twice = "answers:\n  - item: L98\n    by: A\n    answer: confirm\n  - text: created successfully\n    by: B\n"
    assert "L98 is answered twice (first at line 2)" in error(tmp_path, twice + "    answer: confirm\n")
    allow = "answers:\n  - item: L86\n    by: A\n    answer: allow\n"
    assert ":2: L86 is not a destructive command" in error(tmp_path, allow)
    judged = "answers:\n  - item: L98\n    by: A\n    answer: passed\n"
    assert "L98 is an item a person confirms; answer passed is for commands" in error(tmp_path, judged)
    unsigned = "answers:\n  - item: L667\n    by: A\n    answer: skip\n    reason: later\n"
    assert "L667 is a sign-off; answer skip is for items a person confirms" in error(tmp_path, unsigned)


def test_choices_name_a_group_and_one_of_its_options_like_choose(tmp_path: Path) -> None:
    a = applied(tmp_path, 'choices:\n  "Step 2": docker\n  L294: 3\n')
    assert a.choices == {"Step 2": "docker", "L294": "3"}
    # Seed 003 has no Kubernetes option: a label that names no option is an error, with the options.
    # ("systemd" names one: the option key of `sudo systemctl …`, shared by the one choice C157.)
    message = error(tmp_path, 'choices:\n  C294: pm2\n  "Step 2": kubernetes\n')
    assert ":3: Step 2: kubernetes: C157 (Step 2: Stop Application) has no option 'kubernetes'" in message
    assert "1. Stop backend service / 2. Docker / 3. PM2" in message
    assert ":2: Step 99: x: no alternatives there" in error(tmp_path, 'choices:\n  "Step 99": x\n')


def test_checks_are_attached_after_the_item_they_name(tmp_path: Path) -> None:
    a = applied(
        tmp_path,
        """
        checks:
          - after: L98
            check: {file: backups/, exists: true}
          - after: L89
            check: [{file: backup.sql}, {sql: "postgresql://127.0.0.1/test", tables: [users]}]
          - text: "Production backup created"
            check: {file: pre_migration.sql, exists: true}
        """,
    )
    walked = [i for _s, i in a.checklist.walk()]
    checks = {i.line: (walked[n - 1], i) for n, i in enumerate(walked) if isinstance(i, Check)}
    before, check = checks[98]
    assert isinstance(before, Task) and before.line == 98  # right after "Backup created successfully"
    assert check.raw == "{file: backups/, exists: true}" and check.source == "profile"
    before, check = checks[89]
    assert isinstance(before, Commands) and before.line == 84  # a command's check follows its block
    assert "tables: [users]" in check.raw
    assert [c.after for c in a.checks] == ["L98", "L89", "L189"]
    without = {s.id for s in apply(load_empty(tmp_path), parse_file(SEED)).plan.steps}
    added = [(s.id, s.check.type) for s in a.plan.steps if s.id not in without and s.check is not None]
    assert added == [("L89.1", "file"), ("L89.2", "sql"), ("L98.1", "file"), ("L189.1", "file")]  # checks are steps


def test_attached_checks_are_rewritten_like_the_checklist(tmp_path: Path) -> None:
    a = applied(
        tmp_path,
        """
        rewrite:
          urls: {"http://localhost:8000": "http://127.0.0.1:18000"}
        checks:
          - text: "Health check passes"
            check: {http: GET http://localhost:8000/health, expect: {status: 200}}
        """,
    )
    assert a.checks[0].after == "L367"
    check = next(i for _s, i in a.checklist.walk() if isinstance(i, Check))
    assert check.raw == a.checks[0].raw == "{http: 'GET http://127.0.0.1:18000/health', expect: {status: 200}}"


def load_empty(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "empty.yaml"
    path.write_text("name: empty\n")
    return load(path, {})


def test_secrets_the_profile_declares_are_secret_whatever_their_name(tmp_path: Path) -> None:
    a = applied(tmp_path, "secrets:\n  ADMIN_CREDS_FILE: {env: REHEARSAL_CREDS}\n  DB_PASSWORD: {env: PGPASS}\n")
    assert is_secret(a.checklist, "ADMIN_CREDS_FILE") and is_secret(a.checklist, "DB_PASSWORD")
    assert not is_secret(parse_file(SEED), "ADMIN_CREDS_FILE")


def test_a_check_the_models_refuse_is_an_error_at_its_profile_line(tmp_path: Path) -> None:
    message = error(
        tmp_path,
        """
        checks:
          - after: L98
            check: {file: backups/, exsts: true}
        """,
    )
    assert "rehearsal.yaml:3: checks[0].check: exsts: unknown option: did you mean `exists`?" in message


def test_an_optional_command_is_run_by_a_named_person_and_any_command_skipped_or_done_with_why(
    tmp_path: Path,
) -> None:
    """Seed 000 L31 `python -m pytest tests/ -v` under "# Run tests (if available)" is asked even with --yes:
    a profile's confirm runs it. Seed 001 L139 `pip show sqlite3` is not optional, yet a person may decide
    it must not run (sqlite3 is no pip package): `{step: L139, skip: REASON, by: NAME}` records that."""
    path = tmp_path / "rehearsal.yaml"
    path.write_text("answers:\n  - item: L31\n    by: Nikhil\n    answer: confirm\n")
    [answer] = apply(load(path, {}), parse_file(seed("000"))).answers
    assert (answer.step, answer.need, answer.verb, answer.by) == ("L31", "accept", "confirm", "Nikhil")

    path.write_text("answers:\n  - {step: L139, skip: not a pip package, by: Ravi}\n")
    [answer] = apply(load(path, {}), parse_file(seed("001"))).answers
    assert (answer.step, answer.need, answer.verb, answer.by, answer.reason, answer.line) == (
        "L139", "command", "skip", "Ravi", "not a pip package", 2,
    )  # fmt: skip
    path.write_text("answers:\n  - {step: L181, done: migrated at the DBA's terminal, by: Dana}\n")
    [answer] = apply(load(path, {}), parse_file(seed("001"))).answers
    assert (answer.need, answer.verb, answer.reason) == ("command", "done", "migrated at the DBA's terminal")

    path.write_text("answers:\n  - item: L139\n    by: Ravi\n    answer: confirm\n")
    with pytest.raises(ProfileError) as caught:
        apply(load(path, {}), parse_file(seed("001")))
    assert ":2: L139 is a command the checklist does not call optional" in str(caught.value)


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ("{step: L139, by: Ravi}", "missing 'answer'"),
        ('{step: L139, skip: "", by: Ravi}', "answer skip needs a reason"),
        ("{step: L139, skip: why, answer: skip, by: Ravi}", "give the answer once"),
        ("{step: L139, item: L140, skip: why, by: Ravi}", "name the step with one of item, step"),
        ("{step: L139, skip: why, reason: again, by: Ravi}", "skip: already gives the reason"),
    ],
)
def test_the_short_form_of_an_answer_says_what_is_wrong_at_its_line(tmp_path: Path, entry: str, says: str) -> None:
    path = tmp_path / "rehearsal.yaml"
    path.write_text(f"name: r\nanswers:\n  - {entry}\n")
    with pytest.raises(ProfileError) as caught:
        apply(load(path, {}), parse_file(seed("001")))
    assert ":3: " in str(caught.value) and says in str(caught.value)
