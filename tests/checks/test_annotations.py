"""Reading annotations: every problem names the line of the offending key, the key and the reason."""

from __future__ import annotations

from pathlib import Path

from golive import plan as planning
from golive.lint import lint
from golive.parse import parse_text
from golive.parse.annotations import check_item, parse_specs
from golive.plan import Kind
from tests.checks.conftest import errors_of


def test_yaml_that_does_not_read_names_its_line() -> None:
    assert errors_of("- http: GET http://x/\n  expect: {status: 200\n- tcp: x:1") == [
        "12: annotation YAML does not read: expected ',' or '}', but got ':'"
    ]


def test_a_key_written_twice_is_an_error() -> None:
    assert errors_of("http: GET http://x/\ntimeout: 5s\ntimeout: 9s") == [
        "12: timeout: appears twice (first at line 11)"
    ]


def test_one_check_has_exactly_one_type() -> None:
    assert errors_of("http: GET http://x/\ntcp: x:1") == ["11: tcp: one check has one type; this one has http, tcp"]
    assert errors_of("expect: {status: 200}") == [
        "10: expect: unknown check type: a check starts with one of http, tcp, sql, redis, env, file, version, "
        "process, secrets, git, log, bench, wait"
    ]
    assert errors_of("- 42") == ["10: an annotation is a check (a mapping such as `http: GET …`) or a list"]


def test_a_templated_value_is_validated_when_the_run_fills_it() -> None:
    specs, errors = parse_specs('process: {port: "{{ API_PORT }}"}\ncount: 1', 1)
    assert not errors and specs[0].uses == ("API_PORT",)


def test_values_yaml_would_misread_are_kept_as_written() -> None:
    specs, _ = parse_specs("file: .env\nmode: 0600", 1)
    assert specs[0].data["mode"] == "0600"
    specs, _ = parse_specs("version: python\nequals: 3.10", 1)
    assert specs[0].data["equals"] == "3.10"
    specs, _ = parse_specs("file: x\ncontains: 2026-11-30", 1)
    assert specs[0].data["contains"] == "2026-11-30"


def test_a_profile_parses_one_check_from_its_own_text_and_line() -> None:
    item = check_item("{file: backups/, kind: directory}", 41)
    assert item.line == 41 and item.specs[0].type == "file" and not item.errors
    bad = check_item("{file: backups/, kynd: directory}", 41)
    assert str(bad.errors[0]).startswith("kynd: unknown option: did you mean `kind`?") and bad.errors[0].line == 41


CHECKLIST = """# Release

## Verify

- [ ] API is up <!-- golive: {tcp: "localhost:8000"} -->
- [ ] Data looks right

```golive
- sql: sqlite:///app.db
  tables: [users]
  name: tables
- http: GET http://localhost:8000/health
  needs: [tables, migrations]
```

## Rollback Plan

<!-- golive: {http: GET http://localhost:8000/health, expect: {status: 200}} -->
"""


def test_checks_become_steps_in_document_order_in_every_phase() -> None:
    plan = planning.build(parse_text(CHECKLIST, "RELEASE.md"))
    assert [(s.id, s.kind.value) for s in plan.steps] == [
        ("L5", "check"),  # verifies the task on its line: no confirmation asked
        ("L6", "confirm"),
        ("L9", "check"),
        ("L12", "check"),
    ]
    assert [(s.id, s.kind) for s in plan.rollback] == [("L18", Kind.CHECK)]
    assert plan.steps[2].block == 8 and plan.steps[0].block == 0
    findings = [f.format("RELEASE.md") for f in lint(plan)]
    assert "RELEASE.md:13: error: needs: no check is named 'migrations' [annotation]" in findings


def test_a_section_holding_only_checks_is_runnable(tmp_path: Path) -> None:
    plan = planning.build(parse_text("# T\n\n## Health\n\n```golive\ntcp: x:1\n```\n", "T.md"))
    assert plan.runnable_sections == 1 and [s.kind for s in plan.steps] == [Kind.CHECK]


def test_a_check_on_the_same_line_as_another_step_gets_its_own_id() -> None:
    text = (
        "# T\n\n## S\n\n- [ ] Done <!-- golive: [{tcp: 'x:1'}, {tcp: 'x:2'}] -->\n"
        "- [ ] Other <!-- golive: oops: [ -->\n"
    )
    plan = planning.build(parse_text(text, "T.md"))
    assert [s.id for s in plan.steps] == ["L5", "L5.1", "L6"]
    assert [f.line for f in lint(plan) if f.code == "annotation"] == [6]
