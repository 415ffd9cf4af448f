"""Splitting a shell block into whole commands, as bash would read it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from golive.parse.shell import split_commands


def commands(text: str) -> list[tuple[int, int, str]]:
    return [(s.line, s.end_line, s.text) for s in split_commands(text.split("\n"), 10) if s.kind == "command"]


def test_one_command_per_line_with_comments_and_blanks() -> None:
    segs = split_commands(["# go there", "cd /tmp", "", "ls -la  # list"], 1)
    assert [(s.kind, s.line) for s in segs] == [("comment", 1), ("command", 2), ("blank", 3), ("command", 4)]
    assert segs[3].note == "list"


def test_backslash_continuation_is_one_command() -> None:
    text = "aws sns create-topic \\\n    --name alerts \\\n    --region us-west-2\necho next"
    assert commands(text) == [
        (10, 12, "aws sns create-topic \\\n    --name alerts \\\n    --region us-west-2"),
        (13, 13, "echo next"),
    ]


def test_heredoc_is_kept_whole_with_its_body() -> None:
    text = "cat > .env <<EOF\nA=1\n# not a comment\nEOF\nchmod 600 .env"
    assert [c[:2] for c in commands(text)] == [(10, 13), (14, 14)]


def test_quoted_heredoc_and_dash_heredoc() -> None:
    text = "python3 << 'PY'\nprint('x')\nPY\ncat <<-END\n\tbody\n\tEND\ntrue"
    assert [c[:2] for c in commands(text)] == [(10, 12), (13, 15), (16, 16)]


def test_multiline_quote_and_command_substitution() -> None:
    text = (
        "curl -X POST http://x \\\n  -d '{\n    \"a\": 1\n  }'\nTOKEN=$(curl -s \\\n  http://y | jq -r .t)\necho $TOKEN"
    )
    assert [c[:2] for c in commands(text)] == [(10, 13), (14, 15), (16, 16)]


def test_compound_commands_and_trailing_operators() -> None:
    text = "\n".join(
        [
            *["if [ -f x ]; then", "  echo yes", "fi", "for i in 1 2; do", "  echo $i", "done"],
            *["make build &&", "  make test", "f() {", "  echo hi", "}"],
        ]
    )
    assert [c[:2] for c in commands(text)] == [(10, 12), (13, 15), (16, 17), (18, 20)]


def test_hash_inside_words_and_expansions_is_not_a_comment() -> None:
    segs = split_commands(['echo "a # b" ${#x} $# url#frag'], 1)
    assert segs[0].kind == "command" and segs[0].note == ""


def test_unterminated_quote_runs_to_the_end_and_says_so() -> None:
    segs = split_commands(["echo 'never closed", "more"], 1)
    assert len(segs) == 1 and segs[0].unterminated and segs[0].end_line == 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab $'\"\\`(){};|&<>#-\nEOF", max_size=30), max_size=12))
def test_any_text_splits_without_error_and_keeps_every_line(lines: list[str]) -> None:
    flat = "\n".join(lines).split("\n")
    segs = split_commands(flat, 1)
    covered = sorted(n for s in segs for n in range(s.line, s.end_line + 1))
    assert covered == list(range(1, len(flat) + 1))
