"""`tcp`: a port is open (something accepts a connection), or `closed` (nothing does).

- tcp: localhost:8000
- tcp: localhost:8000
  expect: closed            # after stopping the service
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from typing import Literal

from pydantic import Field, field_validator

from golive.checks.base import Comparison, Context, Fact, Observation
from golive.checks.base import Spec as BaseSpec
from golive.checks.compare import number_fact


class TcpSpec(BaseSpec):
    TYPE = "tcp"
    tcp: str = Field(description="host:port")
    expect: Literal["open", "closed"] = Field(default="open", description="open (default) or closed")
    ms: Comparison | None = Field(default=None, description='connect time in milliseconds, e.g. "<50"')

    @field_validator("tcp")
    @classmethod
    def _address(cls, value: str) -> str:
        host_port(value)
        return value


Spec = TcpSpec


def host_port(value: str) -> tuple[str, int]:
    m = re.fullmatch(r"\s*(?:tcp://)?(\[[^\]]+\]|[^:\s]+):(\d{1,5})\s*", value)
    if not m or not 0 < int(m.group(2)) < 65536:
        raise ValueError(f"{value!r} is not host:port")
    return m.group(1).strip("[]"), int(m.group(2))


async def probe(spec: TcpSpec, ctx: Context) -> Observation:
    host, port = host_port(spec.tcp)
    started = time.perf_counter()
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), spec.timeout)
    except (OSError, TimeoutError) as exc:
        if isinstance(exc, TimeoutError):
            why = "timed out"
        elif isinstance(exc, ConnectionRefusedError) or "Connect call failed" in str(exc):
            why = "refused"
        else:
            why = exc.strerror or str(exc)
        return {"open": False, "why": why}
    ms = (time.perf_counter() - started) * 1000
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return {"open": True, "ms": round(ms, 2)}


def judge(spec: TcpSpec, obs: Observation) -> list[Fact]:
    where = spec.tcp.strip()
    if spec.expect == "closed":
        if obs["open"]:
            return [Fact(False, f"{where} accepts connections, want closed")]
        return [Fact(True, f"{where} is closed ({obs.get('why', 'refused')})")]
    if not obs["open"]:
        return [Fact(False, f"{where} is closed ({obs.get('why', 'refused')}), want open")]
    facts = [Fact(True, f"{where} is open")]
    if spec.ms is not None:
        facts.append(number_fact("connect time", obs.get("ms"), spec.ms, "ms"))
    return facts
