"""What a run was asked to do: the options of `golive run` / `resume`, as one value.

The record keeps them (never a variable's value), so a resumed run continues as it started.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunOptions:
    env: str = "default"
    vars: dict[str, str] = field(default_factory=dict)
    yes: bool = False
    non_interactive: bool = False
    manual: str = "ask"  # ask | pause | skip
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

    def recordable(self) -> dict[str, Any]:
        """What goes into the record: never a value, only which variables were given."""
        data = {k: v for k, v in vars(self).items() if k != "vars"}
        data["vars"] = sorted(self.vars)
        return data
