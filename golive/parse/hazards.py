"""What makes a command unsafe to run as written: destruction, no return, another platform, sudo.

Each rule is a row in a table so it can be read, tested and extended in one place.
All functions are pure: text in, findings out.
"""

from __future__ import annotations

import re

from golive.model import Mode
from golive.parse.placeholders import fill, find_placeholders, upper_snake
from golive.parse.quoting import shell_contexts

__all__ = ["fill", "find_placeholders", "upper_snake"]  # their home is placeholders.py

_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE", re.I)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


# --- destructive commands ---------------------------------------------------------------------
#
# Destructive is a class, not a list: every row names a kind of harm, and the first row that
# matches gives the reason shown to the operator. Rows are tried after a cheap keyword test.

_NAMED: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bdropdb\b"), "drops a database"),
    (re.compile(r"\bDROP\s+(TABLE|DATABASE|SCHEMA|INDEX|VIEW)\b", re.I), "drops database objects"),
    (re.compile(r"\bTRUNCATE\s+(TABLE\s+)?\w", re.I), "truncates a table"),
    (re.compile(r"\bDELETE\s+FROM\b(?![^;]*\bWHERE\b)", re.I), "deletes every row of a table"),
    (re.compile(r"\brm\s+(-[a-zA-Z]*[rR][a-zA-Z]*|--recursive)\b"), "removes files recursively"),
    (re.compile(r"(?:^|[\s;&|(])(?:sudo\s+)?kill(?:all)?\s"), "kills processes"),
    (re.compile(r"\bpkill\b"), "kills processes by name"),
    (re.compile(r"\bgit\s+push\b.*(\s--force\b|\s-f\b|--force-with-lease)"), "rewrites remote history"),
    (re.compile(r"\bgit\s+reset\s+--hard\b"), "discards local changes"),
    (re.compile(r"\bgit\s+clean\s+-[a-zA-Z]*f"), "deletes untracked files"),
    (re.compile(r"\baws\s+\S+\s+(delete|remove|terminate|rm)[\w-]*"), "deletes cloud resources"),
    (re.compile(r"\baws\s+s3\s+rm\b"), "deletes cloud objects"),
    (re.compile(r"\bkubectl\s+delete\b"), "deletes cluster resources"),
    (re.compile(r"\bdocker\s+(rm|rmi|system\s+prune|volume\s+rm)\b"), "removes containers or data"),
    (re.compile(r"\bdocker[- ]compose\s+down\b.*\s-v\b"), "removes volumes"),
    (re.compile(r"\bredis-cli\b.*\bFLUSH(ALL|DB)\b", re.I), "empties Redis"),
    (re.compile(r"\bmkfs\b|\bdd\s+.*\bof=/dev/"), "overwrites a device"),
    (re.compile(r"\balembic\s+downgrade\b"), "downgrades the database schema"),
    (re.compile(r"-X\s*DELETE\b|--request\s+DELETE\b"), "sends an HTTP DELETE"),
    (re.compile(r"\bterraform\s+destroy\b"), "destroys infrastructure"),
]
_NAMED_WORDS: tuple[str, ...] = ("drop", "truncate", "delete", "rm", "kill", "push", "reset", "clean", "aws")
_NAMED_WORDS += ("kubectl", "docker", "flush", "mkfs", "dd ", "alembic", "terraform")

