"""`process`: processes found by name, pidfile or listening port; how many; CPU and memory sampled
over a window (psutil), all matching processes together.

    - process: emp_monitor              # a process name, or a script's name (python3 emp_monitor.py)
      sample: 30s
      expect: {cpu_percent: "<1", rss_mb: "<20"}
    - process: {port: 8000}
    - process: {pidfile: /run/app.pid}
      count: 1
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from golive.checks.base import Comparison, Context, Duration, Fact, Observation, Options, ProbeError
from golive.checks.base import Spec as BaseSpec
from golive.checks.compare import number_fact


class ProcessExpect(Options):
    cpu_percent: Comparison | None = Field(
        default=None, description='CPU over the sample window, e.g. "<1" (100 = a core)'
    )
    rss_mb: Comparison | None = Field(default=None, description='resident memory in MiB (the highest seen), e.g. "<20"')


class ProcessSpec(BaseSpec):
    TYPE = "process"
    FLAT_HEAD = ""
    process: str = Field(default="", description="a process or script name")
    pidfile: str | None = Field(default=None, description="a file holding the pid")
    port: int | None = Field(default=None, ge=1, le=65535, description="the port the process listens on")
    count: Comparison = Field(default=">=1", description='how many processes match, e.g. 1 or ">=2" (default ≥ 1)')
    sample: Duration = Field(default=0.0, description='how long to watch CPU and memory, e.g. "30s" (default 1 s)')
    expect: ProcessExpect = Field(default=ProcessExpect(), description="limits on CPU and memory")

    @model_validator(mode="after")
    def _how(self) -> ProcessSpec:
        if sum(bool(x) for x in (self.process, self.pidfile, self.port)) != 1:
            raise ValueError("find the process one way: by name, `pidfile` or `port`")
        return self

    def budget(self) -> float:
        return self.timeout + self.sample

    def target(self) -> str:
        return self.process or (f"pidfile {self.pidfile}" if self.pidfile else f"port {self.port}")


Spec = ProcessSpec


def find(spec: ProcessSpec, ctx: Context) -> list[Any]:
    import psutil

    if spec.pidfile:
        path = ctx.path(spec.pidfile)
        try:
            pid = int(path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            raise ProbeError(f"no pid in {path}") from None
        return [psutil.Process(pid)] if psutil.pid_exists(pid) else []
    if spec.port:
        pids = {
            c.pid
            for c in psutil.net_connections("inet")
            if c.status == "LISTEN" and c.laddr and c.laddr[1] == spec.port
        }
        return [psutil.Process(p) for p in pids if p]
    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    found = []
    for proc in psutil.process_iter(["pid", "name", "cmdline"]):
        if proc.pid in mine:
            continue
        cmdline = proc.info["cmdline"] or []
        words = {proc.info["name"] or ""} | {Path(a).name for a in cmdline[:3]} | {Path(a).stem for a in cmdline[:3]}
        if spec.process in words:
            found.append(proc)
    return found


async def probe(spec: ProcessSpec, ctx: Context) -> Observation:
    import psutil

    procs = await asyncio.to_thread(find, spec, ctx)
    window = spec.sample or (1.0 if spec.expect.cpu_percent is not None else 0.0)
    rss = 0
    try:
        for p in procs:
            p.cpu_percent(None)
        rss = sum(p.memory_info().rss for p in procs)
        waited = 0.0
        while waited < window:
            step = min(1.0, window - waited)
            await asyncio.sleep(step)
            waited += step
            rss = max(rss, sum(p.memory_info().rss for p in procs if p.is_running()))
        cpu = sum(p.cpu_percent(None) for p in procs if p.is_running()) if window else None
    except psutil.Error as exc:
        raise ProbeError(f"a matching process went away while sampled: {exc}") from None
    return {
        "pids": [p.pid for p in procs],
        "count": len(procs),
        "rss_mb": round(rss / (1 << 20), 1),
        **({"cpu_percent": round(cpu, 2), "window_s": window} if cpu is not None else {}),
    }


def judge(spec: ProcessSpec, obs: Observation) -> list[Fact]:
    facts = [number_fact(f"{spec.target()}: processes", obs["count"], spec.count)]
    if not obs["count"]:
        return facts
    if spec.expect.cpu_percent is not None:
        facts.append(
            number_fact(f"CPU over {obs.get('window_s', 0):g} s", obs.get("cpu_percent"), spec.expect.cpu_percent, "%")
        )
    if spec.expect.rss_mb is not None:
        facts.append(number_fact("memory", obs.get("rss_mb"), spec.expect.rss_mb, "MB"))
    return facts
