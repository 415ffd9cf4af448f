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
import ssl
import time
import urllib.parse
from typing import Any

import h11
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
    method, url = method_and_url(spec.bench)
    total = spec.requests if spec.requests is not None else (None if spec.duration else 100)
    target = _Target(method, url, spec)
    latencies: list[float] = []
    errors = 0
    issued = 0
    started = time.perf_counter()
    deadline = started + spec.duration if spec.duration else math.inf

    async def worker() -> None:
        nonlocal errors, issued
        connection: _Connection | None = None
        while (total is None or issued < total) and time.perf_counter() < deadline:
            issued += 1
            t0 = time.perf_counter()
            try:
                connection = connection or await _Connection.open(target, spec.timeout)
                async with asyncio.timeout(spec.timeout):  # no task per request, unlike wait_for
                    status = await connection.request(target)
                ok = status < 400
            except (OSError, TimeoutError, h11.ProtocolError, ConnectionError):
                ok, connection = False, None
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += not ok
            if connection is not None and connection.closed:
                connection = None

    await asyncio.gather(*(worker() for _ in range(spec.concurrency)))
    elapsed = time.perf_counter() - started
    return summarize(latencies, errors, elapsed, spec.concurrency)


class _Target:
    """What every request of a load test sends, built once."""

    def __init__(self, method: str, url: str, spec: BenchSpec) -> None:
        parts = urllib.parse.urlsplit(url)
        self.tls = parts.scheme == "https"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (443 if self.tls else 80)
        self.verify = spec.verify
        body = (spec.body or "").encode()
        headers = [("Host", parts.netloc), ("User-Agent", "golive-bench"), *spec.headers.items()]
        if body:
            headers.append(("Content-Length", str(len(body))))
        self.request = h11.Request(
            method=method, target=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""), headers=headers
        )
        self.body = h11.Data(data=body) if body else None


class _Connection:
    """One keep-alive HTTP/1.1 connection (h11, the engine under httpx) of a load test.

    A load generator must cost far less than what it measures: httpx spends ~1.5 ms of CPU on each
    request, h11 over asyncio streams ~0.25 ms, so the latencies are the service's, not golive's."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(h11.CLIENT)
        self.closed = False

    @classmethod
    async def open(cls, target: _Target, timeout: float) -> _Connection:
        context = None
        if target.tls:
            context = ssl.create_default_context()
            if not target.verify:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
        reader, writer = await asyncio.wait_for(asyncio.open_connection(target.host, target.port, ssl=context), timeout)
        return cls(reader, writer)

    async def request(self, target: _Target) -> int:
        conn = self.h11
        out = (
            conn.send(target.request) + (conn.send(target.body) if target.body else b"") + conn.send(h11.EndOfMessage())
        )
        self.writer.write(out)
        status = 0
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await self.reader.read(65536)
                conn.receive_data(data)
                if not data:
                    self.closed = True
                continue
            if isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise ConnectionError("the service closed the connection")
        if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
            self.closed = True
            self.writer.close()
        else:
            conn.start_next_cycle()
        return status


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
