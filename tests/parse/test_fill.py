"""Filled placeholders are what a person would type: proved with bash's (and Python's) own reading.

For every placeholder of every seed and corpus command: fill it with a hostile value and with a
plain marker, let bash read both (tests/parse/shellprobe.py: each simple command records its
words and its stdin instead of running), and require the two readings to be the same with the
marker replaced by the value. So the value reaches the command whole (no splitting, no expansion,
no quote broken, nothing run), and the marker must appear: a placeholder left half in place
(`${123}` expands to nothing) loses it.
"""

from __future__ import annotations

import ast
import shlex
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from golive.model import Command, Commands
from golive.parse import parse_file
from golive.parse.placeholders import fill, find_placeholders
from tests.conftest import CORPUS, SEEDS, seed
from tests.parse.shellprobe import record, temp_workdir


def commands_with_placeholders() -> list[tuple[str, Command]]:
    found = []
    for path in (*SEEDS, *CORPUS):
        for _section, item in parse_file(path).walk():
            if isinstance(item, Commands):
                found += [(f"{path.name[:12]}:{c.line}", c) for c in item.commands if c.placeholders]
    return found


FOUND = commands_with_placeholders()
BASH = [(name, c) for name, c in FOUND if c.lang == "bash"]
PYTHON = [(name, c) for name, c in FOUND if c.lang == "python"]
HOSTILE = "a b\t'q' \"d\" $HOME `id` $(id) \\ ; & | > < * ? [x] ~ # ! {a,b} %s =\nnext line ✓"
VALUES = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list(" \t\n'\"$`\\;&|<>(){}[]*?~#!=")),
    max_size=40,
)


def markers(command: Command) -> dict[str, str]:
    return {name: f"GLM{i}q" for i, name in enumerate(dict.fromkeys(p.field for p in command.placeholders))}


def expected(records: list[str], command: Command, marks: dict[str, str], value: str) -> list[str]:
    """What bash must see with `value` in: the marker's reading, the marker replaced by the value."""
    out = []
    for r in records:
        for p in command.placeholders:
            mark = marks[p.field]
            if p.quoting == "words":  # `...`: the words a person types, each kept whole
                parts = shlex.split(value) if _splits(value) else [value]
                r = r.replace(mark + "\x1f", "".join(w + "\x1f" for w in parts))
            r = r.replace(mark, value)
        out.append(r)
    return sorted(out)


def test_there_are_placeholders_to_prove() -> None:
    assert len(BASH) >= 20 and PYTHON  # 23 commands in the seeds and corpus when this was written


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.one_of(st.just(HOSTILE), VALUES))
def test_every_seed_and_corpus_placeholder_reaches_bash_intact(value: str) -> None:
    assume(all(line.strip() not in ("EOF", "__GOLIVE_PY_END__") for line in value.split("\n")))
    workdir = temp_workdir()
    try:
        marks = [markers(c) for _name, c in BASH]
        with_marks = [fill(c.text, c.placeholders, m) for (_n, c), m in zip(BASH, marks, strict=True)]
        with_value = [
            fill(c.text, c.placeholders, dict.fromkeys(m, value)) for (_n, c), m in zip(BASH, marks, strict=True)
        ]
        read_marks, read_value = record(with_marks, workdir), record(with_value, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    for (name, command), m, filled, a, b in zip(BASH, marks, with_marks, read_marks, read_value, strict=True):
        joined = "".join(a)
        assert all(mark in joined for mark in m.values()), f"{name}: a placeholder never reached bash: {filled!r}"
        assert find_placeholders(filled) == (), f"{name}: something placeholder-like is left: {filled!r}"
        assert b == expected(a, command, m, value), f"{name}: the value did not arrive whole"


def _splits(value: str) -> bool:
    try:
        shlex.split(value)
    except ValueError:
        return False
    return True


@settings(max_examples=50, deadline=None)
@given(value=st.one_of(st.just(HOSTILE), VALUES))
def test_python_placeholders_become_the_string_a_person_would_type(value: str) -> None:
    for name, command in PYTHON:
        marks = markers(command)
        a = ast.parse(fill(command.text, command.placeholders, marks))
        b = ast.parse(fill(command.text, command.placeholders, dict.fromkeys(marks, value)))
        strings_a = [n.value for n in ast.walk(a) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        strings_b = [n.value for n in ast.walk(b) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        assert any(m in s for s in strings_a for m in marks.values()), name
        for mark in marks.values():
            strings_a = [s.replace(mark, value) for s in strings_a]
        assert strings_b == strings_a, name


def test_seed_002_account_id_runs_as_a_person_would_type_it(tmp_path: Path) -> None:
    """L65 `arn:aws:iam::${YOUR_ACCOUNT_ID}:policy/…` with 123 is `arn:aws:iam::123:policy/…`, not `${123}`."""
    command = next(c for name, c in BASH if name.startswith("002") and c.line == 63)
    filled = fill(command.text, command.placeholders, {"ACCOUNT_ID": "123", "IAM_ROLE_USER_FOR_MONITOR": "r"})
    assert "--policy-arn arn:aws:iam::123:policy/DaylilyWorksetMonitorPolicy" in filled
    (words,) = record([filled], tmp_path)
    assert words[0].split("\x1f")[:-1][-2:] == ["--policy-arn", "arn:aws:iam::123:policy/DaylilyWorksetMonitorPolicy"]


def test_heredoc_values_are_written_into_the_file_unquoted() -> None:
    """Seed 004 L97: a `.env` written by `cat <<EOF` gets the value itself, not a quoted copy."""
    path = seed("004")
    block = next(i for _s, i in parse_file(path).walk() if isinstance(i, Commands) and i.line == 90)
    heredoc = next(c for c in block.commands if c.line == 97)
    assert {p.quoting for p in heredoc.placeholders} == {"heredoc"}
    filled = fill(heredoc.text, heredoc.placeholders, {"ADMIN_PASSWORD": "p@ss word$1"})
    assert "ADMIN_PASSWORD=p@ss word\\$1\n" in filled


def test_placeholders_in_a_trailing_comment_are_never_asked() -> None:
    assert find_placeholders("systemctl restart api  # see <runbook-link>") == ()
    assert [p.text for p in find_placeholders("echo ${YOUR_TOKEN} $YOUR_USER")] == ["${YOUR_TOKEN}", "$YOUR_USER"]
