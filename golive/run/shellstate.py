"""What a shell session holds and how it is carried over: `ShellState`, the scalar variables
read from a `declare -p` dump, and the script that restores a dump in a new session."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

# Variables a new session must not take from a dump: bash owns them.
_SPECIAL = re.compile(
    r"^(BASH\w*|SHELLOPTS|EUID|UID|PPID|GROUPS|FUNCNAME|LINENO|RANDOM|SRANDOM|SECONDS|EPOCH\w+|HISTCMD|"
    r"PIPESTATUS|DIRSTACK|_|COMP\w*|OPTIND|OPTARG|SHLVL|PWD|OLDPWD|__golive\w*|GOLIVE_STEP)$"
)


@dataclass
class ShellState:
    """The session as it stands after a command: where it is and what is set."""

    cwd: str
    exported: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # all scalar variables, exported or not
    dump: str = ""  # declare -p / -f / alias -p text, to restore a session


_DECL = re.compile(r"declare -([a-zA-Z-]+) ([A-Za-z_][A-Za-z0-9_]*)(=?)")  # used with .match(text, pos)


def parse_declarations(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """Scalar variables from `declare -p` output: (all, exported). Arrays and functions are skipped."""
    variables: dict[str, str] = {}
    exported: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        m = _DECL.match(text, i)
        if not m:
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        flags, name, eq = m.group(1), m.group(2), m.group(3)
        i = m.end()
        if not eq:
            nl = text.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        value, i = _read_value(text, i)
        if value is None or "a" in flags or "A" in flags:
            continue
        variables[name] = value
        if "x" in flags:
            exported[name] = value
    return variables, exported


def _read_value(text: str, i: int) -> tuple[str | None, int]:
    """Read a value as bash's `declare -p` prints it: "…" with \\-escapes, $'…', or a ( … ) array."""
    n = len(text)
    if i < n and text[i] == '"':
        out = []
        i += 1
        while i < n and text[i] != '"':
            if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\$`':
                out.append(text[i + 1])
                i += 2
            else:
                out.append(text[i])
                i += 1
        return "".join(out), _next_line(text, i + 1)
    if text.startswith("$'", i):
        j = i + 2
        while j < n and text[j] != "'":
            j += 2 if text[j] == "\\" else 1
        raw = text[i + 2 : j]
        try:
            value = raw.encode("latin-1", "backslashreplace").decode("unicode_escape")
        except UnicodeDecodeError:
            value = raw
        return value, _next_line(text, j + 1)
    if i < n and text[i] == "(":
        depth, j, quote = 0, i, ""
        while j < n:
            c = text[j]
            if quote:
                if c == "\\":
                    j += 1
                elif c == quote:
                    quote = ""
            elif c in "\"'":
                quote = c
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        return None, _next_line(text, j + 1)
    end = text.find("\n", i)
    end = n if end < 0 else end
    return text[i:end], end + 1


def _next_line(text: str, i: int) -> int:
    nl = text.find("\n", i)
    return len(text) if nl < 0 else nl + 1


def restore_script(dump: str, cwd: str) -> str:
    """A script that puts a new session where the old one was: variables, functions, aliases, cwd."""
    lines = [f"cd {shlex.quote(cwd)} 2>/dev/null || true"]
    i, n = 0, len(dump)
    kept: list[str] = []
    while i < n:
        m = _DECL.match(dump, i)
        if m:
            start = i
            name, flags = m.group(2), m.group(1)
            i = m.end()
            if m.group(3):
                _value, i = _read_value(dump, i)
            else:
                i = _next_line(dump, i)
            if _SPECIAL.match(name) or "r" in flags:
                continue
            kept.append(dump[start:i].rstrip("\n").replace("declare ", "declare -g ", 1))
            continue
        nl = dump.find("\n", i)
        end = n if nl < 0 else nl + 1
        kept.append(dump[i:end].rstrip("\n"))
        i = end
    lines.extend(kept)
    return "\n".join(lines) + "\n"
