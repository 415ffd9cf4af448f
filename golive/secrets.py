"""Secrets are a type, not a regex applied afterwards.

A `Secret` is a str that serialises as `***` wherever golive writes: events, reports, logs,
the terminal. `Masker` removes secret *values* from free text such as command output, before
anything is stored, printed, reported or sent:
- values it was told (`add`: a `--var` of a secret field; `add_named`: variables whose names
  say they are secret, as the shell session exports them);
- values found in the text itself (golive/secretscan.py: a literal `export API_TOKEN=…`, and
  what detect-secrets' detectors recognise: JWTs, AWS keys, passwords in URLs…). A found value
  that looks like a token is remembered, so it is masked wherever it shows up again.

A value printed in pieces is still masked: a known value broken across lines is found with the
line breaks inside it (and masking keeps the number of lines), `LineStream` holds back a live
line that ends with the beginning of a known value until the next line shows whether the value
goes on, and `parts` masks a value cut in two where a long output's head and tail were split.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from golive import secretscan
from golive.parse.hazards import is_secret_name

MASK = "***"
_MIN_LENGTH = secretscan.MIN_LENGTH
_MIN_PIECE = 4  # the shortest beginning or end of a value that is held back or masked as a piece
_MAX_HELD_LINES = 64
_MAX_BROKEN = 512  # longer values are matched only whole (a pattern per character is costly)
_SEEN: set[str] = set()  # every value any Masker of this process knows: a crash report masks them all


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
    """Replaces every secret value in text with `***`: the values it knows and the ones it finds."""

    def __init__(self, values: Iterable[str] = (), detect: bool = True) -> None:
        self._values: set[str] = set()
        self._longest_first: list[str] = []  # replaced in this order: a value inside another never leaks its rest
        self._detect = detect
        self._broken: dict[str, re.Pattern[str]] = {}  # value -> its pattern with line breaks inside, made on need
        self._ends: dict[str, list[tuple[str, int]]] = {}  # last 4 chars of a beginning -> (value, its length)
        self._longest = 0
        self.add(*values)

    def add(self, *values: str) -> None:
        fresh = {str(v) for v in values if v and len(str(v)) >= _MIN_LENGTH and str(v) != MASK} - self._values
        if fresh:
            self._values |= fresh
            _SEEN.update(fresh)
            self._longest_first = sorted(self._values, key=len, reverse=True)
            self._longest = len(self._longest_first[0])
            for value in fresh:
                for k in range(_MIN_PIECE, len(value)):
                    self._ends.setdefault(value[k - _MIN_PIECE : k], []).append((value, k))

    def add_named(self, variables: dict[str, str]) -> None:
        """Remember the values of variables whose names say they are secret."""
        self.add(*(v for k, v in variables.items() if is_secret_name(k)))

    def __call__(self, text: str) -> str:
        if not text:
            return text
        if self._detect:
            text = self._mask_found(text)
        for value in self._longest_first:
            if value in text:
                text = text.replace(value, MASK)
        if "\n" in text and self._values:
            text = self._mask_broken(text)
        return text

    def __bool__(self) -> bool:
        return bool(self._values)

    # --- structured values, pieces and streams ------------------------------------------------------------

    def data(self, value: Any) -> Any:
        """A copy of `value` with Secrets as `***` and every string masked (dicts, lists walked)."""
        if isinstance(value, Secret):
            return MASK
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            # Keys too: a log check counts its patterns by text, and a pattern may be a secret.
            return {self(k) if isinstance(k, str) else k: self.data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.data(v) for v in value]
        return value

    def parts(self, head: str, tail: str, cut: int) -> tuple[str, str]:
        """A long output's head and tail, masked as the one text they are: when nothing was cut
        between them the two are joined (a value may straddle the seam); when the middle was cut,
        a value's beginning at the end of the head and its end at the start of the tail are masked."""
        if not cut:
            return self(head + tail), ""
        head, tail = self(head), self(tail)
        begins = self._beginning_at_end(head)
        if begins:
            head = head[:-begins] + MASK
        ends = self._end_at_start(tail)
        if ends:
            tail = MASK + tail[ends:]
        return head, tail

    def stream(self) -> LineStream:
        """Mask live output line by line (see LineStream)."""
        return LineStream(self)

    def could_continue(self, text: str) -> bool:
        """Does `text` end with the beginning of a known value (line breaks inside it ignored)?"""
        if not self._values:
            return False
        compact = text[-2 * self._longest :].replace("\r", "").replace("\n", "")
        return self._beginning_at_end(compact) > 0

    # --- inside -------------------------------------------------------------------------------------------------

    def _mask_found(self, text: str) -> str:
        lines = text.split("\n")
        changed = False
        for i, line in enumerate(lines):
            found = secretscan.find(line)
            if found:
                self.add(*(f.value for f in found if f.learn))
                for f in found:
                    line = line.replace(f.value, MASK)
                lines[i] = line
                changed = True
        return "\n".join(lines) if changed else text

    def _mask_broken(self, text: str) -> str:
        """Values printed with line breaks inside: only those whose beginning ends a line are looked for."""
        suspects: set[str] = set()
        for line in text.split("\n")[:-1]:
            suspects.update(self._beginnings_at_end(line.rstrip("\r")))
        for value in sorted(suspects, key=len, reverse=True):
            if len(value) > _MAX_BROKEN:
                continue
            if value not in self._broken:
                self._broken[value] = re.compile(_broken(value))
            text = self._broken[value].sub(_stars_keeping_lines, text)
        return text

    def _beginnings_at_end(self, text: str) -> dict[str, int]:
        """Known values whose proper beginning (at least _MIN_PIECE long) `text` ends with, and its length."""
        found: dict[str, int] = {}
        if len(text) >= _MIN_PIECE:
            for value, k in self._ends.get(text[-_MIN_PIECE:], ()):
                if k <= len(text) and k > found.get(value, 0) and text.endswith(value[:k]):
                    found[value] = k
        return found

    def _beginning_at_end(self, text: str) -> int:
        """The length of the longest proper beginning of a known value that `text` ends with (0: none)."""
        return max(self._beginnings_at_end(text).values(), default=0)

    def _end_at_start(self, text: str) -> int:
        best = 0
        for value in self._values:
            for k in range(min(len(value) - 1, len(text)), max(best, _MIN_PIECE - 1), -1):
                if text.startswith(value[-k:]):
                    best = k
                    break
        return best


class LineStream:
    """Live output, masked line by line. A line that ends with the beginning of a known value is
    held until the next line shows whether the value goes on, so a value printed in pieces across
    lines is masked whole; everything held comes out at the next line that ends otherwise, or at
    `flush`. Lines come out in the same number as they went in."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker
        self._held: list[str] = []

    def feed(self, line: str) -> list[str]:
        self._held.append(line)
        text = "\n".join(self._held)
        if len(self._held) < _MAX_HELD_LINES and self.masker.could_continue(text):
            return []
        return self.flush()

    def flush(self) -> list[str]:
        if not self._held:
            return []
        text, self._held = "\n".join(self._held), []
        return self.masker(text).split("\n")


def mask_everything(text: str, values: Iterable[str] = ()) -> str:
    """`text` masked with `values`, every value any Masker of this process knows, and what detection finds."""
    return Masker([*_SEEN, *values])(text)


def _broken(value: str) -> str:
    """A pattern for `value` printed with line breaks inside it."""
    return r"(?:\r?\n)?".join(re.escape(c) for c in value)


def _stars_keeping_lines(match: re.Match[str]) -> str:
    return MASK + "\n" * match.group().count("\n")
