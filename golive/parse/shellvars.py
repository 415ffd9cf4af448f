"""The shell variables a command reads without setting them itself: what must be set before it runs.

`curl -H "Authorization: Bearer $TOKEN"` with TOKEN unset sends `Bearer ` and may still exit 0, so
golive asks for such a variable (or pauses naming it) instead of running on with an empty value.
Only what bash would expand counts: not single quotes, `$'…'`, comments, heredocs with a quoted
delimiter (an awk or Python program in quotes is never read); not positional and special parameters
(`$1`, `$?`, `$#`, `$@`); not `${X:-default}`, `${X-…}`, `${X:+…}`, `${#X}`, `${!X}`, whose writer
meant an unset value to be fine; not a variable the command sets itself anywhere (`for f in …`,
`X=…`, `read a b`, `local`, `printf -v`, `mapfile`); and nothing at all in a command that sources a
file or evals text, since what those set cannot be read from the text. Pure functions.
"""

from __future__ import annotations

import re

from golive.parse.quoting import shell_contexts

# Where bash expands `$NAME`.
_EXPANDS = ("none", "double", "heredoc")
_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))")
# After `${NAME`: these make an unset NAME the writer's intent (a default, an alternative, an error of its own).
_UNSET_IS_MEANT = re.compile(r":?[-=+?]")
# Names bash sets itself, or that are only ever read as "maybe set".
BASH_OWN = frozenset(
    {
        *("BASH", "BASHOPTS", "BASHPID", "BASH_ALIASES", "BASH_ARGC", "BASH_ARGV", "BASH_ARGV0", "BASH_CMDS"),
        *("BASH_COMMAND", "BASH_LINENO", "BASH_REMATCH", "BASH_SOURCE", "BASH_SUBSHELL", "BASH_VERSINFO"),
        *("BASH_VERSION", "COLUMNS", "COMP_CWORD", "DIRSTACK", "EPOCHREALTIME", "EPOCHSECONDS", "EUID"),
        *("FUNCNAME", "GROUPS", "HISTCMD", "HOSTNAME", "HOSTTYPE", "IFS", "LINENO", "LINES", "MACHTYPE"),
        *("OLDPWD", "OPTARG", "OPTIND", "OSTYPE", "PIPESTATUS", "PPID", "PS1", "PS2", "PS3", "PS4", "PWD"),
        *("RANDOM", "REPLY", "SECONDS", "SHELLOPTS", "SHLVL", "SRANDOM", "UID"),
    }
)
# Commands whose effect on variables cannot be read from the text.
_OPAQUE = re.compile(r"(?:^|[\s;&|(`{])(?:source|\.|eval|set\s+-a|set\s+-o\s+allexport)(?=\s)|\bexport\s+\$\(")
# Commands that set the variables named after them (options and their values are over-counted: harmless).
_SETTERS = re.compile(
    r"(?:^|[\s;&|(`{!])(read|mapfile|readarray|local|declare|typeset|readonly|export|getopts|printf\s+-v|for|select)"
    r"\s+([^;&|\n<>()]*)"
)
_ASSIGNMENT = re.compile(r"(?:^|[\s;&|(`{!])([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]\n]*\])?\+?=")
_WORD = re.compile(r"(?<![-\w$/.])([A-Za-z_][A-Za-z0-9_]*)(?![\w/.])")


def assigned_here(text: str, contexts: list[str] | None = None) -> set[str]:
    """Every variable the command sets itself, wherever in it (a loop may set it after its first read);
    not `X=$X` in a heredoc or quotes, which is text."""
    contexts = contexts if contexts is not None else shell_contexts(text)
    names = {m.group(1) for m in _ASSIGNMENT.finditer(text) if contexts[m.start(1)] == "none"}
    for m in _SETTERS.finditer(text):
        if contexts[m.start(1)] != "none":
            continue
        words = m.group(2)
        if m.group(1) in ("for", "select"):
            words = words.split(" in ", 1)[0]
        names.update(w.group(1) for w in _WORD.finditer(words))
    return names


def read_unset_candidates(text: str) -> list[str]:
    """The variables `text` (bash) reads that it does not set itself, in order of first use.

    Whether each is set is the session's to say (run/commandstep.py asks it)."""
    if "$" not in text or _OPAQUE.search(text):
        return []
    contexts: list[str] | None = None
    own: set[str] | None = None
    out: list[str] = []
    for m in _REFERENCE.finditer(text):
        name = m.group(1) or m.group(2)
        if name in out or name in BASH_OWN:
            continue
        start = m.start()
        if m.group(1) is not None and _UNSET_IS_MEANT.match(text, m.end()):
            continue
        if start > 0 and text[start - 1] == "$":
            continue  # `$$NAME`: the process id, then a word
        if _escaped(text, start):
            continue
        contexts = contexts if contexts is not None else shell_contexts(text)
        if contexts[start] not in _EXPANDS:
            continue
        own = own if own is not None else assigned_here(text, contexts)
        if name in own:
            continue
        out.append(name)
    return out


def _escaped(text: str, at: int) -> bool:
    """`\\$X` is a literal dollar sign: an odd number of backslashes before it."""
    k = at
    while k > 0 and text[k - 1] == "\\":
        k -= 1
    return (at - k) % 2 == 1


_DECLARED = re.compile(r"^declare -[a-zA-Z-]+ ([A-Za-z_][A-Za-z0-9_]*)=", re.M)


def set_in_dump(dump: str) -> set[str]:
    """Names that hold a value in a session's `declare -p` output (scalars, arrays, exported or not).
    A `declare -- X` without `=` is declared but unset, as `[[ -v X ]]` says."""
    return set(_DECLARED.findall(dump))


def judges_pipe(text: str) -> bool:
    """Whether golive judges the exit status of each side of the command's last pipeline (as
    `set -o pipefail` would): a command with a pipe, and no `||` that says a failure is handled."""
    if "|" not in text:
        return False
    contexts = shell_contexts(text)
    pipe = False
    i = 0
    while i < len(text):
        if text[i] == "|" and contexts[i] == "none":
            if text.startswith("||", i):
                return False  # `a | b || true`: the writer handles a failure; pipefail would agree
            pipe = True
        i += 1
    return pipe
