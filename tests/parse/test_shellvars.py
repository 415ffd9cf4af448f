"""Which variables a command reads without setting them: what golive makes sure is set before it runs.

Each reading is checked against bash itself: `bash -u` (nounset) fails with "unbound variable" exactly
when a command expands an unset variable, so a name golive reports must make `bash -u` fail, and a
command golive finds nothing in must run under `bash -u` with an empty environment.
"""

from __future__ import annotations

import subprocess
import tempfile

import pytest

from golive.parse.shellvars import read_unset_candidates, set_in_dump
from tests.conftest import seed
from tests.profile.test_run import seed_block

MINIMAL_ENV = {"PATH": "/usr/bin:/bin"}


def bash_u(text: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as cwd:  # the commands write files
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-u", "-c", text],
            capture_output=True,
            text=True,
            env=MINIMAL_ENV,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            timeout=10,
        )


READS_UNSET = [
    ('curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:9/x || echo "$TOKEN"', ["TOKEN"]),
    ("echo ${DATA_DIR}/uploads ${DATA_DIR%/}", ["DATA_DIR"]),
    ("cat > out.env <<EOF\nSESSION_SECRET=$SESSION_SECRET\nEOF", ["SESSION_SECRET"]),
    ('echo "$A and $B" $A', ["A", "B"]),
    ("for f in a b; do echo $f $PREFIX; done", ["PREFIX"]),
]

READS_NOTHING_UNSET = [
    "for f in *.json; do echo $f; done",
    "X=1; echo $X",
    "echo $X; X=2",  # bash says unbound here, but the command sets X itself: a loop may read it later
    "set -- a b; true & echo $1 $# $? $@ $$ $! $0 $-",
    'echo "${MISSING:-default}" ${MISSING-x} ${MISSING:+y} ${MISSING:=z}',
    "echo '$NOT_EXPANDED in single quotes' $'ansi $NOR_THIS'",
    "cat <<'EOF'\n$LITERAL stays literal\nEOF",
    "awk '{ print $1, $NF }' /dev/null",
    "echo $(echo inside) $((1 + 2)) \\$ESCAPED",
    "# echo $IN_A_COMMENT",
    "read -r first second <<< 'a b'; echo $first $second",
    "while IFS= read -r line; do echo $line; done < /dev/null",
    "printf -v NOW '%s' now; echo $NOW",
    "echo $RANDOM $SECONDS $LINENO $PWD",
    "local_fn() { local x=1; echo $x $1; }; local_fn a",
]


@pytest.mark.parametrize(("text", "names"), READS_UNSET)
def test_a_variable_read_and_set_nowhere_is_named_as_bash_u_fails_on_it(text: str, names: list[str]) -> None:
    assert read_unset_candidates(text) == names
    assert "unbound variable" in bash_u(text).stderr


@pytest.mark.parametrize("text", READS_NOTHING_UNSET)
def test_what_bash_never_expands_or_the_command_sets_is_not_asked_for(text: str) -> None:
    assert read_unset_candidates(text) == []
    if "X=2" not in text:
        assert "unbound variable" not in bash_u(text).stderr


def test_a_length_or_an_indirection_is_a_test_of_whether_it_is_set() -> None:
    # `[ ${#TOKEN} -gt 0 ]` asks whether TOKEN is set; asking for TOKEN first would answer for it.
    assert read_unset_candidates("[ ${#TOKEN} -gt 0 ] && echo ${!REF} ${#ARR[@]}") == []


def test_a_command_that_sources_or_evals_is_not_second_guessed() -> None:
    # What `source .env` sets cannot be read from the text: the command is run as written.
    assert read_unset_candidates("source .env && echo $DATABASE_URL") == []
    assert read_unset_candidates('eval "$(ssh-agent)"; echo $SSH_AUTH_SOCK') == []


def test_seed_003_token_is_read_at_l337_and_l578_and_set_at_l330() -> None:
    assert read_unset_candidates(seed_block("003", 337).split("# 4. List employees\n")[1].split("\n#")[0]) == ["TOKEN"]
    l578 = 'curl -X GET http://localhost:8000/api/employees \\\n  -H "Authorization: Bearer $TOKEN"'
    assert l578 in seed("003").read_text()
    assert read_unset_candidates(l578) == ["TOKEN"]
    l330 = (
        "TOKEN=$(curl -X POST http://localhost:8000/api/auth/login \\\n"
        '  -d "username=admin&password=admin123" | jq -r .access_token)'
    )
    assert read_unset_candidates(l330) == []


def test_the_session_dump_says_what_is_set() -> None:
    dump = bash_u("A=1; declare -a ARR=(x); declare -x EXP=2; declare -- DECLARED_ONLY; declare -p").stdout
    held = set_in_dump(dump)
    assert {"A", "ARR", "EXP"} <= held
    assert "DECLARED_ONLY" not in held  # declared, never given a value: [[ -v ]] says unset