# A subcommand (or flag) of any CLI that deletes or replaces: `aws dynamodb delete-table`,
# `gcloud … instances delete`, `helm uninstall`, `find … -delete`, `backup.py --restore FILE`.
_VERBS = {
    "delete": "deletes", "del": "deletes", "remove": "removes", "rm": "removes", "rmi": "removes",
    "rmdir": "removes", "erase": "erases", "purge": "purges", "wipe": "wipes", "nuke": "wipes",
    "drop": "drops", "truncate": "truncates", "destroy": "destroys", "terminate": "terminates",
    "prune": "prunes", "flush": "empties", "flushall": "empties", "flushdb": "empties",
    "uninstall": "removes", "deregister": "removes", "unregister": "removes",
    "restore": "restores over live data",
}  # fmt: skip
_VERB = re.compile(r"(?:[\w-]+:)?(" + "|".join(_VERBS) + r")(?:[-_:][\w-]*)?", re.I)  # `apps:destroy`, `db:drop`
# Programs whose words are data (a message, a pattern), never subcommands.
_DATA_PROGRAMS = {"echo", "printf", "grep", "egrep", "fgrep", "rg", "ag", "sed", "awk", "cat", "less", "more"}
_DATA_PROGRAMS |= {"head", "tail", "ls", "wc", "sort", "uniq", "cut", "tr", "jq", "yq", "man", "which", "type"}
_DATA_PROGRAMS |= {"test", "[", "true", "false", "sleep", "date", "stat", "file", "diff", "export", "declare"}
_DATA_PROGRAMS |= {"local", "read", "set", "unset", "cd", "pushd", "source", ".", "git-log", "history", "tee"}
_WRAPPERS = {"sudo", "env", "nohup", "time", "exec", "command", "nice", "ionice", "doas"}
_DELETE_PROGRAMS = {"rm": "removes files", "rmdir": "removes directories", "shred": "destroys files"}
_DELETE_PROGRAMS |= {"unlink": "removes a file", "wipefs": "wipes a device", "truncate": "empties files"}
# Live data a command can overwrite: a `.env` (the running system's secrets), a database file, system state.
# (A config file a deployment writes, like `config.json`, is the deployment itself, not live data.)
_LIVE = re.compile(r"(^|/)\.env(\.[\w.-]+)?$|\.(db|sqlite3?)$|^/(etc|var/lib)/")
_COPIES = {"cp", "mv", "install", "rsync", "scp"}
_RESTORES = re.compile(r"^(psql|mysql|mariadb|sqlite3|mongo|mongosh|redis-cli)$")
_WARNS = re.compile(
    r"cannot be undone|can ?not be undone|can't be undone|irreversibl|irrevocabl|\bcaution\b|\bdanger|"
    r"\bdestructive\b|permanently|data loss|\bwarning\b",
    re.I,
)
# Which commands are worth reading word by word (most are not): a delete-like word, a live-data
# path, a copy, or a dump loaded into a database.
_CLASS_HINT = re.compile(
    r"\b("
    + "|".join(_VERBS)
    + r"|rm|shred|unlink|wipefs|pg_restore|cp|mv|install|rsync|scp)\b"
    + r"|\.env\b|\.(?:db|sqlite3?)\b|/(?:etc|var/lib)/"
    + r"|\b(psql|mysql|mariadb|sqlite3|mongo|mongosh|redis-cli)\b[^|;&]*<",
    re.I,
)


