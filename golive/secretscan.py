"""Find secret values in one line of text: detect-secrets' detectors, and golive's secret names.

Two kinds of evidence make a value secret:
- its *name*: `export API_TOKEN=…`, `DB_PASSWORD: …` (golive's rule for secret names, the same one
  that makes a field or a session variable secret);
- its *shape*: what detect-secrets' detectors recognise (JWTs, AWS keys, passwords inside URLs,
  high-entropy strings in quotes, `password = "…"` assignments, vendor tokens…), after the
  library's own false-positive filters.

False positives are allowed back with an allow-list (docs/secrets.md): a line carrying
detect-secrets' `pragma: allowlist secret`, or a value fully matching the regular expression in
GOLIVE_ALLOW_SECRETS. A named secret is never allowed back: its name says what it is.

detect-secrets is imported on first use, so `golive plan` and `golive lint` never pay for it.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from golive.parse.hazards import is_secret_name

ALLOW_ENV = "GOLIVE_ALLOW_SECRETS"
MIN_LENGTH = 4  # shorter values would mask ordinary words and digits
_NOT_DETECTORS = {"IPPublicDetector"}  # a public IP address is not a secret
_SHAPE_ONLY = {"KeywordDetector", "BasicAuthDetector"}  # their values may be ordinary words: see `Found`
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_\-.+/=]*")  # a detector may stop short of the token's end (JWT)
_KEYWORD_FILE = "detected.conf"  # detect-secrets reads `name = value` unquoted in config files


@dataclass(frozen=True)
class Found:
    value: str
    learn: bool  # safe to mask everywhere from now on (a token, not an ordinary word)


def find(line: str) -> tuple[Found, ...]:
    """The secret values in `line` (a single line), longest first."""
    if len(line) < MIN_LENGTH or len(line) > 100_000:
        return ()
    return _find(line, os.environ.get(ALLOW_ENV, ""))


@lru_cache(maxsize=16384)  # output repeats itself (progress lines, retries); masking runs several times
def _find(line: str, allow: str) -> tuple[Found, ...]:
    found = {f.value: f for f in _detected(line, _allow_pattern(allow))}
    for value in named_values(line):
        found[value] = Found(value, _random_looking(value))
    return tuple(sorted(found.values(), key=lambda f: len(f.value), reverse=True))


# --- by name -------------------------------------------------------------------------------------------


def named_values(line: str) -> list[str]:
    """Literal values given to secret-named variables: `export API_TOKEN=abc`, `DB_PASSWORD: abc`."""
    if not ("=" in line or ":" in line) or not is_secret_name(line):
        return []
    values = []
    for token in _words(line):
        name, sep, value = token.partition("=")
        if sep and _NAME.fullmatch(name) and is_secret_name(name) and not _location(name) and _literal(value):
            values.append(value)
    key, colon, rest = line.strip().partition(":")  # YAML style: the whole rest is the value
    value = rest.strip().strip("\"'")
    if (
        colon
        and not _prose(value, line)
        and _NAME.fullmatch(key.strip("\"'- "))
        and is_secret_name(key)
        and not _location(key.strip("\"'- "))
        and _literal(value)
    ):
        values.append(value)
    return values


def secret_assignments(command: str) -> list[str]:
    """Names of secret variables a shell command sets: `TOKEN=$(…)`, `export TOKEN=…`, `read -s TOKEN`."""
    if not is_secret_name(command):
        return []
    names = []
    for line in command.splitlines():
        tokens = _words(line)
        for i, token in enumerate(tokens):
            name, sep, _value = token.partition("=")
            reading = not sep and i > 0 and "read" in tokens[:i] and not token.startswith("-")
            if (sep or reading) and _NAME.fullmatch(name) and is_secret_name(name):
                names.append(name)
    return names


def _words(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # an unbalanced quote: words as written
        return line.split()


def _prose(value: str, line: str) -> bool:
    """Unquoted words after a secret's name are prose ("SESSION_SECRET: 41 characters"), not its value;
    a value with spaces counts only when it is quoted (`password: "correct horse"`)."""
    return any(c.isspace() for c in value) and f'"{value}"' not in line and f"'{value}'" not in line


_LOCATION_SUFFIXES = ("_FILE", "_PATH", "_DIR", "_DIRECTORY", "_FOLDER")
_NAME_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)[\"']?\s*[:=]\s*[\"']?$")
_PATH_SHAPED = re.compile(r"(?:~|\.{1,2})?/\S*|[\w.-]+(?:/[\w.-]+)*/")


def _location(name: str) -> bool:
    """`AWS_SHARED_CREDENTIALS_FILE`, `SECRETS_DIR`: the name of where a secret is, not of one."""
    return name.upper().endswith(_LOCATION_SUFFIXES)


def _where_one_is(line: str, value: str) -> bool:
    """A keyword's value that names a file or folder: `SECRET_KEY_FILE=./keys/app.key`, `secrets: daylib/`."""
    at = line.find(value)
    named = _NAME_BEFORE.search(line[:at]) if at >= 0 else None
    if named is not None and _location(named.group(1)):
        return True
    return _PATH_SHAPED.fullmatch(value.rstrip("}]),;\"'")) is not None


