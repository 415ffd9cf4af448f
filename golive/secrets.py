"""Secrets are a type, not a regex applied afterwards.

A `Secret` is a str that serialises as `***` wherever golive writes: events, reports, logs,
the terminal. `Masker` also removes known secret *values* from free text such as command
output, so a token echoed by a command never reaches the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from golive.parse.hazards import is_secret_name

MASK = "***"
_MIN_LENGTH = 4  # shorter values would mask ordinary words and digits


class Secret(str):
    """A value that must never be written down. `str(s)` is the value; `repr(s)` is masked."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Secret('***')"


def redact(value: Any) -> Any:
    """A copy of `value` with every Secret replaced by `***` (dicts, lists and tuples walked)."""
    if isinstance(value, Secret):
        return MASK
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


class Masker:
    """Replaces every known secret value in text with `***`."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(*values)

    def add(self, *values: str) -> None:
        fresh = {str(v) for v in values if v and len(str(v)) >= _MIN_LENGTH} - self._values
        if fresh:
            self._values |= fresh
            ordered = sorted(self._values, key=len, reverse=True)  # longest first: no partial leaks
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def add_named(self, variables: dict[str, str]) -> None:
        """Remember the values of variables whose names say they are secret."""
        self.add(*(v for k, v in variables.items() if is_secret_name(k)))

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def __bool__(self) -> bool:
        return bool(self._values)