class _Simple:
    """One simple command as bash splits it: its words (quotes removed) and its redirections."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.redirects: list[tuple[str, str]] = []  # (operator, target)

    @property
    def program_at(self) -> int:
        """Index of the program word: after assignments and wrappers like sudo (and sudo's options)."""
        i, n = 0, len(self.words)
        while i < n:
            w = self.words[i]
            if re.match(r"^[A-Za-z_]\w*=", w):
                i += 1
            elif w in _WRAPPERS:
                i += 1
                while i < n and self.words[i].startswith("-"):
                    i += 2 if self.words[i] in ("-u", "-g", "-n") else 1
            else:
                return i
        return n


def _simple_commands(code: str) -> list[_Simple]:
    """The simple commands of a command, read with bash's quoting (heredoc bodies and comments left out)."""
    contexts = shell_contexts(code)
    out = [_Simple()]
    word: list[str] = []
    pending_op = ""

    def end_word() -> None:
        nonlocal pending_op
        if word:
            text = "".join(word)
            if pending_op:
                out[-1].redirects.append((pending_op, text))
                pending_op = ""
            else:
                out[-1].words.append(text)
            word.clear()

    i, n = 0, len(code)
    while i < n:
        c, context = code[i], contexts[i]
        if context in ("comment", "heredoc", "heredoc-literal", "heredoc-end"):
            i += 1
            continue
        if context != "none" or c not in " \t\n;&|()<>":
            if not (context == "none" and c in "'\""):
                word.append(c)
            i += 1
            continue
        end_word()
        if c in "<>":
            op = re.match(r"[<>]+[|&]?", code[i:]).group(0)  # type: ignore[union-attr]
            if op not in ("<<", "<<-", "<<<") and not op.endswith("&"):
                pending_op = op
            i += len(op)
            continue
        if c in "\n;&|()":
            out.append(_Simple())
        i += 1
    end_word()
    return [s for s in out if s.words or s.redirects]


def _class_reason(code: str) -> str:
    """Destructive by what the command does: delete-like subcommands, overwrites, restores."""
    for simple in _simple_commands(code):
        at = simple.program_at
        if at >= len(simple.words):
            continue
        program = simple.words[at].rsplit("/", 1)[-1]
        args = simple.words[at + 1 :]
        why = _what_it_destroys(program, args, simple.redirects)
        if why:
            return why
    return ""


def _what_it_destroys(program: str, args: list[str], redirects: list[tuple[str, str]]) -> str:
    for op, target in redirects:
        if op in (">", ">|", "&>") and _LIVE.search(target):
            return _overwrites(target)
        if op == "<" and _RESTORES.match(program):
            return f"loads {target.rsplit('/', 1)[-1]} into a live database"
    if program in _DELETE_PROGRAMS and not all(a.startswith(("-", "/tmp/")) for a in args):
        return _DELETE_PROGRAMS[program]
    if program in _COPIES:
        destination = next((a for a in reversed(args) if not a.startswith("-")), "")
        if _LIVE.search(destination):
            return _overwrites(destination)
    if program == "pg_restore" and any(a in ("-d", "--clean", "-c") or a.startswith("--dbname") for a in args):
        return "restores a dump into a live database"
    if program in _DATA_PROGRAMS:
        return ""
    for arg in args:
        token = arg.lstrip("-")
        m = _VERB.fullmatch(token)
        if m and "/" not in token and "." not in token:
            return f"`{program} … {arg}` {_VERBS[m.group(1).lower()]}"
    return ""


def _overwrites(target: str) -> str:
    """Named by the file, not its folder: a profile that moves the folder leaves the reason true."""
    name = target.rstrip("/").rsplit("/", 1)[-1]
    where = next((f" under {d}" for d in ("/etc/", "/var/lib/") if target.startswith(d)), "")
    return f"overwrites {name}{where}"


def destructive_reason(text: str, comments: tuple[str, ...] = (), note: str = "") -> str:
    """Why a command is destructive ("" when it is not): the first rule of the table that matches."""
    code = _code_only(text)
    why = _first_rule(_NAMED_WORDS, _NAMED, code)
    if why:
        return why
    if _CLASS_HINT.search(code):
        why = _class_reason(code)
        if why:
            return why
    warning = next((c for c in (*comments, note) if _WARNS.search(c)), "")
    return f"the checklist warns: {warning.strip()}" if warning else ""


def _first_rule(keywords: tuple[str, ...], table: list[tuple[re.Pattern[str], str]], code: str) -> str:
    """The reason of the first row of `table` that matches `code` ("" when none does).

    A row can only match when one of its table's keywords is in the command: that plain substring
    test runs first, so the regexes run on the few commands that could need them.
    """
    low = code.lower()
    if not any(k in low for k in keywords):
        return ""
    return next((why for pattern, why in table if pattern.search(code)), "")


def _code_only(text: str) -> str:
    """The command without whole-line comments (a comment never runs)."""
    if "#" not in text:
        return text
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith("#"))


# --- commands that never return, and services ---------------------------------------------------

