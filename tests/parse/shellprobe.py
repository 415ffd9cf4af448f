"""Bash's own reading of a command, without running it: every simple command records its words.

`safe_rewrite` puts `__rec` in front of every simple command and sends every file redirection to
/dev/null; `record` evaluates the rewritten commands in a bash with an empty PATH (nothing external
can start), the builtins that act on the system disabled, and one record per simple command: its
words as bash expanded them, and what it got on stdin (a heredoc's body, as bash expanded it).

The rewrite reads the command with golive's quoting scanner. That is sound for the property it
serves: the test compares the records of a command filled with a hostile value against the same
command filled with a plain marker, so any place where golive and bash read the text differently
changes the words (or loses the marker) and fails the comparison instead of hiding it.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from golive.parse.quoting import shell_contexts

KEYWORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in"}
KEYWORDS |= {"function", "{", "}", "[[", "]]", "!", "time", "select", "coproc"}
STARTERS = {"then", "do", "else", "elif", "if", "while", "until", "!", "{", "time"}
BREAK = " \t\n;&|()<>"
INERT = ("single", "ansi", "comment", "heredoc-literal", "heredoc-end")
# Builtins that would act on the system if a simple command escaped the rewrite.
DISABLED = "kill exec cd pushd popd source . trap ulimit umask wait suspend logout disown bind hash alias history fc"

DRIVER = r"""
exec 3>>"$REC" </dev/null
enable -n DISABLED
__rec() {
  local body="" words
  if [[ ! -t 0 ]]; then IFS= read -r -d '' body || true; fi
  builtin printf -v words '%s\x1f' "$@"
  builtin printf '%s\x1e%s\x1d' "$words" "$body" >&3
}
while IFS= read -r -d '' __cmd; do
  builtin printf '\x1cBEGIN\x1d' >&3
  ( eval "$__cmd" ) </dev/null >/dev/null 2>&1
done < "$CMDS"
true
"""


def safe_rewrite(text: str) -> str:
    ctx = shell_contexts(text)
    out: list[str] = []
    i, n = 0, len(text)
    at_command = True
    while i < n:
        c = text[i]
        if ctx[i] in INERT or (ctx[i] in ("double", "heredoc") and not text.startswith("$(", i)):
            out.append(c)
            i += 1
            continue
        if text.startswith("$(", i) and not text.startswith("$((", i):
            out.append("$(")
            i += 2
            at_command = True
            continue
        if c == "\\":
            if at_command:
                out.append("__rec ")
                at_command = False
            out.append(text[i : i + 2])
            i += 2
            continue
        if c in " \t":
            out.append(c)
            i += 1
            continue
        if c in "<>" or (c == "&" and text.startswith("&>", i)):
            i = _redirection(text, ctx, i, out)
            continue
        if c in "\n;&|(`":
            out.append(c)
            i += 1
            at_command = True
            continue
        if c == ")":
            out.append(c)
            i += 1
            at_command = False
            continue
        if at_command:
            word = _word(text, ctx, i)
            if word in KEYWORDS:
                out.append(word)
                i += len(word)
                at_command = word in STARTERS
                continue
            out.append("__rec ")
            at_command = False
        out.append(c)
        i += 1
    return "".join(out)


def _word(text: str, ctx: list[str], i: int) -> str:
    j = i
    while j < len(text) and (ctx[j] != "none" or text[j] not in BREAK):
        j += 1
    return text[i:j]


def _redirection(text: str, ctx: list[str], i: int, out: list[str]) -> int:
    """Copy a redirection; a file target becomes /dev/null. Heredocs, here-strings and dups stay."""
    for keep in ("<<<", "<<", "<(", ">(", ">&", "<&"):
        if text.startswith(keep, i):
            out.append(keep)
            return i + len(keep)
    op = next(o for o in ("&>>", "&>", ">>", ">|", "<>", ">", "<") if text.startswith(o, i))
    j = i + len(op)
    while j < len(text) and text[j] in " \t":
        j += 1
    target = _word(text, ctx, j)
    out.append(f"{op} /dev/null")
    return j + len(target)


def record(commands: list[str], workdir: Path) -> list[list[str]]:
    """Per command: the sorted records of its simple commands (words and stdin, as bash made them)."""
    empty = workdir / "empty-path"
    empty.mkdir(exist_ok=True)
    cmds, rec = workdir / "cmds", workdir / "rec"
    cmds.write_bytes(b"".join(safe_rewrite(c).encode() + b"\0" for c in commands))
    rec.write_bytes(b"")
    script = DRIVER.replace("DISABLED", DISABLED)
    env = {"PATH": str(empty), "HOME": str(workdir), "LC_ALL": "C.UTF-8", "REC": str(rec), "CMDS": str(cmds)}
    subprocess.run(
        ["/bin/bash", "--norc", "--noprofile", "-c", script],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=True,
    )
    groups = rec.read_bytes().decode("utf-8", "surrogateescape").split("\x1cBEGIN\x1d")[1:]
    return [sorted(g.split("\x1d")[:-1]) for g in groups]


def temp_workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="golive-probe-"))
