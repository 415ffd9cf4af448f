"""Read an expectation as written in a checklist into something a judge can apply.

`# Expected: {"status": "healthy"}`, `# Expected: PONG`, `echo $?  # Should be 0 for success`,
`Expected output:` + a fenced block, `# Expected response (HTTP 200):` + bare JSON lines.
What golive cannot judge goes to a person (ExpectKind.PERSON), never silently passes.
"""

from __future__ import annotations

import json
import re

from golive.model import Expectation, ExpectKind

# "# Expected: X", "# Expected output:", "Expected response (HTTP 200):", "# Expected commit: …"
EXPECTED_INTRO = re.compile(
    r"^\s*\**\s*(?:expected|expect|should (?:return|show|print|output|see)|should be)\b"
    r"(?P<label>[^:]*?)(?:\((?:HTTP\s*)?(?P<status>\d{3})[^)]*\))?\s*\**\s*:\s*\**\s*(?P<rest>.*)$",
    re.I,
)
_SHOULD_BE_EXIT = re.compile(r"should be (\d+)(?: for success| on success)?", re.I)
_EXIT = re.compile(r"^(?:exit(?: code| status)?|return code|rc)\s*[:=]?\s*(\d+)$", re.I)
# The command itself is expected to fail: "Connection refused or timeout", "should fail".
_FAILS = re.compile(
    r"^(?:connection refused|refused|connection reset|timeout|timed out|unreachable|should fail|fails|"
    r"an error|error|non-?zero exit)\b",
    re.I,
)
_HTTP_STATUS = re.compile(r"^(\d{3})\s+[A-Z][A-Za-z ]*$")  # "201 Created"; a bare "200" is a number
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_STATUS_MARK = re.compile(r"[✓✔✅]|\b(PASS(ED)?|SUCCESS(FUL(LY)?)?|OK|completed?|passed|ready)\b", re.I)
_DECORATION = re.compile(r"^[\s\-=_*#~━─═│|+.]*$")

# Idioms a careful operator knows: (pattern on the expectation, regex on the output, why)
IDIOMS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"^(\d+) rows? returned$", re.I), r"\(\1 rows?\)", "psql prints '(N rows)'"),
    (re.compile(r"^head revision$", re.I), r"\(head\)", "alembic current marks the head revision '(head)'"),
    (re.compile(r"^no output$|^nothing$|^\(empty\)$", re.I), r"\A\s*\Z", "the command prints nothing"),
]


def parse_expectation(text: str, line: int, source: str = "comment", http_status: int | None = None) -> Expectation:
    """Turn the words after "Expected:" (or an expected block) into an Expectation."""
    raw = text.strip()
    value = _strip_quotes(raw)
    if not value:
        return Expectation(line, ExpectKind.PERSON, raw, source=source, http_status=http_status)
    if value[:1] in "{[":
        parsed = load_json_example(value)
        if parsed is not None:
            return Expectation(line, ExpectKind.JSON, raw, value, source=source, http_status=http_status)
    m = _EXIT.match(value)
    if m:
        return Expectation(line, ExpectKind.EXIT, raw, code=int(m.group(1)), source=source)
    for pattern, regex, _why in IDIOMS:
        m = pattern.match(value)
        if m:
            return Expectation(line, ExpectKind.REGEX, raw, m.expand(regex), source=source)
    if "\n" in value:
        return _lines_expectation(raw, value, line, source)
    if _FAILS.search(value) and len(value) < 60:
        return Expectation(line, ExpectKind.FAILS, raw, source=source)
    m = _HTTP_STATUS.match(value)
    if m:
        # curl prints the body, not the status line: a person compares, unless the output shows it.
        return Expectation(line, ExpectKind.PERSON, raw, m.group(1), source=source, http_status=int(m.group(1)))
    if _NUMBER.match(value):
        return Expectation(line, ExpectKind.LINE, raw, value, source=source)
    if _is_short_literal(value):
        return Expectation(line, ExpectKind.LITERAL, raw, value, source=source)
    return Expectation(line, ExpectKind.PERSON, raw, value, source=source)


def should_be_exit(note: str) -> int | None:
    """`echo $?  # Should be 0 for success` -> 0."""
    m = _SHOULD_BE_EXIT.search(note)
    return int(m.group(1)) if m else None


def _lines_expectation(raw: str, value: str, line: int, source: str) -> Expectation:
    """A multi-line example: the status lines must appear; the rest is illustration."""
    keys = [
        " ".join(part.split())
        for part in value.split("\n")
        if part.strip() and not _DECORATION.match(part) and _STATUS_MARK.search(part)
    ]
    if keys:
        return Expectation(line, ExpectKind.LINES, raw, "\n".join(keys), source=source)
    return Expectation(line, ExpectKind.PERSON, raw, value, source=source)


# Words that describe output rather than show it: "JWT token", "JSON array of employees".
_DESCRIBES = re.compile(
    r"\b(json|array|list|object|token|string|number|count|value|values|something|similar|valid|containing|"
    r"some|any|non-empty|empty|of|message|response|output)\b",
    re.I,
)


def _is_short_literal(value: str) -> bool:
    """An example of what the output shows (PONG, 2.0 by ana, ✓ ALL CHECKS PASSED), not a description of it."""
    if len(value) > 60 or "\n" in value:
        return False
    words = value.split()
    if len(words) == 1:
        return True  # one token (PONG, config.json.bak, healthy) is what the output shows
    has_digits = bool(re.search(r"\d", value))
    if _DESCRIBES.search(value) and not has_digits:
        return False
    if has_digits or re.search(r"[:=/@#\[\]{}()<>_✓✔✅]", value):
        return True
    letters = [c for c in value if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if c.isupper()) / len(letters) > 0.6


def _strip_quotes(text: str) -> str:
    t = text.strip()
    if len(t) >= 2 and t[0] == t[-1] and t[0] in "`'\"" and t.count(t[0]) == 2:
        return t[1:-1].strip()
    return t


def load_json_example(text: str) -> object | None:
    """Parse a JSON example as people write it (trailing commas and `...` tolerated)."""
    try:
        return json.loads(text)  # type: ignore[no-any-return]
    except ValueError:
        pass
    cleaned = re.sub(r",\s*\.\.\.\s*(?=[}\]])", "", text)
    cleaned = re.sub(r"\.\.\.\s*,?", "", cleaned)
    cleaned = re.sub(r",\s*(?=[}\]])", "", cleaned)
    try:
        return json.loads(cleaned)  # type: ignore[no-any-return]
    except ValueError:
        return None


def intro(text: str) -> tuple[str, int | None] | None:
    """If `text` introduces an expectation, return (what follows the colon, HTTP status)."""
    m = EXPECTED_INTRO.match(text)
    if not m:
        return None
    status = int(m.group("status")) if m.group("status") else None
    return m.group("rest").strip(), status