def _literal(value: str) -> bool:
    """A value written out, not a reference to one (`$X`, `$(cmd)`, `<PLACEHOLDER>`, `{{ X }}`)."""
    if len(value) < MIN_LENGTH or "$" in value or "`" in value or value.strip("*") == "":
        return False
    return not (value[0] in "<{[" and value[-1] in ">}]")


# --- by shape (detect-secrets) ------------------------------------------------------------------------


def _detected(line: str, allow: re.Pattern[str] | None) -> list[Found]:
    if not _gates().open(line):  # most lines: no detector could match, and detect-secrets stays unloaded
        return []
    from detect_secrets.filters import heuristic
    from detect_secrets.filters.allowlist import is_line_allowlisted
    from detect_secrets.util.code_snippet import get_code_snippet

    found: list[Found] = []
    context = None
    for plugin, gate in _plugins():
        if not gate(line):
            continue
        try:
            secrets = plugin.analyze_line(filename=_KEYWORD_FILE, line=line, line_number=1)
        except Exception:  # a detector must never break a run; the others still look
            continue
        for secret in secrets:
            value = secret.secret_value or ""
            if (
                len(value) < MIN_LENGTH
                or heuristic.is_sequential_string(value)
                or heuristic.is_potential_uuid(value)
                or heuristic.is_likely_id_string(value, line, plugin)
                or heuristic.is_templated_secret(value)
                or heuristic.is_prefixed_with_dollar_sign(value)
                or heuristic.is_not_alphanumeric_string(value)
                or (type(plugin).__name__ == "KeywordDetector" and heuristic.is_indirect_reference(line))
                or (type(plugin).__name__ == "KeywordDetector" and _prose(value, line))
                or (type(plugin).__name__ == "KeywordDetector" and _where_one_is(line, value))
                or (allow is not None and allow.fullmatch(value) is not None)
            ):
                continue
            context = context or get_code_snippet(lines=[line], line_number=1)
            if is_line_allowlisted(_KEYWORD_FILE, line, context):
                return []
            value = _whole_token(line, value)
            found.append(Found(value, type(plugin).__name__ not in _SHAPE_ONLY or _random_looking(value)))
    return found


Gate = Callable[[str], bool]


@lru_cache(maxsize=1)
def _plugins() -> tuple[tuple[Any, Gate], ...]:
    """Every detector of detect-secrets, each behind a quick test of whether it could match this line:
    a regex detector's own patterns (searched, before the detector builds its findings), the keyword
    detector's keywords, a quote for the entropy detectors (they look inside quoted strings only).
    Only lines that opened the `Gates` come here."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins import keyword
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin

    keywords = re.compile("|".join(keyword.DENYLIST), re.IGNORECASE)
    plugins: list[tuple[Any, Gate]] = []
    classes: list[Any] = list(get_mapping_from_secret_type_to_class().values())
    for cls in classes:
        if cls.__name__ in _NOT_DETECTORS:
            continue
        detector = cls()
        gate: Gate = _always
        if isinstance(detector, keyword.KeywordDetector):
            gate = keywords.search  # type: ignore[assignment]
        elif isinstance(detector, HighEntropyStringsPlugin):
            gate = _quoted
        elif isinstance(detector, RegexBasedDetector):
            gate = _any_of(tuple(detector.denylist))
        plugins.append((detector, gate))
    return tuple(plugins)


@dataclass(frozen=True)
class Gates:
    """Whether any detector could find something in a line, built from plain data (the detectors' own
    patterns, and what an entropy detector needs at the least), so it works before detect-secrets is
    imported. Kept in the user's cache under detect-secrets' version: importing the library and
    building its detectors costs ~0.15 s, and most runs then never need it."""

    search: Gate
    always: bool  # a detector with no quick test: every line goes to the detectors

    def open(self, line: str) -> bool:
        return self.always or self.search(line)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Gates:
        return cls(_one_search([(str(source), int(flags)) for source, flags in data["patterns"]]), data["always"])


_GATES_FORMAT = 2  # bump when what `_gates_data` keeps changes


@lru_cache(maxsize=1)
def _gates() -> Gates:
    try:
        path, key = _gates_path(), _gates_key()
    except (RuntimeError, KeyError, ImportError):  # no home folder, or the library's version unknown
        return Gates.from_data(_gates_data())  # then nothing is kept: a stale gate must never be read
    try:
        data = json.loads(path.read_text())
        if data.get("key") == key:
            return Gates.from_data(data)
    except (OSError, ValueError, KeyError, TypeError, re.error):
        pass  # missing, stale or damaged: built again from the detectors
    data = {"key": key, **_gates_data()}
    with contextlib.suppress(OSError):  # a read-only cache only costs the time saved
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f"{path.name}.{os.getpid()}")
        scratch.write_text(json.dumps(data))
        scratch.replace(path)  # whole or not at all: another golive may read it meanwhile
    return Gates.from_data(data)


def _gates_path() -> Path:
    """In the user's cache (XDG), not GOLIVE_HOME: it is derived from the installed library, the same
    for every project, and holds nothing of a run."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "golive" / "secret-gates.json"


