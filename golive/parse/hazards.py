"""What makes a command unsafe to run as written: placeholders, destruction, no return.

Each rule is a row in a table so it can be read, tested and extended in one place.
All functions are pure: text in, findings out.
"""

from __future__ import annotations

import re
import shlex

from golive.model import Mode, Placeholder

# --- placeholders ---------------------------------------------------------------------------

# (pattern, how to name the field from the match)
_PLACEHOLDER_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # <PID>, <previous-stable-commit>, <strong-password>; not `<<EOF`, `< file`, `<(cmd)`
    (re.compile(r"(?<![<\w])<([A-Za-z][A-Za-z0-9 _.:/-]*[A-Za-z0-9])>(?!>)"), "angle"),
    # YOUR_TOPIC_ARN, ${YOUR_ACCOUNT_ID}
    (re.compile(r"\bYOUR_[A-Z0-9_]+\b"), "your_caps"),
    # your-domain.com, your-email@example.com, your-sanctum-token
    (re.compile(r"\byour[-_][A-Za-z0-9][A-Za-z0-9._@-]*[A-Za-z0-9]"), "your_lower"),
    # [revision_id], [START TIME], [insert commit hash of …], [ISSUE]
    (
        re.compile(
            r"\[(insert [^\]\n]+|your[^\]\n]*|add [^\]\n]+|[A-Z][A-Z0-9]*(?:[ _][A-Z0-9]+)*|[a-z]+(?:_[a-z0-9]+)+)\]"
        ),
        "bracket",
    ),
    # YYYYMMDD_HHMMSS, YYYY-MM-DD
    (re.compile(r"(?<![A-Za-z0-9])Y{4}[-_]?MM[-_]?DD(?:[_T-]?HH:?MM(?::?SS)?)?(?![A-Za-z0-9])"), "date"),
    # /path/to/thing
    (re.compile(r"/path/to/[\w./-]*"), "path"),
    # an argument left as "..." or "…"
    (re.compile(r"(?<![\w.])(?:\.\.\.|…)(?![\w.])"), "ellipsis"),
    # RFC 2606 example hosts: never real
    (re.compile(r"\b[\w.-]*\bexample\.(?:com|org|net)\b[\w./:@-]*"), "example"),
    # credentials left as the words user:password
    (re.compile(r"://(?:user|username):(?:password|pass)@"), "credentials"),
    (re.compile(r"\b(?:CHANGE_?ME|REPLACE_?ME|FIXME)\b"), "caps_word"),
    # values no real system has: 1234567890:ABCdefGHIjkl…, xxxxxxxx
    (re.compile(r"[\w:-]*(?:123456789|[Aa][Bb][Cc][Dd][Ee][Ff][Gg][Hh]|[xX]{6,})[\w:-]*"), "example"),
]

_ASSIGNMENT = re.compile(r"(?:^|[\s;])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\S*)")
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE", re.I)


