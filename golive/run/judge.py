"""Pure: what a command did + what the checklist expected -> a verdict.

The judge checks the way a careful person would (PRODUCT.md §3): a JSON example is a
subset, literal words must match while numbers, timestamps and ids only need their type;
a short literal must appear (a whole line for numbers); "exit 0" is the exit status;
"Connection refused or timeout" means the command should fail. What it cannot judge it
hands to a person, never passes silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from golive.model import Command, Expectation, ExpectKind
from golive.parse.expectations import load_json_example

PASSED, FAILED, PERSON = "passed", "failed", "person"

_VARIABLE_STRING = re.compile(
    r"^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$"  # timestamps
    r"|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"  # uuids
    r"|^[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}$"  # JWTs
    r"|^(?=.*\d)[0-9a-fA-F]{12,}$",  # long hex ids
    re.I,
)
# `A || echo "Admin UI down!"` exits 0 whether A worked or not: only the fallback's message tells.
_FALLBACK = re.compile(r"\|\|\s*(?:echo|printf)\s+(?:-e\s+)?([\"'])(.+?)\1\s*;?\s*$")
_ERROR_GREP = re.compile(r"\bgrep\b.*\b(error|errors|exception|fail\w*|fatal|critical|warn\w*|traceback)\b", re.I)


@dataclass(frozen=True)
class Verdict:
    status: str  # passed | failed | person
    reason: str
    expectation: Expectation | None = None  # the one a person must judge, when status is person


def judge(
    command: Command, exit_code: int | None, out: str, err: str, timed_out: bool, fields: dict[str, str] | None = None
) -> Verdict:
    """Judge one finished command."""
    fields = fields or {}
    expectations = command.expectations
    output = out if out.strip() else err
    if timed_out:
        if any(e.kind is ExpectKind.FAILS for e in expectations):
            return Verdict(PASSED, "expected to fail, and it timed out")
        return Verdict(FAILED, "timed out")
    fails = [e for e in expectations if e.kind is ExpectKind.FAILS]
    if fails:
        if exit_code != 0:
            return Verdict(PASSED, f"expected to fail ({fails[0].text}), and it exited {exit_code}")
        return Verdict(FAILED, f"expected to fail ({fails[0].text}), but it exited 0")
    exits = [e for e in expectations if e.kind is ExpectKind.EXIT]
    wanted = exits[0].code if exits else 0
    if exit_code != wanted:
        if exit_code == 1 and not exits and _ERROR_GREP.search(command.text) and not out.strip():
            return Verdict(PASSED, "grep found no error lines")
        return Verdict(FAILED, f"exited {exit_code}" + (f", expected {wanted}" if exits else ""))
    if exit_code == 0 and not exits and _ERROR_GREP.search(command.text) and out.strip():
        return Verdict(PERSON, "grep found lines matching an error pattern: a person reads them")
    person: Verdict | None = None
    checked = ["exit 0" if wanted == 0 else f"exit {wanted}"]
    for e in expectations:
        if e.kind in (ExpectKind.FAILS, ExpectKind.EXIT):
            continue
        verdict = judge_output(e, output, out + "\n" + err, fields)
        if verdict.status == FAILED:
            return verdict
        if verdict.status == PERSON and person is None:
            person = verdict
        if verdict.status == PASSED:
            checked.append(verdict.reason)
    if person is not None:
        return person
    fallback = _fallback_ran(command.text, out + "\n" + err)
    if fallback:
        return Verdict(PERSON, f"exit 0, but its fallback ran and printed {fallback!r}: a person judges")
    return Verdict(PASSED, "; ".join(checked))


def _fallback_ran(command: str, output: str) -> str:
    """The message of an `|| echo "…"` fallback when the output shows it (the first command failed), else ''."""
    m = _FALLBACK.search(command.strip())
    if m is None:
        return ""
    message = m.group(2).replace("\\n", "").strip()
    return message if message and any(line.strip() == message for line in output.splitlines()) else ""


def judge_output(e: Expectation, output: str, both: str, fields: dict[str, str]) -> Verdict:
    if e.kind is ExpectKind.JSON:
        return _json(e, output)
    if e.kind is ExpectKind.LITERAL:
        if e.value in both:
            return Verdict(PASSED, f"output contains {e.value!r}")
        return Verdict(FAILED, f"output does not contain {e.value!r}")
    if e.kind is ExpectKind.LINE:
        if any(line.strip() == e.value for line in both.splitlines()):
            return Verdict(PASSED, f"a line of output is {e.value!r}")
        return Verdict(FAILED, f"no line of output is {e.value!r} (got {_first_line(output)!r})")
    if e.kind is ExpectKind.LINES:
        flat = " ".join(both.split())
        missing = [k for k in e.value.split("\n") if k and k not in flat]
        if missing:
            return Verdict(FAILED, f"output lacks {missing[0]!r}")
        return Verdict(PASSED, f"output has the {len(e.value.splitlines())} expected status line(s)")
    if e.kind is ExpectKind.REGEX:
        if re.search(e.value, both):
            return Verdict(PASSED, f"output matches {e.text!r}")
        return Verdict(FAILED, f"output does not show {e.text!r}")
    if e.kind is ExpectKind.FIELD:
        value = fields.get(e.value, "")
        if not value:
            return Verdict(PERSON, f"{e.text}: a person compares (field {e.value} is empty)", e)
        if value in both:
            return Verdict(PASSED, f"output contains {e.value} ({value})")
        return Verdict(FAILED, f"output does not contain {e.value} ({value})")
    if e.http_status is not None and str(e.http_status) in both.split():
        return Verdict(PASSED, f"output shows HTTP {e.http_status}")
    return Verdict(PERSON, e.text, e)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:80] if text.strip() else ""


def _json(e: Expectation, output: str) -> Verdict:
    example = load_json_example(e.value)
    actual = find_json(output, type(example))
    if actual is _NOTHING:
        return Verdict(FAILED, f"output is not JSON (expected like {_short(e.value)})")
    problem = subset_problem(example, actual, "$")
    if problem:
        return Verdict(FAILED, problem)
    return Verdict(PASSED, "JSON matches the example")


_NOTHING: Any = object()


def find_json(output: str, kind: type) -> Any:
    """The first JSON value of type `kind` in the output (whole output first, then line starts)."""
    text = output.strip()
    try:
        value = json.loads(text)
        if isinstance(value, kind):
            return value
    except ValueError:
        pass
    decoder = json.JSONDecoder()
    for m in re.finditer(r"(?m)^\s*([\[{])", text):
        try:
            value, _end = decoder.raw_decode(text, m.start(1))
        except ValueError:
            continue
        if isinstance(value, kind):
            return value
    return _NOTHING


def subset_problem(example: Any, actual: Any, path: str) -> str:
    """'' when `actual` contains `example` the way a person reads it; else what differs."""
    if isinstance(example, dict):
        if not isinstance(actual, dict):
            return f"{path} should be an object, got {_type(actual)}"
        for key, value in example.items():
            if key not in actual:
                return f"{path}.{key} is missing"
            problem = subset_problem(value, actual[key], f"{path}.{key}")
            if problem:
                return problem
        return ""
    if isinstance(example, list):
        if not isinstance(actual, list):
            return f"{path} should be an array, got {_type(actual)}"
        for i, item in enumerate(example):
            if not any(not subset_problem(item, candidate, path) for candidate in actual):
                return f"{path}[{i}] ({_short(json.dumps(item))}) has no match"
        return ""
    if isinstance(example, bool) or example is None:
        return (
            ""
            if actual == example and type(actual) is type(example)
            else f"{path} is {_short(json.dumps(actual))}, expected {json.dumps(example)}"
        )
    if isinstance(example, int | float):
        ok = isinstance(actual, int | float) and not isinstance(actual, bool)
        return "" if ok else f"{path} should be a number, got {_short(json.dumps(actual))}"
    if isinstance(example, str):
        if not isinstance(actual, str):
            return f"{path} should be a string, got {_short(json.dumps(actual))}"
        if _VARIABLE_STRING.match(example):
            return ""  # a timestamp, id or token in an example only needs the type
        return "" if actual == example else f"{path} is {actual!r}, expected {example!r}"
    return ""


def _type(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
