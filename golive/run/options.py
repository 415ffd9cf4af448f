"""What a run was asked to do: the options of `golive run` / `resume`, as one value.

The record keeps them (never a variable's value), so a resumed run continues as it started.
The command line validates each option as it parses it (golive/cli.py); this is built in one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class RunOptions:
    env: str = "default"
    vars: dict[str, str] = field(default_factory=dict)
    yes: bool = False
    non_interactive: bool = False
    manual: str = "ask"  # ask | pause | skip (manual items; sign-offs are never skipped)
    from_item: str = ""
    rollback_on_failure: bool = False
    allow_destructive: bool = False
    timeout_s: float = 600.0
    follow_window_s: float = 10.0
    start_window_s: float = 15.0
    service_timeout_s: float = 60.0
    choose: dict[str, str] = field(default_factory=dict)
    services: str = "ask"  # ask | leave | stop: background services at the end of the run
    in_doubt: str = "ask"  # ask | rerun | done | skip
    workdir: str = "."
    concurrency: int = 32  # checks in flight at once
    wait_s: float = 0.0  # --wait: how long a run waits for a person's answer before it pauses (0: it pauses)
    acting_as: str = ""  # --as NAME when given: a resume acts as the same person unless told otherwise

    @classmethod
    def given(cls, recorded: dict[str, Any] | None = None, **given: Any) -> RunOptions:
        """The options a run was started with (`recorded`), then those given now; an option not
        given (None, False, empty) keeps its recorded or default value."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in (recorded or {}).items() if k in names and k != "vars"}
        values |= {k: v for k, v in given.items() if k in names and v not in (None, False, "", {}, ())}
        return cls(**values)

    def recordable(self) -> dict[str, Any]:
        """What goes into the record: never a value, only which variables were given."""
        data = {k: v for k, v in vars(self).items() if k != "vars"}
        data["vars"] = sorted(self.vars)
        return data