_FOLLOW: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\btail\s+(?:[^|;&]*\s)?-[a-zA-Z]*[fF]"), "tail -f follows a file forever"),
    (re.compile(r"\bdocker[- ]compose\s+(?:[^|;&]*\s)?logs\s+(?:[^|;&]*\s)?(-f|--follow)\b"), "follows logs"),
    (re.compile(r"\bdocker\s+logs\s+(?:[^|;&]*\s)?(-f|--follow)\b"), "follows logs"),
    (re.compile(r"\bkubectl\s+logs\s+(?:[^|;&]*\s)?(-f|--follow)\b"), "follows logs"),
    (re.compile(r"\bjournalctl\s+(?:[^|;&]*\s)?(-[a-zA-Z]*f[a-zA-Z]*|--follow)\b"), "follows the journal"),
    (re.compile(r"\bpm2\s+logs\b(?!.*--nostream)"), "pm2 logs streams forever"),
    (re.compile(r"(?:^|[\s;&|])watch\s"), "watch repeats forever"),
    (re.compile(r"(?:^|[\s;&|])(top|htop)\b(?!.*\s-b\b.*\s-n)"), "an interactive monitor"),
    (re.compile(r"\bless\s+\+F\b"), "less +F follows a file"),
    (re.compile(r"\bping\s(?![^|;&]*\s-c\s)"), "ping without -c never stops"),
]

_SERVICE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:^|[\s;&|/])uvicorn\s"), "uvicorn serves until stopped"),
    (re.compile(r"(?:^|[\s;&|/])gunicorn\s"), "gunicorn serves until stopped"),
    (re.compile(r"(?:^|[\s;&|/])(hypercorn|daphne|waitress-serve)\s"), "an ASGI/WSGI server"),
    (re.compile(r"\bflask\s+run\b"), "flask run serves until stopped"),
    (re.compile(r"\bmanage\.py\s+runserver\b"), "runserver serves until stopped"),
    (re.compile(r"\b(npm|yarn|pnpm)\s+(run\s+)?(start|dev|serve)\b"), "starts a dev/prod server"),
    (re.compile(r"\bnode\s+\S*(server|app|index|main)\.(c|m)?js\b"), "a Node.js server"),
    (re.compile(r"\brails\s+(s|server)\b"), "rails server"),
    (re.compile(r"\bphp\s+artisan\s+serve\b"), "artisan serve"),
    (re.compile(r"\bpython3?\s+-m\s+http\.server\b"), "a static file server"),
    (re.compile(r"\bcelery\s+.*\bworker\b"), "a celery worker"),
    (re.compile(r"\bdocker[- ]compose\s+up\b(?!.*\s(-d|--detach)\b)"), "compose up in the foreground"),
    (re.compile(r"\bpython3?\s+\S*(bot|server|serve|worker|daemon|dashboard|app)\.py\b"), "a long-running script"),
    (re.compile(r"\bredis-server\b(?!.*--daemonize\s+yes)"), "redis-server in the foreground"),
]
_BACKGROUND = re.compile(r"&\s*(?:#.*)?$")
_NOT_BACKGROUND = re.compile(r"&&\s*(?:#.*)?$")
_PORT = [
    re.compile(r"--port[ =](\d{2,5})"),
    re.compile(r"--bind[ =]\S*:(\d{2,5})"),
    re.compile(r"(?:^|\s)-b\s+\S*:(\d{2,5})"),
    re.compile(r"(?:^|\s)-p\s+(\d{2,5})\b"),
    re.compile(r"http\.server\s+(\d{2,5})"),
    re.compile(r"\brunserver\s+\S*?:?(\d{2,5})\b"),
]


_STARTS_SERVICE = re.compile(
    r"\b(start|starts|starting|launch|run|deploy)\b.*\b(server|api|app|application|service|bot|worker|ui|daemon)\b",
    re.I,
)
_MANAGED = re.compile(
    r"^\s*(sudo\s+)?(systemctl|service|supervisorctl|pm2|docker|docker-compose|kubectl|helm|launchctl|nohup|"
    r"curl|wget|echo|export|cd|source|sleep|pip|npm\s+(ci|install|run\s+build)|git)\b"
)
_SERVER_FLAGS = re.compile(r"\s--(port|bind|host|listen)\b|\s-p\s+\d{2,5}\b")


