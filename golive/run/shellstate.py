"""What a shell session holds and how it is carried over: `ShellState`, the scalar variables
read from a `declare -p` dump, its settings (`set -o`, `shopt`, traps: a resumed session under
`set -e` must fail where the first would have), the script that restores a dump in a new session, and what is kept
of it after each command (`keep`): all of it sealed in the vault for a resume on this machine, and
in the record only what holds no secret (the names of the rest, and the step that set each)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# Variables a new session must not take from a dump: bash owns them.
_SPECIAL = re.compile(
    r"^(BASH\w*|SHELLOPTS|EUID|UID|PPID|GROUPS|FUNCNAME|LINENO|RANDOM|SRANDOM|SECONDS|EPOCH\w+|HISTCMD|"
    r"PIPESTATUS|DIRSTACK|_|COMP\w*|OPTIND|OPTARG|SHLVL|PWD|OLDPWD|__golive\w*|GOLIVE_STEP|GOLIVE_SESSION|"
    r"HOSTNAME|HOSTTYPE|MACHTYPE|OSTYPE|OPTERR|PS[1-4]|MAILCHECK|HIST\w*|COLUMNS|LINES)$"
)
_DEFAULT_IFS = " \t\n"

# After the declarations, the state dump holds the session's settings (`set +o; shopt -p; trap -p`)
# below this line. Looked for from the end: a function body printed above may hold any line.
SETTINGS_MARK = "#golive-settings"
# The settings a checklist turns on or off that change what its commands do, and bash's default for
# each: only one that differs from its default is carried over (a fresh session has the rest).
_SETTING_DEFAULTS = {
    **{f"set:{n}": False for n in ("allexport", "errexit", "errtrace", "functrace", "keyword", "noclobber")},
    **{f"set:{n}": False for n in ("noglob", "nounset", "physical", "pipefail", "posix", "verbose", "xtrace")},
    "set:braceexpand": True,
    "set:hashall": True,
    **{f"shopt:{n}": False for n in ("cdable_vars", "dotglob", "execfail", "expand_aliases", "extglob")},
    **{f"shopt:{n}": False for n in ("failglob", "globstar", "gnu_errfmt", "inherit_errexit", "lastpipe")},
    **{f"shopt:{n}": False for n in ("localvar_inherit", "localvar_unset", "nocaseglob", "nocasematch")},
    **{f"shopt:{n}": False for n in ("nullglob", "xpg_echo")},
    "shopt:extquote": True,
    "shopt:sourcepath": True,
}
_SETTING_KINDS = ("set", "shopt", "trap")  # entry kinds restored last (see script_of)
_GOLIVES_TRAPS = {"INT", "SIGINT", "HUP", "SIGHUP"}  # golive's own: Ctrl-C ends a command, not the session
_SET = re.compile(r"set ([-+])o (\S+)$")
_SHOPT = re.compile(r"shopt -([su]) (\S+)$")
_TRAP = re.compile(r"trap -- '((?:[^']|'\\'')*)' (\S+)\n?", re.S)


@dataclass
class ShellState:
    """The session as it stands after a command: where it is and what is set."""

    cwd: str
    exported: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # all scalar variables, exported or not
    dump: str = ""  # declare -p / -f / alias -p text, to restore a session


_DECL = re.compile(r"declare -([a-zA-Z-]+) ([A-Za-z_][A-Za-z0-9_]*)(=?)")  # used with .match(text, pos)


def parse_declarations(dump: str) -> tuple[dict[str, str], dict[str, str]]:
    """Scalar variables of a state dump: (all, exported). Arrays and functions are skipped; the dump is
    read once (`entries`), and what to keep of it after the command is read from the same reading."""
    variables: dict[str, str] = {}
    exported: dict[str, str] = {}
    for e in entries(dump):
        if e.kind == "var" and e.value is not None and "a" not in e.flags and "A" not in e.flags:
            variables[e.name] = e.value
            if "x" in e.flags:
                exported[e.name] = e.value
    return variables, exported


_DQUOTED = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"', re.S)  # the loop unrolled: fast on long values
_UNESCAPE = re.compile(r'\\(["\\$`])')
_ANSI_C = re.compile(r"\$'([^'\\]*(?:\\.[^'\\]*)*)'", re.S)


def _read_value(text: str, i: int) -> tuple[str | None, int]:
    """Read a value as bash's `declare -p` prints it: "…" with \\-escapes, $'…', or a ( … ) array."""
    n = len(text)
    if i < n and text[i] == '"':
        m = _DQUOTED.match(text, i)  # in C: a 10 MB value must not cost seconds after every command
        if m is None:
            return text[i + 1 :], n
        return _UNESCAPE.sub(r"\1", m.group(1)), _next_line(text, m.end())
    if text.startswith("$'", i):
        q = _ANSI_C.match(text, i)
        j = q.end() - 1 if q is not None else n
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