def upper_snake(text: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", text)
    name = "_".join(w.upper() for w in words)
    if not name:
        return "VALUE"
    if name[0].isdigit():
        name = "F_" + name
    return name


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def _field_name(kind: str, text: str) -> str:
    if kind == "angle":
        return upper_snake(text[1:-1])
    if kind == "your_caps":
        return upper_snake(text[len("YOUR_") :]) or "VALUE"
    if kind == "your_lower":
        return upper_snake(re.split(r"[@.]", text[5:])[0])
    if kind == "bracket":
        inner = re.sub(r"^(insert|add|your)\s+", "", text[1:-1], flags=re.I)
        return upper_snake(inner)
    if kind == "date":
        return upper_snake(text)
    if kind == "path":
        return "PATH_TO_" + upper_snake(text[len("/path/to/") :]) if len(text) > 9 else "PATH"
    return upper_snake(text)


def _quoting_at(text: str, pos: int) -> str:
    """Whether position `pos` of a shell command sits inside single or double quotes."""
    quote = ""
    i = 0
    while i < pos and i < len(text):
        c = text[i]
        if quote == "'":
            if c == "'":
                quote = ""
        elif c == "\\":
            i += 1
        elif quote == '"':
            if c == '"':
                quote = ""
        elif c in "'\"":
            quote = c
        i += 1
    return {"'": "single", '"': "double"}.get(quote, "none")


def _comment_spans(text: str) -> list[tuple[int, int]]:
    """Spans of whole-line comments: placeholders there are never run."""
    spans = []
    offset = 0
    for line in text.split("\n"):
        if line.lstrip().startswith("#"):
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return spans


# Cheap test first: most commands hold no placeholder at all.
_MAYBE_PLACEHOLDER = re.compile(
    r"<[A-Za-z]|YOUR_|your[-_]|\[[A-Za-z]|YYYY|/path/to/|\.\.\.|…|example\.(com|org|net)|://(user|username):|"
    r"CHANGE_?ME|REPLACE_?ME|FIXME|123456789|[Aa][Bb][Cc][Dd][Ee][Ff][Gg][Hh]|[xX]{6}"
)


def find_placeholders(text: str, lang: str = "bash") -> tuple[Placeholder, ...]:
    """Placeholders in a command, each with the field that fills it.

    When a placeholder sits in the value of `NAME=value`, the field is NAME and the whole
    value is replaced: `export DATABASE_URL=postgresql://user:password@db.example.com/x`
    asks for DATABASE_URL.
    """
    if not _MAYBE_PLACEHOLDER.search(text):
        return ()
    found: list[Placeholder] = []
    taken: list[tuple[int, int]] = _comment_spans(text) if lang == "bash" else []
    assignments = [(m.start(2), m.end(2), m.group(1)) for m in _ASSIGNMENT.finditer(text)] if lang == "bash" else []
    for pattern, kind in _PLACEHOLDER_PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.start(), m.end()
            if kind == "credentials":
                start, end = m.start() + 3, m.end() - 1
            if any(a <= start < b for a, b in taken):
                continue
            if kind == "angle" and _looks_like_redirect(text, start):
                continue
            if kind == "bracket" and _looks_like_test(text, start, end):
                continue
            owner = next(((a, b, name) for a, b, name in assignments if a <= start < b), None)
            if owner:
                a, b, name = owner
                if any(p.start == a and p.end == b for p in found):
                    continue
                placeholder = Placeholder(text[a:b], name, a, b, _quoting_at(text, a))
                taken.append((a, b))
            else:
                name = _field_name(kind, text[start:end])
                if kind == "ellipsis":
                    before = re.findall(r"[A-Za-z][\w-]*", text[:start])
                    name = upper_snake(before[-1]) + "_ARGS" if before else "ARGS"
                placeholder = Placeholder(text[start:end], name, start, end, _quoting_at(text, start))
                taken.append((start, end))
            found.append(placeholder)
    return tuple(sorted(found, key=lambda p: p.start))


def _looks_like_redirect(text: str, start: int) -> bool:
    # `cmd <input.txt>` is not a thing people write; `< file` has a space. Keep `<PID>`.
    return start > 0 and text[start - 1] == "<"


def _looks_like_test(text: str, start: int, end: int) -> bool:
    # `[ -f x ]` has spaces inside; `${arr[IDX]}` and `a[KEY]` are indexes; `[[ … ]]` is a test.
    before = text[start - 1] if start > 0 else ""
    return (bool(before) and (before.isalnum() or before in "_$[{")) or text[end : end + 1] == "]"


def fill(text: str, placeholders: tuple[Placeholder, ...], values: dict[str, str]) -> str:
    """Replace placeholders with field values, quoted for where each one stands."""
    out = []
    pos = 0
    for p in sorted(placeholders, key=lambda p: p.start):
        if p.field not in values:
            continue
        out.append(text[pos : p.start])
        value = values[p.field]
        if p.quoting == "single":
            out.append(value.replace("'", "'\\''"))
        elif p.quoting == "double":
            out.append(re.sub(r'(["$`\\])', r"\\\1", value))
        elif re.fullmatch(r"[\w@%+=:,./-]+", value):
            out.append(value)
        else:
            out.append(shlex.quote(value))
        pos = p.end
    out.append(text[pos:])
    return "".join(out)


# --- destructive commands ---------------------------------------------------------------------

_DESTRUCTIVE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bdropdb\b"), "drops a database"),
    (re.compile(r"\bDROP\s+(TABLE|DATABASE|SCHEMA|INDEX|VIEW)\b", re.I), "drops database objects"),
    (re.compile(r"\bTRUNCATE\b", re.I), "truncates a table"),
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


def _first_rule(keywords: tuple[str, ...], table: list[tuple[re.Pattern[str], str]], code: str) -> str:
    """The reason of the first row of `table` that matches `code` ("" when none does).

    A row can only match when one of its table's keywords is in the command: that plain substring
    test runs first, so the regexes run on the few commands that could need them.
    """
    low = code.lower()
    if not any(k in low for k in keywords):
        return ""
    return next((why for pattern, why in table if pattern.search(code)), "")


def destructive_reason(text: str) -> str:
    return _first_rule(_DESTRUCTIVE_WORDS, _DESTRUCTIVE, _code_only(text))


def _code_only(text: str) -> str:
    """The command without whole-line comments (a comment never runs)."""
    if "#" not in text:
        return text
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith("#"))


_DESTRUCTIVE_WORDS = (
    "drop",
    "truncate",
    "delete",
    "rm",
    "kill",
    "push",
    "reset",
    "clean",
    "aws",
    "kubectl",
    "docker",
    "flush",
    "mkfs",
    "dd ",
    "alembic",
    "terraform",
)

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