def execution_mode(text: str, context: str = "") -> tuple[Mode, str]:
    """Whether a command runs to completion, is followed for a window, or is a service.

    `context` is what the checklist says around the command (its comments and heading):
    "# Start API server" over `./bin/api --port 8000` names a foreground service.
    """
    mode, why = _mode_of(text)
    if mode is Mode.RUN and context and _STARTS_SERVICE.search(context):
        code = _code_only(text)
        if _SERVER_FLAGS.search(code) and not _MANAGED.search(code):
            return Mode.SERVICE, "the checklist says it starts a server, and it takes a port"
    return mode, why


def _mode_of(text: str) -> tuple[Mode, str]:
    code = _code_only(text)
    last = code.rstrip().split("\n")[-1] if code.strip() else ""
    if _BACKGROUND.search(last) and not _NOT_BACKGROUND.search(last):
        return Mode.SERVICE, "ends with `&`: starts a background process"
    why = _first_rule(_FOLLOW_WORDS, _FOLLOW, code)
    if why:
        return Mode.OBSERVE, why
    why = _first_rule(_SERVICE_WORDS, _SERVICE, code)
    if why:
        return Mode.SERVICE, why
    return Mode.RUN, ""


_FOLLOW_WORDS = ("tail", "logs", "journalctl", "watch", "top", "less", "ping")
_SERVICE_WORDS = (
    "uvicorn",
    "gunicorn",
    "hypercorn",
    "daphne",
    "waitress",
    "flask",
    "runserver",
    "npm",
    "yarn",
    "pnpm",
    "node",
    "rails",
    "artisan",
    "http.server",
    "celery",
    "compose",
    "python",
    "redis-server",
)


def service_port(text: str) -> int | None:
    for pattern in _PORT:
        m = pattern.search(text)
        if m:
            return int(m.group(1))
    return None


# --- platform and privileges ----------------------------------------------------------------------

_WINDOWS = re.compile(
    r"\\Scripts\\activate|^\s*\$env:|\.ps1\b|\b(Set-|Get-|New-|Remove-|Start-|Stop-)[A-Z]\w+|"
    r"^\s*(cmd\s*/c|set\s+\w+=|dir\s|copy\s|del\s|rmdir\s|xcopy\s|where\s)|C:\\",
    re.M,
)
_WINDOWS_NOTE = re.compile(r"\bwindows\b", re.I)
_SUDO = re.compile(r"(?:^|[\s;&|(])sudo\s")


def platform_of(text: str, note: str = "") -> str:
    """'windows' when a command is written for Windows; '' when it is for this machine."""
    if _WINDOWS.search(_code_only(text)) or (_WINDOWS_NOTE.search(note) and "linux" not in note.lower()):
        return "windows"
    return ""


def uses_sudo(text: str) -> bool:
    return bool(_SUDO.search(_code_only(text)))


# --- other languages written in a shell block -----------------------------------------------------

_PYTHON_LINE = re.compile(
    r"^\s*(from\s+[\w.]+\s+import\s|import\s+[\w.]+(\s+as\s+\w+)?\s*$|def\s+\w+\(|class\s+\w+[(:]|"
    r"print\(|[A-Za-z_][\w.]*\.[A-Za-z_]\w*\(.*\)\s*$|[a-z_]\w*\s*=\s*[\w.]+\()"
)


def looks_like_python(lines: list[str]) -> bool:
    """True when the code lines of a block read as Python rather than shell."""
    code = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not code:
        return False
    hits = sum(1 for line in code if _PYTHON_LINE.match(line))
    return hits == len(code) or (hits >= 2 and hits * 3 >= len(code) * 2 and _PYTHON_LINE.match(code[0]) is not None)
