"""`log`: text present in, or absent from, a log file — in what was written since the run began
(default), since the step before the check began, or in the whole file.

    - log: logs/app.log
      absent: ["OperationalError: database is locked", "KeyError: 'question_id'"]
    - log: /var/log/app/worker.log
      present: "worker started"
      since: step
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from golive.checks import mark_key
from golive.checks.base import Context, Fact, Observation, ProbeError
from golive.checks.base import Spec as BaseSpec

READ_LIMIT = 64 << 20  # the last 64 MiB of what is new


class LogSpec(BaseSpec):
    TYPE = "log"
    log: str = Field(description="a log file")
    present: str | list[str] = Field(default_factory=list, description="text that must appear")
    absent: str | list[str] = Field(default_factory=list, description="text that must not appear")
    regex: bool = Field(default=False, description="the texts are regular expressions")
    since: Literal["run", "step", "file"] = Field(
        "run", description="run: written since the run began; step: since the step before began; file: all of it"
    )

    @model_validator(mode="after")
    def _patterns(self) -> LogSpec:
        if not self.patterns("present") and not self.patterns("absent"):
            raise ValueError("say what to look for: `present` or `absent`")
        if self.regex:
            for p in (*self.patterns("present"), *self.patterns("absent")):
                try:
                    re.compile(p)
                except re.error as exc:
                    raise ValueError(f"{p!r} is not a regular expression: {exc}") from None
        return self

    def patterns(self, which: str) -> list[str]:
        value = getattr(self, which)
        return [value] if isinstance(value, str) else list(value)


Spec = LogSpec


async def probe(spec: LogSpec, ctx: Context) -> Observation:
    path = ctx.path(spec.log)
    if not path.is_file():
        raise ProbeError(f"no log file at {path}")
    start = 0 if spec.since == "file" else ctx.log_marks.get(mark_key(path, spec.since), 0)
    return await asyncio.to_thread(_read, spec, path, start)


def _read(spec: LogSpec, path: Path, start: int) -> Observation:
    size = path.stat().st_size
    if size < start:
        start = 0  # rotated or truncated since the mark: all of it is new
    start = max(start, size - READ_LIMIT)
    with path.open("rb") as fh:
        fh.seek(start)
        text = fh.read().decode("utf-8", "replace")
    lines = text.splitlines()
    found: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for pattern in (*spec.patterns("present"), *spec.patterns("absent")):
        rx = re.compile(pattern if spec.regex else re.escape(pattern))
        matching = [line for line in lines if rx.search(line)]
        found[pattern], counts[pattern] = matching[:3], len(matching)
    return {
        "path": str(path),
        "from_byte": start,
        "bytes": size - start,
        "lines": len(lines),
        "counts": counts,
        "_examples": found,
    }


def judge(spec: LogSpec, obs: Observation) -> list[Fact]:
    where = {"run": "since the run began", "step": "since the step before began", "file": "in the file"}[spec.since]
    facts = []
    for p in spec.patterns("present"):
        n = obs["counts"].get(p, 0)
        facts.append(
            Fact(n > 0, f"{p!r}: {n} line(s) {where}" if n else f"{p!r} not found {where} ({obs['lines']} new line(s))")
        )
    for p in spec.patterns("absent"):
        n = obs["counts"].get(p, 0)
        example = obs.get("_examples", {}).get(p, [""])[0][:160] if n else ""
        facts.append(Fact(n == 0, f"no {p!r} {where}" if not n else f"{p!r}: {n} line(s) {where}, first: {example!r}"))
    return facts
