"""Sign-off policies as teams write them: in the checklist's front matter under `golive:`, or in the
environment profile; a mistake is refused before a run exists, at its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.errors import InputError
from golive.parse import parse_text
from golive.profile.load import ProfileError
from golive.profile.load import parse as parse_profile
from golive.team.policy import Policy, policy
from tests.helpers import golive
from tests.team.conftest import GATED, write

CHECKLIST = "# Deploy\n\n## Deployment Steps\n\n- [ ] Done\n\n## Sign-Off\n- [ ] QA Lead: Approved\n"


def front(yaml_text: str) -> str:
    return f"---\n{yaml_text}---\n{CHECKLIST}"


def test_front_matter_gives_the_required_roles_the_rules_and_who_may_approve(tmp_path: Path) -> None:
    checklist = parse_text(write(tmp_path).read_text(), "DEPLOY.md")
    found = policy(checklist)
    assert found == Policy(
        ("QA Lead", "DevOps Lead"), True, True, {"QA Lead": ("alice", "bob")}, "DEPLOY.md:3 (front matter)",
        "DEPLOY.md:5 (front matter)",
    )  # fmt: skip
    assert found.approvers("qa  lead") == ("alice", "bob")  # roles compare without case and extra spaces
    assert found.approvers("DevOps Lead") == ()  # anyone


def test_without_a_policy_every_sign_off_item_is_required_and_anyone_may_give_it() -> None:
    found = policy(parse_text(CHECKLIST, "DEPLOY.md"))
    assert found == Policy() and not found.explicit
    other_keys_only = policy(parse_text(front("title: Release\nauthor: ana\n"), "DEPLOY.md"))
    assert other_keys_only == Policy()


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        ("golive:\n  signof: {required: [QA Lead]}\n", 3, "unknown key golive.signof (did you mean 'signoff'?)"),
        ("golive:\n  signoff:\n    distinct: maybe\n", 4, "golive.signoff.distinct: expected true or false"),
        ("golive:\n  signoff: {required: QA Lead}\n", 3, "golive.signoff.required: expected a list"),
        ("golive:\n  roles:\n    QA Lead: alice\n", 4, "golive.roles.QA Lead: expected a list"),
        ("golive:\n  signoff: {required: [QA Lead\n", 3, "not valid YAML"),
    ],
)
def test_a_mistake_in_the_front_matter_is_an_error_at_its_line(yaml_text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as caught:
        policy(parse_text(front(yaml_text), "DEPLOY.md"))
    assert (caught.value.path, caught.value.line) == ("DEPLOY.md", line)
    assert message in caught.value.message


def test_golive_run_refuses_a_bad_policy_before_a_run_exists(tmp_path: Path, isolated_home: Path) -> None:
    checklist = write(tmp_path, GATED.replace("not_runner: true", "not_runner: perhaps"))
    r = golive("run", str(checklist), "--non-interactive", "--yes", cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{checklist}:4: front matter: golive.signoff.not_runner: expected true or false" in r.stderr
    assert "golive run" not in r.stdout  # refused before a run exists


def test_a_profile_sets_the_policy_over_the_front_matter(tmp_path: Path) -> None:
    text = "name: prod\nsignoff: {required: [Release Manager], not_runner: true}\nroles:\n  QA Lead: [carol]\n"
    profile = parse_profile(text, str(tmp_path / "prod.yaml"), "0" * 64, lambda _name: None)
    found = policy(parse_text(write(tmp_path).read_text(), "DEPLOY.md"), profile)
    assert (found.required, found.distinct, found.not_runner) == (("Release Manager",), False, True)
    assert found.roles == {"QA Lead": ("carol",)}  # the profile's list replaces the front matter's for that role
    assert found.source == f"{tmp_path / 'prod.yaml'}:2"


def test_a_mistake_in_a_profile_policy_is_an_error_at_its_line(tmp_path: Path) -> None:
    text = "name: prod\nsignoff:\n  required: [QA Lead]\n  distinc: true\n"
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "prod.yaml", "0" * 64, lambda _name: None)
    assert caught.value.line == 4 and "unknown key 'distinc' (did you mean 'distinct'?)" in str(caught.value)


def test_golive_lint_names_a_bad_policy_at_its_line(tmp_path: Path) -> None:
    checklist = write(tmp_path, GATED.replace("roles: {QA Lead: [alice, bob]}", "role: {QA Lead: [alice, bob]}"))
    r = golive("lint", str(checklist), cwd=tmp_path)
    assert r.returncode == 1
    assert f"{checklist}:5: error: front matter: unknown key golive.role (did you mean 'roles'?)" in r.stdout
