"""`bench`: HTTP load — a number of requests, or a duration, at a concurrency; throughput,
latency percentiles and errors, judged against limits. The numbers stay in the record for trends.

    - bench: GET http://localhost:8000/api/employees
      requests: 500
      concurrency: 10
      expect: {p95_ms: "<100", errors: 0}
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from pydantic import Field, field_validator, model_validator

from golive.checks.base import Comparison, Context, Duration, Fact, Observation, Options
from golive.checks.base import Spec as BaseSpec
from golive.checks.compare import number_fact
from golive.checks.http import method_and_url


class BenchExpect(Options):
    p50_ms: Comparison | None = Field(default=None, description="median latency in ms")
    p95_ms: Comparison | None = Field(default=None, description="95th percentile latency in ms")
    p99_ms: Comparison | None = Field(default=None, description="99th percentile latency in ms")
    rps: Comparison | None = Field(default=None, description='requests per second, e.g. ">100"')
    errors: Comparison | None = Field(
        default=None, description="failed requests (status ≥ 400 or no answer); default 0"
    )
    error_rate: Comparison | None = Field(default=None, description='failed share in percent, e.g. "<1"')


class BenchSpec(BaseSpec):
    TYPE = "bench"
    bench: str = Field(description='"METHOD URL" or a URL (GET)')
    requests: int | None = Field(default=None, ge=1, le=10_000_000, description="how many requests (default 100)")
    duration: Duration | None = Field(default=None, description='or for how long, e.g. "30s"')
    concurrency: int = Field(default=10, ge=1, le=1000, description="requests in flight at once")
    headers: dict[str, str] = Field(default_factory=dict, description="request headers")
    body: str | None = Field(default=None, description="a request body")
    verify: bool = Field(default=True, description="verify the TLS certificate")
    expect: BenchExpect = Field(default=BenchExpect(), description="limits on the results")

    @field_validator("bench")
    @classmethod
    def _request(cls, value: str) -> str:
        method_and_url(value)
        return value

    @model_validator(mode="after")
    def _one_limit(self) -> BenchSpec:
        if self.requests is not None and self.duration is not None:
            raise ValueError("give `requests` or `duration`, not both")
        return self

    def budget(self) -> float:
        return (self.duration or 0) + max(self.timeout, 10) * 60


Spec = BenchSpec


async def probe(spec: BenchSpec, ctx: Context) -> Observation:
    import httpx

    method, url = method_and_url(spec.bench)
    total = spec.requests if spec.requests is not None else (None if spec.duration else 100)
    limits = httpx.Limits(max_connections=spec.concurrency, max_keepalive_connections=spec.concurrency)
    latencies: list[float] = []
    errors = 0
    issued = 0
    started = time.perf_counter()
    deadline = started + spec.duration if spec.duration else math.inf

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors, issued
        while (total is None or issued < total) and time.perf_counter() < deadline:
            issued += 1
            t0 = time.perf_counter()
            try:
                response = await client.request(method, url, headers=spec.headers, content=spec.body)
                ok = response.status_code < 400
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += not ok

    async with httpx.AsyncClient(limits=limits, timeout=spec.timeout, verify=spec.verify, trust_env=False) as client:
        await asyncio.gather(*(worker(client) for _ in range(spec.concurrency)))
    elapsed = time.perf_counter() - started
    return summarize(latencies, errors, elapsed, spec.concurrency)


def summarize(latencies: list[float], errors: int, elapsed: float, concurrency: int) -> Observation:
    ordered = sorted(latencies)
    n = len(ordered)
    out: dict[str, Any] = {"requests": n, "errors": errors, "concurrency": concurrency, "duration_s": round(elapsed, 3)}
    out["rps"] = round(n / elapsed, 1) if elapsed > 0 else 0.0
    out["error_rate"] = round(100 * errors / n, 2) if n else 0.0
    for p in (50, 95, 99):
        out[f"p{p}_ms"] = round(percentile(ordered, p), 2) if n else None
    out["max_ms"] = round(ordered[-1], 2) if n else None
    return out


def percentile(ordered: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of values at or below it."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def judge(spec: BenchSpec, obs: Observation) -> list[Fact]:
    e = spec.expect
    facts = [number_fact("errors", obs["errors"], e.errors if e.errors is not None else 0)]
    facts[0] = Fact(facts[0].ok, f"{facts[0].text} of {obs['requests']} requests")
    for key, label, unit in (
        ("p50_ms", "p50", "ms"),
        ("p95_ms", "p95", "ms"),
        ("p99_ms", "p99", "ms"),
        ("rps", "throughput", "req/s"),
        ("error_rate", "error rate", "%"),
    ):
        wanted = getattr(e, key)
        if wanted is not None:
            facts.append(number_fact(label, obs.get(key), wanted, unit))
    if not any(getattr(e, k) is not None for k in ("p50_ms", "p95_ms", "p99_ms", "rps")):
        facts.append(Fact(True, f"p50 {obs['p50_ms']} ms, p95 {obs['p95_ms']} ms, {obs['rps']} req/s"))
    return facts
