"""What a step can end a run with, shared by the engine and the steps: abort, roll back now, a
service left running, and a person's stored answer. Steps import these; they never import the engine."""

from __future__ import annotations

from dataclasses import dataclass

from golive.run.people import Answer
from golive.run.state import RunState


class Abort(Exception):
    """Stop the run: a person chose to (the run is `aborted`), or a failure with nobody to ask (`failed`)."""

    def __init__(self, message: str, by_person: bool = False) -> None:
        super().__init__(message)
        self.by_person = by_person


class RollbackNow(Exception):
    """Run the rollback section now."""


@dataclass
class Service:
    item: str
    pid: int
    port: int | None
    out: str
    err: str
    how: str


def answer_of(state: RunState, item: str) -> tuple[Answer, str] | None:
    """A person's stored answer for `item` (from `golive confirm`), with who gave it."""
    data = state.answers.get(item)
    if data is None:
        return None
    return Answer(
        data.get("verb", "confirm"), data.get("reason", ""), data.get("value", ""), int(data.get("option", -1))
    ), state.answer_actors.get(item, "")