@dataclass(frozen=True)
class Entry:
    """One thing a session holds, as bash printed it: a variable, a function or an alias."""

    kind: str  # "var" | "func" | "fexport" (a function is exported) | "alias"
    name: str
    text: str  # the declaration, definition or `alias` line, as bash can read it back
    flags: str = ""  # a variable's declare flags
    value: str | None = None  # a scalar variable's value (None: an array, or declared without a value)


_FUNC = re.compile(r"([^\s=()]+) \(\) ?$")
_ALIAS = re.compile(r"alias ([^=\s]+)=")


@lru_cache(maxsize=4)  # after each command the same dump is read for what to keep, seal and unset
def entries(dump: str) -> tuple[Entry, ...]:
    """A `declare -p; declare -f; alias -p` dump, split into what it holds; then its settings."""
    head = declarations_of(dump)
    return (*_declarations(head), *settings(dump[len(head) + len(SETTINGS_MARK) + 1 :]))


def declarations_of(dump: str) -> str:
    """The `declare -p; declare -f; alias -p` part of a dump: without the settings after it."""
    mark = dump.rfind(f"\n{SETTINGS_MARK}\n")
    return dump[: mark + 1] if mark >= 0 else dump


@lru_cache(maxsize=8)  # a session's settings seldom change from one command to the next
def settings(text: str) -> tuple[Entry, ...]:
    """`set +o; shopt -p; trap -p` output: an entry per option (`set -o errexit`, `shopt -s nullglob`)
    and per trap (`trap -- 'cleanup' EXIT`), each its own restore line."""
    found: list[Entry] = []
    i, n = 0, len(text)
    while i < n:
        trap = _TRAP.match(text, i)
        if trap:
            found.append(Entry("trap", trap.group(2), trap.group(0).rstrip("\n")))
            i = trap.end()
            continue
        end = _next_line(text, i)
        line = text[i:end].rstrip("\n")
        option = _SET.match(line) or _SHOPT.match(line)
        if option:
            kind = "set" if line.startswith("set") else "shopt"
            found.append(Entry(kind, option.group(2), line, option.group(1)))
        i = end
    return tuple(found)


def _declarations(dump: str) -> list[Entry]:
    found: list[Entry] = []
    i, n = 0, len(dump)
    while i < n:
        end = _next_line(dump, i)
        line = dump[i:end].rstrip("\n")
        m = _DECL.match(dump, i)
        if m:
            value: str | None = None
            i = m.end()
            if m.group(3):
                value, i = _read_value(dump, i)
            else:
                i = _next_line(dump, i)
            name = m.group(2)
            if "f" in m.group(1):  # `declare -fx name`: a function is exported
                found.append(Entry("fexport", name, f"export -f {name}", m.group(1)))
                continue
            found.append(Entry("var", name, dump[m.start() : i].rstrip("\n"), m.group(1), value))
            continue
        f = _FUNC.match(line)
        if f:
            # `name () ` then its body up to the `}` bash prints at the start of a line
            close = _function_end(dump, end - 1)
            found.append(Entry("func", f.group(1), dump[i:close].rstrip("\n")))
            i = close
            continue
        a = _ALIAS.match(line)
        if a:
            found.append(Entry("alias", a.group(1), line))
        i = end
    return found


def _function_end(dump: str, i: int) -> int:
    """Where a function bash printed ends: a `}` line followed by the next entry or the end (a `}` line
    inside a heredoc of its body is not its end)."""
    n = len(dump)
    while True:
        close = dump.find("\n}", i)
        if close < 0:
            return n
        after = _next_line(dump, close + 1)
        line = dump[after : _next_line(dump, after)].rstrip("\n")
        if after >= n or _FUNC.match(line) or _ALIAS.match(line) or _DECL.match(dump, after):
            return after
        i = close + 1


def portable(dump: str, base: dict[str, str] | None = None) -> list[Entry]:
    """What a new session needs of a dump to be the same shell: not bash's own variables, not
    golive's, and not the exported variables the terminal gave (`base`) unchanged."""
    base = base or {}
    kept = []
    for entry in entries(dump):
        if entry.name.startswith("__golive"):
            continue
        if entry.kind in _SETTING_KINDS and not _carried(entry):
            continue
        if entry.kind == "var":
            if _SPECIAL.match(entry.name):  # bash's own (its readonly ones among them)
                continue
            if entry.name == "IFS" and entry.value == _DEFAULT_IFS:
                continue
            if "x" in entry.flags and entry.value is not None and base.get(entry.name) == entry.value:
                continue
        kept.append(entry)
    return kept


def script_of(kept: list[Entry], dump: str = "", base: dict[str, str] | None = None) -> str:
    """The lines that restore `kept` in a new session (variables global: a script may be sourced in a
    function); with the dump and `base`, the terminal's variables the session had unset are unset again."""
    lines = [line_of(f"{e.kind}:{e.name}", e.text) for e in kept if e.kind not in _SETTING_KINDS]
    lines += [f"unset {name}" for name in unset_names(dump, base)] if dump and base else []
    lines += [e.text for e in kept if e.kind in _SETTING_KINDS]  # last: `set -eu` must not stop the restore
    return "\n".join(lines) + ("\n" if lines else "")


