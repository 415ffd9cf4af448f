"""Placeholders in a command (`<PID>`, `YOUR_TOPIC_ARN`, `${YOUR_ACCOUNT_ID}`, `[revision_id]`, `...`)
and filling them: the whole placeholder becomes the value, written as a person would type it there.

A placeholder written as a shell variable (`$YOUR_X`, `${YOUR_X}`) is replaced whole, `$` and braces
included: `${123}` would expand to nothing. Placeholders in comments are never run, so never asked.
Pure functions: text in, findings out.
"""

from __future__ import annotations

import bisect
import re

from golive.model import Placeholder
from golive.parse.quoting import python_contexts, quote, shell_contexts

# (pattern, how to name the field from the match)
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
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

# Cheap test first: most commands hold no placeholder at all.
_MAYBE = re.compile(
    r"<[A-Za-z]|YOUR_|your[-_]|\[[A-Za-z]|YYYY|/path/to/|\.\.\.|…|example\.(com|org|net)|://(user|username):|"
    r"CHANGE_?ME|REPLACE_?ME|FIXME|123456789|[Aa][Bb][Cc][Dd][Ee][Ff][Gg][Hh]|[xX]{6}"
)


def upper_snake(text: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", text)
    name = "_".join(w.upper() for w in words)
    if not name:
        return "VALUE"
    if name[0].isdigit():
        name = "F_" + name
    return name


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


def find_placeholders(text: str, lang: str = "bash") -> tuple[Placeholder, ...]:
    """Placeholders in a command, each with the field that fills it and how its value is quoted.

    When a placeholder sits in the value of `NAME=value`, the field is NAME and the whole
    value is replaced: `export DATABASE_URL=postgresql://user:password@db.example.com/x`
    asks for DATABASE_URL.
    """
    if not _MAYBE.search(text):
        return ()
    contexts = _contexts(text, lang)
    found: list[Placeholder] = []
    taken = _Spans()
    assignments = [(m.start(2), m.end(2), m.group(1)) for m in _ASSIGNMENT.finditer(text)] if lang == "bash" else []
    assignment_starts = [a for a, _b, _name in assignments]
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = _span(text, m, kind)
            if contexts[start] == "comment" or taken.overlaps(start, end):
                continue
            if (kind == "angle" and _looks_like_redirect(text, start)) or (
                kind == "bracket" and _looks_like_test(text, start, end)
            ):
                continue
            k = bisect.bisect_right(assignment_starts, start) - 1
            owner = assignments[k] if k >= 0 and start < assignments[k][1] else None
            if owner:
                start, end, name = owner
                if taken.overlaps(start, end):
                    continue
            else:
                name = _field_name(kind, m.group(0))
                if kind == "ellipsis":
                    before = re.findall(r"[A-Za-z][\w-]*", text[max(0, start - 200) : start])
                    name = upper_snake(before[-1]) + "_ARGS" if before else "ARGS"
            quoting = contexts[start]
            if kind == "ellipsis" and not owner and quoting == "none" and lang == "bash":
                quoting = "words"  # `aws … restore-table-from-backup ...`: the arguments a person types
            found.append(Placeholder(text[start:end], name, start, end, quoting))
            taken.add(start, end)
    return tuple(sorted(found, key=lambda p: p.start))


class _Spans:
    """Spans already replaced, kept sorted: a new one may not overlap them (bisect, not a scan)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect.bisect_right(self.starts, start)
        return (k > 0 and self.ends[k - 1] > start) or (k < len(self.starts) and self.starts[k] < end)

    def add(self, start: int, end: int) -> None:
        k = bisect.bisect_right(self.starts, start)
        self.starts.insert(k, start)
        self.ends.insert(k, end)


def _contexts(text: str, lang: str) -> list[str]:
    if lang == "bash":
        return shell_contexts(text)
    if lang == "python":
        return python_contexts(text)
    return ["text"] * len(text)


def _span(text: str, m: re.Match[str], kind: str) -> tuple[int, int]:
    """What gets replaced: `${YOUR_X}` and `$YOUR_X` whole, the `user:password` of a URL alone."""
    start, end = m.start(), m.end()
    if kind == "credentials":
        return start + 3, end - 1
    if text[max(start - 2, 0) : start] == "${" and text[end : end + 1] == "}":
        return start - 2, end + 1
    if kind == "your_caps" and text[start - 1 : start] == "$":
        return start - 1, end
    return start, end


def _looks_like_redirect(text: str, start: int) -> bool:
    # `cmd <input.txt>` is not a thing people write; `< file` has a space. Keep `<PID>`.
    return start > 0 and text[start - 1] == "<"


def _looks_like_test(text: str, start: int, end: int) -> bool:
    # `[ -f x ]` has spaces inside; `${arr[IDX]}` and `a[KEY]` are indexes; `[[ … ]]` is a test.
    before = text[start - 1] if start > 0 else ""
    return (bool(before) and (before.isalnum() or before in "_$[{")) or text[end : end + 1] == "]"


def fill(text: str, placeholders: tuple[Placeholder, ...], values: dict[str, str]) -> str:
    """Replace each placeholder whose field has a value, quoted for where it stands."""
    out = []
    pos = 0
    for p in sorted(placeholders, key=lambda p: p.start):
        if p.field not in values:
            continue
        out.append(text[pos : p.start])
        out.append(quote(values[p.field], p.quoting))
        pos = p.end
    out.append(text[pos:])
    return "".join(out)


# --- fields of a message ------------------------------------------------------------------------

_MESSAGE_FIELD = re.compile(r"\[([A-Z][A-Z0-9]*(?:[ _/-][A-Z0-9]+)*|insert [^\]\n]+|your [^\]\n]+)\]")
# A generic token is named by its label: `Start Time: [TIME]` -> START_TIME, `- [TIME]: Smoke tests` -> …
_GENERIC = {"TIME", "DATE", "VALUE", "NAME", "X", "TBD", "NUMBER", "DATETIME", "TIMESTAMP"}
# What golive knows itself, by the field's name.
_KNOWN = (
    (re.compile(r"^(START(ED)?(_TIME|_AT|_DATE)?|DEPLOYMENT_START(_TIME)?)$"), "run_start"),
    (re.compile(r"^(END_TIME|FINISH(ED)?(_TIME|_AT)?|COMPLETED(_AT|_TIME)?|ROLLBACK_TIME|CURRENT_TIME|NOW)$"), "now"),
    (re.compile(r"^(DURATION|ELAPSED(_TIME)?|TOTAL_TIME|DEPLOYMENT_DURATION)$"), "elapsed"),
    (re.compile(r"^(ISSUE|REASON|ROLLBACK_REASON)$"), "reason"),
)


def message_fields(text: str) -> tuple[Placeholder, ...]:
    """`[START TIME]`, `Duration: [DURATION]`, `[ISSUE]` in a message: fields filled before it is shown.

    Each is named by its own words, or by its label when the token is generic (`End Time: [TIME]`);
    `known` says which ones golive fills itself (the run's start, now, the elapsed time, the reason
    of a rollback). `End Time:` is now only when labelled so: a bare `[END TIME]` in an announced
    window is the planned end, which a person gives.
    """
    out = []
    for m in _MESSAGE_FIELD.finditer(text):
        token = re.sub(r"^(insert|your)\s+", "", m.group(1), flags=re.I)
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        before = text[line_start : m.start()]
        after = text[m.end() : len(text) if line_end < 0 else line_end]
        label = _label_before(before) or (_label_after(after) if upper_snake(token) in _GENERIC else "")
        name = upper_snake(token)
        if name in _GENERIC and label:
            words = upper_snake(label)
            name = words if name in words.split("_") else f"{words}_{name}"
        known = next((k for pattern, k in _KNOWN if pattern.match(name)), "")
        if known == "now" and name == "END_TIME" and not before.rstrip().endswith(":"):
            known = ""
        out.append(Placeholder(m.group(0), name, m.start(), m.end(), "text", known))
    return tuple(out)


def _label_before(before: str) -> str:
    """`- Start Time: ` -> `Start Time`."""
    m = re.search(r"([A-Za-z][\w ]{0,40}?):\s*$", before)
    return m.group(1).strip() if m else ""


def _label_after(after: str) -> str:
    """`: Start deployment` after `[TIME]` -> `Start deployment`."""
    m = re.match(r"\s*[:-]\s*([A-Za-z][\w ]{0,40})", after)
    return m.group(1).strip() if m else ""