def _gates_key() -> str:
    from importlib.metadata import version

    return f"{_GATES_FORMAT}:{version('detect-secrets')}"


def _gates_data() -> dict[str, Any]:
    """What each detector needs to find anything: a regex detector, one of its patterns; the keyword
    detector, one of the patterns it uses for our file type; an entropy detector, a quoted run of its
    characters long enough to pass its limit (a string of n characters has at most log2(n) bits of
    Shannon entropy, so none shorter than 2**limit can)."""
    from detect_secrets.plugins import keyword
    from detect_secrets.plugins.base import RegexBasedDetector
    from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
    from detect_secrets.util.filetype import determine_file_type

    patterns: list[re.Pattern[str]] = []
    always = False
    for detector, _gate in _plugins():
        if isinstance(detector, RegexBasedDetector):
            patterns += detector.denylist
        elif isinstance(detector, keyword.KeywordDetector):
            by_type = keyword.REGEX_BY_FILETYPE.get(determine_file_type(_KEYWORD_FILE))
            patterns += by_type or keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
        elif isinstance(detector, HighEntropyStringsPlugin):
            run = f"[{re.escape(detector.charset)}]{{{math.floor(2**detector.entropy_limit)},}}"
            patterns.append(re.compile(f'"{run}"|\'{run}\''))
        else:
            always = True
    return {"patterns": [[p.pattern, p.flags] for p in patterns], "always": always}


def _one_search(patterns: list[tuple[str, int]]) -> Gate:
    """Does any of `patterns` (source, flags) match? As one regular expression, each pattern keeping
    its own flags; a pattern with a back-reference is searched on its own (its group numbers would
    move), and all of them one by one when they cannot be joined (a group name used twice)."""
    letters = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"), (re.VERBOSE, "x"), (re.ASCII, "a"))
    alone = tuple(re.compile(source, flags) for source, flags in patterns if _BACK_REFERENCE.search(source))
    parts = []
    for source, flags in patterns:
        if not _BACK_REFERENCE.search(source):
            inline = "".join(letter for flag, letter in letters if flags & flag)
            parts.append(f"(?{inline}:{source})" if inline else f"(?:{source})")
    try:
        joined = re.compile("|".join(parts)) if parts else None
    except re.error:
        return _any_of(tuple(re.compile(source, flags) for source, flags in patterns))
    return lambda line: (joined is not None and joined.search(line) is not None) or any(p.search(line) for p in alone)


_BACK_REFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _any_of(patterns: tuple[re.Pattern[str], ...]) -> Gate:
    return lambda line: any(p.search(line) for p in patterns)


def _always(_line: str) -> bool:
    return True


def _quoted(line: str) -> bool:
    return "'" in line or '"' in line


def _whole_token(line: str, value: str) -> str:
    """The detected value widened to the end of its token: a JWT's signature is part of it."""
    start = line.find(value)
    if start < 0:
        return value
    end = start + len(value)
    tail = _TOKEN_TAIL.match(line, end)
    return line[start : tail.end()] if tail else value


def _random_looking(value: str) -> bool:
    """A password found by its context (`password=…`, a URL) is remembered only when it could not be
    an ordinary word, so masking it elsewhere never blanks out prose like "password" or "admin"."""
    classes = sum(any(test(c) for c in value) for test in (str.islower, str.isupper, str.isdigit))
    return len(value) >= 10 and classes >= 2 and len(set(value)) >= 8


@lru_cache(maxsize=4)
def _allow_pattern(source: str) -> re.Pattern[str] | None:
    if not source:
        return None
    try:
        return re.compile(source)
    except re.error:
        return None  # a broken allow-list allows nothing: masking too much is the safe side