def _is_setting(key: str) -> bool:
    """Is kind:name a setting's key?"""
    return key.partition(":")[0] in _SETTING_KINDS


def _carried(entry: Entry) -> bool:
    """A setting a new session must be given: an option off its default, a trap of the checklist's."""
    if entry.kind == "trap":
        return entry.name not in _GOLIVES_TRAPS
    default = _SETTING_DEFAULTS.get(f"{entry.kind}:{entry.name}")
    on = entry.flags in ("-", "s")
    return default is not None and on != default


def line_of(key: str, text: str) -> str:
    """The restore line of one kept entry (kind:name -> its text)."""
    return text.replace("declare ", "declare -g ", 1) if key.startswith("var:") else text


def unset_names(dump: str, base: dict[str, str] | None) -> list[str]:
    """The terminal's variables (`base`) the session no longer has."""
    held = {e.name for e in entries(dump) if e.kind == "var"}
    return [name for name in sorted(base or {}) if name not in held and not _SPECIAL.match(name)]


def restore_script(dump: str, cwd: str, base: dict[str, str] | None = None) -> str:
    """A script that puts a new session where the old one was: variables, functions, aliases, cwd."""
    return f"cd {shlex.quote(cwd)} 2>/dev/null || true\n" + script_of(portable(dump, base), dump, base)


RECORD_MAX = 64 * 1024  # the longest entry the record keeps in clear (a longer one is sealed only)


@dataclass(frozen=True)
class Kept:
    """A session's state as kept after a command: `sealed` for the vault (secrets too), `record` for
    the store (`clear`: kind:name -> text of what holds no secret; the engine records what changed)."""

    sealed: dict[str, Any]
    record: dict[str, Any]
    texts: dict[str, str]  # kind:name -> its text, to see what the next command changes


def keep(
    state: ShellState,
    base: dict[str, str],
    secret: Callable[[str, str], bool],
    set_by: dict[str, str],
    step: str,
    before: dict[str, str],
    seq: int,
) -> Kept:
    """What to keep of `state`. `secret(name, text)` says whether an entry must stay out of the record;
    `before` (kind:name -> text) is the last kept state: what changed since was set by `step`."""
    kept = portable(state.dump, base)
    texts = _texts(kept)
    set_by = {k: v for k, v in set_by.items() if k in texts}
    for key, text in texts.items():
        if before.get(key) != text and step:
            set_by[key] = step
    # A big value (`OUT=$(kubectl get pods -o json)`) stays in the vault only: the record is no dump.
    clear = {f"{e.kind}:{e.name}": e.text for e in kept if len(e.text) <= RECORD_MAX and not secret(e.name, e.text)}
    withheld = sorted(set(texts) - set(clear))
    unset = unset_names(state.dump, base)
    sealed = {"seq": seq, "cwd": state.cwd, "script": script_of(kept, state.dump, base), "keys": sorted(texts)}
    record = {
        "cwd": state.cwd,
        "clear": clear,
        "unset": unset,
        "withheld": withheld,
        "set_by": dict(sorted(set_by.items())),
        "sealed": seq,
        "holds": {
            "variables": sum(e.kind == "var" for e in kept),
            "functions": sorted({e.name for e in kept if e.kind == "func"}),
            "aliases": sorted(e.name for e in kept if e.kind == "alias"),
            "settings": [e.text.split("\n", 1)[0] for e in kept if e.kind in _SETTING_KINDS],
        },
    }
    return Kept(sealed, record, texts)


def script_of_record(clear: dict[str, str], unset: list[str]) -> str:
    """The restore script of what the record holds: its entries (kind:name -> text) and the unset names."""
    lines = [line_of(k, t) for k, t in clear.items() if not _is_setting(k)] + [f"unset {n}" for n in unset]
    lines += [t for k, t in clear.items() if _is_setting(k)]
    return "\n".join(lines) + ("\n" if lines else "")


def fold(changes: list[dict[str, Any]]) -> dict[str, str]:
    """The entries the record holds, from each session event's changes (a text, or None: gone)."""
    clear: dict[str, str] = {}
    for change in changes:
        for key, text in change.items():
            if text is None:
                clear.pop(key, None)
            else:
                clear[key] = text
    return clear


def kept_texts(state: ShellState, base: dict[str, str]) -> dict[str, str]:
    """kind:name -> text of what a session holds now (a new or restored one: nothing in it was set by a step)."""
    return _texts(portable(state.dump, base))


def _texts(kept: list[Entry]) -> dict[str, str]:
    return {f"{e.kind}:{e.name}": e.text for e in kept}
