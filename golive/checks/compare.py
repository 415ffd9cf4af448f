"""Pure: the small languages inside check options — comparisons (`"<200"`, `">=32"`), durations
(`30s`, `500ms`), sizes (`10MB`) and versions (`3.1.9` vs `3.2.0`) — and the facts they make."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fact:
    """One expectation judged: the measured value beside what was wanted."""

    ok: bool
    text: str  # passing: "status 200"; failing: "p95 183 ms, want < 100 ms"


_OPS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥", "==": "=", "=": "=", "!=": "≠", "≤": "≤", "≥": "≥", "≠": "≠"}
_COMPARISON = re.compile(r"^\s*(<=|>=|==|!=|<|>|=|≤|≥|≠)\s*(.+?)\s*$")
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)?\s*$")
_SECONDS = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$", re.I)
_VERSION = re.compile(r"\d+(?:\.\d+)+|\d+")


def parse_seconds(value: Any) -> Any:
    """`30s` -> 30.0, `500ms` -> 0.5, `2m` -> 120.0, 5 -> 5.0; anything else is left for pydantic to refuse."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m:
            unit = (m.group(2) or "s").lower()
            unit = {"secs": "sec", "seconds": "s", "second": "s", "mins": "min", "minutes": "min", "minute": "min"}.get(
                unit, unit
            )
            return float(m.group(1)) * _SECONDS.get(unit, _SECONDS.get(unit[:1], 1))
    return value


def parse_bytes(value: Any) -> float | None:
    """`10MB` -> 10,000,000; `1KiB` -> 1024; 300 -> 300."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    m = _SIZE.match(str(value))
    if not m:
        return None
    unit = (m.group(2) or "").upper().rstrip("B")
    power = " KMGT".index(unit[0]) if unit else 0
    base = 1024 if unit.endswith("I") else 1000
    return float(m.group(1)) * float(base**power)


@dataclass(frozen=True)
class Comparison:
    """`op value`: what a measured number must satisfy."""

    op: str  # < ≤ > ≥ = ≠
    value: float
    text: str  # the value as written, for messages ("100", "20MB")

    def holds(self, actual: float) -> bool:
        v = self.value
        return {
            "<": actual < v,
            "≤": actual <= v,
            ">": actual > v,
            "≥": actual >= v,
            "=": actual == v,
            "≠": actual != v,
        }[self.op]

    def __str__(self) -> str:
        return self.text if self.op == "=" else f"{self.op} {self.text}"


def comparison(expected: Any, unit: str = "") -> Comparison | None:
    """A number or a comparison string as a Comparison; None when it is neither (a plain value)."""
    if isinstance(expected, bool):
        return None
    if isinstance(expected, int | float):
        return Comparison("=", float(expected), _num(expected))
    text = str(expected).strip()
    m = _COMPARISON.match(text)
    op, rest = (_OPS[m.group(1)], m.group(2)) if m else ("=", text)
    number = _number(rest, unit)
    return None if number is None else Comparison(op, number, rest)


def _number(text: str, unit: str) -> float | None:
    if _NUMBER.match(text):
        return float(text)
    if unit == "bytes":
        return parse_bytes(text)
    if unit == "seconds":
        seconds = parse_seconds(text)
        return seconds if isinstance(seconds, float) else None
    stripped = text.removesuffix(unit).strip() if unit else text
    return float(stripped) if _NUMBER.match(stripped) else None


def is_comparison(value: Any) -> bool:
    return isinstance(value, str) and bool(_COMPARISON.match(value)) and comparison(value) is not None


def _num(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def number_fact(label: str, actual: float | None, expected: Any, unit: str = "") -> Fact:
    """`p95 183 ms, want < 100 ms` when it fails, `p95 42 ms (< 100 ms)` when it holds.

    `unit` "bytes" and "s" also read `10MB` and `1h` in the expectation."""
    c = comparison(expected, {"bytes": "bytes", "s": "seconds"}.get(unit, unit))
    suffix = f" {unit}" if unit else ""
    if c is None:
        return Fact(False, f'{label}: {expected!r} is not a number or a comparison such as "<200"')
    want = f"{c}{suffix}" if _NUMBER.match(c.text) else str(c)
    if actual is None:
        return Fact(False, f"{label} was not measured, want {want}")
    shown = f"{label} {round_for_people(actual)}{suffix}"
    if c.holds(actual):
        return Fact(True, shown if c.op == "=" else f"{shown} ({want})")
    return Fact(False, f"{shown}, want {want}")


def round_for_people(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}".rstrip("0").rstrip(".")


def value_fact(label: str, actual: Any, expected: Any) -> Fact:
    """A value compared the way a careful person would: numbers by comparison, the rest with the
    JSON-subset matcher of `# Expected:` (a mapping or list in `expected` is a subset)."""
    from golive.run.judge import subset_problem  # the one matcher; imported late: parse reads these models

    if is_comparison(expected) or (isinstance(expected, int | float) and not isinstance(expected, bool)):
        number = to_number(actual)
        if number is not None:
            return number_fact(label, number, expected)
    if isinstance(expected, str) and not isinstance(actual, str) and actual is not None:
        actual = str(actual) if not isinstance(actual, bool) else json.dumps(actual)
    problem = subset_problem(expected, actual, label)
    if problem:
        return Fact(False, f"{problem}" if problem.startswith(label) else f"{label}: {problem}")
    return Fact(True, f"{label} {short(actual)}")


def to_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    return float(text) if _NUMBER.match(text) else None


def short(value: Any, n: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= n else text[: n - 1] + "…"


def version_tuple(text: str) -> tuple[int, ...] | None:
    """The first version number in text: `psql (PostgreSQL) 15.19` -> (15, 19)."""
    m = _VERSION.search(text)
    return tuple(int(p) for p in m.group(0).split(".")) if m else None


def version_text(text: str) -> str:
    m = _VERSION.search(text)
    return m.group(0) if m else ""


def compare_versions(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """-1, 0 or 1; missing parts count as 0 (12 == 12.0)."""
    n = max(len(a), len(b))
    pa, pb = a + (0,) * (n - len(a)), b + (0,) * (n - len(b))
    return (pa > pb) - (pa < pb)


def version_fact(label: str, actual: str | None, wanted: Any) -> Fact:
    """`version 3.1.9, want ≥ 3.2.0`: versions compared part by part (12 == 12.0 < 12.10)."""
    text = str(wanted).strip()
    m = _COMPARISON.match(text)
    op, rest = (_OPS[m.group(1)], m.group(2)) if m else ("=", text)
    want, have = version_tuple(rest), version_tuple(actual or "")
    if want is None:
        return Fact(False, f"{label}: {wanted!r} is not a version")
    if have is None:
        return Fact(False, f"{label}: no version found in {short(actual or '')!r}, want {op} {rest}")
    order = compare_versions(have, want)
    ok = {"<": order < 0, "≤": order <= 0, ">": order > 0, "≥": order >= 0, "=": order == 0, "≠": order != 0}[op]
    shown = f"{label} {version_text(actual or '')}"
    want_text = rest if op == "=" else f"{op} {rest}"
    return Fact(True, f"{shown} ({want_text})") if ok else Fact(False, f"{shown}, want {want_text}")


def lookup(document: Any, parts: list[str]) -> tuple[Any, bool]:
    """`download_monitor.enabled` in a parsed document: (value, found). Digits index lists."""
    value = document
    for part in parts:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None, False
    return value, True


def listed(value: str | list[str] | None) -> list[str]:
    """An option written as one text or a list of them, as a list."""
    return [] if value is None else [value] if isinstance(value, str) else value
