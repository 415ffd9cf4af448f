"""Loading a profile: every kind of mistake is an error at the line of the key that holds it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from golive.profile import ProfileError, load
from tests.helpers import golive

GOOD = """
    name: rehearsal
    description: Rehearsal of seed 003 against a stand-in
    allow_prerecorded: true
    variables:
      DEPLOYED_BY: "Ana Lima"
      PREVIOUS_STABLE_COMMIT: v0.9.5
      API_PORT: 8001
    secrets:
      ADMIN_PASSWORD: {env: REHEARSAL_ADMIN_PASSWORD}
    choices:
      "Step 2": docker
    answers:
      - item: L98
        by: "Quinn (QA lead)"
        answer: confirm
        reason: backup listed by pg_restore --list
    rewrite:
      urls: {"http://localhost:8000": "http://127.0.0.1:${API_PORT}"}
      paths: {"/var/www/employee-system": "${REHEARSAL_DIR}/app"}
    path_prefix: [bin]
    env:
      STANDIN_LOG: "${REHEARSAL_DIR}/calls.log"
    prelude: |
      export PYTHONPATH="${REHEARSAL_DIR}/lib"
    checks:
      - after: L98
        check: {file: backups/, exists: true}
"""
ENV = {"API_PORT": "18001", "REHEARSAL_DIR": "/tmp/rehearsal"}


def write(tmp_path: Path, text: str, name: str = "rehearsal.yaml") -> Path:
    (tmp_path / "bin").mkdir(exist_ok=True)
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_a_good_profile_loads_with_its_environment_values_expanded(tmp_path: Path) -> None:
    p = load(write(tmp_path, GOOD), ENV)
    assert p.name == "rehearsal"
    assert p.spec.variables == {"DEPLOYED_BY": "Ana Lima", "PREVIOUS_STABLE_COMMIT": "v0.9.5", "API_PORT": "8001"}
    assert p.spec.rewrite.urls == {"http://localhost:8000": "http://127.0.0.1:18001"}
    assert p.spec.rewrite.paths == {"/var/www/employee-system": "/tmp/rehearsal/app"}
    assert p.spec.env == {"STANDIN_LOG": "/tmp/rehearsal/calls.log"}
    assert p.spec.prelude == 'export PYTHONPATH="${REHEARSAL_DIR}/lib"\n'  # the shell expands it, not golive
    assert p.spec.checks[0].check == {"file": "backups/", "exists": True}  # a check keeps YAML's types
    assert p.values == ENV  # what a resume expands again
    assert p.line("answers", 0) == 13 and p.line("rewrite", "paths", "/var/www/employee-system") == 19


def test_the_name_defaults_to_the_file_name(tmp_path: Path) -> None:
    assert load(write(tmp_path, "variables: {A: b}\n", "staging.yaml"), {}).name == "staging"


MISTAKES = [
    # (profile text, line, what the message says)
    ("name: x\nvariables: [DEPLOYED_BY]\n", 2, "variables: expected KEY: value pairs"),
    ("name: x\nvariabels:\n  A: b\n", 2, "unknown key 'variabels' (did you mean 'variables'?)"),
    ("answers:\n  - item: L98\n    by: Quinn\n    answr: confirm\n", 4, "unknown key 'answr'"),
    ("answers:\n  - item: L98\n    answer: confirm\n", 2, "missing 'by'"),
    ("answers:\n  - item: L98\n    by: Quinn\n    answer: approve\n", 4, "answer: Input should be 'confirm'"),
    ("answers:\n  - item: L98\n    by: Quinn\n    answer: skip\n", 2, "answer skip needs a reason"),
    ("answers:\n  - item: L98\n    text: Backup\n    by: Q\n    answer: confirm\n", 2, "exactly one of item, items"),
    ("allow_prerecorded: maybe\n", 1, "allow_prerecorded: expected true or false"),
    ("variables:\n  A: 1\n  A: 2\n", 3, "'A' is given twice"),
    ("variables:\n  A: [1\n", 3, "not valid YAML"),
    ("variables:\n  DB_PASSWORD: hunter2\n", 2, "DB_PASSWORD is a secret and a profile never holds one"),
    ("env:\n  AWS_SECRET_ACCESS_KEY: abc\n", 2, "AWS_SECRET_ACCESS_KEY is a secret"),
    ("variables:\n  URL: 'http://${API_HOST}/'\n", 2, "${API_HOST} is not set in the environment"),
    ("env:\n  URL: 'postgres://u:${PG_PASSWORD}@db/x'\n", 2, "${PG_PASSWORD} would write a secret"),
    ("variables:\n  X: 'a${1x}'\n", 2, "${1x} is not a variable name"),
    ("variables:\n  A: b\nsecrets:\n  A: {env: S}\n", 4, "A is both a variable and a secret"),
    ("variables:\n  my-var: b\n", 2, "'my-var' is not a variable name"),
    ("secrets:\n  TOKEN: hunter2\n", 2, "secrets.TOKEN: expected KEY: value pairs"),
    (
        "allow_prerecorded: false\nanswers:\n  - item: L98\n    by: Quinn\n    answer: confirm\n",
        2,
        "forbids pre-recorded answers (allow_prerecorded: false)",
    ),
    ("rewrite:\n  urls:\n    localhost:8000: 127.0.0.1:1\n", 3, "'localhost:8000' is not a URL"),
    ("rewrite:\n  hosts:\n    http://db: x\n", 3, "is not a host"),
    ("rewrite:\n  text:\n    '': x\n", 3, "an empty key would rewrite everything"),
    ("path_prefix: [bin, stand-ins]\n", 1, "path_prefix stand-ins: no such directory"),
    ("checks:\n  - check: {file: x}\n", 2, "exactly one of after, text"),
    ("checks:\n  - after: L98\n    check: file x\n", 3, "checks.check"),
    ("- name: x\n", 1, "a profile is a mapping of keys"),
    # What the record would mask (the profile's text is kept masked): the run could not read it back.
    (
        "checks:\n  - after: L98\n    check:\n      http: GET http://127.0.0.1:9/\n      headers:\n"
        "        Authorization: AWS4-HMAC-SHA256 Credential=AKIAZ7Q4M2XK9BLW3NTE/20240101/us-west-2/s3/aws4_request\n",
        6,
        "this line holds what looks like a secret (golive would mask it)",
    ),
    ("env:\n  API_URL: 'postgresql://app:Zx9qW2rT7vLm@db:5432/app'\n", 2, "looks like a secret"),
    ("", 1, "the profile is empty"),
]


@pytest.mark.parametrize(("text", "line", "says"), MISTAKES, ids=[m[2][:40] for m in MISTAKES])
def test_each_mistake_is_reported_at_its_line(tmp_path: Path, text: str, line: int, says: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load(path, {})
    assert f"{path.resolve()}:{line}: " in str(caught.value)
    assert says in str(caught.value)


def test_a_value_from_the_environment_that_looks_like_a_secret_is_refused_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nenv:\n  DSN: '${DSN}'\n")
    with pytest.raises(ProfileError) as caught:
        load(path, {"DSN": "postgresql://app:Zx9qW2rT7vLm@db:5432/app"})
    assert f"{path.resolve()}:3: ${{DSN}} gives what looks like a secret" in str(caught.value)
    assert "Zx9qW2rT7vLm" not in str(caught.value)


def test_a_path_to_a_secret_is_not_a_secret(tmp_path: Path) -> None:
    # Seed 002's rehearsal points the AWS CLI at dummy credentials for its local emulator.
    p = load(write(tmp_path, "env:\n  AWS_SHARED_CREDENTIALS_FILE: ${CREDS_DIR}/credentials\n"), {"CREDS_DIR": "/t"})
    assert p.spec.env == {"AWS_SHARED_CREDENTIALS_FILE": "/t/credentials"}


def test_several_mistakes_are_reported_together(tmp_path: Path) -> None:
    path = write(tmp_path, "variables:\n  DB_PASSWORD: x\n  URL: ${NOPE}\nenv:\n  API_TOKEN: y\n")
    with pytest.raises(ProfileError) as caught:
        load(path, {})
    assert [line for line, _m, _h in caught.value.problems] == [3]  # ${} first: nothing else can be read without it
    path.write_text("variables:\n  DB_PASSWORD: x\nenv:\n  API_TOKEN: y\n")
    with pytest.raises(ProfileError) as caught:
        load(path, {})
    assert [line for line, _m, _h in caught.value.problems] == [2, 4]


def test_a_bad_profile_is_exit_2_with_file_and_line_never_a_traceback(tmp_path: Path) -> None:
    checklist = tmp_path / "DEPLOY.md"
    checklist.write_text("# Deploy\n\n## Steps\n\n- [ ] Backup verified\n")
    profile = write(tmp_path, "name: staging\nvariables:\n  ADMIN_PASSWORD: hunter2\n")
    for command in (["plan"], ["run", "--dry-run"], ["run", "--non-interactive"]):
        r = golive(*command, str(checklist), "--profile", str(profile), cwd=tmp_path)
        assert r.returncode == 2, r.stderr
        assert f"{profile.resolve()}:3: ADMIN_PASSWORD is a secret" in r.stderr
        assert "move it under secrets: ADMIN_PASSWORD: {env: SOME_VARIABLE}" in r.stderr
        assert "Traceback" not in r.stderr
    missing = golive("plan", str(checklist), "--profile", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert missing.returncode == 2 and "no such profile" in missing.stderr
