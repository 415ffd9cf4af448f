"""Three kinds of failure, three paths: user errors (exit 2 with file:line and a hint),
a run waiting for a person (3), a lock held by another run (4). Anything else is a bug."""

from __future__ import annotations


class GoliveError(Exception):
    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(GoliveError):
    """Bad input: a file that can't be read, a bad option, a bad annotation. Exit 2."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "", path: str = "", line: int = 0) -> None:
        super().__init__(message, hint)
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path and self.line else (f"{self.path}: " if self.path else "")
        return where + super().__str__()


class NotFound(InputError):
    """A run or item that does not exist."""


class LockHeld(GoliveError):
    """Another run of this checklist and environment holds the lock. Exit 4."""

    exit_code = 4


EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_PAUSED = 3
EXIT_LOCKED = 4
EXIT_BUG = 70  # outside 0-4 on purpose: a bug, with a crash report
EXIT_INTERRUPTED = 130
