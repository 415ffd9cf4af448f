"""`wait`: run another check again and again until it passes, up to `timeout`.

    - wait: {http: GET http://localhost:8000/health, expect: {status: 200}}
      timeout: 60s
      interval: 2s
    - wait: api-health                  # the `name` of a check written elsewhere in the checklist

A wait is a barrier: the checks after it start when it has passed.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from pydantic import Field

from golive.checks.base import Context, Duration, Fact, Observation, ProbeError, Result
from golive.checks.base import Spec as BaseSpec


class WaitSpec(BaseSpec):
    TYPE = "wait"
    wait: dict[str, Any] | str = Field(description="a check (a mapping), or the name of one")
    timeout: Duration = Field(default=60.0, description="how long to keep trying")
    interval: Duration = Field(default=2.0, description="pause between tries")

    def budget(self) -> float:
        return self.timeout + 30

    def target(self) -> str:
        if isinstance(self.wait, str):
            return self.wait
        from golive.parse.annotations import summary

        kind = next((k for k in self.wait if k not in ("name", "timeout", "retries", "backoff", "needs")), "")
        return summary(kind, self.wait)


Spec = WaitSpec


async def probe(spec: WaitSpec, ctx: Context) -> Observation:
    if isinstance(spec.wait, str):
        inner = ctx.named.get(spec.wait)
        if inner is None:
            raise ProbeError(f"no check is named {spec.wait!r}")
    else:
        inner = spec.wait
    run = ctx.run_inner or _as_written
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        result = await run(inner, ctx)
        waited = time.monotonic() - started
        if result.passed or waited + spec.interval > spec.timeout:
            return {"passed": result.passed, "attempts": attempts, "waited_s": round(waited, 2), "last": result.reason}
        await asyncio.sleep(spec.interval)


async def _as_written(data: dict[str, Any], ctx: Context) -> Result:
    from golive.checks.execute import execute

    return await execute(data, ctx)


def judge(spec: WaitSpec, obs: Observation) -> list[Fact]:
    tries = f"{obs['attempts']} attempt{'s' if obs['attempts'] != 1 else ''}, {obs['waited_s']:g} s"
    if obs["passed"]:
        return [Fact(True, f"passed after {tries}: {obs['last']}")]
    return [Fact(False, f"still failing after {tries} (timeout {spec.timeout:g} s): {obs['last']}")]
